"""The barrier survey's answers at headquarters stay as anonymous as at the office
(EO 12862 1(e)): only closed periods that at least 3 people answered travel, whole,
without role, idea or version; headquarters refuses a smaller group. Also the
kinds the later tables brought: a float comes back exactly, a sign-off's figures too."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from cxdesk.domain.barrier.answers import MIN_GROUP, BarrierAnswers, answer_rows
from cxdesk.domain.office import require_office
from cxdesk.domain.office_key import office_key
from cxdesk.exchange import merge, signing
from cxdesk.exchange.bundle import MANIFEST, SIGNATURE, Selection, record_export, write_bundle
from cxdesk.exchange.ingest import ingest_bundle, register_office
from cxdesk.store.db import open_database
from cxdesk.store.models import BarrierAnswer, BarrierItemAnswer, BarrierPick, Benchmark, SignOff
from tests.factories import FIXED_NOW, PG_ADMIN_URL, make_office, supervisor_of

# FIXED_NOW is 24 November 2026: October is closed, November is open.
CLOSED, OPEN, SMALL = "2026-10", "2026-11", "2026-09"


def _answer(db, office, period: str, n: int, idea: str = "Más ventanillas") -> None:
    with db.engine.begin() as conn:
        for index in range(n):
            answer, items, picks = answer_rows(
                office.id, period, "clerk", BarrierAnswers({"information": 1 + index % 5, "tools": 4},
                                                           frozenset({"staffing", "it_system"}), idea))
            conn.execute(sa.insert(BarrierAnswer.__table__), [answer])
            conn.execute(sa.insert(BarrierItemAnswer.__table__), items)
            conn.execute(sa.insert(BarrierPick.__table__), picks)


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request):
    """Both ends on SQLite, or both on PostgreSQL (the bulk path, and an office on it)."""
    return request.param


@pytest.fixture
def office_db(where, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'office.db'}" if where == "sqlite" else request.getfixturevalue("pg_url")
    database = open_database(url, create=True)
    office = make_office(database)
    _answer(database, office, CLOSED, 4)
    _answer(database, office, OPEN, 5)
    _answer(database, office, SMALL, MIN_GROUP - 1)
    yield database, office
    database.dispose()


@pytest.fixture
def central(where, tmp_path, office_db):
    database, office = office_db
    with database.session() as session:
        key = office_key(session, require_office(session), FIXED_NOW)
    if where == "sqlite":
        hq = open_database(f"sqlite:///{tmp_path / 'central.db'}", create=True)
        yield _registered(hq, office, key)
        hq.dispose()
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cxdesk_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    hq = open_database(sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False),
                       create=True)
    try:
        yield _registered(hq, office, key)
    finally:
        hq.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _registered(hq, office, key):
    register_office(hq, office.code, office.name, key.public_key, FIXED_NOW)
    return hq, key


def _manifest(folder):
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def _rows(folder, table: str) -> list[str]:
    return (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()


def test_only_closed_periods_of_three_or_more_answers_travel(office_db, tmp_path):
    database, _office = office_db
    result = write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW)
    assert _manifest(tmp_path / "b")["barrier_periods"] == [CLOSED]
    assert result.rows["barrieranswer"] == 4
    assert result.rows["barrieritemanswer"] == 8 and result.rows["barrierpick"] == 8
    answers = _rows(tmp_path / "b", "barrieranswer")
    assert answers[0] == '"id","office_id","period"'  # no role, no idea, no version
    assert all(CLOSED in line for line in answers[1:])
    everything = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "b").glob("*.csv"))
    assert "ventanillas" not in everything


def test_personal_data_released_still_keeps_the_idea_and_role_home(office_db, tmp_path):
    database, office = office_db
    with database.session() as session:
        supervisor = supervisor_of(session, office)
    write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW, include_pii=True, pii_by=supervisor)
    assert _rows(tmp_path / "b", "barrieranswer")[0] == '"id","office_id","period"'


def test_answers_go_out_in_key_order_not_the_order_they_were_saved(office_db, tmp_path):
    database, _office = office_db
    write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW)
    ids = [line.split(",")[0] for line in _rows(tmp_path / "b", "barrieranswer")[1:]]
    assert ids == sorted(ids)


def test_a_period_travels_once_after_it_closes(office_db, tmp_path):
    database, office = office_db
    first = write_bundle(database, tmp_path / "1", Selection("changes"), now=FIXED_NOW)
    record_export(database, first, now=FIXED_NOW, destination="1")
    assert first.rows["barrieranswer"] == 4
    # The same day: nothing new has closed.
    second = write_bundle(database, tmp_path / "2", Selection("changes"), now=FIXED_NOW)
    record_export(database, second, now=FIXED_NOW, destination="2")
    assert second.rows["barrieranswer"] == 0
    # December: November has closed and goes, whole; October does not go again.
    december = FIXED_NOW + timedelta(days=8)
    third = write_bundle(database, tmp_path / "3", Selection("changes"), now=december)
    assert _manifest(tmp_path / "3")["barrier_periods"] == [OPEN]
    assert third.rows["barrieranswer"] == 5


def test_a_quarter_export_carries_the_closed_months_that_end_in_it(office_db, tmp_path):
    database, _office = office_db
    start, end = FIXED_NOW.date().replace(month=10, day=1), FIXED_NOW.date().replace(month=12, day=31)
    write_bundle(database, tmp_path / "q", Selection("period", start, end), now=FIXED_NOW)
    assert _manifest(tmp_path / "q")["barrier_periods"] == [CLOSED]


def test_headquarters_keeps_what_travelled_and_takes_it_once(office_db, central, tmp_path):
    database, _office = office_db
    hq, _key = central
    write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW)
    assert ingest_bundle(hq, tmp_path / "b", now=FIXED_NOW).status == "ingested"
    write_bundle(database, tmp_path / "again", Selection("all"), now=FIXED_NOW)
    assert ingest_bundle(hq, tmp_path / "again", now=FIXED_NOW).status == "ingested"
    with hq.engine.connect() as conn:
        stored = conn.execute(sa.select(BarrierAnswer.period, BarrierAnswer.role, BarrierAnswer.idea)).all()
        picks = conn.execute(sa.select(sa.func.count()).select_from(BarrierPick)).scalar()
    assert sorted(stored) == [(CLOSED, None, None)] * 4 and picks == 8


def _resign(folder, private_key: str) -> None:
    manifest = _manifest(folder)
    for table in manifest["tables"]:
        table["sha256"] = hashlib.sha256((folder / table["file"]).read_bytes()).hexdigest()
        table["rows"] = len((folder / table["file"]).read_bytes().split(b"\r\n")) - 2
    body = json.dumps(manifest).encode()
    (folder / MANIFEST).write_bytes(body)
    (folder / SIGNATURE).write_text(signing.sign(private_key, body))


def _dump(engine) -> dict:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(sa.select(table))), key=repr)
                for name, table in metadata.tables.items()}


def test_headquarters_refuses_a_period_of_fewer_than_three_answers(office_db, central, tmp_path):
    """Even one the office signed: a group of two could identify who answered."""
    database, _office = office_db
    hq, key = central
    write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW, tables=["office", "barrieranswer"])
    path = tmp_path / "b" / "barrieranswer.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:1] + lines[1:3] + [b""]))  # header and two answers
    _resign(tmp_path / "b", key.private_key)
    before = _dump(hq.engine)
    report = ingest_bundle(hq, tmp_path / "b", now=FIXED_NOW)
    assert report.status == "refused" and "fewer than 3 answers" in report.reason
    assert _dump(hq.engine) == before


def test_a_benchmark_float_and_a_signoffs_figures_come_back_exactly(office_db, central, tmp_path):
    database, office = office_db
    hq, _key = central
    from cxdesk.domain import signoffs
    from cxdesk.domain.standards import add_benchmark, install_defaults

    with database.session() as session:
        supervisor = supervisor_of(session, office)
        standards = install_defaults(session, office, supervisor, FIXED_NOW)
        code = sorted(standards)[0]
        session.commit()
        benchmark = add_benchmark(session, office, supervisor, code, value=1.3, source="Peer office",
                                  as_of=FIXED_NOW.date(), note="=tricky", now=FIXED_NOW)
        signoff = signoffs.sign_off(session, office, supervisor, kind=signoffs.DAY, day=FIXED_NOW.date(),
                                    note="Quiet day", now=FIXED_NOW)
        benchmark_id, signoff_id = benchmark.id, signoff.id
    with database.engine.begin() as conn:  # the domain rounds to 2 places; a float from elsewhere need not
        conn.execute(sa.update(Benchmark).where(Benchmark.id == benchmark_id).values(value=1 + 0.1 + 0.2))
    with database.session() as session:
        supervisor = supervisor_of(session, office)
    write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW, include_pii=True, pii_by=supervisor)
    report = ingest_bundle(hq, tmp_path / "b", now=FIXED_NOW)
    assert report.status == "ingested", report.reason
    with hq.session() as session:
        stored = session.get(Benchmark, benchmark_id)
        assert stored.value == 1 + 0.1 + 0.2 and stored.note == "=tricky"
        stored_signoff = session.get(SignOff, signoff_id)
    with database.session() as session:
        assert stored_signoff.figures == session.get(SignOff, signoff_id).figures


def test_the_loader_knows_the_domains_group_size():
    assert merge.MIN_GROUP == MIN_GROUP == 3



def test_supervisors_notes_stay_home_by_default(office_db, tmp_path):
    database, office = office_db
    from cxdesk.domain import signoffs

    with database.session() as session:
        signoffs.sign_off(session, office, supervisor_of(session, office), kind=signoffs.DAY,
                          day=FIXED_NOW.date(), note="Short-staffed: Ben off sick", now=FIXED_NOW)
    result = write_bundle(database, tmp_path / "b", Selection("all"), now=FIXED_NOW)
    assert result.rows["signoff"] == 1
    for table in ("standardversion", "benchmark", "signoff"):
        assert "note" not in _rows(tmp_path / "b", table)[0].split(","), table
    everything = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "b").glob("*.csv"))
    assert "Ben off sick" not in everything
