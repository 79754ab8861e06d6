"""Complaints: working-day deadlines, the lifecycle and its trail, contact privacy, the CLI."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, timedelta, timezone
from importlib import resources

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk.demo import complaints as demo_complaints
from cxdesk.domain import complaints as cx
from cxdesk.domain import workdays
from cxdesk.errors import CxdeskError
from cxdesk.exchange import complaint_csv
from cxdesk.reports import complaint_queue as queue
from cxdesk.store.models import Complaint, ComplaintContact, ComplaintEvent, Office
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, supervisor_of

# FIXED_NOW is Tuesday 24 November 2026 in Chicago, two days before Thanksgiving.
TODAY = date(2026, 11, 24)
PHONE = "312 555 0199"
EMAIL = "maria.lopez@example.org"


# --- working days -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 24), 0, date(2026, 11, 24)),
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday -> Monday, over the weekend
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # received on a Saturday
        (date(2026, 11, 24), 3, date(2026, 11, 30)),  # Thanksgiving 26 Nov does not count
        (date(2026, 11, 24), 5, date(2026, 12, 2)),
        (date(2026, 11, 24), 20, date(2026, 12, 23)),
        (date(2026, 12, 23), 3, date(2026, 12, 29)),  # Christmas Friday 25 Dec
        (date(2026, 12, 30), 2, date(2027, 1, 4)),  # New Year's Day Friday 1 Jan
        (date(2026, 7, 2), 1, date(2026, 7, 6)),  # July 4 is a Saturday: observed Friday 3 July
        (date(2027, 12, 30), 1, date(2028, 1, 3)),  # New Year 2028 observed Friday 31 Dec 2027
        (date(2026, 1, 16), 1, date(2026, 1, 20)),  # Martin Luther King Jr. Day
    ],
)
def test_add_working_days_skips_weekends_and_federal_holidays(start, days, expected):
    assert workdays.add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 12, 25), False),  # Christmas
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 7, 3), False),  # Independence Day observed
        (date(2026, 6, 19), False),  # Juneteenth
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 27), True),  # the Friday after Thanksgiving is not a federal holiday
        (date(2026, 11, 24), True),
    ],
)
def test_is_working_day(day, working):
    assert workdays.is_working_day(day) is working


def test_working_days_between_counts_both_ways():
    assert workdays.working_days_between(date(2026, 11, 24), date(2026, 11, 30)) == 3
    assert workdays.working_days_between(date(2026, 11, 30), date(2026, 11, 24)) == -3
    assert workdays.working_days_between(TODAY, TODAY) == 0


def test_negative_working_days_are_a_bug():
    with pytest.raises(ValueError):
        workdays.add_working_days(TODAY, -1)


# --- helpers -------------------------------------------------------------------


@pytest.fixture
def people(db, office):
    """(supervisor, clerk who takes complaints, another clerk)."""
    from cxdesk.domain.staff import add_staff, get_staff

    with db.session() as session:
        other = add_staff(session, office, supervisor_of(session, office), code="CLK2", name="Cora Diaz", role="clerk", pin="8642",
                          now=FIXED_NOW)
        return get_staff(session, office, SUPERVISOR[0]), get_staff(session, office, CLERK[0]), other


def intake(**changes) -> cx.ComplaintIntake:
    values = dict(received_via="counter", category="wait_time",
                  what_happened="Waited 70 minutes with an appointment.", wanted="An apology.")
    values.update(changes)
    return cx.ComplaintIntake(**values)


def with_contact(**changes) -> cx.ComplaintIntake:
    return intake(contact=cx.ContactDetails(name="Maria Lopez", phone=PHONE, email=EMAIL, language="es"),
                  consent=True, **changes)


def open_one(db, office, who, now=FIXED_NOW, **changes) -> Complaint:
    with db.session() as session:
        return cx.open_complaint(session, office, who, intake(**changes), now)


def events(db, complaint) -> list[ComplaintEvent]:
    with db.session() as session:
        return list(session.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                 .order_by(ComplaintEvent.seq)))


def reload(db, complaint) -> Complaint:
    with db.session() as session:
        return session.get(Complaint, complaint.id)


LATER = FIXED_NOW + timedelta(hours=1)


def bring_to(db, office, state, who) -> Complaint:
    """A complaint walked through the legal path to ``state``."""
    complaint = open_one(db, office, who)
    path = {
        cx.RECEIVED: [],
        cx.ACKNOWLEDGED: ["ack"],
        cx.IN_PROGRESS: ["ack", "start"],
        cx.ESCALATED: ["ack", "start", "escalate"],
        cx.RESOLVED: ["ack", "start", "resolve"],
        cx.CLOSED: ["ack", "start", "resolve", "close"],
        cx.REOPENED: ["ack", "start", "resolve", "close", "reopen"],
    }[state]
    with db.session() as session:
        for step in path:
            if step == "ack":
                cx.acknowledge(session, complaint.id, who, LATER)
            elif step == "start":
                cx.start_work(session, complaint.id, who, cx.FRONTLINE, LATER)
            elif step == "escalate":
                cx.escalate(session, complaint.id, who, "Asks for a supervisor.", LATER)
            elif step == "resolve":
                cx.resolve(session, complaint.id, who, what_was_done="Apologised.", customer_accepted=True,
                           now=LATER)
            elif step == "close":
                cx.close(session, complaint.id, who, LATER)
            elif step == "reopen":
                cx.reopen(session, complaint.id, who, "Came back.", LATER)
    complaint = reload(db, complaint)
    assert complaint.state == state
    return complaint


def do(session, action, complaint, who, track=cx.FRONTLINE):
    if action == "acknowledge":
        return cx.acknowledge(session, complaint.id, who, LATER)
    if action == "start":
        return cx.start_work(session, complaint.id, who, track, LATER)
    if action == "escalate":
        return cx.escalate(session, complaint.id, who, "Asks for a supervisor.", LATER)
    if action == "resolve":
        return cx.resolve(session, complaint.id, who, what_was_done="Fixed.", customer_accepted=False, now=LATER)
    if action == "close":
        return cx.close(session, complaint.id, who, LATER)
    if action == "reopen":
        return cx.reopen(session, complaint.id, who, "Came back.", LATER)
    raise AssertionError(action)


# --- intake ----------------------------------------------------------------------


def test_intake_sets_reference_and_deadlines_around_thanksgiving(db, office, people):
    _sup, clerk, _other = people
    complaint = open_one(db, office, clerk)
    assert complaint.reference == "CHI01-20261124-001"
    assert complaint.state == cx.RECEIVED
    assert complaint.acknowledge_due == date(2026, 11, 30)
    assert complaint.resolution_due == date(2026, 12, 2)
    assert complaint.next_due == complaint.acknowledge_due
    assert complaint.assigned_to == clerk.id and complaint.opened_by == clerk.id
    [opened] = events(db, complaint)
    assert (opened.kind, opened.from_value, opened.to_value, opened.staff_id) == ("opened", None, "received", clerk.id)
    assert "at the counter" in opened.note


def test_day_of_receipt_is_the_office_local_day(db, office, people):
    # 21:00 on Tuesday in Chicago is already Wednesday in UTC; the office's day counts.
    evening = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    complaint = open_one(db, office, people[1], now=evening)
    assert complaint.day == date(2026, 11, 24)
    assert complaint.reference == "CHI01-20261124-001"
    assert complaint.acknowledge_due == date(2026, 11, 30)


def test_same_instant_in_another_time_zone_is_another_day(db, people):
    with db.session() as session:
        guam = Office(code="GUM01", name="Hagatna", timezone="Pacific/Guam", created_at=FIXED_NOW)
        session.add(guam)
        session.commit()
        # 03:00 UTC Wednesday is 13:00 Wednesday in Guam: day 0 is Wednesday 25.
        complaint = cx.open_complaint(session, guam, people[1], intake(),
                                      datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc))
    assert complaint.reference == "GUM01-20261125-001"
    assert complaint.acknowledge_due == date(2026, 12, 1)


def test_references_are_sequential_and_unique_across_offices(db, office, people):
    clerk = people[1]
    refs = [open_one(db, office, clerk).reference for _ in range(3)]
    assert refs == ["CHI01-20261124-001", "CHI01-20261124-002", "CHI01-20261124-003"]
    next_day = open_one(db, office, clerk, now=FIXED_NOW + timedelta(days=1))
    assert next_day.reference == "CHI01-20261125-001"
    with db.session() as session:
        other = Office(code="NYC02", name="Manhattan", timezone="America/New_York", created_at=FIXED_NOW)
        session.add(other)
        session.commit()
        theirs = cx.open_complaint(session, other, clerk, intake(), FIXED_NOW)
    assert theirs.reference == "NYC02-20261124-001"
    with db.session() as session:
        all_refs = session.exec(select(Complaint.reference)).all()
    assert len(all_refs) == len(set(all_refs)) == 5


def test_reference_reads_aloud_in_three_groups():
    assert cx.spoken_reference("CHI01-20261124-007") == "CHI01 · 2026 11 24 · 007"


def test_receipt_tells_the_customer_in_english_and_spanish(db, office, people):
    lines = cx.receipt_lines(open_one(db, office, people[1]))
    assert "CHI01-20261124-001" in lines["en"] and "Monday 30 November 2026" in lines["en"]
    assert "CHI01-20261124-001" in lines["es"] and "lunes 30 de noviembre de 2026" in lines["es"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_happened": "   "}, "Write down what happened"),
        ({"category": ""}, "Choose what the complaint is about"),
        ({"category": "rudeness"}, "Unknown complaint category 'rudeness'"),
        ({"received_via": "pigeon"}, "Unknown way the complaint was received 'pigeon'"),
        ({"urgency": "panic"}, "Unknown urgency 'panic'"),
        ({"what_happened": "x" * 2001}, "too long"),
        ({"contact": cx.ContactDetails(name="Maria", phone=PHONE)}, "Record the customer's consent"),
        ({"contact": cx.ContactDetails(name="Maria"), "consent": True}, "Give a phone number or an email"),
        ({"contact": cx.ContactDetails(email="maria-at-example"), "consent": True}, "email address does not look right"),
        ({"contact": cx.ContactDetails(phone="call me"), "consent": True}, "phone number may hold only digits"),
        ({"contact": cx.ContactDetails(phone="555"), "consent": True}, "phone number is too short: it needs at least 7"),
        ({"service": "teleportation"}, "Unknown service"),
    ],
)
def test_bad_intake_is_refused_and_nothing_is_written(db, office, people, changes, message):
    with db.session() as session, pytest.raises(CxdeskError, match=message):
        cx.open_complaint(session, office, people[1], intake(**changes), FIXED_NOW)
    with db.session() as session:
        assert session.exec(select(sa.func.count()).select_from(Complaint)).one() == 0
        assert session.exec(select(sa.func.count()).select_from(ComplaintEvent)).one() == 0


def test_bad_input_messages_never_repeat_contact_details(db, office, people):
    with db.session() as session, pytest.raises(CxdeskError) as caught:
        cx.open_complaint(session, office, people[1],
                          intake(contact=cx.ContactDetails(email="maria@@nowhere"), consent=True), FIXED_NOW)
    assert "maria" not in str(caught.value)


def test_complaint_during_a_visit_is_linked_and_prefilled(db, office, signed_in, people):
    from cxdesk.domain import visits

    with db.session() as session:
        visits.check_in(session, office, segment="veteran", service="replacement_card", now=FIXED_NOW)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW)
        link = cx.visit_link(session, office, visit.id)
        complaint = cx.open_complaint(session, office, people[1], intake(visit_id=visit.id), FIXED_NOW)
    assert link.ticket == "A001" and link.service == "replacement_card" and link.segment == "veteran"
    assert complaint.visit_id == visit.id
    assert (complaint.service, complaint.segment) == ("replacement_card", "veteran")


# --- lifecycle -------------------------------------------------------------------

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
    complaint = bring_to(db, office, state, supervisor)
    before = len(events(db, complaint))
    track = cx.INVESTIGATION if state == cx.IN_PROGRESS else cx.FRONTLINE
    with db.session() as session:
        if action in LEGAL[state]:
            after = do(session, action, complaint, supervisor, track)
            assert after.state == cx.ACTIONS[action][1]
            assert len(events(db, complaint)) == before + 1
            last = events(db, complaint)[-1]
            assert (last.kind, last.from_value) == ("state", cx.state_text(state, complaint.track))
            assert cx.refusal(complaint, action, supervisor, track) is None
        else:
            with pytest.raises(CxdeskError) as caught:
                do(session, action, complaint, supervisor, track)
            assert complaint.reference in str(caught.value)
            assert reload(db, complaint).state == state
            assert len(events(db, complaint)) == before


def test_allowed_actions_match_the_lifecycle(db, office, people):
    supervisor = people[0]
    for state in cx.STATES:
        complaint = bring_to(db, office, state, supervisor)
        assert set(cx.allowed_actions(complaint, supervisor)) == LEGAL[state], state


def test_only_a_supervisor_takes_on_an_escalated_complaint(db, office, people):
    supervisor, clerk, _ = people
    complaint = bring_to(db, office, cx.ESCALATED, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="only a supervisor"):
            cx.resolve(session, complaint.id, clerk, what_was_done="x", customer_accepted=True, now=LATER)
        with pytest.raises(CxdeskError, match="only a supervisor"):
            cx.start_work(session, complaint.id, clerk, cx.FRONTLINE, LATER)
        assert cx.start_work(session, complaint.id, supervisor, cx.INVESTIGATION, LATER).state == cx.IN_PROGRESS
    assert "resolve" not in cx.allowed_actions(reload(db, bring_to(db, office, cx.ESCALATED, clerk)), clerk)


def test_investigation_does_not_go_back_to_the_front_line(db, office, people):
    clerk = people[1]
    complaint = bring_to(db, office, cx.IN_PROGRESS, clerk)
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
    complaint = bring_to(db, office, cx.ACKNOWLEDGED, clerk)
    started = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)  # Friday after Thanksgiving
    with db.session() as session:
        complaint = cx.start_work(session, complaint.id, clerk, cx.INVESTIGATION, started)
    assert complaint.resolution_due == workdays.add_working_days(date(2026, 11, 27), 20) == date(2026, 12, 28)
    assert complaint.next_due == complaint.resolution_due


def test_frontline_keeps_five_working_days_from_receipt(db, office, people):
    complaint = bring_to(db, office, cx.IN_PROGRESS, people[1])
    assert complaint.track == cx.FRONTLINE
    assert complaint.next_due == date(2026, 12, 2)


def test_resolution_records_what_was_done_and_acceptance(db, office, people):
    clerk = people[1]
    complaint = bring_to(db, office, cx.IN_PROGRESS, clerk)
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
    assert events(db, complaint)[-1].note == "Reissued the letter. (customer did not accept)"


def test_reopening_starts_a_new_frontline_deadline(db, office, people):
    clerk = people[1]
    complaint = bring_to(db, office, cx.CLOSED, clerk)
    back = datetime(2026, 12, 22, 15, 0, tzinfo=timezone.utc)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="reason for reopening cannot be empty"):
            cx.reopen(session, complaint.id, clerk, "", back)
        reopened = cx.reopen(session, complaint.id, clerk, "The letter was wrong again.", back)
    # Tuesday 22 Dec + 5 working days, over Christmas: 23, 24, 28, 29, 30.
    assert reopened.resolution_due == date(2026, 12, 30)
    assert reopened.closed_at is None and reopened.resolution is None


def test_complaint_acknowledged_late_is_overdue(db, office, people):
    complaint = open_one(db, office, people[1])
    with db.session() as session:
        # Tuesday 1 December: the acknowledgement was due on Monday 30 November.
        [row] = queue.list_complaints(session, office, date(2026, 12, 1))
        assert row.id == complaint.id
        assert (row.due.status, row.due.symbol, row.due.text) == ("overdue", "▲", "OVERDUE 1 working day")
        [row] = queue.list_complaints(session, office, date(2026, 11, 30))
        assert (row.due.status, row.due.symbol, row.due.text) == ("due_today", "●", "DUE TODAY")
        late = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
        cx.acknowledge(session, complaint.id, people[1], late)
        assert queue.view_complaint(session, office, complaint.id, people[1], date(2026, 12, 1)).acknowledged_late
        assert not queue.view_complaint(session, office, open_one(db, office, people[1]).id, people[1],
                                     TODAY).acknowledged_late


# --- extension, notes, assignment -------------------------------------------------


def test_extension_needs_a_reason_and_the_customer_told(db, office, people):
    supervisor, clerk, _ = people
    complaint = bring_to(db, office, cx.IN_PROGRESS, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Tell the customer"):
            cx.extend(session, complaint.id, clerk, days=5, reason="Waiting for records.",
                      customer_told=False, now=LATER)
        with pytest.raises(CxdeskError, match="reason for the extension cannot be empty"):
            cx.extend(session, complaint.id, clerk, days=5, reason="", customer_told=True, now=LATER)
        with pytest.raises(CxdeskError, match="1 to 20 working days"):
            cx.extend(session, complaint.id, clerk, days=0, reason="x", customer_told=True, now=LATER)
        assert reload(db, complaint).resolution_due == date(2026, 12, 2)
        extended = cx.extend(session, complaint.id, supervisor, days=5, reason="Waiting for records.",
                             customer_told=True, now=LATER)
    assert extended.resolution_due == date(2026, 12, 9) == extended.next_due
    assert extended.extensions == 1
    last = events(db, complaint)[-1]
    assert (last.kind, last.from_value, last.to_value, last.note) == (
        "extend", "2026-12-02", "2026-12-09", "Waiting for records. (customer told)")


def test_no_extension_before_acknowledgement_or_after_resolution(db, office, people):
    clerk = people[1]
    for state, message in ((cx.RECEIVED, "Acknowledge"), (cx.RESOLVED, "no deadline to extend")):
        complaint = bring_to(db, office, state, clerk)
        with db.session() as session, pytest.raises(CxdeskError, match=message):
            cx.extend(session, complaint.id, clerk, days=2, reason="x", customer_told=True, now=LATER)


def test_assignment_rules(db, office, people):
    supervisor, clerk, other = people
    complaint = open_one(db, office, clerk)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Only a supervisor or the person handling"):
            cx.assign(session, complaint.id, other, other, LATER)
        cx.assign(session, complaint.id, clerk, other, LATER, note="Cora speaks Spanish.")
        with pytest.raises(CxdeskError, match="already with CLK2"):
            cx.assign(session, complaint.id, supervisor, other, LATER)
        cx.assign(session, complaint.id, supervisor, None, LATER)
        taken = cx.assign(session, complaint.id, clerk, clerk, LATER)
    assert taken.assigned_to == clerk.id
    assigns = [(e.from_value, e.to_value) for e in events(db, complaint) if e.kind == "assign"]
    assert assigns == [("CLK1", "CLK2"), ("CLK2", None), (None, "CLK1")]


def test_full_lifecycle_leaves_a_complete_trail(db, office, people):
    supervisor, clerk, other = people
    steps = [FIXED_NOW + timedelta(hours=h) for h in range(20)]
    with db.session() as session:
        complaint = cx.open_complaint(session, office, clerk, with_contact(), steps[0])
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
    complaint = open_one(db, office, people[1])
    with db.session() as session:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.update(ComplaintEvent).values(note="tampered"))
        session.rollback()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.delete(ComplaintEvent))
        session.rollback()
    assert len(events(db, complaint)) == 1 and events(db, complaint)[0].note != "tampered"


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
            complaint = cx.open_complaint(session, office, clerk, intake(), FIXED_NOW)
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


# --- contact details ------------------------------------------------------------


def test_contact_is_kept_only_with_consent_and_shown_only_to_handler_and_supervisors(db, office, people):
    supervisor, clerk, other = people
    with db.session() as session:
        complaint = cx.open_complaint(session, office, clerk, with_contact(), FIXED_NOW)
        plain = cx.open_complaint(session, office, clerk, intake(), FIXED_NOW)
        contact = session.get(ComplaintContact, complaint.id)
        assert (contact.phone, contact.email, contact.language, contact.consent_by) == (PHONE, EMAIL, "es", clerk.id)
        assert session.get(ComplaintContact, plain.id) is None
        assert queue.contact_for(session, complaint, clerk).phone == PHONE
        assert queue.contact_for(session, complaint, supervisor).phone == PHONE
        assert queue.contact_for(session, complaint, other) is None
        view = queue.view_complaint(session, office, complaint.id, other, TODAY)
        assert view.contact is None and view.contact_withheld
        cx.assign(session, complaint.id, clerk, other, LATER)
        complaint = session.get(Complaint, complaint.id)
        assert queue.contact_for(session, complaint, other).email == EMAIL
        assert queue.contact_for(session, complaint, clerk) is None


def test_contact_details_never_reach_logs_or_repr(db, office, people, caplog):
    caplog.set_level(logging.DEBUG)
    with db.session() as session:
        complaint = cx.open_complaint(session, office, people[1], with_contact(), FIXED_NOW)
        contact = session.get(ComplaintContact, complaint.id)
        logging.getLogger("cxdesk").info("saved %r %s", contact, contact)
    assert PHONE not in caplog.text and EMAIL not in caplog.text and "withheld" in caplog.text
    assert PHONE not in repr(cx.ContactDetails(phone=PHONE))


# --- the queue ------------------------------------------------------------------


def test_queue_sorts_by_next_deadline_and_filters(db, office, people):
    supervisor, clerk, other = people
    old = datetime(2026, 11, 16, 15, 0, tzinfo=timezone.utc)  # Monday the week before
    with db.session() as session:
        overdue = cx.open_complaint(session, office, clerk, intake(category="privacy"), old)
        fresh = cx.open_complaint(session, office, other, intake(urgency="urgent"), FIXED_NOW)
        normal = cx.open_complaint(session, office, clerk, intake(), FIXED_NOW)
        investigated = cx.open_complaint(session, office, clerk, intake(category="facilities"), old)
        cx.acknowledge(session, investigated.id, clerk, old)
        cx.start_work(session, investigated.id, clerk, cx.INVESTIGATION, old)
        done = cx.open_complaint(session, office, clerk, intake(), old)
        for action in ("acknowledge", "start", "resolve", "close"):
            do(session, action, done, clerk)

        rows = queue.list_complaints(session, office, TODAY)
        assert [r.id for r in rows] == [overdue.id, fresh.id, normal.id, investigated.id]
        assert rows[0].due.status == "overdue" and rows[0].due.text == "OVERDUE 3 working days"
        assert rows[1].due.text.startswith("due Mon 30 Nov")
        assert rows[3].state_label == "in progress (investigation)"
        assert [r.id for r in queue.list_complaints(session, office, TODAY, overdue=True)] == [overdue.id]
        assert [r.id for r in queue.list_complaints(session, office, TODAY, mine=other)] == [fresh.id]
        assert [r.id for r in queue.list_complaints(session, office, TODAY, category="privacy")] == [overdue.id]
        assert [r.id for r in queue.list_complaints(session, office, TODAY, states=[cx.CLOSED])] == [done.id]
        assert {r.id for r in queue.list_complaints(session, office, TODAY, states=[cx.RECEIVED])} == {
            overdue.id, fresh.id, normal.id}
        with pytest.raises(CxdeskError, match="Unknown state 'lost'"):
            queue.list_complaints(session, office, TODAY, states=["lost"])
        counts = queue.complaint_counts(session, office, TODAY)
        assert (counts.open, counts.due_today, counts.overdue) == (4, 0, 1)


def test_due_marks_use_symbol_and_words():
    assert cx.due_mark(date(2026, 11, 20), TODAY) == cx.DueMark("overdue", "▲", "OVERDUE 2 working days")
    assert cx.due_mark(TODAY, TODAY) == cx.DueMark("due_today", "●", "DUE TODAY")
    assert cx.due_mark(date(2026, 11, 30), TODAY).text == "due Mon 30 Nov (3 working days)"
    assert cx.due_mark(None, TODAY).status == "none"


# --- settings and catalogs ----------------------------------------------------------


def test_categories_catalog_has_the_nine_categories_in_two_languages():
    cats = cx.categories()
    assert cats.codes() == ["wait_time", "staff_conduct", "wrong_information", "accessibility",
                            "process_too_complex", "decision_dispute", "privacy", "facilities", "other"]
    assert cats.get("privacy").label("es") == "Privacidad"


def test_settings_ship_the_good_practice_deadlines():
    settings = cx.load_settings()
    assert (settings.acknowledge, settings.frontline, settings.investigation) == (3, 5, 20)
    assert [i.code for i in settings.received_via] == ["counter", "phone", "mail", "email", "web_form"]
    assert all(i.label("es") for i in (*settings.received_via, *settings.urgency))


def test_office_can_override_the_deadlines(db, office, people, cxdesk_home):
    from cxdesk.config import catalog_override_dir

    text = resources.files("cxdesk.data").joinpath("complaints.toml").read_text(encoding="utf-8")
    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    (folder / "complaints.toml").write_text(text.replace("acknowledge = 3", "acknowledge = 1"), encoding="utf-8")
    assert open_one(db, office, people[1]).acknowledge_due == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (("acknowledge = 3", "acknowledge = 0"), "deadlines.acknowledge = 0"),
        (("frontline = 5", 'frontline = "five"'), "deadlines.frontline = 'five'"),
        (("[deadlines]", "[deadline]"), "no [deadlines] table"),
        (('code = "phone"', 'code = "Phone"'), "received_via 2 has no valid code"),
        (('label_es = "Alta"', ""), "urgency 2 needs label_en and label_es"),
        (("[[urgency]]", "[[urgency]"), "not valid TOML"),
    ],
)
def test_bad_settings_are_refused_with_file_and_reason(tmp_path, edit, reason):
    text = resources.files("cxdesk.data").joinpath("complaints.toml").read_text(encoding="utf-8")
    (tmp_path / "complaints.toml").write_text(text.replace(*edit, 1), encoding="utf-8")
    with pytest.raises(CxdeskError) as caught:
        cx.load_settings(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "complaints.toml"))
    assert reason in str(caught.value)


# --- demo -----------------------------------------------------------------------


def test_demo_complaints_cover_every_state_with_consistent_trails(db, office, people):
    supervisor, clerk, other = people
    with db.session() as session:
        made = demo_complaints.demo_complaints(session, office, random.Random(7), [], [supervisor, clerk, other], FIXED_NOW)
        assert len(made) == 24
        states = {c.state for c in session.exec(select(Complaint))}
        assert set(cx.STATES) <= states
        assert queue.complaint_counts(session, office, TODAY).overdue >= 2
        for complaint in made:
            lines = queue.trail(session, complaint)
            assert lines[0].kind == "opened"
            changes = [line for line in lines if line.kind == "state"]
            assert all(a.to_value == b.from_value for a, b in zip(changes, changes[1:]))
            assert all(line.at <= FIXED_NOW for line in lines)
            assert all(a.at <= b.at for a, b in zip(lines, lines[1:]))
            final = session.get(Complaint, complaint.id)
            if changes:
                assert changes[-1].to_value == cx.state_text(final.state, final.track)


def test_demo_complaints_are_reproducible(tmp_path):
    from cxdesk.domain.staff import list_staff
    from cxdesk.store.db import open_database
    from tests.factories import make_office

    runs = []
    for name in ("a", "b"):
        database = open_database(f"sqlite:///{tmp_path / name}.db", create=True)
        office = make_office(database)
        with database.session() as session:
            made = demo_complaints.demo_complaints(session, office, random.Random(3), [], list_staff(session, office),
                                      FIXED_NOW, count=8)
            runs.append([(c.reference, c.state, c.category, c.next_due) for c in made])
        database.dispose()
    assert runs[0] == runs[1] and len(runs[0]) == 8


# --- the CLI ----------------------------------------------------------------------


@pytest.fixture
def filed(db, db_url, office, people):
    """Three complaints: one overdue by 1 December, one with contact details, one closed."""
    supervisor, clerk, _ = people
    with db.session() as session:
        old = cx.open_complaint(session, office, clerk, intake(category="privacy"), FIXED_NOW - timedelta(days=8))
        fresh = cx.open_complaint(session, office, clerk, with_contact(), FIXED_NOW)
        done = cx.open_complaint(session, office, clerk, intake(), FIXED_NOW)
        for action in ("acknowledge", "start", "resolve", "close"):
            do(session, action, done, clerk)
    return old, fresh, done


def run_cli(db_url, *args, input=None):
    from click.testing import CliRunner

    from cxdesk.cli import main

    return CliRunner().invoke(main, ["--db", db_url, "complaints", "list", *args], input=input)


def test_cli_lists_open_complaints_as_text_with_deadline_words(db_url, filed):
    old, fresh, done = filed
    result = run_cli(db_url, "--as-of", "2026-11-24")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("REFERENCE")
    assert old.reference in lines[1] and "▲ OVERDUE 3 working days" in lines[1]
    assert fresh.reference in lines[2] and "due Mon 30 Nov" in lines[2]
    assert done.reference not in result.output
    assert lines[-1] == "2 complaints as of Tue 24 Nov 2026: 1 overdue, 0 due today."
    assert PHONE not in result.output and "Maria" not in result.output


def test_cli_overdue_only(db_url, filed):
    old, fresh, _ = filed
    result = run_cli(db_url, "--overdue", "--as-of", "2026-11-24")
    assert result.exit_code == 0 and old.reference in result.output and fresh.reference not in result.output
    result = run_cli(db_url, "--overdue", "--as-of", "2026-11-10")
    assert result.exit_code == 0 and result.output.strip() == "No complaints match."


def test_cli_csv_leaves_out_contact_details(db_url, filed):
    import csv
    import io

    old, fresh, done = filed
    result = run_cli(db_url, "--format", "csv", "--as-of", "2026-11-30", "--state", "received",
                     "--state", "closed")
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.output)))
    assert tuple(records[0]) == complaint_csv.CSV_COLUMNS
    assert [(r["reference"], r["due_status"]) for r in records] == [
        (old.reference, "overdue"), (fresh.reference, "due_today"), (done.reference, "none")]
    assert records[2]["customer_accepted"] == "no" and records[2]["state"] == "closed"
    assert PHONE not in result.output and EMAIL not in result.output


def test_cli_csv_with_contact_for_a_supervisor(db_url, filed):
    import csv
    import io

    result = run_cli(db_url, "--format", "csv", "--with-contact", "--staff", SUPERVISOR[0],
                     input=SUPERVISOR[2] + "\n")
    assert result.exit_code == 0, result.output
    body = result.output[result.output.index("reference,"):]
    records = {r["reference"]: r for r in csv.DictReader(io.StringIO(body))}
    assert records[filed[1].reference]["contact_phone"] == PHONE
    assert records[filed[0].reference]["contact_phone"] == ""


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (["--state", "lost"], None, "Unknown state 'lost'"),
        (["--category", "noise"], None, "Unknown complaint category 'noise'"),
        (["--as-of", "yesterday"], None, "--as-of wants a date like 2026-11-24"),
        (["--with-contact"], None, "--with-contact is for --format csv only"),
        (["--format", "csv", "--with-contact"], None, "needs --staff CODE"),
        (["--format", "csv", "--with-contact", "--staff", CLERK[0]], CLERK[2] + "\n",
         "Only a supervisor can export contact details"),
        (["--format", "csv", "--with-contact", "--staff", SUPERVISOR[0]], "0000\n", "Staff code or PIN is not right"),
    ],
)
def test_cli_bad_input_exits_1_with_a_message(db_url, filed, args, input, message):
    result = run_cli(db_url, *args, input=input)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_usage_error_exits_2_as_click_says(db_url, filed):
    result = run_cli(db_url, "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output
    assert PHONE not in result.output


def test_cli_on_a_database_without_office(db_url, db):
    result = run_cli(db_url)
    assert result.exit_code == 1 and "has no office yet" in result.output


def test_demo_generator_fills_complaints_through_its_extender(tmp_path):
    from cxdesk.demo import office as demo
    from cxdesk.store.db import open_database

    database = open_database(f"sqlite:///{tmp_path / 'demo.db'}", create=True)
    try:
        extender = demo_complaints.EXTENDER
        assert extender.name == "complaints" and extender in demo.load_extenders()
        demo.generate(database, days=10, seed=5, now=FIXED_NOW + timedelta(hours=2), extenders=[extender])
        with database.session() as session:
            office = session.exec(select(Office)).one()
            made = list(session.exec(select(Complaint)))
            assert len(made) == 24
            assert set(cx.STATES) <= {c.state for c in made}
            assert any(c.visit_id for c in made)
            assert all(c.reference.startswith(office.code + "-") for c in made)
            assert queue.complaint_counts(session, office, TODAY).overdue >= 1
    finally:
        database.dispose()


def test_find_by_reference_reads_what_the_customer_quotes(db, office, people):
    complaint = open_one(db, office, people[1])
    with db.session() as session:
        assert queue.find_by_reference(session, office, " chi01-20261124-001 ").id == complaint.id
        with pytest.raises(CxdeskError, match="No complaint CHI01-20261124-999 in this office"):
            queue.find_by_reference(session, office, "CHI01-20261124-999")
