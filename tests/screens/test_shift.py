"""A real shift at the counter (issue 8): keys typed fast, stranded customers, crashes, small screens.

Keys are sent the way a clerk who knows them types: one burst, no pause between.
"""

from __future__ import annotations

from datetime import timedelta

from cxdesk.screens.complaints import ComplaintIntakeScreen, ComplaintReceiptScreen, ComplaintsScreen
from cxdesk.screens.counter import CounterScreen
from cxdesk.screens.dialogs import ChoiceDialog
from cxdesk.screens.signin import SignInScreen
from cxdesk.screens.visit_dialogs import CheckInDialog
from sqlmodel import select

from cxdesk.domain import visits
from cxdesk.store.models import Complaint, Shift
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, add_waiting, all_visits
from tests.pilot import burst, make_app, press, settle, sign_in, typed

SIZE = (110, 34)
MIN = timedelta(minutes=1)


def complaints(db):
    with db.session() as session:
        return session.exec(select(Complaint)).all()


# --- keys typed fast ---------------------------------------------------------------------------


async def test_the_six_key_visit_typed_as_one_burst_is_saved_as_typed_slowly(db_url, clock, db, office):
    add_waiting(db, office, 3)
    keys = ("n", "f", "1", "1", "enter", "escape")
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, *keys)  # slowly: each key settled
        await pilot.press(*keys)  # one pilot.press: no settling between keys
        await settle(pilot)
        burst(app, *keys)  # as a terminal delivers them: all queued at once
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
    assert len(keys) == 6
    slow, pressed, burst_typed = (
        (v.state, v.service, v.outcome, v.channel_step, v.finished_at) for v in all_visits(db))
    assert slow == pressed == burst_typed == ("done", "general_info", "resolved", "skipped", FIXED_NOW)


async def test_two_visits_in_one_burst_keep_the_number_after_f(db_url, clock, db, office):
    """All twelve keys queued before the first is handled, as a terminal delivers them:
    each lands where it was meant, and the finish dialog's first number is not lost when
    f follows the Escape that closed the previous dialog."""
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        burst(app, "n", "f", "1", "1", "enter", "escape", "n", "f", "2", "3", "enter", "escape")
        await settle(pilot)
    first, second = all_visits(db)
    assert (first.service, first.outcome, first.channel_step) == ("general_info", "resolved", "skipped")
    assert (second.service, second.outcome, second.channel_step) == ("replacement_card", "follow_up", "skipped")


