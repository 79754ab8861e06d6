"""Sign-off of a shift or a day: who may, what it keeps, and a late change reopening it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cxdesk.domain import signoffs, visits
from cxdesk.domain.complaints import ComplaintIntake, acknowledge, open_complaint
from cxdesk.errors import CxdeskError
from cxdesk.reports.scope import day_scope
from cxdesk.reports.summary import office_summary
from tests.factories import FIXED_NOW, clerk_of, serve, supervisor_of

TODAY = date(2026, 11, 24)


def sign_day(db, office, note="All checked.", now=FIXED_NOW):
    with db.session() as session:
        return signoffs.sign_off(session, office, supervisor_of(session, office), kind=signoffs.DAY, day=TODAY,
                                 note=note, now=now)


def status(db, office):
    with db.session() as session:
        return signoffs.signoff_status(session, office, signoffs.DAY, TODAY)


def test_a_supervisor_signs_off_a_day_with_a_note_kept_with_who_and_when(db, office, signed_in):
    serve(db, office, signed_in)
    sign_day(db, office, note="Quiet morning.\x1b[31m")
    kept = status(db, office)
    assert (kept.signed_by_code, kept.note, kept.signed_at, kept.reopened) == ("SUP1", "Quiet morning.", FIXED_NOW, False)
    assert kept.mark == "✔ SIGNED OFF"


def test_a_clerk_cannot_sign_off(db, office):
    with db.session() as session, pytest.raises(CxdeskError, match="Only a supervisor"):
        signoffs.sign_off(session, office, clerk_of(session, office), kind=signoffs.DAY, day=TODAY, now=FIXED_NOW)


def test_a_late_finish_reopens_the_sign_off_and_says_what_changed(db, office, signed_in):
    with db.session() as session:
        visits.check_in(session, office, segment="retiree", service="change_address",
                        now=FIXED_NOW - timedelta(minutes=10))
    sign_day(db, office)
    with db.session() as session:
        visit = visits.call_next(session, office, signed_in, FIXED_NOW + timedelta(minutes=1))
        visits.finish(session, visit, visits.Finish(service="change_address", outcome="resolved"), signed_in,
                      FIXED_NOW + timedelta(minutes=9))
    reopened = status(db, office)
    assert reopened.reopened and reopened.mark == "⚠ REOPENED"
    changed = {c.figure: (c.before, c.after) for c in reopened.changes}
    assert changed["visits waiting"] == (1, 0)
    assert changed["visits done"] == (0, 1)
    assert changed["outcome resolved, change_address"] == (0, 1)


def test_a_complaint_acknowledged_later_reopens_the_day(db, office, signed_in):
    with db.session() as session:
        clerk = clerk_of(session, office)
        complaint = open_complaint(session, office, clerk, ComplaintIntake(
            received_via="counter", category="wait_time", what_happened="Long wait.", wanted="", urgency="normal"),
            FIXED_NOW)
    sign_day(db, office)
    with db.session() as session:
        acknowledge(session, complaint, supervisor_of(session, office), FIXED_NOW + timedelta(hours=2))
    changes = {c.figure for c in status(db, office).changes}
    assert {"complaints received", "complaints acknowledged"} <= changes


def test_an_unchanged_day_cannot_be_signed_off_twice_but_a_reopened_one_can(db, office, signed_in):
    serve(db, office, signed_in)
    sign_day(db, office)
    with pytest.raises(CxdeskError, match="nothing has changed"):
        sign_day(db, office, now=FIXED_NOW + timedelta(minutes=5))
    serve(db, office, signed_in, now=FIXED_NOW + timedelta(minutes=20))
    sign_day(db, office, note="Again, after the late walk-up.", now=FIXED_NOW + timedelta(minutes=30))
    again = status(db, office)
    assert (again.reopened, again.earlier, again.note) == (False, 1, "Again, after the late walk-up.")


def test_a_shift_is_signed_off_on_its_own(db, office, signed_in):
    serve(db, office, signed_in)
    with db.session() as session:
        signoffs.sign_off(session, office, supervisor_of(session, office), kind=signoffs.SHIFT,
                          shift_id=signed_in.shift.id, now=FIXED_NOW)
        shift = signoffs.signoff_status(session, office, signoffs.SHIFT, TODAY, signed_in.shift.id)
        day = signoffs.signoff_status(session, office, signoffs.DAY, TODAY)
    assert shift is not None and not shift.reopened and day is None


def test_a_future_day_cannot_be_signed_off(db, office):
    with db.session() as session, pytest.raises(CxdeskError, match="once it has begun"):
        signoffs.sign_off(session, office, supervisor_of(session, office), kind=signoffs.DAY,
                          day=TODAY + timedelta(days=1), now=FIXED_NOW)


def test_the_summary_itself_refuses_a_clerk(db, office):
    with db.session() as session, pytest.raises(CxdeskError, match="Only a supervisor can read the supervisor summary"):
        office_summary(session, office, day_scope(office, TODAY), clerk_of(session, office), TODAY)
