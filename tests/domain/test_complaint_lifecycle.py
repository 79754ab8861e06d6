"""The complaint lifecycle: every transition allowed or refused with a reason, deadlines,
extensions, assignment, and the append-only trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from cxdesk.domain import complaints as cx
from cxdesk.domain import workdays
from cxdesk.errors import CxdeskError
from cxdesk.reports import complaint_queue as queue
from cxdesk.store.models import ComplaintEvent
from tests.factories import (
    CLERK,
    EMAIL,
    FIXED_NOW,
    LATER,
    PHONE,
    TODAY,
    complaint_events,
    complaint_in_state,
    complaint_intake,
    complaint_step,
    complaint_with_contact,
    open_one_complaint,
    reload_complaint,
)

LEGAL = {
    cx.RECEIVED: {"acknowledge", "escalate"},
    cx.ACKNOWLEDGED: {"start", "escalate"},
    cx.IN_PROGRESS: {"start", "escalate", "resolve"},  # start: frontline -> investigation
    cx.ESCALATED: {"start", "resolve"},
    cx.RESOLVED: {"escalate", "close", "reopen"},
    cx.CLOSED: {"reopen"},
    cx.REOPENED: {"start", "escalate"},
}


@pytest.mark.parametrize("state", cx.STATES)
@pytest.mark.parametrize("action", list(cx.ACTIONS))
def test_every_transition_is_allowed_or_refused_with_a_reason(db, office, people, state, action):
    supervisor = people[0]
    complaint = complaint_in_state(db, office, state, supervisor)
    before = len(complaint_events(db, complaint))
    track = cx.INVESTIGATION if state == cx.IN_PROGRESS else cx.FRONTLINE
    with db.session() as session:
        if action in LEGAL[state]:
            after = complaint_step(session, action, complaint, supervisor, track)
            assert after.state == cx.ACTIONS[action][1]
            assert len(complaint_events(db, complaint)) == before + 1
            last = complaint_events(db, complaint)[-1]
            assert (last.kind, last.from_value) == ("state", cx.state_text(state, complaint.track))
            assert cx.refusal(complaint, action, supervisor, track) is None
        else:
            with pytest.raises(CxdeskError) as caught:
                complaint_step(session, action, complaint, supervisor, track)
            assert complaint.reference in str(caught.value)
            assert reload_complaint(db, complaint).state == state
            assert len(complaint_events(db, complaint)) == before


def test_allowed_actions_match_the_lifecycle(db, office, people):
    supervisor = people[0]
    for state in cx.STATES:
        complaint = complaint_in_state(db, office, state, supervisor)
        assert set(cx.allowed_actions(complaint, supervisor)) == LEGAL[state], state


def test_only_a_supervisor_takes_on_an_escalated_complaint(db, office, people):
    supervisor, clerk, _ = people
    complaint = complaint_in_state(db, office, cx.ESCALATED, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="only a supervisor"):
            cx.resolve(session, complaint.id, clerk, what_was_done="x", customer_accepted=True, now=LATER)
        with pytest.raises(CxdeskError, match="only a supervisor"):
            cx.start_work(session, complaint.id, clerk, cx.FRONTLINE, LATER)
        assert cx.start_work(session, complaint.id, supervisor, cx.INVESTIGATION, LATER).state == cx.IN_PROGRESS
    escalated = reload_complaint(db, complaint_in_state(db, office, cx.ESCALATED, clerk))
    assert "resolve" not in cx.allowed_actions(escalated, clerk)


def test_investigation_does_not_go_back_to_the_front_line(db, office, people):
    clerk = people[1]
    complaint = complaint_in_state(db, office, cx.IN_PROGRESS, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="already being handled at the front line"):
            cx.start_work(session, complaint.id, clerk, cx.FRONTLINE, LATER)
        cx.start_work(session, complaint.id, clerk, cx.INVESTIGATION, LATER)
        with pytest.raises(CxdeskError, match="does not go back to the front line"):
            cx.start_work(session, complaint.id, clerk, cx.FRONTLINE, LATER)
        with pytest.raises(CxdeskError, match="Choose front line or investigation"):
            cx.start_work(session, complaint.id, clerk, "hunch", LATER)


def test_investigation_gets_twenty_working_days_from_its_start(db, office, people):
    clerk = people[1]
    complaint = complaint_in_state(db, office, cx.ACKNOWLEDGED, clerk)
    started = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)  # Friday after Thanksgiving
    with db.session() as session:
        complaint = cx.start_work(session, complaint.id, clerk, cx.INVESTIGATION, started)
    assert complaint.resolution_due == workdays.add_working_days(date(2026, 11, 27), 20) == date(2026, 12, 28)
    assert complaint.next_due == complaint.resolution_due


def test_frontline_keeps_five_working_days_from_receipt(db, office, people):
    complaint = complaint_in_state(db, office, cx.IN_PROGRESS, people[1])
    assert complaint.track == cx.FRONTLINE
    assert complaint.next_due == date(2026, 12, 2)


def test_resolution_records_what_was_done_and_acceptance(db, office, people):
    clerk = people[1]
    complaint = complaint_in_state(db, office, cx.IN_PROGRESS, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="What was done cannot be empty"):
            cx.resolve(session, complaint.id, clerk, what_was_done=" ", customer_accepted=True, now=LATER)
        with pytest.raises(CxdeskError, match="accepted"):
            cx.resolve(session, complaint.id, clerk, what_was_done="Fixed", customer_accepted=None, now=LATER)
        done = cx.resolve(session, complaint.id, clerk, what_was_done="Reissued the letter.",
                          customer_accepted=False, now=LATER)
    assert (done.state, done.resolution, done.customer_accepted, done.resolved_at) == (
        cx.RESOLVED, "Reissued the letter.", False, LATER)
    assert done.next_due is None
    assert complaint_events(db, complaint)[-1].note == "Reissued the letter. (customer did not accept)"


def test_reopening_starts_a_new_frontline_deadline(db, office, people):
    clerk = people[1]
    complaint = complaint_in_state(db, office, cx.CLOSED, clerk)
    back = datetime(2026, 12, 22, 15, 0, tzinfo=timezone.utc)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="reason for reopening cannot be empty"):
            cx.reopen(session, complaint.id, clerk, "", back)
        reopened = cx.reopen(session, complaint.id, clerk, "The letter was wrong again.", back)
    # Tuesday 22 Dec + 5 working days, over Christmas: 23, 24, 28, 29, 30.
    assert reopened.resolution_due == date(2026, 12, 30)
    assert reopened.closed_at is None and reopened.resolution is None


def test_due_marks_use_symbol_and_words():
    assert cx.due_mark(date(2026, 11, 20), TODAY) == cx.DueMark("overdue", "▲", "OVERDUE 2 working days")
    assert cx.due_mark(TODAY, TODAY) == cx.DueMark("due_today", "●", "DUE TODAY")
    assert cx.due_mark(date(2026, 11, 30), TODAY).text == "due Mon 30 Nov (3 working days)"
    assert cx.due_mark(None, TODAY).status == "none"


def test_extension_needs_a_reason_and_the_customer_told(db, office, people):
    supervisor, clerk, _ = people
    complaint = complaint_in_state(db, office, cx.IN_PROGRESS, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Tell the customer"):
            cx.extend(session, complaint.id, clerk, days=5, reason="Waiting for records.",
                      customer_told=False, now=LATER)
        with pytest.raises(CxdeskError, match="reason for the extension cannot be empty"):
            cx.extend(session, complaint.id, clerk, days=5, reason="", customer_told=True, now=LATER)
        with pytest.raises(CxdeskError, match="1 to 20 working days"):
            cx.extend(session, complaint.id, clerk, days=0, reason="x", customer_told=True, now=LATER)
        assert reload_complaint(db, complaint).resolution_due == date(2026, 12, 2)
        extended = cx.extend(session, complaint.id, supervisor, days=5, reason="Waiting for records.",
                             customer_told=True, now=LATER)
    assert extended.resolution_due == date(2026, 12, 9) == extended.next_due
    assert extended.extensions == 1
    last = complaint_events(db, complaint)[-1]
    assert (last.kind, last.from_value, last.to_value, last.note) == (
        "extend", "2026-12-02", "2026-12-09", "Waiting for records. (customer told)")


def test_no_extension_before_acknowledgement_or_after_resolution(db, office, people):
    clerk = people[1]
    for state, message in ((cx.RECEIVED, "Acknowledge"), (cx.RESOLVED, "no deadline to extend")):
        complaint = complaint_in_state(db, office, state, clerk)
        with db.session() as session, pytest.raises(CxdeskError, match=message):
            cx.extend(session, complaint.id, clerk, days=2, reason="x", customer_told=True, now=LATER)


def test_assignment_rules(db, office, people):
    supervisor, clerk, other = people
    complaint = open_one_complaint(db, office, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Only a supervisor or the person handling"):
            cx.assign(session, complaint.id, other, other, LATER)
        cx.assign(session, complaint.id, clerk, other, LATER, note="Cora speaks Spanish.")
        with pytest.raises(CxdeskError, match="already with CLK2"):
            cx.assign(session, complaint.id, supervisor, other, LATER)
        cx.assign(session, complaint.id, supervisor, None, LATER)
        taken = cx.assign(session, complaint.id, clerk, clerk, LATER)
    assert taken.assigned_to == clerk.id
    assigns = [(e.from_value, e.to_value) for e in complaint_events(db, complaint) if e.kind == "assign"]
    assert assigns == [("CLK1", "CLK2"), ("CLK2", None), (None, "CLK1")]


def test_full_lifecycle_leaves_a_complete_trail(db, office, people):
    supervisor, clerk, other = people
    steps = [FIXED_NOW + timedelta(hours=h) for h in range(20)]
    with db.session() as session:
        complaint = cx.open_complaint(session, office, clerk, complaint_with_contact(), steps[0])
        cx.acknowledge(session, complaint.id, clerk, steps[1], note="Told the customer at the counter.")
        cx.start_work(session, complaint.id, clerk, cx.FRONTLINE, steps[2])
        cx.add_note(session, complaint.id, clerk, "Asked for the appointment letter.", steps[3])
        cx.assign(session, complaint.id, clerk, other, steps[4])
        cx.start_work(session, complaint.id, other, cx.INVESTIGATION, steps[5])
        cx.extend(session, complaint.id, other, days=3, reason="Records office closed.", customer_told=True,
                  now=steps[6])
        cx.escalate(session, complaint.id, other, "Customer asks for a supervisor.", steps[7])
        cx.start_work(session, complaint.id, supervisor, cx.INVESTIGATION, steps[8])
        cx.resolve(session, complaint.id, supervisor, what_was_done="Apologised; new appointment booked.",
                   customer_accepted=True, now=steps[9])
        cx.close(session, complaint.id, supervisor, steps[10])
        cx.reopen(session, complaint.id, clerk, "Appointment was cancelled again.", steps[11])
        final = queue.view_complaint(session, office, complaint.id, supervisor, TODAY)
    lines = final.trail
    assert [line.seq for line in lines] == list(range(1, 14))
    assert [(line.kind, line.from_value, line.to_value, line.who_code) for line in lines] == [
        ("opened", None, "received", "CLK1"),
        ("contact", None, None, "CLK1"),
        ("state", "received", "acknowledged", "CLK1"),
        ("state", "acknowledged", "in progress (frontline)", "CLK1"),
        ("note", None, None, "CLK1"),
        ("assign", "CLK1", "CLK2", "CLK1"),
        ("state", "in progress (frontline)", "in progress (investigation)", "CLK2"),
        ("extend", lines[7].from_value, lines[7].to_value, "CLK2"),
        ("state", "in progress (investigation)", "escalated", "CLK2"),
        ("state", "escalated", "in progress (investigation)", "SUP1"),
        ("state", "in progress (investigation)", "resolved", "SUP1"),
        ("state", "resolved", "closed", "SUP1"),
        ("state", "closed", "reopened", "CLK1"),
    ]
    assert [line.at for line in lines] == [steps[0], steps[0], *steps[1:12]]
    assert lines[4].note == "Asked for the appointment letter."
    # Chained: each state change starts where the previous one ended.
    changes = [line for line in lines if line.kind == "state"]
    assert all(a.to_value == b.from_value for a, b in zip(changes, changes[1:]))
    # Contact details never enter the trail.
    assert not any(PHONE in line.note or EMAIL in line.note or "Lopez" in line.note for line in lines)


def test_the_trail_refuses_update_and_delete(db, office, people):
    complaint = open_one_complaint(db, office, people[1])
    with db.session() as session:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.update(ComplaintEvent).values(note="tampered"))
        session.rollback()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.delete(ComplaintEvent))
        session.rollback()
    assert len(complaint_events(db, complaint)) == 1 and complaint_events(db, complaint)[0].note != "tampered"


@pytest.mark.postgres
def test_the_trail_refuses_update_and_delete_on_postgresql(pg_url, clock):
    from cxdesk.store.db import open_database
    from tests.factories import make_office

    database = open_database(pg_url)
    try:
        office = make_office(database)
        from cxdesk.domain.staff import get_staff

        with database.session() as session:
            clerk = get_staff(session, office, CLERK[0])
            complaint = cx.open_complaint(session, office, clerk, complaint_intake(), FIXED_NOW)
            cx.acknowledge(session, complaint.id, clerk, LATER)
            [row] = queue.list_complaints(session, office, TODAY)
            assert row.reference == "CHI01-20261124-001"
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                session.execute(sa.update(ComplaintEvent).values(note="tampered"))
            session.rollback()
            with pytest.raises(sa.exc.DatabaseError, match="append-only"):
                session.execute(sa.delete(ComplaintEvent))
            session.rollback()
            assert len(queue.trail(session, complaint)) == 2
    finally:
        database.dispose()