async def test_a_referral_typed_as_a_burst_lands_where_typed_slowly(db_url, clock, db, office, monkeypatch):
    """An outcome that shows the referral list moves the focus to it; the Enter and the note
    behind it in the burst wait until the form is laid out with that list in it (screen
    order decides where the focus goes next: a list not laid out yet sorted first)."""
    add_waiting(db, office, 1)
    app = make_app(db_url, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await press(pilot, "n")
        delivered, deliver = [], app.deliver_key

        async def noted(event):
            delivered.append((event.key, app.screen._layout_required))
            await deliver(event)

        monkeypatch.setattr(app, "deliver_key", noted)
        burst(app, "f", "1", "2", "enter", "1", "x", "enter", "escape")
        await settle(pilot)
        assert [key for key, laid_out_pending in delivered if laid_out_pending] == []
    [visit] = all_visits(db)
    assert (visit.outcome, visit.referral, visit.note, visit.channel_step) == (
        "referred", "state_medicaid", "1x", "skipped")


async def test_a_complaint_typed_as_a_burst_lands_field_by_field(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        burst(app, "f2", "1", "1", "1", *"Waited.", "enter", *"Sorry.", "enter", "space", "enter",
              *typed("Ann Roe"), "tab", *"5550111")
        await settle(pilot)
        intake = app.screen
        assert isinstance(intake, ComplaintIntakeScreen)
        values = {name: intake.query_one(f"#{name}").value for name in ("what", "wanted", "name", "phone")}
    assert values == {"what": "Waited.", "wanted": "Sorry.", "name": "Ann Roe", "phone": "5550111"}


# --- the complaint form ---------------------------------------------------------------------------


async def test_enter_moves_through_the_complaint_form_and_does_not_save_early(db_url, clock, db, office):
    add_waiting(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("n", "s", "f2", "1", "3", "1", *"Told the wrong form.", "enter", *"Right form.", "enter")
        await settle(pilot)
        intake = app.screen
        assert isinstance(intake, ComplaintIntakeScreen)
        assert intake.focused.id == "consent"  # on to consent, contact and language; nothing saved
        assert complaints(db) == []
        await pilot.press("space", "enter", *"Ann Roe", "enter", *"555", "enter", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ComplaintIntakeScreen)
        assert "too short" in str(intake.query_one("#message").render())
        intake.query_one("#phone").value = "312 555 0111"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ComplaintReceiptScreen)
    [complaint] = complaints(db)
    assert complaint.has_contact and complaint.wanted == "Right form."


async def test_the_receipt_swallows_keys_typed_before_it_and_closes_only_on_escape(db_url, clock, db, office):
    add_waiting(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "s", "f2", "1", "1", "1")
        await pilot.press(*"Waited.", "enter", "enter", "enter", "h", "i", "enter")  # keeps typing
        await settle(pilot)
        assert isinstance(app.screen, ComplaintReceiptScreen)
        await press(pilot, "enter", "h", "i")
        assert isinstance(app.screen, ComplaintReceiptScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, CounterScreen)
    [visit] = all_visits(db)
    assert visit.state == "serving" and visit.hold_count == 0  # "h" never reached the counter
    assert len(complaints(db)) == 1


async def test_escape_on_a_filled_complaint_form_asks_first(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f2", "1", "1", "1")
        await pilot.press(*"Half a story")
        await press(pilot, "escape")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "1")  # no, keep editing
        assert isinstance(app.screen, ComplaintIntakeScreen)
        assert app.screen.query_one("#what").value == "Half a story"
        await press(pilot, "escape", "2")  # yes, throw it away
        assert isinstance(app.screen, CounterScreen)
        await press(pilot, "f2", "escape")  # nothing typed: closes at once
        assert isinstance(app.screen, CounterScreen)
    assert complaints(db) == []


# --- crashes ----------------------------------------------------------------------------------------


async def test_sign_out_from_a_complaint_detail_does_not_crash(db_url, clock, db, office):
    from cxdesk.domain import complaints as cx
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        cx.open_complaint(session, office, get_staff(session, office, CLERK[0]), cx.ComplaintIntake(
            received_via="mail", category="privacy", what_happened="Letter to the wrong address."), FIXED_NOW)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7", "enter", "f10")
        assert isinstance(app.screen, SignInScreen)
        assert app.is_running and app.return_code is None


async def test_sign_in_without_a_station_says_to_pick_one(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#station").clear()
        await pilot.press(*CLERK[0], "enter", *CLERK[2], "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "Choose your station" in str(app.screen.query_one("#message").render())
    with db.session() as session:
        assert session.exec(select(Shift)).all() == []


# --- customers stranded at a window --------------------------------------------------------------------


async def test_transfer_offers_the_office_line_and_staffed_stations_only(db_url, clock, db, office):
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "t")
        labels = [str(option.prompt) for option in app.screen.query_one("#station").options]
        assert len(labels) == 1 and "Office line" in labels[0]  # nobody is signed in at W2
        await press(pilot, "1")
        line = app.screen.view.line
        assert [entry.ticket for entry in line] == ["A001", "A002"] and line[0].sent_back
        assert "↩ FIRST" in str(app.screen.query_one("#line").get_row_at(0))
        assert app.screen.view.counts.waiting == 2


async def test_quit_with_a_customer_called_asks_what_to_do_with_them(db_url, clock, db, office):
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "ctrl+q")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "escape")  # stay
        assert isinstance(app.screen, CounterScreen) and app.is_running
        await press(pilot, "ctrl+q", "1")  # back to the line
    first, second = all_visits(db)
    assert (first.state, first.station_id) == ("waiting", None) and first.transferred_from is not None
    with db.session() as session:
        assert session.exec(select(Shift)).one().ended_at is not None


async def test_sign_out_with_a_customer_called_can_mark_a_no_show(db_url, clock, db, office):
    add_waiting(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "f10", "3")
        assert isinstance(app.screen, SignInScreen)
    [visit] = all_visits(db)
    assert visit.state == "no_show"


async def test_after_a_crash_the_next_sign_in_offers_the_stranded_customer_back(db_url, clock, db, office,
                                                                                 signed_in):
    add_waiting(db, office)
    with db.session() as session:
        stranded = visits.call_next(session, office, signed_in, FIXED_NOW)  # then the terminal died
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, ChoiceDialog)
        assert "A001 was left at this window" in str(app.screen.query_one(".form-title").render())
        await press(pilot, "1")  # carry on with them here
        assert isinstance(app.screen, CounterScreen)
        assert app.screen.view.current.id == stranded.id
    [visit] = all_visits(db)
    assert visit.shift_id != signed_in.shift.id and visit.state == "called"


async def test_a_second_sign_in_at_a_station_names_the_holder_then_takes_over(db_url, clock, db, office,
                                                                                signed_in):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR[0], SUPERVISOR[2])
        assert isinstance(app.screen, SignInScreen)
        message = str(app.screen.query_one("#message").render())
        assert "signed in by CLK1 (Ben Okafor)" in message and "take it over" in message
        await pilot.press(*SUPERVISOR[2], "enter")  # the same sign-in again: take over
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
    with db.session() as session:
        assert session.get(Shift, signed_in.shift.id).ended_at is not None


