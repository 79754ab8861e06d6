"""Complaint screens with Pilot: F2 from any staff screen, the queue, the detail steps."""

from __future__ import annotations

from datetime import timedelta

from cxdesk.screens.complaints import (
    ComplaintDetailScreen,
    ComplaintIntakeScreen,
    ComplaintReceiptScreen,
    ComplaintsScreen,
    big_text,
)
from cxdesk.screens.counter import CounterScreen
from sqlmodel import select

from cxdesk.domain import complaints as cx
from cxdesk.domain import visits
from cxdesk.reports import complaint_queue as queue
from cxdesk.store.models import Complaint, ComplaintContact, ComplaintEvent
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, supervisor_of
from tests.pilot import make_app, press, settle, sign_in

SIZE = (110, 34)


def all_complaints(db) -> list[Complaint]:
    with db.session() as session:
        return list(session.exec(select(Complaint).order_by(Complaint.seq)))


def trail_kinds(db, complaint) -> list[tuple[str, str | None]]:
    with db.session() as session:
        return [(e.kind, e.to_value) for e in session.exec(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id).order_by(ComplaintEvent.seq))]


async def fill_intake(pilot, what="Waited an hour past my appointment.", wanted="An apology."):
    """Category 'wait time' by number key, the two texts; Enter goes on to the consent
    tick (left blank), the last field, where Enter saves."""
    assert isinstance(pilot.app.screen, ComplaintIntakeScreen)
    await press(pilot, "1", "1", "1")  # received at the counter, wait time, normal urgency
    await pilot.press(*what, "enter", *wanted, "enter", "enter")
    await settle(pilot)


async def test_f2_on_the_counter_links_the_visit_and_shows_the_reference(db_url, clock, db, office):
    with db.session() as session:
        visits.check_in(session, office, segment="veteran", service="replacement_card",
                        now=FIXED_NOW - timedelta(minutes=20))
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n")
        assert app.current_visit_id is not None
        await press(pilot, "f2")
        intake = app.screen
        assert isinstance(intake, ComplaintIntakeScreen)
        assert "Linked to visit A001" in str(intake.query_one("#link").render())
        await fill_intake(pilot)
        assert isinstance(app.screen, ComplaintReceiptScreen)
        shown = str(app.screen.query_one("#big-reference").render())
        assert shown == big_text("CHI01-20261124-001")
        assert "Monday 30 November 2026" in str(app.screen.query_one("#ack-due").render())
        await press(pilot, "escape")
        assert isinstance(app.screen, CounterScreen)
    [complaint] = all_complaints(db)
    assert complaint.visit_id == app.current_visit_id
    assert (complaint.service, complaint.segment, complaint.category) == ("replacement_card", "veteran", "wait_time")
    assert complaint.what_happened == "Waited an hour past my appointment."
    assert not complaint.has_contact


