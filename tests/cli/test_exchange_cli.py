"""`cxdesk export` and `cxdesk office key` from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cxdesk.cli import main
from tests.factories import CLERK, SUPERVISOR


def _run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_office_key_prints_the_key_and_its_fingerprint(db, office, db_url):
    path = db_url.removeprefix("sqlite:///")
    result = _run("office", "key", "--db", path)
    assert result.exit_code == 0
    assert "ed25519:" in result.output and "SHA256:" in result.output
    assert _run("office", "key", "--db", path).output == result.output


def test_export_writes_a_zip_and_the_next_one_only_changes(db, office, db_url, tmp_path):
    path = db_url.removeprefix("sqlite:///")
    first = _run("export", "--db", path, "--out", str(tmp_path / "one.zip"))
    assert first.exit_code == 0, first.output
    assert "Wrote" in first.output and (tmp_path / "one.zip").exists()
    second = _run("export", "--db", path, "--out", str(tmp_path / "two"))
    assert second.exit_code == 0 and " 0 rows" in second.output
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["range"]["kind"] == "changes" and manifest["range"]["after_version"] > 0


def test_export_takes_one_range_at_a_time(db, office, db_url, tmp_path):
    path = db_url.removeprefix("sqlite:///")
    both = _run("export", "--db", path, "--all", "--quarter", "FY2027Q1", "--out", str(tmp_path / "x"))
    assert both.exit_code == 1 and "Choose one" in both.output
    bad = _run("export", "--db", path, "--quarter", "2027Q1", "--out", str(tmp_path / "x"))
    assert bad.exit_code == 1 and "FY2027Q1" in bad.output
    month = _run("export", "--db", path, "--period", "2026-11", "--out", str(tmp_path / "m"))
    assert month.exit_code == 0, month.output
    range_ = json.loads((tmp_path / "m" / "manifest.json").read_text())["range"]
    assert (range_["from"], range_["to"]) == ("2026-11-01", "2026-11-30")


def test_personal_data_needs_a_supervisor_and_the_right_pin(db, office, db_url, tmp_path):
    path = db_url.removeprefix("sqlite:///")
    no_staff = _run("export", "--db", path, "--include-pii", "--out", str(tmp_path / "a"))
    assert no_staff.exit_code == 1 and "--staff" in no_staff.output
    clerk = _run("export", "--db", path, "--include-pii", "--staff", CLERK[0], "--out", str(tmp_path / "b"),
                 input=CLERK[2] + "\n")
    assert clerk.exit_code == 1 and "Only a supervisor" in clerk.output
    wrong = _run("export", "--db", path, "--include-pii", "--staff", SUPERVISOR[0], "--out", str(tmp_path / "c"),
                 input="0000\n")
    assert wrong.exit_code == 1 and not (tmp_path / "c").exists()
    right = _run("export", "--db", path, "--include-pii", "--staff", SUPERVISOR[0], "--out", str(tmp_path / "d"),
                 input=SUPERVISOR[2] + "\n")
    assert right.exit_code == 0, right.output
    assert "with personal data" in right.output
    assert json.loads((tmp_path / "d" / "manifest.json").read_text())["pii_released_by"] == SUPERVISOR[0]


def test_a_long_export_shows_its_progress_on_stderr_and_a_short_one_does_not(capsys):
    from cxdesk.cli.export import PROGRESS_FROM_ROWS, _with_progress

    def work(progress, on_total, total):
        on_total(total)
        for _ in range(3):
            progress(total // 3)
        return "written"

    assert _with_progress(lambda p, t: work(p, t, PROGRESS_FROM_ROWS * 3)) == "written"
    assert "Exporting" in capsys.readouterr().err
    assert _with_progress(lambda p, t: work(p, t, PROGRESS_FROM_ROWS - 1)) == "written"
    assert capsys.readouterr().err == ""
