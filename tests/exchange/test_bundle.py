"""Export bundles at the office: cells that survive a spreadsheet and come back exact,
change tracking, personal data kept out, the signature, and a reader that refuses
anything it does not understand (property-based)."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxdesk.domain.complaints import ComplaintIntake, ContactDetails, open_complaint, resolve
from cxdesk.exchange import csvfile, signing
from cxdesk.exchange.bundle import MANIFEST, SIGNATURE, Selection, record_export, write_bundle
from cxdesk.exchange.ingest import Refused, check_bundle, ingest_bundle, known_revisions, register_office
from cxdesk.exchange.tables import TABLES
from cxdesk.store.db import open_database
from cxdesk.store.models import Complaint, ComplaintContact, OfficeKey, Staff
from tests.exchange.roundtrip import assert_same_rows
from tests.factories import FIXED_NOW, make_office, supervisor_of

CONTACTS = (
    ContactDetails(name="Marguerite Oyelaran", phone="(217) 555-0142", email="m.oyelaran@example.org"),
    ContactDetails(name="Tobias Quintero-Hale", phone="+1 217 555 0199", email="tqh@example.net", language="es"),
)
TRICKY = ("=SUM(A1:A9)", "-5 minutes", "+1 217 555", "@home", "'quoted'", "''", "plain", "", "a\nb",
          'say "hi"', "x,y", "=", "'")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    """A small demo office with complaint contacts, built once and copied per test."""
    from cxdesk.demo.office import build

    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    build(url, days=8, seed=7, now=FIXED_NOW)
    db = open_database(url, create=True)
    with db.session() as session:
        from cxdesk.domain.office import require_office

        office = require_office(session)
        supervisor = supervisor_of_demo(session)
        for index, contact in enumerate(CONTACTS):
            open_complaint(session, office, supervisor, ComplaintIntake(
                received_via="counter", category="wait_time", what_happened=f"Waited too long ({index}).",
                contact=contact, consent=True), FIXED_NOW)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return folder / "demo.db"


@pytest.fixture
def demo_db(demo_file, tmp_path):
    path = tmp_path / "office.db"
    shutil.copy(demo_file, path)
    database = open_database(f"sqlite:///{path}", create=True)
    yield database
    database.dispose()


def _ensure_key(db):
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import office_key

    with db.session() as session:
        return office_key(session, require_office(session), FIXED_NOW)


def _cells(folder: Path) -> list[str]:
    values = []
    for csv_file in folder.glob("*.csv"):
        for record in csvfile.parse_records(csv_file.read_bytes().decode("utf-8")):
            values.extend(value for value in record if value)
    return values


# --- the cell rule ------------------------------------------------------------------------


@pytest.mark.parametrize("text", TRICKY)
def test_neutralised_cells_come_back_exactly(text):
    cell = csvfile.neutralise(text)
    assert not cell.startswith(csvfile.FORMULA_STARTS)
    assert csvfile.restore_cell(cell) == text


@pytest.mark.parametrize("text", TRICKY)
def test_the_sql_rule_and_the_python_rule_write_the_same_cell(text):
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        from_sql = conn.execute(sa.text(f"SELECT {csvfile.sql_cell(':v', 'text', 'sqlite')}"), {"v": text}).scalar()
    assert from_sql == csvfile.encode_cell(text, True)
    assert next(csvfile.parse_records(from_sql)) == [csvfile.neutralise(text)]


def test_a_null_and_an_empty_text_stay_apart():
    line = ",".join([csvfile.encode_cell(None, True), csvfile.encode_cell("", True), "5"])
    assert next(csvfile.parse_records(line)) == [None, "", "5"]


def test_control_characters_are_taken_out_of_text_cells_only_where_present():
    # As the database writes them: quoted, controls still in (they cannot be typed in, but may be there).
    lines = [csvfile.quote("fine"), csvfile.quote("bell\x07=x")]
    cleaned, changed = csvfile.clean_lines(lines, ["text"])
    assert changed == 1
    assert [next(csvfile.parse_records(line))[0] for line in cleaned] == ["fine", "bell=x"]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_clean_text = _text.map(lambda value: csvfile.strip_controls(value, keep_newlines=True))


@given(st.lists(st.one_of(st.none(), _clean_text), min_size=1, max_size=8))
def test_any_row_of_text_round_trips_through_a_bundle_line(values):
    line = ",".join(csvfile.encode_cell(value, True) for value in values)
    (parsed,) = list(csvfile.parse_records(line + csvfile.LINE_END))
    assert [None if cell is None else csvfile.restore_cell(cell) for cell in parsed] == values


@given(st.text(max_size=200))
def test_the_csv_reader_refuses_with_its_own_error_or_reads(text):
    try:
        for record in csvfile.parse_records(text, max_cell=50):
            assert isinstance(record, list)
    except csvfile.CsvFormatError:
        pass


# --- exporting ------------------------------------------------------------------------------


def test_a_default_export_holds_no_names_phones_or_emails(demo_db, tmp_path):
    _ensure_key(demo_db)
    out = tmp_path / "bundle"
    write_bundle(demo_db, out, Selection("all"), now=FIXED_NOW)
    with demo_db.session() as session:
        secrets = {value for contact in session.exec(sa.select(ComplaintContact)).scalars()
                   for value in (contact.name, contact.phone, contact.email) if value}
        secrets |= {staff.name for staff in session.exec(sa.select(Staff)).scalars()}
    assert len(secrets) >= 6
    cells = _cells(out)
    assert len(cells) > 10_000
    found = [cell for cell in cells if any(secret.lower() in cell.lower() for secret in secrets)]
    assert found == []
    assert not (out / "complaintcontact.csv").exists()


def test_personal_data_leaves_only_when_asked_and_the_trail_says_so(demo_db, tmp_path):
    from cxdesk.domain.complaints.trail import record_personal_export

    _ensure_key(demo_db)
    with demo_db.session() as session:
        supervisor = supervisor_of_demo(session)
    result = write_bundle(demo_db, tmp_path / "pii", Selection("all"), now=FIXED_NOW, include_pii=True,
                          pii_by=supervisor)
    assert any(CONTACTS[0].email in cell for cell in _cells(tmp_path / "pii"))
    with demo_db.session() as session:
        noted = record_personal_export(session, result.complaint_ids, supervisor, FIXED_NOW, "b1")
        events = session.execute(sa.text("SELECT count(*) FROM complaintevent WHERE kind = 'export'")).scalar()
    assert noted == events == len(result.complaint_ids) > 0


def test_an_export_changes_nothing_but_its_ledger_line(demo_db, tmp_path):
    _ensure_key(demo_db)
    before = _dump(demo_db.engine)
    result = write_bundle(demo_db, tmp_path / "b", Selection("all"), now=FIXED_NOW)
    assert _dump(demo_db.engine) == before
    record_export(demo_db, result, now=FIXED_NOW, destination="here")
    after = _dump(demo_db.engine)
    assert {name for name in after if after[name] != before[name]} == {"exportledger"}


def test_the_next_export_carries_only_what_changed_since(demo_db, tmp_path):
    _ensure_key(demo_db)
    first = write_bundle(demo_db, tmp_path / "1", Selection("changes"), now=FIXED_NOW)
    record_export(demo_db, first, now=FIXED_NOW, destination="1")
    assert first.rows["visit"] > 500
    empty = write_bundle(demo_db, tmp_path / "2", Selection("changes"), now=FIXED_NOW)
    assert empty.total_rows == 0
    with demo_db.session() as session:
        complaint = session.exec(sa.select(Complaint).where(Complaint.state == "in_progress")).scalars().first()
        supervisor = supervisor_of_demo(session)
        resolve(session, complaint, supervisor, what_was_done="Apologised.", customer_accepted=True, now=FIXED_NOW)
    later = write_bundle(demo_db, tmp_path / "3", Selection("changes"), now=FIXED_NOW)
    assert later.rows["complaint"] == 1 and later.rows["complaintevent"] == 1
    assert later.total_rows == 2
    assert later.after_version == first.through_version


def supervisor_of_demo(session):
    return session.exec(sa.select(Staff).where(Staff.role == "supervisor")).scalars().first()


def test_a_period_export_takes_the_days_of_the_period(demo_db, tmp_path):
    _ensure_key(demo_db)
    result = write_bundle(demo_db, tmp_path / "p", Selection("period", FIXED_NOW.date(), FIXED_NOW.date()),
                          now=FIXED_NOW)
    with demo_db.session() as session:
        today = session.execute(sa.text("SELECT count(*) FROM visit WHERE day = :d"),
                                {"d": FIXED_NOW.date().isoformat()}).scalar()
    assert result.rows["visit"] == today > 0
    assert not Selection("period", FIXED_NOW.date(), FIXED_NOW.date()).advances


def test_the_manifest_is_signed_and_lists_every_file(demo_db, tmp_path):
    key = _ensure_key(demo_db)
    write_bundle(demo_db, tmp_path / "b.zip", Selection("all"), now=FIXED_NOW)
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        body = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE).decode()
        names = set(archive.namelist())
    manifest = json.loads(body)
    assert signing.verify(key.public_key, body, signature)
    assert not signing.verify(key.public_key, body.replace(b"DEMO1", b"DEMO2"), signature)
    assert names == {MANIFEST, SIGNATURE} | {table["file"] for table in manifest["tables"]}
    assert [table["name"] for table in manifest["tables"]] == [t.name for t in TABLES if not t.all_personal]
    assert manifest["office"]["code"] == "DEMO1" and manifest["stations"]


def test_a_new_office_has_its_key_from_setup(db, office):
    with db.session() as session:
        assert session.get(OfficeKey, office.id) is not None


def test_a_bundle_is_never_written_over(demo_db, tmp_path):
    from cxdesk.errors import CxdeskError

    _ensure_key(demo_db)
    (tmp_path / "taken").mkdir()
    with pytest.raises(CxdeskError, match="already exists"):
        write_bundle(demo_db, tmp_path / "taken", Selection("all"), now=FIXED_NOW)


# --- reading, on a small SQLite trial of headquarters ------------------------------------------------


def test_sqlite_headquarters_takes_a_bundle_once_and_keeps_every_field(demo_db, tmp_path):
    key = _ensure_key(demo_db)
    with demo_db.session() as session:
        supervisor = supervisor_of_demo(session)
    write_bundle(demo_db, tmp_path / "b", Selection("all"), now=FIXED_NOW, include_pii=True, pii_by=supervisor)
    central = open_database(f"sqlite:///{tmp_path / 'central.db'}", create=True)
    try:
        register_office(central, "DEMO1", "Springfield Field Office", key.public_key, FIXED_NOW)
        first = ingest_bundle(central, tmp_path / "b", now=FIXED_NOW)
        assert first.status == "ingested", first.reason
        assert ingest_bundle(central, tmp_path / "b", now=FIXED_NOW).status == "already"
        assert_same_rows(demo_db.engine, central.engine, tmp_path / "b")
    finally:
        central.dispose()


def _dump(engine) -> dict[str, list]:
    """Every row of every table, in a stable order: the database's content."""
    dump = {}
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            dump[name] = sorted((tuple(row) for row in conn.execute(sa.select(table))), key=repr)
    return dump