async def test_f2_from_the_complaints_queue(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7")
        assert isinstance(app.screen, ComplaintsScreen)
        await press(pilot, "f2")
        await fill_intake(pilot)
        assert isinstance(app.screen, ComplaintReceiptScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ComplaintsScreen)
        assert [row.reference for row in app.screen.rows] == ["CHI01-20261124-001"]
    [complaint] = all_complaints(db)
    assert complaint.visit_id is None and complaint.received_via == "counter"


async def test_f2_from_the_help_screen(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await press(pilot, "f2")
        await fill_intake(pilot, what="The ramp door was locked.")
        assert isinstance(app.screen, ComplaintReceiptScreen)
    [complaint] = all_complaints(db)
    assert complaint.what_happened == "The ramp door was locked."


async def test_f2_from_the_staff_screen(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR[0], SUPERVISOR[2])
        await press(pilot, "f5")
        assert type(app.screen).__name__ == "StaffScreen"
        await press(pilot, "f2")
        await press(pilot, "2", "7", "2")  # by phone, privacy, high urgency
        await pilot.press(*"Case discussed loudly.", "enter", *"A private room.", "enter", "enter")
        await settle(pilot)
        # Enter on the consent tick (left blank: the last field) saves: no contact is kept.
        assert isinstance(app.screen, ComplaintReceiptScreen)
    [complaint] = all_complaints(db)
    assert (complaint.received_via, complaint.category, complaint.urgency) == ("phone", "privacy", "high")


async def test_f2_works_while_an_input_has_focus_and_contact_needs_consent(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "i")  # the check-in dialog
        app.screen.query_one("#appointment").focus()
        await press(pilot, "f2")
        intake = app.screen
        assert isinstance(intake, ComplaintIntakeScreen)
        assert intake.query_one("#phone").disabled
        await press(pilot, "1", "3", "1")
        await pilot.press(*"Was told the wrong form.", "enter", *"Correct info.", "tab", "space")
        await settle(pilot)
        assert not intake.query_one("#phone").disabled
        await pilot.press("tab", *"Maria Lopez", "enter", *"312 555 0199", "enter", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ComplaintReceiptScreen)
    [complaint] = all_complaints(db)
    with db.session() as session:
        contact = session.get(ComplaintContact, complaint.id)
    assert complaint.has_contact and (contact.name, contact.phone) == ("Maria Lopez", "312 555 0199")


async def test_intake_refuses_an_empty_story_and_writes_nothing(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f2", "1", "1", "1")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ComplaintIntakeScreen)
        assert "Write down what happened" in str(app.screen.query_one("#message").render())
        await press(pilot, "escape", "2")  # a category was picked: "throw it away?" yes
        assert isinstance(app.screen, CounterScreen)
    assert all_complaints(db) == []


async def test_f2_is_refused_before_sign_in(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f2")
        assert not isinstance(app.screen, ComplaintIntakeScreen)


def file_complaints(db, office):
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        clerk = get_staff(session, office, CLERK[0])
        old = cx.open_complaint(session, office, clerk, cx.ComplaintIntake(
            received_via="mail", category="privacy", what_happened="Letter sent to the wrong address."),
            FIXED_NOW - timedelta(days=8))
        new = cx.open_complaint(session, office, clerk, cx.ComplaintIntake(
            received_via="counter", category="wait_time", what_happened="Waited 70 minutes."), FIXED_NOW)
    return old, new


async def test_queue_filters_and_detail_steps(db_url, clock, db, office):
    old, new = file_complaints(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7")
        queue = app.screen
        assert [r.reference for r in queue.rows] == [old.reference, new.reference]
        assert queue.rows[0].due.text.startswith("OVERDUE")
        await press(pilot, "o")
        assert [r.reference for r in queue.rows] == [old.reference]
        await press(pilot, "o", "c", "1")  # category: all categories
        assert len(queue.rows) == 2
        await press(pilot, "c", "8")  # the 7th category (privacy), after "all"
        assert [r.reference for r in queue.rows] == [old.reference]
        await press(pilot, "s", "3")  # state: acknowledged
        assert queue.rows == []
        await press(pilot, "s", "1", "c", "1", "enter")
        detail = app.screen
        assert isinstance(detail, ComplaintDetailScreen)
        assert detail.view.complaint.id == old.id
        await press(pilot, "a")
        await press(pilot, "w", "1")
        await pilot.press(*"Calling the post office.", "enter")
        await settle(pilot)
        assert detail.view.complaint.state == cx.IN_PROGRESS
        await press(pilot, "x", "5", "enter")
        await pilot.press(*"Waiting for the post office.", "enter")
        await settle(pilot)
        assert "Tell the customer" in str(app.screen.query_one("#message").render())
        await pilot.press("tab", "space", "ctrl+s")
        await settle(pilot)
        await press(pilot, "n")
        await pilot.press(*"Customer phoned back.", "enter")
        await settle(pilot)
        await press(pilot, "v", "1")
        await pilot.press(*"Re-sent the letter.", "enter")
        await settle(pilot)
        await press(pilot, "c")
        assert app.screen is detail and detail.view.complaint.state == cx.CLOSED
        assert len(detail.view.trail) == 7
        shown = str(detail.query_one("#trail").render())
        assert "Waiting for the post office. (customer told)" in shown and "received → acknowledged" in shown
        await press(pilot, "escape")
        assert isinstance(app.screen, ComplaintsScreen)
        assert [r.reference for r in app.screen.rows] == [new.reference]
    assert trail_kinds(db, old) == [
        ("opened", "received"), ("state", "acknowledged"), ("state", "in progress (frontline)"),
        ("extend", trail_kinds(db, old)[3][1]), ("note", None), ("state", "resolved"), ("state", "closed")]


async def test_clerk_sees_contact_only_for_complaints_they_handle(db_url, clock, db, office):
    from cxdesk.domain.staff import add_staff, get_staff

    with db.session() as session:
        sup = get_staff(session, office, SUPERVISOR[0])
        add_staff(session, office, supervisor_of(session, office), code="CLK2", name="Cora Diaz", role="clerk", pin="8642", now=FIXED_NOW)
        complaint = cx.open_complaint(session, office, sup, cx.ComplaintIntake(
            received_via="phone", category="other", what_happened="Parking machine broken.",
            contact=cx.ContactDetails(name="Ann Lee", phone="312 555 0100"), consent=True), FIXED_NOW)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7", "enter")
        facts = str(app.screen.query_one("#facts").render())
        assert "withheld" in facts and "555" not in facts and "Ann Lee" not in facts
        # Only the steps the lifecycle allows now have a key (the others are hidden).
        assert app.screen.check_action("step", ("acknowledge",)) is True
        assert app.screen.check_action("step", ("resolve",)) is False
    with db.session() as session:
        assert queue.contact_for(session, session.get(Complaint, complaint.id), sup).phone == "312 555 0100"


async def test_f7_from_a_detail_goes_back_to_the_queue_and_keeps_open_forms(db_url, clock, db, office):
    file_complaints(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7", "enter")
        assert isinstance(app.screen, ComplaintDetailScreen)
        depth = len(app.screen_stack)
        await press(pilot, "f7")
        assert isinstance(app.screen, ComplaintsScreen) and len(app.screen_stack) == depth - 1
        await press(pilot, "f2")
        await pilot.press(*"half typed")
        await press(pilot, "f7")
        assert isinstance(app.screen, ComplaintsScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ComplaintIntakeScreen)


async def test_a_broken_settings_override_is_a_message_not_a_crash(db_url, clock, db, office, cxdesk_home):
    from cxdesk.config import catalog_override_dir

    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    (folder / "complaints.toml").write_text("[deadlines]\nacknowledge = 0\n", encoding="utf-8")
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f2")
        assert isinstance(app.screen, CounterScreen)
        assert any("deadlines.acknowledge = 0" in n.message for n in app._notifications)


async def test_complaint_keys_are_in_the_help_and_the_command_palette(db_url, clock, db, office):
    from cxdesk.screens.help import binding_rows

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        rows = {(key, what) for _where, key, what, _why in binding_rows(app.screen)}
        assert {("F2", "Complaint"), ("F7", "Complaints")} <= rows
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert any(title.startswith("Complaint (") for title in titles)
        assert any(title.startswith("Complaints (") for title in titles)
        await press(pilot, "f7")
        rows = {what for _where, _key, what, _why in binding_rows(app.screen)}
        assert {"Mine/office", "State", "Category", "Overdue only"} <= rows
