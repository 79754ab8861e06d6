"""The supervisors' audit: each supervisor action leaves one line with who and when,
a refused action leaves none, the table refuses edits, and only supervisors read it."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from sqlmodel import select

from cxdesk.domain.audit import audit_lines
from cxdesk.domain.office import add_station, update_office
from cxdesk.domain.staff import add_staff, reset_pin, set_active
from cxdesk.errors import CxdeskError
from cxdesk.store.models import SupervisorAction
from tests.factories import FIXED_NOW, SUPERVISOR, clerk_of, start_barrier_survey, supervisor_of


def _actions(db) -> list[tuple[str, str]]:
    with db.session() as session:
        rows = session.exec(select(SupervisorAction).order_by(SupervisorAction.at)).all()
        return [(row.action, row.subject) for row in rows]


def test_supervisor_actions_are_audited_with_who_and_what(db, office):
    with db.session() as session:
        boss = supervisor_of(session, office)
        new = add_staff(session, office, boss, code="CLK7", name="Dee Park", role="clerk", pin="9753", now=FIXED_NOW)
        reset_pin(session, new, "8642", by=boss)
        set_active(session, new, False, by=boss)
        update_office(session, office, boss, name="Chicago Loop Office", timezone="America/Chicago")
        add_station(session, office, boss, "Window 3")
    start_barrier_survey(db, office)
    actions = _actions(db)
    assert ("staff_added", "CLK1") in actions  # the test office's clerk, added by the supervisor
    for expected in [("staff_added", "CLK7"), ("pin_reset", "CLK7"), ("staff_active", "CLK7"),
                     ("office_settings", "CHI01"), ("station", "W3"), ("barrier_survey", "month")]:
        assert expected in actions
    with db.session() as session:
        lines = audit_lines(session, office, supervisor_of(session, office))
    assert {line.who for line in lines} == {SUPERVISOR[0]}
    assert "Barrier survey settings changed" in {line.label for line in lines}
    assert lines == sorted(lines, key=lambda line: line.at, reverse=True)  # newest first
    assert all("8642" not in line.detail and "9753" not in line.detail for line in lines)  # never a PIN


def test_a_refused_action_leaves_no_line(db, office):
    before = _actions(db)
    with db.session() as session:
        boss = supervisor_of(session, office)
        with pytest.raises(CxdeskError):
            set_active(session, boss, False, by=boss)  # cannot deactivate yourself
        with pytest.raises(CxdeskError):
            reset_pin(session, clerk_of(session, office), "1", by=boss)  # too short
        with pytest.raises(CxdeskError):
            add_staff(session, office, clerk_of(session, office), code="X1", name="X", role="clerk", pin="9753",
                      now=FIXED_NOW)
    assert _actions(db) == before


def test_the_audit_is_append_only_and_for_supervisors(db, office, db_url):
    path = db_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE supervisoraction SET subject = 'nobody'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM supervisoraction")
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Only a supervisor"):
            audit_lines(session, office, clerk_of(session, office))


def test_the_audit_is_append_only_on_postgresql(pg_url):
    import sqlalchemy as sa

    from cxdesk.store.db import open_database
    from tests.factories import make_office

    database = open_database(pg_url)
    try:
        make_office(database)
        with database.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM supervisoraction")).scalar() == 1
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                conn.execute(sa.text("DELETE FROM supervisoraction"))
    finally:
        database.dispose()