_manifest_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["format", "format_version", "bundle_id", "schema_revision", "created_at",
                                        "office", "range", "tables", "other"]), _manifest_values, max_size=9))
def test_the_reader_refuses_any_manifest_it_does_not_understand(tmp_path_factory, manifest):
    folder = tmp_path_factory.mktemp("fuzz")
    body = json.dumps({"format": "cxdesk-exchange", "format_version": 1} | manifest).encode()
    (folder / MANIFEST).write_bytes(body)
    with pytest.raises(Refused):
        check_bundle(folder, {}, allow_unsigned=True, revisions=known_revisions())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, 10**6), byte=st.integers(0, 255))
def test_a_changed_byte_anywhere_is_refused_before_anything_is_written(tmp_path_factory, position, byte):
    folder = tmp_path_factory.mktemp("flip")
    source = _small_bundle(tmp_path_factory)
    shutil.copytree(source, folder / "b")
    files = sorted((folder / "b").iterdir())
    target = files[position % len(files)]
    data = bytearray(target.read_bytes())
    index = position % len(data)
    if data[index] == byte:
        byte = (byte + 1) % 256
    data[index] = byte
    target.write_bytes(bytes(data))
    registry = _small_registry(tmp_path_factory)
    with pytest.raises(Refused):
        check_bundle(folder / "b", registry, allow_unsigned=False, revisions=known_revisions())


