"""Snapshots of the complaint screens that matter: intake, the reference receipt,
the queue with overdue items, and the detail with its trail (fixed clock, fixed size)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdesk.domain import complaints as cx
from cxdesk.domain import visits
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR
from tests.pilot import after, make_app, press, settle, sign_in, steady

SIZE = (110, 34)
HOUR = timedelta(hours=1)


@pytest.fixture
def filed(db, office):
    """An overdue acknowledgement, one due today, an escalated investigation, a fresh one."""
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        sup = get_staff(session, office, SUPERVISOR[0])
        clerk = get_staff(session, office, CLERK[0])
        story = cx.ComplaintIntake
        cx.open_complaint(session, office, clerk, story(
            received_via="mail", category="privacy", what_happened="Letter sent to my old address twice."),
            FIXED_NOW - timedelta(days=8))
        due_today = cx.open_complaint(session, office, clerk, story(
            received_via="phone", category="wrong_information", urgency="high",
            what_happened="Told on the phone no documents were needed."), FIXED_NOW - timedelta(days=7))
        cx.acknowledge(session, due_today, clerk, FIXED_NOW - timedelta(days=6))
        # Tuesday 17 Nov + 5 working days: the frontline answer is due today.
        cx.start_work(session, due_today, clerk, cx.FRONTLINE, FIXED_NOW - timedelta(days=6))
        escalated = cx.open_complaint(session, office, clerk, story(
            received_via="counter", category="staff_conduct", urgency="urgent",
            what_happened="Felt rushed at window 2 and was not listened to.",
            wanted="To be treated with respect and get an answer about my benefit.",
            contact=cx.ContactDetails(name="Maria Lopez", phone="312 555 0199", language="es"), consent=True),
            FIXED_NOW - timedelta(days=4))
        cx.acknowledge(session, escalated, clerk, FIXED_NOW - timedelta(days=4) + HOUR, note="Told at the counter.")
        cx.start_work(session, escalated, clerk, cx.INVESTIGATION, FIXED_NOW - timedelta(days=1))
        cx.add_note(session, escalated, clerk, "Asked window 2 for their account.", FIXED_NOW - 20 * HOUR)
        cx.extend(session, escalated, clerk, days=5, reason="Window 2 clerk on leave this week.",
                  customer_told=True, now=FIXED_NOW - 3 * HOUR)
        cx.escalate(session, escalated, clerk, "Customer asks for a supervisor.", FIXED_NOW - 2 * HOUR)
        cx.assign(session, escalated, sup, sup, FIXED_NOW - HOUR, note="I will call her today.")
        cx.open_complaint(session, office, clerk, story(
            received_via="counter", category="facilities", what_happened="Not enough chairs."), FIXED_NOW)
    return escalated


def test_intake_linked_to_the_visit_at_the_counter(snap_compare, db_url, clock, db, office):
    with db.session() as session:
        visits.check_in(session, office, segment="veteran", service="replacement_card",
                        now=FIXED_NOW - timedelta(minutes=20))

    run_before = after("n", "f2", "1", "1", "1", typed="Waited an hour past my appointment.")

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_reference_number_confirmation(snap_compare, db_url, clock, office):
    async def run_before(pilot):
        await sign_in(pilot)
        await press(pilot, "f2", "1", "1", "1")
        await pilot.press(*"Waited an hour.", "enter", "enter")
        await settle(pilot)
        steady(pilot.app)

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_queue_with_overdue_and_due_today(snap_compare, db_url, clock, filed):
    run_before = after("f7")

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_detail_with_trail_for_a_supervisor(snap_compare, db_url, clock, filed):
    run_before = after("f7", "down", "down", "down", "enter", code=SUPERVISOR[0], pin=SUPERVISOR[2])

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_complaint_form_at_80x24(snap_compare, db_url, clock, db, office):
    """Consent ticked, the focus in the contact fields: they are on screen (the form scrolls)."""

    async def run_before(pilot):
        await sign_in(pilot)
        await press(pilot, "f2", "1", "1", "1")
        await pilot.press(*"Waited an hour.", "enter", *"An apology.", "enter", "space", "enter",
                          *"Ann Roe", "tab", *"5550111")
        await settle(pilot)
        steady(pilot.app)

    assert snap_compare(make_app(db_url, clock), terminal_size=(80, 24), run_before=run_before)
