"""`cxdesk export a11` on an office database and on headquarters' central one, and `--check`."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from cxdesk.cli import main
from tests.factories import FIXED_NOW, make_office, serve, survey_many


def _run(*args):
    return CliRunner().invoke(main, list(args))


def _sheet(folder: Path) -> dict[str, dict]:
    with open(folder / "worksheet.csv", encoding="utf-8", newline="") as stream:
        return {row["service"]: row for row in csv.DictReader(stream)}


def test_export_a11_writes_the_folder_and_checks_it(db, office, signed_in, db_url, tmp_path):
    survey_many(db, office, signed_in)
    result = _run("export", "a11", "--quarter", "FY2027Q1", "--db", db_url, "--out", str(tmp_path / "q1"))
    assert result.exit_code == 0, result.output
    assert "2 Touchpoints file(s), 4 respondents" in result.output and "Check passed" in result.output
    assert sorted(p.name for p in (tmp_path / "q1").iterdir()) == [
        "touchpoints-change_address-in_person.csv", "touchpoints-replacement_card-in_person.csv",
        "worksheet.csv", "worksheet.md"]
    check = _run("export", "a11", "--check", str(tmp_path / "q1"))
    assert check.exit_code == 0 and "fit to upload" in check.output


def test_check_lists_what_is_wrong_and_exits_non_zero(db, office, signed_in, db_url, tmp_path):
    survey_many(db, office, signed_in)
    _run("export", "a11", "--quarter", "FY2027Q1", "--db", db_url, "--out", str(tmp_path / "q1"))
    path = tmp_path / "q1" / "touchpoints-change_address-in_person.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"question_1", b"trust", 1))
    result = _run("export", "a11", "--check", str(tmp_path / "q1"))
    assert result.exit_code == 1
    assert "3 problem(s)" in result.output and "byte-order mark" in result.output
    assert "missing column question_1" in result.output and "Traceback" not in result.output


def test_bad_input_is_a_sentence_and_writes_nothing(db, office, db_url, tmp_path):
    bad = _run("export", "a11", "--quarter", "2027-1", "--db", db_url, "--out", str(tmp_path / "x"))
    assert bad.exit_code == 1 and "FY2027Q1" in bad.output and not (tmp_path / "x").exists()
    missing = _run("export", "a11", "--db", db_url, "--out", str(tmp_path / "x"))
    assert missing.exit_code == 1 and "--quarter" in missing.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    full = _run("export", "a11", "--quarter", "FY2027Q1", "--db", db_url, "--out", str(tmp_path / "full"))
    assert full.exit_code == 1 and "not an empty folder" in full.output
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]
    nobody = _run("export", "a11", "--quarter", "FY2027Q1", "--db", db_url, "--office", "NYC9",
                  "--out", str(tmp_path / "y"))
    assert nobody.exit_code == 1 and "No office 'NYC9'" in nobody.output


def test_the_bundle_export_still_takes_its_own_options(db, office, db_url, tmp_path):
    result = _run("export", "--db", db_url, "--quarter", "FY2027Q1", "--out", str(tmp_path / "bundle"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bundle" / "manifest.json").exists()


def test_on_the_central_database_offices_add_up_and_one_can_be_picked(db, office, signed_in, tmp_path):
    """Two offices' bundles ingested at headquarters: the A-11 lines are the sums of the
    offices' own, and --office gives one office's (comments stay home without --include-pii)."""
    from cxdesk.domain.office import get_station
    from cxdesk.domain.office_key import office_key
    from cxdesk.domain.staff import sign_in
    from cxdesk.exchange.bundle import Selection, write_bundle
    from cxdesk.exchange.ingest import ingest_bundle, register_office
    from cxdesk.store.db import open_database
    from tests.factories import CLERK

    survey_many(db, office, signed_in)
    other = open_database(f"sqlite:///{tmp_path / 'den.db'}", create=True)
    den = make_office(other)
    with other.session() as session:  # the same test office, registered under another code
        den = session.merge(den)
        den.code, den.name = "DEN01", "Denver"
        session.add(den)
        session.commit()
        session.refresh(den)
        who = sign_in(session, den, code=CLERK[0], pin=CLERK[2], station=get_station(session, den, "W1"),
                      now=FIXED_NOW)
    serve(other, den, who, service="change_address")
    central = open_database(f"sqlite:///{tmp_path / 'central.db'}", create=True)
    try:
        for database, code, name in ((db, "CHI01", "Chicago Loop"), (other, "DEN01", "Denver")):
            with database.session() as session:
                from cxdesk.domain.office import require_office

                mine = require_office(session)
                key = office_key(session, mine, FIXED_NOW)
            write_bundle(database, tmp_path / code, Selection("all"), now=FIXED_NOW)
            register_office(central, code, name, key.public_key, FIXED_NOW)
            report = ingest_bundle(central, tmp_path / code, now=FIXED_NOW)
            assert report.status == "ingested", report.reason
    finally:
        central.dispose()
        other.dispose()
    url = f"sqlite:///{tmp_path / 'central.db'}"
    both = _run("export", "a11", "--quarter", "FY2027Q1", "--db", url, "--out", str(tmp_path / "all"))
    assert both.exit_code == 0, both.output
    assert "offices CHI01, DEN01" in both.output
    one = _run("export", "a11", "--quarter", "FY2027Q1", "--db", url, "--office", "chi01", "--out",
               str(tmp_path / "chi"))
    assert one.exit_code == 0, one.output
    combined, chicago = _sheet(tmp_path / "all"), _sheet(tmp_path / "chi")
    assert combined["change_address"]["customers_served"] == "5"  # 4 in Chicago + 1 in Denver
    assert chicago["change_address"]["customers_served"] == "4"
    assert combined["change_address"]["respondents"] == chicago["change_address"]["respondents"] == "2"
    text = (tmp_path / "all" / "touchpoints-replacement_card-in_person.csv").read_text(encoding="utf-8")
    assert "Too slow" not in text  # free text did not leave the office