_SMALL: dict = {}


def _small_bundle(factory) -> Path:
    if "path" not in _SMALL:
        folder = factory.mktemp("small")
        database = open_database(f"sqlite:///{folder / 'o.db'}", create=True)
        office = make_office(database)
        with database.session() as session:
            supervisor = supervisor_of(session, office)
            open_complaint(session, office, supervisor, ComplaintIntake(
                received_via="counter", category="wait_time", what_happened="=1+1 'odd' \"text\""), FIXED_NOW)
            key = session.get(OfficeKey, office.id)
        write_bundle(database, folder / "b", Selection("all"), now=FIXED_NOW)
        database.dispose()
        _SMALL.update(path=folder / "b", key=key.public_key, private=key.private_key)
    return _SMALL["path"]


def _small_registry(factory) -> dict:
    from cxdesk.store.models import HqOffice

    _small_bundle(factory)
    return {"CHI01": HqOffice(code="CHI01", name="Chicago Loop", public_key=_SMALL["key"], registered_at=FIXED_NOW)}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, 10**6), byte=st.integers(0, 255))
def test_a_re_signed_bundle_with_any_changed_byte_is_taken_whole_or_refused_whole(tmp_path_factory, position, byte):
    """Past the signature (the office's own key signed the change): the loader either takes
    the bundle or refuses it with a reason, and a refusal leaves the content as it was."""
    import hashlib

    source = _small_bundle(tmp_path_factory)
    folder = tmp_path_factory.mktemp("resigned") / "b"
    shutil.copytree(source, folder)
    csv_files = sorted(folder.glob("*.csv"))
    target = csv_files[position % len(csv_files)]
    data = bytearray(target.read_bytes())
    data[position % len(data)] = byte
    target.write_bytes(bytes(data))
    manifest = json.loads((folder / MANIFEST).read_bytes())
    manifest["bundle_id"] = str(uuid.uuid4())  # a new bundle each time, so each one is loaded
    for table in manifest["tables"]:
        table["sha256"] = hashlib.sha256((folder / table["file"]).read_bytes()).hexdigest()
    body = json.dumps(manifest).encode()
    (folder / MANIFEST).write_bytes(body)
    (folder / SIGNATURE).write_text(signing.sign(_SMALL["private"], body))
    central = _small_central(tmp_path_factory)
    before = _dump(central.engine)
    report = ingest_bundle(central, folder, now=FIXED_NOW)
    assert report.status in ("ingested", "refused")
    if report.status == "refused":
        assert report.reason and _dump(central.engine) == before


