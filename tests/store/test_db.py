"""The store: pragmas, schema upgrades, refusing foreign files, PostgreSQL."""

import sqlite3
from datetime import datetime

import pytest
import sqlalchemy as sa

from cxdesk.config import resolve_db_url, sqlite_url
from cxdesk.domain import visits
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in
from cxdesk.errors import CxdeskError
from cxdesk.reports import counter
from cxdesk.store import migrate
from cxdesk.store.db import open_database
from cxdesk.store.models import Office, Visit
from tests.factories import CLERK, FIXED_NOW, make_office


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_new_database_is_created_at_the_head_revision(db):
    assert db.created
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_older_database_is_upgraded_on_open_and_says_from_what(tmp_path):
    from alembic import command

    url = sqlite_url(tmp_path / "old.db")
    engine = sa.create_engine(url)
    command.upgrade(migrate.alembic_config(engine), "0001_foundation")
    engine.dispose()
    database = open_database(url)
    assert database.upgraded_from == "0001_foundation"
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    database.dispose()


def test_timestamps_come_back_timezone_aware_utc(db, office):
    with db.session() as session:
        stored = session.get(Office, office.id)
    assert stored.created_at == FIXED_NOW and stored.created_at.utcoffset().total_seconds() == 0


def test_naive_datetimes_are_refused(db, office):
    with db.session() as session:
        with pytest.raises(Exception, match="naive datetime"):
            visits.check_in(session, office, segment="retiree", service="change_address",
                            now=datetime(2026, 11, 24, 9, 30))


def test_a_file_that_is_not_sqlite_is_refused_with_its_name(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are not the tables you are looking for\n" * 10)
    with pytest.raises(CxdeskError, match=r"notes.db is not a database file"):
        open_database(sqlite_url(bogus))
    assert bogus.read_text().startswith("these are not")


def test_a_foreign_sqlite_database_is_left_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE payroll (id INTEGER)")
    with pytest.raises(CxdeskError, match="not cxdesk's"):
        open_database(sqlite_url(path))
    with sqlite3.connect(path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"payroll"}


def test_a_database_url_that_does_not_connect_says_why():
    with pytest.raises(CxdeskError, match="Cannot open database"):
        open_database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")


def test_nonsense_url_is_refused():
    with pytest.raises(CxdeskError, match="Not a database URL|No driver"):
        open_database("nonsense://x")


def test_db_url_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("CXDESK_DB", "postgresql://u@h/db")
    assert resolve_db_url(None) == "postgresql+psycopg://u@h/db"
    assert resolve_db_url(str(tmp_path / "a.db")) == sqlite_url(tmp_path / "a.db")
    monkeypatch.delenv("CXDESK_DB")
    assert resolve_db_url(None).endswith("/data/cxdesk.db")


@pytest.mark.postgres
def test_the_counter_works_on_postgresql(pg_url):
    database = open_database(pg_url)
    try:
        office = make_office(database)
        with database.session() as session:
            who = sign_in(session, office, code=CLERK[0], pin=CLERK[2],
                          station=get_station(session, office, "W1"), now=FIXED_NOW)
            visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
            visit = visits.call_next(session, office, who, FIXED_NOW)
            visits.finish(session, visit, visits.Finish("change_address", "resolved"), who, FIXED_NOW)
            stored = session.get(Visit, visit.id)
            counts = counter.day_counts(session, office, FIXED_NOW)
        assert stored.state == "done" and stored.finished_at == FIXED_NOW
        assert counts.served == 1
        assert migrate.current_revision(database.engine) == migrate.head_revision()
    finally:
        database.dispose()
