"""Change tracking kept by the database: every exported table is stamped on insert and
update, rows written with a version keep it, and the complaint trail stays append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from cxdesk.domain import visits
from cxdesk.exchange.tables import TABLES
from cxdesk.store import migrate, tracking
from cxdesk.store.db import open_database
from cxdesk.store.models import CHANGE_TRACKED_TABLES
from tests.factories import FIXED_NOW, make_office, serve


def _triggers(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return set(conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars())
        return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())


def _versions(engine, table: str) -> list:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql(f"SELECT version FROM {table}").scalars())


def test_every_table_in_the_bundle_is_change_tracked():
    assert {entry.name for entry in TABLES if entry.changed_by} <= set(CHANGE_TRACKED_TABLES)


def test_the_barrier_survey_answers_carry_no_version():
    """A version would be a clock of the last save; anonymous answers travel without one."""
    anonymous = {entry.name for entry in TABLES if entry.anonymous}
    assert anonymous == {"barrieranswer", "barrieritemanswer", "barrierpick"}
    assert not anonymous & set(CHANGE_TRACKED_TABLES)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'office.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = open_database(url, create=True)
    yield database
    database.dispose()


def test_each_tracked_table_has_its_triggers_and_the_trail_its_guard(any_db):
    names = _triggers(any_db.engine)
    for table in CHANGE_TRACKED_TABLES:
        assert set(tracking.trigger_names(table)) <= names, table
    guard = {"complaintevent_append_only"} if any_db.engine.dialect.name == "postgresql" else \
        {"complaintevent_no_update", "complaintevent_no_delete"}
    assert guard <= names


def test_inserts_and_updates_get_ever_higher_versions(any_db):
    office = make_office(any_db)
    assert all(version for table in CHANGE_TRACKED_TABLES[:3] for version in _versions(any_db.engine, table))
    with any_db.session() as session:
        visit = visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
    (first,) = _versions(any_db.engine, "visit")
    with any_db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE visit SET language = 'es'")
    (second,) = _versions(any_db.engine, "visit")
    assert second > first > max(_versions(any_db.engine, "staff"))
    with any_db.engine.connect() as conn:
        assert tracking.high_water(conn) >= second
    assert visit.id


def test_a_row_written_with_its_version_keeps_it(any_db):
    make_office(any_db)
    with any_db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE office SET name = 'Renamed', version = 424242")
    assert _versions(any_db.engine, "office") == [424242]


def test_the_trail_still_refuses_changes(any_db):
    from cxdesk.domain.complaints import ComplaintIntake, open_complaint
    from tests.factories import supervisor_of

    office = make_office(any_db)
    with any_db.session() as session:
        open_complaint(session, office, supervisor_of(session, office),
                       ComplaintIntake(received_via="counter", category="wait_time", what_happened="Long wait."),
                       FIXED_NOW)
    assert all(_versions(any_db.engine, "complaintevent"))
    for statement in ("UPDATE complaintevent SET note = 'rewritten'", "DELETE FROM complaintevent"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with any_db.engine.begin() as conn:
                conn.exec_driver_sql(statement)


def test_rows_from_before_the_upgrade_get_versions(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    command.upgrade(migrate.alembic_config(engine), "0003_complaints")
    # A row written at 0003 (plain SQL: the models know the version column now).
    with engine.begin() as conn:
        assert "version" not in {column["name"] for column in sa.inspect(conn).get_columns("visit")}
        conn.exec_driver_sql("INSERT INTO office (id, code, name, timezone, survey_set, survey_idle_seconds, "
                             "created_at) VALUES ('0123456789abcdef0123456789abcdef', 'OLD1', 'Old', "
                             "'America/Chicago', 'likert', 120, '2026-01-01 00:00:00.000000')")
    engine.dispose()
    database = open_database(url, create=True)
    assert database.upgraded_from == "0003_complaints"
    assert _versions(database.engine, "office") == [1]
    database.dispose()


def test_a_served_visit_travels_again_after_it_changes(db, office, signed_in):
    visit = serve(db, office, signed_in)
    (before,) = _versions(db.engine, "visit")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE visit SET preferred_channel = 'online' WHERE id = ?", (visit.id.hex,))
    (after,) = _versions(db.engine, "visit")
    assert after > before