def _small_central(factory):
    if "central" not in _SMALL:
        _small_bundle(factory)
        central = open_database(f"sqlite:///{factory.mktemp('central') / 'c.db'}", create=True)
        register_office(central, "CHI01", "Chicago Loop", _SMALL["key"], FIXED_NOW)
        _SMALL["central"] = central
    return _SMALL["central"]


@settings(max_examples=200, deadline=None)
@given(st.lists(_clean_text, min_size=1, max_size=20))
def test_sqlite_writes_every_text_cell_as_the_python_rule_does(values):
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        for value in values:
            cell = conn.execute(sa.text(f"SELECT {csvfile.sql_cell(':v', 'text', 'sqlite')}"), {"v": value}).scalar()
            assert cell == csvfile.encode_cell(value, True)
    engine.dispose()


@pytest.mark.parametrize("bad", ["bell\x07", "tab\there", "cr\ralone", "crlf\r\ninside", "del\x7f", "c1\x85next", "esc\x1b[31mred"])
def test_a_chunk_with_any_control_character_is_cleaned(bad):
    lines = [csvfile.quote("fine") + ",5,", csvfile.quote(bad) + ",-7,"]
    data, changed = csvfile.chunk_bytes(csvfile.LINE_END.join(lines), 2, ["text", "int", "text"])
    assert changed == 1
    records = list(csvfile.parse_records(data.decode()))
    assert records[0] == ["fine", "5", None] and records[1][1:] == ["-7", None]
    assert not csvfile.CONTROL.search(records[1][0])
    assert csvfile.chunk_bytes(lines[0], 1, ["text", "int", "text"]) == (b'"fine",5,\r\n', 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), _clean_text), min_size=1, max_size=6))
