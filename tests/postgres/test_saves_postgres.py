"""Counters saving at once on PostgreSQL do not queue behind each other: "next" passes
over a customer another counter is calling this moment, and two check-ins wait for
each other's ticket number instead of colliding and pausing."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from cxdesk.domain import numbering, visits
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in
from cxdesk.store.models import Visit
from tests.factories import CLERK, FIXED_NOW, make_office

pytestmark = pytest.mark.postgres


def test_call_next_passes_over_the_customer_another_counter_is_calling(pg_db):
    office = make_office(pg_db)
    with pg_db.session() as session:
        who = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=get_station(session, office, "W1"),
                      now=FIXED_NOW)
        first = visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
        second = visits.check_in(session, office, segment="retiree", service="change_address",
                                 now=FIXED_NOW + visits.APPOINTMENT_GRACE)
    with pg_db.session() as other_counter, pg_db.session() as session:
        # Another counter is in the middle of calling the first customer (its row is locked).
        other_counter.execute(sa.select(Visit.id).where(Visit.id == first.id).with_for_update()).one()
        # Waiting for that counter would fail here rather than hang the test.
        session.execute(sa.text("SET lock_timeout = '2s'"))
        called = visits.call_next(session, office, who, FIXED_NOW + 2 * visits.APPOINTMENT_GRACE)
        other_counter.rollback()
    assert called.id == second.id and called.state == "called"


def test_a_check_in_that_collided_tries_again_at_once_in_line_for_the_number(pg_db, monkeypatch):
    """Two counters took the same ticket number: the one refused tries again without a
    pause, under the numbering lock (it waits there only for a commit in progress)."""
    office = make_office(pg_db)
    day = office.local_day(FIXED_NOW)
    pauses, locks = [], []
    monkeypatch.setattr(numbering, "time", SimpleNamespace(sleep=pauses.append))  # a collision's pause
    sa.event.listen(pg_db.engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_a: locks.append(statement) if "advisory" in statement else None)
    has_number, go = threading.Event(), threading.Event()
    numbers = []

    def slow_counter():
        def build(seq):
            has_number.set()
            go.wait(30)
            return [Visit(office_id=office.id, day=day, seq=seq, segment="retiree",
                          service_wanted="change_address", state="waiting", arrived_at=FIXED_NOW)]

        with pg_db.session() as session:
            numbers.append(numbering.commit_numbered(session, Visit, office.id, day, build, busy="busy").seq)

    slow = threading.Thread(target=slow_counter)
    slow.start()
    try:
        assert has_number.wait(30)  # it read the last number, and has not written yet
        with pg_db.session() as session:  # another counter takes that number meanwhile
            numbers.append(visits.check_in(session, office, segment="retiree", service="change_address",
                                           now=FIXED_NOW).seq)
    finally:
        go.set()
        slow.join(30)
    assert numbers == [1, 2]
    assert pauses == [] and len(locks) == 1