async def test_no_show_and_left_can_be_undone(db_url, clock, db, office):
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "x")
        assert app.screen.check_action("undo", ()) is True
        await press(pilot, "u")
        assert app.screen.view.current is not None and app.screen.view.current.ticket == "A001"
        await press(pilot, "l", "u")  # A002, highlighted in the line, left; undone
        assert app.screen.check_action("undo", ()) is False
    first, second = all_visits(db)
    assert (first.state, second.state) == ("called", "waiting")


# --- rendering ------------------------------------------------------------------------------------------


async def test_check_in_language_list_shows_both_and_tab_reaches_the_appointment(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await press(pilot, "i", "1", "3")
        dialog = app.screen
        assert isinstance(dialog, CheckInDialog) and dialog.focused.id == "language"
        assert dialog.query_one("#language").scrollable_content_region.height >= 2
        await press(pilot, "tab")
        assert dialog.focused.id == "appointment"
        await pilot.press(*"10:00", "enter")
        await settle(pilot)
        row = [str(cell) for cell in app.screen.query_one("#line").get_row_at(0)]
    assert "EN" in row and "10:00" in row


async def test_status_bar_and_line_agree_on_the_longest_wait(db_url, clock, db, office):
    with db.session() as session:
        visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW - 72 * MIN)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        today = str(app.screen.query_one("#today").render())
        waited = str(app.screen.query_one("#line").get_row_at(0)[2])
    assert waited == "⚠ 72 min LONG" and "longest ⚠ 72 min LONG" in today


async def test_help_header_and_key_bar_read_right_at_80_columns(db_url, clock, db, office):
    from cxdesk.screens.widgets import KeyBar

    app = make_app(db_url, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        bar = str(app.screen.query_one(KeyBar).render())
        assert bar.startswith("F1 Help  F2 Complaint") and len(bar.rstrip()) <= 80
        assert app.format_title("cxdesk", "").plain == "cxdesk"
        await press(pilot, "f1")
        words = " ".join(str(static.render()) for static in app.screen.query("Static"))
        assert "\\n" not in words and "Escape closes this help" in words


async def test_all_open_complaints_leave_out_resolved_ones(db_url, clock, db, office):
    from cxdesk.domain import complaints as cx
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        clerk = get_staff(session, office, CLERK[0])
        done = cx.open_complaint(session, office, clerk, cx.ComplaintIntake(
            received_via="mail", category="privacy", what_happened="Wrong address."), FIXED_NOW - 3 * MIN)
        cx.acknowledge(session, done, clerk, FIXED_NOW - 2 * MIN)
        cx.start_work(session, done, clerk, cx.FRONTLINE, FIXED_NOW - MIN)
        cx.resolve(session, done, clerk, what_was_done="Fixed.", customer_accepted=True, now=FIXED_NOW)
        still = cx.open_complaint(session, office, clerk, cx.ComplaintIntake(
            received_via="counter", category="wait_time", what_happened="Waited."), FIXED_NOW)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7")
        queue = app.screen
        assert isinstance(queue, ComplaintsScreen)
        assert "all open" in str(queue.query_one("#queue-title").render())
        assert [row.reference for row in queue.rows] == [still.reference]


async def test_survey_comments_get_the_room_of_the_screen(db_url, clock, db, office, signed_in):
    from cxdesk.domain.surveys import invitations
    from cxdesk.domain.surveys.questions import Answer
    from cxdesk.vocab import HANDOVER

    from tests.factories import serve

    for n in range(30):
        visit = serve(db, office, signed_in)
        with db.session() as session:
            run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
            invitations.finish(session, run.invitation_id, {"comment": Answer(text=f"Comment {n}")},
                               language="en", ended_early=False, now=FIXED_NOW)
    app = make_app(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, SUPERVISOR[0], SUPERVISOR[2], station="W2")
        await press(pilot, "f6")
        await settle(pilot)
        table = app.screen.query_one("#results-comments")
        assert table.row_count == 30
        assert table.size.height >= 10


async def test_a_staff_member_changes_their_own_pin(db_url, clock, db, office):
    from cxdesk.domain.staff import check_pin

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "ctrl+o")
        await pilot.press(*CLERK[2], "enter", *"8642", "enter", *"8642", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
    with db.session() as session:
        assert check_pin(session, office, CLERK[0], "8642", FIXED_NOW).code == CLERK[0]


async def test_the_palette_screenshot_is_saved_in_the_data_folder(db_url, clock, db, office, cxdesk_home):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        saved = app.deliver_screenshot()
        await settle(pilot)
        said = [n.message for n in app._notifications]
    folder = cxdesk_home / "data" / "screenshots"
    assert saved is not None and saved.startswith(str(folder)) and list(folder.glob("*.svg"))
    assert any(str(folder) in message for message in said)