def test_a_whole_sqlite_line_is_the_python_rule_cell_by_cell(values):
    columns = [(f"c{index}", "text") for index in range(len(values))]
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE t ({', '.join(f'{name} TEXT' for name, _ in columns)})")
        conn.execute(sa.text(f"INSERT INTO t VALUES ({', '.join(f':{name}' for name, _ in columns)})"),
                     {name: value for (name, _), value in zip(columns, values)})
        line = conn.exec_driver_sql(f"SELECT {csvfile.sql_line(columns, 'sqlite')} FROM t").scalar()
    engine.dispose()
    assert line == ",".join(csvfile.encode_cell(value, True) for value in values)


# --- the plain line (issue 16): the same bytes as every cell from sql_cell ------------------------


def _cell_by_cell_line(columns, dialect, alias="t", not_null=()):
    """The line every row had before the plain line: each cell from ``sql_cell``."""
    cells = ", ".join(csvfile.sql_cell(f"{alias}.{name}", kind, dialect, null_as_empty=False)
                      for name, kind in columns)
    return f"printf('{','.join(['%s'] * len(columns))}', {cells})"


# Texts that take either line: formula starts, NULL look-alikes, quotes, line breaks, letters, non-ASCII;
# and what SQLite may hold in a text column besides text: blobs and numbers.
_LINE_TEXTS = st.one_of(_text.filter(lambda value: "\x00" not in value),
                        st.sampled_from([*TRICKY, "(NULL)", "NULL", "A", "Zed", "a\r\nb", "Ünïcode é", "日本", "\x85x"]))
_STORED = st.one_of(_LINE_TEXTS, _LINE_TEXTS.map(lambda value: value.encode()),
                    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_STORED, st.one_of(st.none(), _STORED), st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)),
                          st.floats(allow_nan=False), st.one_of(st.none(), _LINE_TEXTS)), min_size=1, max_size=5))
def test_sqlite_plain_lines_are_the_cell_by_cell_lines(rows):
    columns = [("a", "text"), ("b", "text"), ("n", "int"), ("f", "float"), ("j", "json")]
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a VARCHAR(40) NOT NULL, b TEXT, n INTEGER, f FLOAT NOT NULL, j JSON)")
        conn.exec_driver_sql("INSERT INTO t VALUES (?, ?, ?, ?, ?)", rows)
        fast = conn.exec_driver_sql(
            f"SELECT {csvfile.sql_line(columns, 'sqlite', not_null={'a', 'f'})} FROM t t ORDER BY rowid").all()
        slow = conn.exec_driver_sql(f"SELECT {_cell_by_cell_line(columns, 'sqlite')} FROM t t ORDER BY rowid").all()
    engine.dispose()
    assert fast == slow


