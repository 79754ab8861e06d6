"""Headquarters on a real PostgreSQL: ingest twice, later changes, three offices in one
report, and every kind of bad bundle refused with the database's content unchanged."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxdesk.demo.rekey import rekey_bundle
from cxdesk.domain.complaints import resolve
from cxdesk.domain.office import require_office
from cxdesk.domain.office_key import make_key_pair, office_key
from cxdesk.exchange import csvfile, signing
from cxdesk.exchange.bundle import MANIFEST, SIGNATURE, Selection, record_export, write_bundle
from cxdesk.exchange.ingest import ingest_bundle, ingest_bundles, register_office
from cxdesk.exchange.tables import TABLES
from cxdesk.exchange import hq_csv
from cxdesk.reports import hq
from cxdesk.store.db import open_database
from cxdesk.store.models import Complaint, Staff
from tests.exchange.roundtrip import assert_same_rows
from tests.factories import FIXED_NOW

pytestmark = pytest.mark.postgres
NAME = "Springfield Field Office"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from cxdesk.demo.office import build

    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    build(url, days=6, seed=11, now=FIXED_NOW)
    database = open_database(url, create=True)
    with database.session() as session:
        office_key(session, require_office(session), FIXED_NOW)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return folder / "demo.db"


@pytest.fixture
def office_db(demo_file, tmp_path):
    path = tmp_path / "office.db"
    shutil.copy(demo_file, path)
    database = open_database(f"sqlite:///{path}", create=True)
    yield database
    database.dispose()


@pytest.fixture
def central(pg_db):
    return pg_db


def _key(office_db):
    with office_db.session() as session:
        return office_key(session, require_office(session), FIXED_NOW)


def _export(office_db, out: Path, selection=Selection("changes"), **kwargs):
    result = write_bundle(office_db, out, selection, now=FIXED_NOW, **kwargs)
    record_export(office_db, result, now=FIXED_NOW, destination=str(out))
    return result


def _counts(database) -> dict[str, int]:
    with database.engine.connect() as conn:
        return {entry.name: conn.exec_driver_sql(f"SELECT count(*) FROM {entry.name}").scalar() for entry in TABLES}


def _dump(engine) -> dict[str, list]:
    dump = {}
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            dump[name] = sorted((tuple(row) for row in conn.execute(sa.select(table))), key=repr)
    return dump


def _supervisor(session):
    return session.exec(sa.select(Staff).where(Staff.role == "supervisor")).scalars().first()


# --- the happy paths ----------------------------------------------------------------------


def test_ingest_twice_then_a_resolved_complaint_updates_without_a_duplicate(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    _export(office_db, tmp_path / "1.zip")
    assert ingest_bundle(central, tmp_path / "1.zip", now=FIXED_NOW).status == "ingested"
    first = _counts(central)
    assert first["visit"] > 500 and first["complaint"] > 0
    again = ingest_bundle(central, tmp_path / "1.zip", now=FIXED_NOW)
    assert again.status == "already" and _counts(central) == first

    with office_db.session() as session:
        complaint = session.exec(sa.select(Complaint).where(Complaint.state == "in_progress")).scalars().first()
        resolve(session, complaint, _supervisor(session), what_was_done="Apologised.", customer_accepted=True,
                now=FIXED_NOW)
    later = _export(office_db, tmp_path / "2")
    assert later.total_rows == 2
    report = ingest_bundle(central, tmp_path / "2", now=FIXED_NOW)
    assert report.status == "ingested" and report.written == 2
    counts = _counts(central)
    assert counts["complaint"] == first["complaint"]
    assert counts["complaintevent"] == first["complaintevent"] + 1
    with central.session() as session:
        assert session.get(Complaint, complaint.id).state == "resolved"


def test_the_newer_version_wins_whatever_arrives_last(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    write_bundle(office_db, tmp_path / "old", Selection("all"), now=FIXED_NOW)
    with office_db.session() as session:
        complaint = session.exec(sa.select(Complaint).where(Complaint.state == "in_progress")).scalars().first()
        resolve(session, complaint, _supervisor(session), what_was_done="Fixed.", customer_accepted=True,
                now=FIXED_NOW)
    write_bundle(office_db, tmp_path / "new", Selection("all"), now=FIXED_NOW)
    assert ingest_bundle(central, tmp_path / "new", now=FIXED_NOW).status == "ingested"
    assert ingest_bundle(central, tmp_path / "old", now=FIXED_NOW).status == "ingested"
    with central.session() as session:
        assert session.get(Complaint, complaint.id).state == "resolved"


def test_a_round_trip_keeps_every_field_of_every_table(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    with office_db.session() as session:
        supervisor = _supervisor(session)
    write_bundle(office_db, tmp_path / "all", Selection("all"), now=FIXED_NOW, include_pii=True, pii_by=supervisor)
    report = ingest_bundle(central, tmp_path / "all", now=FIXED_NOW)
    assert report.status == "ingested", report.reason
    compared = assert_same_rows(office_db.engine, central.engine, tmp_path / "all")
    assert compared == report.rows


def test_sync_pushes_changes_through_the_same_checks(office_db, central, tmp_path):
    from click.testing import CliRunner

    from cxdesk.cli import main

    path = office_db.url.removeprefix("sqlite:///")
    runner = CliRunner()
    refused = runner.invoke(main, ["sync", "--db", path, "--to", central.url])
    assert refused.exit_code == 1 and "not registered" in refused.output
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    done = runner.invoke(main, ["sync", "--db", path, "--to", central.url])
    assert done.exit_code == 0, done.output
    assert _counts(central)["visit"] > 500
    nothing = runner.invoke(main, ["sync", "--db", path, "--to", central.url])
    assert nothing.exit_code == 0 and "0 rows" in nothing.output


def test_three_offices_consolidated_and_reported(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    write_bundle(office_db, tmp_path / "demo1", Selection("all"), now=FIXED_NOW)
    bundles = [tmp_path / "demo1"]
    for number, code in ((2, "DEMO2"), (3, "DEMO3")):
        public, private = make_key_pair()
        rekey_bundle(tmp_path / "demo1", tmp_path / code, number=number, code=code, name=f"Office {number}",
                     private_key=private)
        register_office(central, code, f"Office {number}", public, FIXED_NOW)
        bundles.append(tmp_path / code)
    reports = ingest_bundles(central, bundles, now=FIXED_NOW, jobs=2)
    assert [report.status for report in reports] == ["ingested"] * 3
    start, end = FIXED_NOW.date().replace(day=1, month=10), FIXED_NOW.date().replace(day=31, month=12)
    with central.session() as session:
        result = hq.quarter_report(session, "FY2027Q1", start, end, as_of=FIXED_NOW.date())
    assert [office.code for office in result.offices] == ["DEMO1", "DEMO2", "DEMO3"]
    one = result.offices[0]
    assert one.visits > 500 and one.median_wait_min is not None and one.respondents > 0
    assert all(office.visits == one.visits for office in result.offices)
    assert result.national.visits == 3 * one.visits
    assert result.national.complaints_overdue == 3 * one.complaints_overdue
    assert result.national.median_wait_min == one.median_wait_min
    html = __import__("cxdesk.publish.hq_report", fromlist=["render_html"]).render_html(result)
    assert html.count("<svg") == 7 and "DEMO3" in html
    assert "Service standards met by office" in html and "Barriers staff picked most" in html
    assert hq_csv.as_csv(result).splitlines()[1].startswith("ALL,")
    # Standards met: each office against its own standards; the nation sums them.
    met, judged = map(int, one.extra["standards_met"].split("/"))
    assert judged > 0 and result.national.extra["standards_met"] == f"{3 * met}/{3 * judged}"
    # Barrier categories: October (closed, answered by 3 or more) travelled; the nation sums the offices.
    answers = int(one.extra["barrier_answers"])
    assert answers >= 3 and result.national.extra["barrier_answers"] == f"{3 * answers:,}"
    top_category, top_count = one.extra["barrier_top_categories"].split()[0].split(":")
    assert f"{top_category}:{3 * int(top_count)}" in result.national.extra["barrier_top_categories"]
    assert {"standards_met", "barrier_top_categories"} <= set(hq_csv.as_csv(result).splitlines()[0].split(","))
    assert "barrier_answers" in hq.as_text(result).lower() or "BARRIER_ANSWERS" in hq.as_text(result)


# --- refusals: each leaves the content exactly as it was ----------------------------------------------


def _resign(folder: Path, private_key: str, edit_manifest=None) -> None:
    """Checksums and signature made right again after a file was edited, so the deeper checks run."""
    manifest = json.loads((folder / MANIFEST).read_bytes())
    for table in manifest["tables"]:
        path = folder / table["file"]
        if path.exists():
            table["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    if edit_manifest is not None:
        edit_manifest(manifest)
    body = json.dumps(manifest, indent=2).encode() + b"\n"
    (folder / MANIFEST).write_bytes(body)
    (folder / SIGNATURE).write_text(signing.sign(private_key, body) + "\n")


def _edit_cell(folder: Path, file: str, column: str, value: bytes, raw: bool = True) -> None:
    """Put ``value`` (bytes, quoted as is when ``raw``) into ``column`` of the first data row."""
    path = folder / file
    head, first, rest = path.read_bytes().split(b"\r\n", 2)
    names = next(csvfile.parse_records(head.decode()))
    cells = next(csvfile.parse_records(first.decode()))
    encoded = [b"" if cell is None else (csvfile.quote(cell).encode() if isinstance(cell, str) and
                                          not cell.replace("-", "").replace(":", "").replace(" ", "")
                                          .replace(".", "").isalnum() or names[i] in _TEXT_COLUMNS
                                          else cell.encode()) for i, cell in enumerate(cells)]
    encoded[names.index(column)] = b'"' + value + b'"' if raw else value
    path.write_bytes(b"\r\n".join([head, b",".join(encoded), rest]))


_TEXT_COLUMNS = {"segment", "service_wanted", "language", "state", "service", "outcome", "referral",
                 "not_served_reason", "preferred_channel", "channel_step"}


def _good(office_db, tmp_path) -> Path:
    folder = tmp_path / "good"
    write_bundle(office_db, folder, Selection("all"), now=FIXED_NOW)
    return folder


def _mangle_zip(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _case_tampered(folder, key, central):
    data = bytearray((folder / "visit.csv").read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / "visit.csv").write_bytes(bytes(data))
    return "checksum"


def _case_missing(folder, key, central):
    (folder / "shift.csv").unlink()
    return "shift.csv is missing"


def _case_row_count(folder, key, central):
    _resign(folder, key.private_key, lambda m: m["tables"][4].update(rows=m["tables"][4]["rows"] + 1))
    return "rows; the manifest says"


def _case_future_schema(folder, key, central):
    _resign(folder, key.private_key, lambda m: m.update(schema_revision="0099_future"))
    return "schema revision"


def _case_unknown_office(folder, key, central):
    _resign(folder, key.private_key, lambda m: m["office"].update(code="ZZZ9"))
    return "not registered"


def _case_mismatched_name(folder, key, central):
    _resign(folder, key.private_key, lambda m: m["office"].update(name="Shelbyville"))
    return "the register has"


def _case_mismatched_office_id(folder, key, central):
    import uuid

    with central.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE hqoffice SET office_id = %(id)s WHERE code = 'DEMO1'", {"id": uuid.uuid4()})
    return "another office database"


def _case_bad_signature(folder, key, central):
    _public, other = make_key_pair()
    _resign(folder, other)
    return "does not verify"


def _case_missing_signature(folder, key, central):
    (folder / SIGNATURE).unlink()
    return "unsigned"


def _case_wrong_columns(folder, key, central):
    def rename(manifest):
        manifest["tables"][4]["columns"][5] = "bogus"
        manifest["tables"][4].pop("kinds")
    _resign(folder, key.private_key, rename)
    return "bogus"


def _case_header_differs(folder, key, central):
    path = folder / "visit.csv"
    path.write_bytes(path.read_bytes().replace(b'"segment"', b'"segmint"', 1))
    _resign(folder, key.private_key)
    return "header row"


def _case_formula(folder, key, central):
    _edit_cell(folder, "visit.csv", "segment", b"=HYPERLINK(\"http://x\")".replace(b'"', b'""'))
    _resign(folder, key.private_key)
    return "formula"


def _case_control(folder, key, central):
    _edit_cell(folder, "visit.csv", "segment", b"retiree\x1b]0;owned\x07")
    _resign(folder, key.private_key)
    return "control character"


def _case_huge_field(folder, key, central):
    _edit_cell(folder, "visit.csv", "segment", b"a" * (10 * 1024 * 1024))
    _resign(folder, key.private_key)
    return "longer than"


def _case_broken_utf8(folder, key, central):
    _edit_cell(folder, "visit.csv", "segment", b"retir\xc3\x28e")
    _resign(folder, key.private_key)
    return "visit.csv"


def _case_not_a_uuid(folder, key, central):
    _edit_cell(folder, "visit.csv", "station_id", b"not-a-uuid", raw=False)
    _resign(folder, key.private_key)
    return "visit.csv"


def _case_other_offices_rows(folder, key, central):
    _edit_cell(folder, "visit.csv", "office_id", b"0" * 32, raw=False)
    _resign(folder, key.private_key)
    return "another office"


CASES = {name.removeprefix("_case_"): case for name, case in globals().items() if name.startswith("_case_")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_bundle_is_refused_and_the_content_stays_the_same(case, office_db, central, tmp_path):
    key = _key(office_db)
    register_office(central, "DEMO1", NAME, key.public_key, FIXED_NOW)
    # Some of the office is there already: a refusal must not touch it either.
    write_bundle(office_db, tmp_path / "before", Selection("all"), now=FIXED_NOW,
                 tables=("office", "station", "staff", "shift"))
    assert ingest_bundle(central, tmp_path / "before", now=FIXED_NOW).status == "ingested"
    folder = _good(office_db, tmp_path)
    expected = CASES[case](folder, key, central)
    before = _dump(central.engine)
    report = ingest_bundle(central, folder, now=FIXED_NOW)
    assert report.status == "refused"
    assert expected in report.reason
    assert _dump(central.engine) == before


def test_a_truncated_zip_is_refused_and_the_content_stays_the_same(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    write_bundle(office_db, tmp_path / "b.zip", Selection("all"), now=FIXED_NOW)
    _mangle_zip(tmp_path / "b.zip")
    before = _dump(central.engine)
    report = ingest_bundle(central, tmp_path / "b.zip", now=FIXED_NOW)
    assert report.status == "refused" and "zip" in report.reason
    assert _dump(central.engine) == before


def test_a_refused_bundle_does_not_stop_the_others(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    (tmp_path / "empty").mkdir()
    write_bundle(office_db, tmp_path / "good.zip", Selection("all"), now=FIXED_NOW)
    reports = ingest_bundles(central, [tmp_path / "empty", tmp_path / "good.zip", tmp_path / "nowhere"],
                             now=FIXED_NOW)
    assert [report.status for report in reports] == ["refused", "ingested", "refused"]
    assert "manifest.json is missing" in reports[0].reason and "no such file" in reports[2].reason


def test_an_unsigned_bundle_is_taken_when_allowed(office_db, central, tmp_path):
    register_office(central, "DEMO1", NAME, _key(office_db).public_key, FIXED_NOW)
    folder = _good(office_db, tmp_path)
    (folder / SIGNATURE).unlink()
    report = ingest_bundle(central, folder, now=FIXED_NOW, allow_unsigned=True)
    assert report.status == "ingested"
    with central.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT signed FROM hqbundle").scalar() is False


def test_the_cli_ingests_reports_and_lists(office_db, central, tmp_path):
    from click.testing import CliRunner

    from cxdesk.cli import main

    path = office_db.url.removeprefix("sqlite:///")
    runner = CliRunner()
    key = runner.invoke(main, ["office", "key", "--db", path])
    assert key.exit_code == 0 and "SHA256:" in key.output
    public = next(line.split()[-1] for line in key.output.splitlines() if line.startswith("public key"))
    added = runner.invoke(main, ["hq", "offices", "add", "DEMO1", "--name", NAME, "--public-key", public,
                                 "--db", central.url])
    assert added.exit_code == 0, added.output
    exported = runner.invoke(main, ["export", "--db", path, "--out", str(tmp_path / "b.zip")])
    assert exported.exit_code == 0, exported.output
    (tmp_path / "junk").mkdir()
    ingested = runner.invoke(main, ["hq", "ingest", str(tmp_path / "b.zip"), str(tmp_path / "junk"),
                                    "--db", central.url])
    assert ingested.exit_code == 1
    assert "✔" in ingested.output and "✖" in ingested.output and "1 of 2 bundles taken" in ingested.output
    text = runner.invoke(main, ["hq", "report", "--db", central.url, "--quarter", "FY2027Q1"])
    assert text.exit_code == 0 and "DEMO1" in text.output
    page = tmp_path / "r.html"
    html = runner.invoke(main, ["hq", "report", "--db", central.url, "--quarter", "FY2027Q1", "--format", "html",
                                "--out", str(page)])
    assert html.exit_code == 0 and "<svg" in page.read_text()
    listed = runner.invoke(main, ["hq", "offices", "list", "--db", central.url])
    assert "DEMO1" in listed.output


def test_an_office_database_is_not_taken_for_headquarters(office_db, tmp_path):
    from click.testing import CliRunner

    from cxdesk.cli import main

    _key(office_db)
    path = office_db.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(main, ["hq", "offices", "list", "--db", path])
    assert result.exit_code == 1 and "office's own database" in result.output


_ = zipfile  # zip bundles are made by write_bundle above


def test_an_office_on_postgresql_exports_the_same_bundle_format(pg_url, tmp_path):
    """An office whose counters share a PostgreSQL database: its bundle reads back exactly."""
    from cxdesk.domain.complaints import ComplaintIntake, ContactDetails, open_complaint
    from cxdesk.domain.visits import Finish, quick_log
    from tests.factories import make_office, supervisor_of

    office_db = open_database(pg_url, create=True)
    central = open_database(f"sqlite:///{tmp_path / 'central.db'}", create=True)
    try:
        office = make_office(office_db)
        with office_db.session() as session:
            supervisor = supervisor_of(session, office)
            from cxdesk.domain.office import get_station
            from cxdesk.domain.staff import sign_in

            who = sign_in(session, office, code="SUP1", pin="24681357", station=get_station(session, office, "W1"),
                          now=FIXED_NOW)
            quick_log(session, office, who, segment="retiree", details=Finish(service="change_address",
                      outcome="resolved", note="-3 forms, '=odd' \"quoted\""), language="es", now=FIXED_NOW)
            open_complaint(session, office, supervisor, ComplaintIntake(
                received_via="counter", category="wait_time", what_happened="+1 hour wait\nsecond line",
                contact=ContactDetails(name="Ann Lee", phone="312 555 0100"), consent=True), FIXED_NOW)
            key = office_key(session, office, FIXED_NOW)
        result = write_bundle(office_db, tmp_path / "pg", Selection("all"), now=FIXED_NOW, include_pii=True,
                              pii_by=supervisor)
        assert result.rows["visit"] == 1 and result.rows["complaintcontact"] == 1
        register_office(central, "CHI01", "Chicago Loop", key.public_key, FIXED_NOW)
        report = ingest_bundle(central, tmp_path / "pg", now=FIXED_NOW)
        assert report.status == "ingested", report.reason
        for entry in TABLES:
            columns = [entry.table.c[name] for name, _kind in entry.columns(include_pii=True)]
            with office_db.engine.connect() as conn:
                theirs = sorted(conn.execute(sa.select(*columns)).all(), key=repr)
            with central.engine.connect() as conn:
                ours = sorted(conn.execute(sa.select(*columns)).all(), key=repr)
            assert ours == theirs, entry.name
    finally:
        office_db.dispose()
        central.dispose()
