"""`cxdesk demo`: fills its own file (never the real database, never another office's),
rebuilds it on --reset, opens the app with the sign-in hint, prints --stats."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cxdesk.cli import main
from cxdesk.demo import office as demo
from tests.factories import count_visits, demo_stats_of, make_office


def _run(*args):
    return CliRunner().invoke(main, ["demo", *args])


def test_demo_no_ui_fills_and_exits_0(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _run("--db", url, "--days", "3", "--no-ui")
    assert result.exit_code == 0, result.output
    assert "Filled" in result.output and "DEMO1" in result.output
    assert count_visits(url) > 100


def test_demo_default_file_is_kept_apart_and_filled_once(cxdesk_home):
    first = _run("--days", "2", "--no-ui")
    assert first.exit_code == 0, first.output
    assert (cxdesk_home / "data" / "demo.db").exists()
    assert not (cxdesk_home / "data" / "cxdesk.db").exists()
    again = _run("--days", "2", "--no-ui")
    assert again.exit_code == 0
    assert "already holds the demo office" in again.output


def test_demo_refuses_a_database_with_another_office(tmp_path, db, db_url):
    make_office(db)
    result = _run("--db", db_url, "--days", "2", "--no-ui")
    assert result.exit_code == 1
    assert "CHI01" in result.output and "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert count_visits(db_url) == 0
    reset = _run("--db", db_url, "--days", "2", "--no-ui", "--reset")
    assert reset.exit_code == 1 and count_visits(db_url) == 0


def test_demo_refuses_the_real_database(cxdesk_home):
    from cxdesk.config import default_db_url

    result = _run("--db", default_db_url(), "--days", "2", "--no-ui")
    assert result.exit_code == 1
    assert "real work" in result.output
    assert not (cxdesk_home / "data" / "cxdesk.db").exists()


def test_demo_reset_rebuilds_the_demo_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'reset.db'}"
    assert _run("--db", url, "--days", "2", "--no-ui").exit_code == 0
    small = count_visits(url)
    result = _run("--db", url, "--days", "4", "--no-ui", "--reset")
    assert result.exit_code == 0, result.output
    assert count_visits(url) > small


def test_demo_open_fills_then_opens_with_the_sign_in_hint(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("cxdesk.cli.demo.run_app",
                        lambda url, demo_hint=None, **_kiosk: opened.append((url, demo_hint)))
    url = f"sqlite:///{tmp_path / 'open.db'}"
    assert _run("--db", url, "--days", "2", "--open").exit_code == 0
    assert _run("--db", url, "--days", "2", "--open").exit_code == 0
    assert opened == [(url, demo.DEMO_HINT)] * 2
    assert "SUP1" in demo.DEMO_HINT and "CLK1" in demo.DEMO_HINT
    assert _run("--db", url, "--no-ui", "--open").exit_code == 0
    assert len(opened) == 2


def test_demo_refuses_a_foreign_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    result = _run("--db", str(path), "--no-ui")
    assert result.exit_code == 1
    assert "not a database" in result.output
    assert path.read_text().startswith("these are my notes")


def test_demo_stats_prints_the_realism_figures_beside_the_ssa_figures(tmp_path):
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    assert _run("--db", url, "--days", "3", "--no-ui").exit_code == 0
    before = count_visits(url)
    result = _run("--db", url, "--stats")
    assert result.exit_code == 0, result.output
    stats = demo_stats_of(url)
    lines = result.output.splitlines()
    assert lines[0].startswith("Realism of DEMO1") and f"{stats.days} full working days" in lines[0]
    wait = next(line for line in lines if line.startswith("mean wait"))
    assert f"{stats.mean_wait_minutes:.1f}" in wait and "19 (FY2010) to 26 (FY2015)" in wait
    assert any(line.startswith("waited over an hour") and "about 11%" in line for line in lines)
    assert any(line.startswith("service minutes: change_address") and "about 6" in line for line in lines)
    assert count_visits(url) == before  # --stats only reads


def test_demo_stats_without_a_demo_database_says_so(tmp_path):
    path = tmp_path / "none.db"
    result = _run("--db", f"sqlite:///{path}", "--stats")
    assert result.exit_code == 1 and "no demo database" in result.output
    assert not path.exists()


@pytest.mark.postgres
def test_demo_command_fills_postgresql(pg_url):
    result = _run("--db", pg_url, "--days", "2", "--no-ui")
    assert result.exit_code == 0, result.output
    assert count_visits(pg_url) > 50