_MORE_TRICKY = (*TRICKY, "(NULL)", "NULL", "a\r\nb", "9 to 5", " lead", "Ünïcode é", "日本", "bell\x07=x",
                "c1\x85x", "Plain", "zed", "A", '"lead')


@pytest.mark.parametrize("include_pii", [False, True])
def test_a_bundle_is_byte_for_byte_the_one_built_cell_by_cell(demo_db, tmp_path, monkeypatch, include_pii):
    """The same demo database, tricky texts written into it, exported as now and as before the
    plain line (every cell of every row from sql_cell): every file the same, byte for byte."""
    from cxdesk.exchange import bundle

    _ensure_key(demo_db)
    with demo_db.engine.begin() as conn:
        rowids = [row[0] for row in conn.exec_driver_sql("SELECT rowid FROM visit ORDER BY rowid LIMIT 200")]
        for index, (column, value) in enumerate(
                [(column, value) for column in ("note", "referral", "service", "segment") for value in _MORE_TRICKY]):
            conn.exec_driver_sql(f"UPDATE visit SET {column} = ? WHERE rowid = ?", (value, rowids[index]))
        for value, rowid in zip([b"=A", b"", b"A", 42, -1.5], rowids[-5:]):
            conn.exec_driver_sql("UPDATE visit SET note = ? WHERE rowid = ?", (value, rowid))
        conn.exec_driver_sql("UPDATE surveyanswer SET text = '=cmd' WHERE rowid IN "
                             "(SELECT rowid FROM surveyanswer LIMIT 3)")
        conn.exec_driver_sql("UPDATE complaint SET what_happened = 'x\ny \"q\" =' WHERE rowid IN "
                             "(SELECT rowid FROM complaint LIMIT 2)")
    with demo_db.session() as session:
        supervisor = supervisor_of_demo(session) if include_pii else None
    monkeypatch.setattr(bundle, "CHUNK_ROWS", 97)  # several chunks a table, one with a control character
    now = write_bundle(demo_db, tmp_path / "now", Selection("all"), now=FIXED_NOW, include_pii=include_pii,
                       pii_by=supervisor)
    monkeypatch.setattr(csvfile, "sql_line", _cell_by_cell_line)
    before = write_bundle(demo_db, tmp_path / "before", Selection("all"), now=FIXED_NOW, include_pii=include_pii,
                          pii_by=supervisor)
    assert now.rows == before.rows and now.rows["visit"] > 500 and now.cleaned_cells == before.cleaned_cells > 0
    files = sorted(path.name for path in (tmp_path / "now").iterdir())
    assert files == sorted(path.name for path in (tmp_path / "before").iterdir())
    for name in files:
        ours, theirs = (tmp_path / "now" / name).read_bytes(), (tmp_path / "before" / name).read_bytes()
        if name == MANIFEST:
            ours, theirs = (json.loads(ours) | {"bundle_id": ""}), (json.loads(theirs) | {"bundle_id": ""})
        if name != SIGNATURE:
            assert ours == theirs, name
    visits = (tmp_path / "now" / "visit.csv").read_bytes()
    assert b'"\'=SUM(A1:A9)"' in visits and b'"(NULL)"' in visits and b',,' in visits


def test_an_export_of_a_database_at_the_head_leaves_alembic_unimported(demo_db, tmp_path):
    """The manifest's schema revision is the one stamp, read by plain SQL (Alembic's import
    cost every export a quarter of a second)."""
    import subprocess
    import sys

    from cxdesk.store.migrate import HEAD_REVISION

    _ensure_key(demo_db)
    url, out = str(demo_db.engine.url), tmp_path / "b"
    demo_db.dispose()
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from tests.factories import FIXED_NOW\n"
        "from cxdesk.exchange.bundle import Selection, write_bundle\n"
        "from cxdesk.store.db import open_database\n"
        f"write_bundle(open_database({url!r}), Path({str(out)!r}), Selection('all'), now=FIXED_NOW)\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert json.loads((out / MANIFEST).read_text())["schema_revision"] == HEAD_REVISION
