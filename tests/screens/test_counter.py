"""Pilot tests: keys in, database out."""

import asyncio
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest

from cxdesk.screens.counter import CounterScreen
from cxdesk.screens.setup import SetupScreen
from cxdesk.screens.signin import SignInScreen
from sqlmodel import select

from cxdesk.domain import visits
from cxdesk.store.models import Office, Shift, Staff, Station, VisitChannelOffer
from tests.factories import CLERK, FIXED_NOW, add_waiting, all_visits, make_office, supervisor_of
from tests.pilot import make_app, press, settle, sign_in

SIZE = (110, 34)


async def test_first_run_setup_creates_office_stations_and_supervisor(db_url, clock, db):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        await pilot.press(*"chi01", "enter", *"Chicago Loop", "enter", "enter", "enter",
                          *"sup1", "enter", *"Ana Ruiz", "enter", *"24681357", "enter", *"24681357", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
    with db.session() as session:
        office = session.exec(select(Office)).one()
        stations = session.exec(select(Station).order_by(Station.code)).all()
        staff = session.exec(select(Staff)).one()
    assert (office.code, office.timezone) == ("CHI01", "America/Chicago")
    assert [s.name for s in stations] == ["Window 1", "Window 2"]
    assert (staff.code, staff.role) == ("SUP1", "supervisor")


async def test_setup_with_mismatched_pins_says_so_and_writes_nothing(db_url, clock, db):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"chi01", "enter", *"Chicago Loop", "enter", "enter", "enter",
                          *"sup1", "enter", *"Ana Ruiz", "enter", *"24681357", "enter", *"24681358", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "PINs differ" in str(app.screen.query_one("#message").render())
    with db.session() as session:
        assert session.exec(select(Office)).all() == []


async def test_setup_with_unknown_time_zone_is_refused(db_url, clock, db):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#timezone").value = "Mars/Olympus"
        await pilot.press(*"chi01", "enter", *"Chicago Loop", "enter", "enter", "enter",
                          *"sup1", "enter", *"Ana Ruiz", "enter", *"24681357", "enter", *"24681357", "enter")
        await settle(pilot)
        assert "Unknown time zone" in str(app.screen.query_one("#message").render())
    with db.session() as session:
        assert session.exec(select(Office)).all() == []


async def test_a_common_visit_takes_six_keystrokes(db_url, clock, db, office):
    add_waiting(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, CounterScreen)
        sent = []  # every key the pilot presses from here on, whoever presses it
        pressing = pilot.press

        async def counted(*keys: str) -> None:
            sent.extend(keys)
            await pressing(*keys)

        pilot.press = counted
        # Call the next customer, finish: first service, first outcome, save; skip the channels.
        await press(pilot, "n", "f", "1", "1", "enter", "escape")
        pilot.press = pressing
        assert isinstance(app.screen, CounterScreen)
    assert 0 < len(sent) <= 6, sent
    [visit] = all_visits(db)
    assert visit.state == "done"
    assert (visit.service, visit.outcome, visit.channel_step) == ("general_info", "resolved", "skipped")
    assert visit.staff_id is not None and visit.called_at == visit.finished_at == FIXED_NOW


async def test_sign_in_opens_a_shift_and_sign_out_closes_it(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        with db.session() as session:
            assert session.exec(select(Shift)).one().ended_at is None
        await press(pilot, "f10")
        assert isinstance(app.screen, SignInScreen)
    with db.session() as session:
        assert session.exec(select(Shift)).one().ended_at == FIXED_NOW


async def test_wrong_pin_shows_a_message_and_stays_on_sign_in(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, pin="9999")
        assert isinstance(app.screen, SignInScreen)
        assert "not right" in str(app.screen.query_one("#message").render())
        await press(pilot, "enter")
        assert "Enter your PIN" in str(app.screen.query_one("#message").render())
        app.screen.query_one("#code").value = ""
        await press(pilot, *"1357", "enter")
        assert "Enter your staff code" in str(app.screen.query_one("#message").render())
    with db.session() as session:
        assert session.exec(select(Shift)).all() == []


async def test_check_in_by_keys_puts_the_customer_in_line(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "i", "1", "3", "2")
        await pilot.press(*"10:00", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
        assert app.screen.query_one("#line").row_count == 1
    [visit] = all_visits(db)
    assert (visit.segment, visit.service_wanted, visit.language) == ("retiree", "change_address", "es")
    assert visit.appointment and visit.appointment_at == FIXED_NOW + timedelta(minutes=30)


async def test_bad_appointment_time_is_refused_in_the_dialog(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "i", "1", "3", "1")
        await pilot.press(*"25:99", "enter")
        await settle(pilot)
        assert "HH:MM" in str(app.screen.query_one("#message").render())
    assert all_visits(db) == []


async def test_referral_outcome_asks_where_to(db_url, clock, db, office):
    add_waiting(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "f", "3", "2")
        referral = app.screen.query_one("#referral")
        assert referral.display and app.focused is referral
        await press(pilot, "1", "enter")
        # Channel step: tick online and phone, prefer online, save.
        await press(pilot, "1", "2", "tab", "1", "enter")
    [visit] = all_visits(db)
    assert (visit.outcome, visit.referral) == ("referred", "state_medicaid")
    assert visit.preferred_channel == "online" and visit.channel_step == "done"
    with db.session() as session:
        offered = session.exec(select(VisitChannelOffer.channel)).all()
    assert sorted(offered) == ["online", "phone"]


async def test_hold_no_show_and_transfer_by_key(db_url, clock, db, office):
    add_waiting(db, office, 3)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "h")        # A001 back in line
        await press(pilot, "n", "x")        # A001 again (held keeps place) -> no-show
        await press(pilot, "n", "t", "1")   # A002 to the head of the office line (nobody is at W2)
    first, second, third = all_visits(db)
    assert (first.state, first.hold_count) == ("no_show", 1)
    with db.session() as session:
        w1 = session.exec(select(Station).where(Station.code == "W1")).one()
        line = visits.waiting_line(session, session.exec(select(Office)).one(), FIXED_NOW)
    assert (second.state, second.station_id, second.transferred_from) == ("waiting", None, w1.id)
    assert [entry.id for entry in line] == [second.id, third.id]


async def test_walk_up_is_logged_without_queueing(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "w", "2", "1", "1", "enter", "escape")
    [visit] = all_visits(db)
    assert (visit.segment, visit.service, visit.outcome, visit.wait_seconds) == ("worker", "general_info",
                                                                                  "resolved", 0)


async def test_finish_with_nobody_at_the_counter_changes_nothing(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f", "n")
        assert isinstance(app.screen, CounterScreen)
    assert all_visits(db) == []


async def test_supervisor_adds_a_clerk_on_the_staff_screen(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, code="SUP1", pin="24681357")
        await press(pilot, "f5", "a")
        await pilot.press(*"clk2", "enter", *"Dee Park", "enter", "1")
        await pilot.press(*"8642", "enter")
        await settle(pilot)
    with db.session() as session:
        clerk = session.exec(select(Staff).where(Staff.code == "CLK2")).one()
    assert (clerk.name, clerk.role) == ("Dee Park", "clerk")


async def test_clerks_cannot_open_staff_settings(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f5")
        assert isinstance(app.screen, CounterScreen)


async def test_reset_pin_makes_the_clerk_choose_a_new_one(db_url, clock, db, office):
    with db.session() as session:
        from cxdesk.domain.staff import reset_pin

        reset_pin(session, session.exec(select(Staff).where(Staff.code == CLERK[0])).one(), "8642",
                  by=supervisor_of(session, office))
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, pin="8642")
        await pilot.press(*"9753", "enter", *"9753", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
    with db.session() as session:
        assert not session.exec(select(Staff).where(Staff.code == CLERK[0])).one().must_change_pin


async def test_unreadable_database_is_shown_on_screen(tmp_path, clock):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not a database")
    app = make_app(f"sqlite:///{bogus}", clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = str(app.screen.query_one("#status").render())
        assert "not a database file" in status
    assert bogus.read_text() == "not a database"


async def test_unexpected_error_is_logged_and_the_app_keeps_running(db_url, clock, db, office, cxdesk_home):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)

        def broken(session):
            raise RuntimeError("boom")

        app.run_db(broken)
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
        await press(pilot, "w", "2", "1", "1", "enter", "escape")
    log = (cxdesk_home / "log" / "cxdesk.log").read_text()
    assert "RuntimeError: boom" in log and CLERK[2] not in log
    assert len(all_visits(db)) == 1


async def test_help_lists_the_counter_bindings(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f1")
        actions = {row[2] for row in app.screen.rows}
        assert {"Next", "Finish", "Check in", "Walk-up", "Hold", "Transfer", "Help"} <= actions
        await press(pilot, "escape")
        assert isinstance(app.screen, CounterScreen)


async def test_every_counter_action_is_in_the_command_palette(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
    for word in ("Next (n)", "Walk-up (w)", "Check in (i)", "Help (f1)", "Sign out (f10)"):
        assert any(title.startswith(word) for title in titles), word


async def test_high_contrast_theme_is_available(db_url, clock, db, office):
    app = make_app(db_url, clock, theme_name="cxdesk-high-contrast")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "cxdesk-high-contrast"


async def test_keys_typed_ahead_land_in_the_right_fields(db_url, clock, db):
    """A burst of keys (fast typist, pasted keys) fills the form field by field."""
    from textual import events

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst = [*"chi01", "enter", *"Loop", "enter", "tab", "tab", *"sup1", "enter"]
        for key in burst:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        values = {field.id: field.value for field in app.screen.query("Input")}
    assert values["office-code"] == "chi01"
    assert values["office-name"] == "Loop"
    assert values["timezone"] == "America/Chicago"
    assert values["sup-code"] == "sup1"


async def test_two_counters_share_one_postgresql_office(pg_url, clock):
    """Several counters of one office on PostgreSQL: what one checks in, the other serves."""
    from cxdesk.store.db import open_database

    database = open_database(pg_url)
    try:
        make_office(database)
        front = make_app(pg_url, clock)
        window = make_app(pg_url, clock)
        async with front.run_test(size=SIZE) as desk, window.run_test(size=SIZE) as counter:
            await sign_in(desk, "SUP1", "24681357", station="W2")
            await press(desk, "i", "1", "3", "1", "enter")
            await sign_in(counter)
            window.screen.refresh_view()  # what the 10-second refresh does
            await settle(counter)
            assert window.screen.query_one("#line").row_count == 1
            await press(counter, "n", "f", "1", "1", "enter", "escape")
        [visit] = all_visits(database)
        assert (visit.state, visit.segment, visit.outcome) == ("done", "retiree", "resolved")
        with database.session() as session:
            clerk = session.exec(select(Staff).where(Staff.code == CLERK[0])).one()
        assert visit.staff_id == clerk.id
    finally:
        database.dispose()


async def test_supervisor_sets_survey_question_set_and_idle_time(db_url, clock, db, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, code="SUP1", pin="24681357")
        await press(pilot, "f5", "o")
        app.screen.query_one("#idle").value = "5000"
        await press(pilot, "tab", "tab", "tab", "2", "ctrl+s")
        assert "between 30 and 600" in str(app.screen.query_one("#message").render())
        app.screen.query_one("#idle").value = "90"
        await press(pilot, "ctrl+s")
    with db.session() as session:
        stored = session.exec(select(Office)).one()
    assert (stored.survey_set, stored.survey_idle_seconds) == ("likert", 90)


async def test_the_line_is_updated_in_place_and_keeps_calling_order(db_url, db, office):
    """A refresh changes the waits in the rows already shown (no rebuild of a long line);
    customers called leave, newcomers come last, and a new order is still shown as it is."""
    from textual.widgets import DataTable

    now = [FIXED_NOW]
    first, second, third = add_waiting(db, office, 3)
    app = make_app(db_url, lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = app.screen
        table = screen.query_one("#line", DataTable)
        rebuilt = []
        clear = table.clear
        table.clear = lambda *args, **kwargs: (rebuilt.append(1), clear(*args, **kwargs))[1]

        def shown() -> list[tuple[str, str, str]]:
            return [(str(table.get_row_at(row)[0]), str(table.get_row_at(row)[1]), str(table.get_row_at(row)[2]))
                    for row in range(table.row_count)]

        assert [ticket for _, ticket, _ in shown()] == [first.ticket, second.ticket, third.ticket]
        waits_before = [wait for _, _, wait in shown()]
        now[0] = FIXED_NOW + timedelta(minutes=7)
        screen.refresh_view()
        await settle(pilot)
        assert [wait for _, _, wait in shown()] != waits_before
        assert rebuilt == []
        with db.session() as session:
            fourth = visits.check_in(session, office, segment="worker", service="general_info", now=now[0])
        await press(pilot, "n")  # calls the first; the newcomer comes last
        assert shown()[0][:2] == ("1", second.ticket)
        assert [(position, ticket) for position, ticket, _ in shown()] == [
            ("1", second.ticket), ("2", third.ticket), ("3", fourth.ticket)]
        assert rebuilt == []
        with db.session() as session:  # an appointment due now goes ahead of everyone: a new order
            due = visits.check_in(session, office, segment="worker", service="general_info", now=now[0],
                                  appointment_at=now[0])
        screen.refresh_view()
        await settle(pilot)
        assert [ticket for _, ticket, _ in shown()] == [due.ticket, second.ticket, third.ticket, fourth.ticket]
        assert [position for position, _, _ in shown()] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("ahead", [True, False], ids=["blanked-ahead", "blanked-at-the-key"])
async def test_forms_shown_again_start_blank_and_save_only_what_was_typed(db_url, clock, db, office, ahead,
                                                                         monkeypatch):
    """The counter keeps its visit dialogs (issue 16): each showing starts as a new one would,
    whether the counter blanked it while the clerk talked or the key came first."""
    from cxdesk.screens.visit_dialogs import ChannelDialog, CheckInDialog, FinishDialog
    from cxdesk.screens.widgets import NumberedChoice, NumberedSelection

    if not ahead:
        monkeypatch.setattr(CounterScreen, "_blank_kept_ahead", lambda self: None)

    def blank(dialog, focused: str) -> None:
        for choice in dialog.query(NumberedChoice):
            assert choice.value is None, choice.id
            assert not any("✔" in str(choice.get_option_at_index(i).prompt) for i in range(choice.option_count))
        for selection in dialog.query(NumberedSelection):
            assert selection.selected == []
            assert not any("✔" in str(selection.get_option_at_index(i).prompt)
                           for i in range(selection.option_count))
        assert str(dialog.query_one("#message").render()) == ""
        assert dialog.focused is dialog.query_one(focused)

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "i", "1", "3", "2")
        await pilot.press(*"25:99", "enter")  # refused: the message line says why
        assert "HH:MM" in str(app.screen.query_one("#message").render())
        app.screen.query_one("#appointment").value = ""
        await press(pilot, "enter")  # a walk-in: called first
        await press(pilot, "i")
        first_form = app.screen
        assert isinstance(first_form, CheckInDialog)
        await press(pilot, "escape")
        await press(pilot, "i")
        assert app.screen is first_form  # kept, not built again
        blank(app.screen, "#segment")
        assert app.screen.query_one("#appointment").value == ""
        await press(pilot, "2", "1", "enter", "enter")  # worker, first service, English (highlighted), walk-in
        assert isinstance(app.screen, CounterScreen)

        # Both arrived at the same (fixed) moment: which one "next" calls first is not
        # the point; each is found by what the database says was done to it.
        await press(pilot, "n", "f", "3", "2")  # referred, which asks where to
        finish_form = app.screen
        await press(pilot, "1", "enter")
        channels = app.screen
        assert isinstance(channels, ChannelDialog)
        await press(pilot, "1", "2", "tab", "1", "enter")

        [served] = [visit for visit in all_visits(db) if visit.state == "done"]
        [other] = [visit for visit in all_visits(db) if visit.id != served.id]
        await press(pilot, "n", "f")
        assert app.screen is finish_form and isinstance(finish_form, FinishDialog)
        blank(finish_form, "#service")
        assert visits.ticket(other) in str(finish_form.query_one("#title").render())
        assert not finish_form.query_one("#referral").display
        service = finish_form.query_one("#service", NumberedChoice)
        assert service.highlighted == service._codes.index(other.service_wanted)
        await press(pilot, "1", "1", "enter")
        assert app.screen is channels
        blank(channels, "#offered")
        assert visits.ticket(other) in str(channels.query_one("#title").render())
        await press(pilot, "escape")
        assert isinstance(app.screen, CounterScreen)

        await press(pilot, "f10")  # signed out: the kept dialogs go with the counter
        assert isinstance(app.screen, SignInScreen)
        assert not [name for name in app._installed_screens if "Dialog" in name]
        assert not first_form.is_attached and not finish_form.is_attached

    first, second = all_visits(db)  # in the order they were checked in
    assert (first.segment, first.service_wanted, first.language, first.appointment_at) == (
        "retiree", "change_address", "es", None)
    assert (second.segment, second.language, second.appointment_at) == ("worker", "en", None)
    served, other = (first, second) if first.id == served.id else (second, first)
    assert (served.outcome, served.referral, served.channel_step) == ("referred", "state_medicaid", "done")
    assert (other.outcome, other.referral, other.preferred_channel, other.channel_step) == (
        "resolved", None, None, "skipped")
    with db.session() as session:
        offered = session.exec(select(VisitChannelOffer.visit_id, VisitChannelOffer.channel)).all()
    assert sorted(channel for visit_id, channel in offered if visit_id == served.id) == ["online", "phone"]
    assert [channel for visit_id, channel in offered if visit_id == other.id] == []


async def test_a_step_and_the_read_after_it_are_one_database_job(db_url, clock, db, office, monkeypatch):
    """n, and Enter in a kept dialog, save and read the counter in one job: one repaint (issue 16)."""
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        jobs: list[str] = []
        run_db = app.run_db

        def counted(work, on_done=None, **kwargs):
            jobs.append(kwargs.get("description", ""))
            return run_db(work, on_done, **kwargs)

        monkeypatch.setattr(app, "run_db", counted)
        await press(pilot, "n")
        assert jobs == ["call the next customer"]
        first = all_visits(db)[0]
        assert visits.ticket(first) in str(app.screen.query_one("#current").render())
        # The pane says who was called; no notification on top (said only to a screen reader).
        assert not [note for note in app._notifications if "Called" in note.message]
        assert "Waiting line (1)" in str(app.screen.query_one("#line-title").render())
        jobs.clear()
        await press(pilot, "i", "1", "1", "1", "enter")
        assert jobs == ["check the customer in"]
        # The ticket to give the customer stays above the line; no notification on top.
        newcomer = all_visits(db)[-1]
        assert str(app.screen.query_one("#line-title").render()) == (
            f"Waiting line (2) · last checked in: {visits.ticket(newcomer)}")
        assert not app._notifications


async def test_a_read_that_fails_after_a_saved_step_is_read_again(db_url, clock, db, office, monkeypatch):
    import cxdesk.screens.counter as counter_module

    add_waiting(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        read_counter = counter_module.read_counter
        failures = [RuntimeError("the read after the step failed")]

        def flaky(*args):
            if failures:
                raise failures.pop()
            return read_counter(*args)

        monkeypatch.setattr(counter_module, "read_counter", flaky)
        await press(pilot, "n")
        await settle(pilot)
        assert failures == []
        [visit] = all_visits(db)
        assert visit.state == "called"
        assert visits.ticket(visit) in str(app.screen.query_one("#current").render())


# --- the timer: a read only when the database changed (issue 16) ---------------------


def _line_on_screen(table) -> list[str]:
    """The line's rows as painted (not the table's data): stale cached rows would show here."""
    return [table.render_line(y).text for y in range(1, table.row_count + 1)]


def _counting_reads(monkeypatch) -> list[int]:
    import cxdesk.screens.counter as counter_screen

    reads: list[int] = []
    real = counter_screen.read_counter

    def counted(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(counter_screen, "read_counter", counted)
    return reads


async def test_the_timer_shows_another_counters_changes_on_its_next_tick(db_url, db, office, people):
    """``db`` is another counter's connection: its check-in and its call show on the next tick."""
    from textual.widgets import DataTable

    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in as open_shift
    from cxdesk.screens.counter import REFRESH_SECONDS

    now = [FIXED_NOW]
    first, second = add_waiting(db, office, 2)
    app = make_app(db_url, lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = app.screen
        table = screen.query_one("#line", DataTable)
        assert table.row_count == 2
        with db.session() as session:
            newcomer = visits.check_in(session, office, segment="worker", service="general_info", now=now[0])
        now[0] += timedelta(seconds=REFRESH_SECONDS)
        screen.refresh_on_timer()  # what the timer does every REFRESH_SECONDS
        await settle(pilot)
        assert [row.split()[1] for row in _line_on_screen(table)] == [first.ticket, second.ticket, newcomer.ticket]
        with db.session() as session:  # the supervisor at W2 calls the first in line
            who = open_shift(session, office, code="SUP1", pin="24681357", station=get_station(session, office, "W2"),
                             now=now[0])
            visits.call_next(session, office, who, now[0])
        now[0] += timedelta(seconds=REFRESH_SECONDS)
        screen.refresh_on_timer()
        await settle(pilot)
        assert [row.split()[:2] for row in _line_on_screen(table)] == [["1", second.ticket], ["2", newcomer.ticket]]
        assert "Waiting line (2)" in str(screen.query_one("#line-title").render())


async def test_the_waits_move_on_with_the_clock_without_a_database_read(db_url, db, office, monkeypatch):
    from textual.widgets import DataTable

    reads = _counting_reads(monkeypatch)
    now = [FIXED_NOW]
    add_waiting(db, office, 3)  # waiting 30, 29 and 28 minutes at FIXED_NOW
    app = make_app(db_url, lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = app.screen
        table = screen.query_one("#line", DataTable)
        read_at_sign_in = len(reads)
        assert ["30 min" in row for row in _line_on_screen(table)] == [True, False, False]
        now[0] = FIXED_NOW + timedelta(minutes=7)
        screen.refresh_on_timer()
        await settle(pilot)
        assert len(reads) == read_at_sign_in  # nobody committed: nothing was read
        painted = _line_on_screen(table)
        assert ["37 min" in painted[0], "36 min" in painted[1], "35 min" in painted[2]] == [True, True, True]
        screen_text = app.export_screenshot().replace("&#160;", " ")  # the screen as the terminal gets it
        assert all(wait in screen_text for wait in ("37 min", "36 min", "35 min"))
        assert not any(wait in screen_text for wait in ("30 min", "29 min", "28 min"))
        today = str(screen.query_one("#today").render())
        assert "longest ⚠ 37 min LONG" in today and "at 09:37" in today  # 15:37 UTC in Chicago
        assert screen.view.read_at == now[0]
        screen.refresh_view()  # a step at this counter reads everything again
        await settle(pilot)
        assert len(reads) == read_at_sign_in + 1


async def test_an_appointment_coming_due_is_read_again_and_moves_ahead(db_url, db, office, monkeypatch):
    """The calling order changes with the clock alone when an appointment comes due:
    that tick reads, though nobody committed."""
    from textual.widgets import DataTable

    reads = _counting_reads(monkeypatch)
    now = [FIXED_NOW]
    [walk_in] = add_waiting(db, office, 1)
    with db.session() as session:
        booked = visits.check_in(session, office, segment="worker", service="general_info", now=FIXED_NOW,
                                 appointment_at=FIXED_NOW + timedelta(minutes=30))
    app = make_app(db_url, lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        screen = app.screen
        table = screen.query_one("#line", DataTable)
        assert [row.split()[1] for row in _line_on_screen(table)] == [walk_in.ticket, booked.ticket]
        now[0] = FIXED_NOW + timedelta(minutes=10)  # not due yet (due 10 minutes before the time)
        screen.refresh_on_timer()
        await settle(pilot)
        read_before = len(reads)
        now[0] = FIXED_NOW + timedelta(minutes=25)
        screen.refresh_on_timer()
        await settle(pilot)
        assert len(reads) == read_before + 1
        assert [row.split()[1] for row in _line_on_screen(table)] == [booked.ticket, walk_in.ticket]


async def test_a_kept_form_keeps_its_styles_until_the_theme_changes(db_url, clock, db, office, monkeypatch):
    """Textual works out every style of a screen each time it is pushed; a kept form shown
    again under the same theme, classes and size skips that pass (issue 16), and a theme
    changed meanwhile still reaches it."""
    from cxdesk.screens.themes import HIGH_CONTRAST
    from textual.color import Color

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "i")
        form = app.screen
        await press(pilot, "escape")
        restyled = []
        update_styles = app.update_styles
        monkeypatch.setattr(app, "update_styles", lambda node, animate=True: (
            restyled.append(node), update_styles(node, animate=animate))[1])
        await press(pilot, "i")
        assert app.screen is form
        assert form not in restyled  # shown again: no style pass over the whole form
        await press(pilot, "escape")
        app.theme = HIGH_CONTRAST
        await press(pilot, "i")
        assert app.screen is form and form in restyled
        box = form.query_one(".dialog")
        assert box.styles.background == Color.parse(app.theme_variables["surface"])


async def test_the_customer_called_shows_before_the_read_after_the_call(db_url, clock, db, office, monkeypatch):
    """Issue 16: the ticket called is on screen once the call is saved; the line, the counts
    and the keys follow with the read after it (held here until the pane has shown)."""
    import threading

    from cxdesk.screens import counter as counter_screen

    first, _second = add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        release, read = threading.Event(), counter_screen.read_counter

        def held_read(*args, **kwargs):
            release.wait(10)
            return read(*args, **kwargs)

        monkeypatch.setattr(counter_screen, "read_counter", held_read)
        await pilot.press("n")
        pane = ""
        for _ in range(250):
            await pilot.pause(0.02)
            pane = str(app.screen.query_one("#current").render())
            if "CALLED" in pane:
                break
        rows_meanwhile = app.screen.query_one("#line").row_count
        release.set()
        await settle(pilot)
        rows_after = app.screen.query_one("#line").row_count
    assert visits.ticket(first) in pane and "CALLED" in pane
    assert (rows_meanwhile, rows_after) == (2, 1)


def note_steps_paints_and_reads(monkeypatch, app, order: list, step: str, shown) -> None:
    """Into ``order``: "saved" when the domain's ``step`` returns (the database thread), "read"
    when the counter's read starts, and each paint of the terminal as ("painted", shown())."""
    from textual.app import App

    from cxdesk.screens import counter as counter_screen

    saved, read, display = getattr(visits, step), counter_screen.read_counter, App._display

    def noted_step(*args, **kwargs):
        result = saved(*args, **kwargs)
        order.append("saved")
        return result

    def noted_read(*args, **kwargs):
        order.append("read")
        return read(*args, **kwargs)

    def noted_display(self, screen, renderable):
        order.append(("painted", shown()))
        return display(self, screen, renderable)

    class NotedEvent(threading.Event):
        """The event the database thread waits on before the read: "paint seen" when set."""

        def set(self) -> None:
            order.append("paint seen")
            super().set()

    monkeypatch.setattr(visits, step, noted_step)
    monkeypatch.setattr(counter_screen, "read_counter", noted_read)
    monkeypatch.setattr(App, "_display", noted_display)
    monkeypatch.setattr(counter_screen, "threading", SimpleNamespace(Event=NotedEvent))


def painted_between_save_and_read(order: list) -> list:
    """What each paint showed between the step's save and the read after it; the read waited
    for the paint to be seen."""
    saved, read = order.index("saved"), order.index("read")
    assert saved < order.index("paint seen") < read
    return [event[1] for event in order[saved + 1:read] if isinstance(event, tuple)]


async def test_the_read_after_a_call_waits_for_the_customer_called_to_be_painted(db_url, clock, db, office,
                                                                                  monkeypatch):
    """The read holds the interpreter: the database thread lets the ticket called be painted
    first (issue 16)."""
    add_waiting(db, office, 3)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        order: list = []

        def called_shown() -> bool:
            text = str(app.screen.query_one("#current").render()) if isinstance(app.screen, CounterScreen) else ""
            return "CALLED" in text

        note_steps_paints_and_reads(monkeypatch, app, order, "call_next", called_shown)
        await press(pilot, "n")
        assert True in painted_between_save_and_read(order)
        await press(pilot, "f", "1", "1", "enter", "escape")

        order.clear()
        await press(pilot, "n")  # and the next call, the same way
        assert True in painted_between_save_and_read(order)
    assert [visit.state for visit in all_visits(db)] == ["done", "called", "waiting"]


async def test_a_visit_saved_brings_its_channel_step_before_the_counter_is_read(db_url, clock, db, office,
                                                                                 monkeypatch):
    """What follows the finish form's Enter is the channel step, not the counter: it is painted
    as soon as the visit is saved, and the counter under it is read after (issue 16)."""
    from cxdesk.screens.visit_dialogs import ChannelDialog

    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "n", "f", "1", "1")
        order: list = []
        note_steps_paints_and_reads(monkeypatch, app, order, "finish",
                                    lambda: isinstance(app.screen, ChannelDialog))
        await press(pilot, "enter")
        assert True in painted_between_save_and_read(order)
        assert isinstance(app.screen, ChannelDialog)
        # The counter under the channel step shows the read: nobody at the counter, one waiting.
        assert app.screen_stack[-2].view.current is None and len(app.screen_stack[-2].view.line) == 1
        await press(pilot, "escape", "n", "f", "1", "1", "enter")
        assert isinstance(app.screen, ChannelDialog)
        await press(pilot, "escape")
    assert [(visit.state, visit.channel_step) for visit in all_visits(db)] == [("done", "skipped")] * 2


async def test_the_channel_step_closes_on_the_counter_before_it_is_read(db_url, clock, db, office, monkeypatch):
    """Skipped or saved, the channel step closes as soon as its step is saved: the counter
    under it was read after the finish, and its "last finished here" pane is shown from the
    visit as saved; the read follows (issue 16)."""
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)

        def last_pane_on_screen() -> str:
            counter = app.screen
            return str(counter.query_one("#last").render()) if isinstance(counter, CounterScreen) else ""

        for step, keys, shown in (("skip_channels", ("escape",), "channel step skipped"),
                                  ("record_channels", ("1", "enter"), "channels recorded")):
            await press(pilot, "n", "f", "1", "1", "enter")
            order: list = []
            note_steps_paints_and_reads(monkeypatch, app, order, step,
                                        lambda shown=shown: shown in last_pane_on_screen())
            await press(pilot, *keys)
            assert True in painted_between_save_and_read(order)
            monkeypatch.undo()
            assert isinstance(app.screen, CounterScreen) and shown in last_pane_on_screen()
    assert [visit.channel_step for visit in all_visits(db)] == ["skipped", "done"]


async def finish_with_the_read_under_the_form(pilot, counter) -> None:
    """Call the next customer and finish them, then wait until the counter's read after the
    finish is shown under the channel step and drawn behind it (bounded by the caller: an app
    brought down never answers)."""
    from cxdesk.screens.visit_dialogs import ChannelDialog

    await press(pilot, "n", "f", "1", "1", "enter")
    assert isinstance(counter.app.screen, ChannelDialog)
    while counter.view.current is not None:
        await pilot.pause()
    await counter.wait_for_refresh()


async def test_the_counter_read_under_a_form_is_drawn_before_the_form_closes(db_url, clock, db, office,
                                                                              monkeypatch):
    """The read after the finish is drawn behind the channel step: its Escape draws again only
    the pane it changes (the visit's channel step), not the counts, the customer's pane, the
    key bar or the screen's own background (issue 16)."""
    from textual.widget import Widget

    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        counter = app.screen
        await asyncio.wait_for(finish_with_the_read_under_the_form(pilot, counter), 30)
        drawn: list[str] = []
        render_content = Widget._render_content

        def noted(widget):  # a widget's content drawn again (not its lines taken from its cache)
            drawn.append(widget.id or type(widget).__name__)
            return render_content(widget)

        monkeypatch.setattr(Widget, "_render_content", noted)
        await press(pilot, "escape")
        assert app.screen is counter and "channel step skipped" in str(counter.query_one("#last").render())
        assert "last" in drawn
        assert not {"today", "current", "KeyBar", "CounterScreen"} & set(drawn)


async def test_the_forms_of_a_visit_are_built_before_the_first_key(db_url, clock, db, office, monkeypatch):
    """Built off screen once the counter is up (issue 16): the shift's first i, f and channel
    step show the forms built ahead, filled in for the customer at the counter, blank and
    laid out: the first i blanks nothing and lays nothing out."""
    from cxdesk.screens.visit_dialogs import ChannelDialog, CheckInDialog, FinishDialog
    from cxdesk.screens.widgets import NumberedChoice

    [waiting] = add_waiting(db, office, service="name_change")
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        counter = app.screen
        assert isinstance(counter, CounterScreen)
        ahead = {key: app.get_screen(name) for key, name in counter._kept.items()}
        assert {key: type(dialog) for key, dialog in ahead.items()} == {
            "CheckInDialog-visit": CheckInDialog, "FinishDialog-visit": FinishDialog,
            "ChannelDialog-visit": ChannelDialog}
        assert all(dialog.is_mounted and dialog not in app.screen_stack for dialog in ahead.values())

        check_in, resets, layouts = ahead["CheckInDialog-visit"], [], []
        monkeypatch.setattr(NumberedChoice, "reset", lambda self, *args: resets.append(self.id))
        monkeypatch.setattr(check_in, "_refresh_layout", lambda *args, **kwargs: layouts.append(check_in))
        await press(pilot, "i")
        assert app.screen is check_in and resets == [] and layouts == []
        monkeypatch.undo()
        await press(pilot, "escape", "n", "f")
        finish_form = app.screen
        assert finish_form is ahead["FinishDialog-visit"]
        assert str(finish_form.query_one("#title").render()) == f"Finish {visits.ticket(waiting)}"
        assert not finish_form.query("#segment")  # a visit's form, not a walk-up's
        service = finish_form.query_one("#service")
        assert service.highlighted == service._codes.index("name_change")
        # Every list shows its cursor, as a form just built does (the referral list too,
        # which the outcome "referred" focuses): Enter picks the item shown highlighted.
        assert all(choice.highlighted is not None for choice in finish_form.query(NumberedChoice))
        await press(pilot, "1", "1", "enter")
        assert app.screen is ahead["ChannelDialog-visit"]
        assert visits.ticket(waiting) in str(app.screen.query_one("#title").render())
        await press(pilot, "escape")
        assert app.screen is counter

        await press(pilot, "f10")  # signed out: the forms built ahead go with the counter
        assert not [name for name in app._installed_screens if "Dialog" in name]
        assert not any(dialog.is_attached for dialog in ahead.values())
    [done] = all_visits(db)
    assert (done.state, done.service, done.channel_step) == ("done", "general_info", "skipped")


async def test_kept_forms_are_blanked_for_the_next_customer_before_the_key(db_url, clock, db, office,
                                                                            monkeypatch):
    """Once the counter is drawn again, the kept forms are blanked off screen, and the finish
    form filled in for the customer just called: the key that shows one does no more (issue 16)."""
    from cxdesk.screens.visit_dialogs import ChannelDialog, CheckInDialog, FinishDialog
    from cxdesk.screens.widgets import NumberedChoice

    [first, second] = add_waiting(db, office, 2, service="name_change")
    with db.session() as session:
        visits.get_visit(session, second.id).service_wanted = "replacement_card"
        session.commit()
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        counter = app.screen
        forms = {type(form): form for form in map(app.get_screen, counter._kept.values())}
        check_in, finish, channels = forms[CheckInDialog], forms[FinishDialog], forms[ChannelDialog]
        await press(pilot, "i", "1", "3")
        await press(pilot, "escape")
        await press(pilot, "n", "f", "1", "1", "enter", "1", "2", "tab", "1", "enter")
        await press(pilot, "n")
        assert app.screen is counter
        # Off screen, before any key: blank, the focus on the first list, for the new customer.
        for form, first_list in ((check_in, "#segment"), (finish, "#service"), (channels, "#offered")):
            assert form not in app.screen_stack
            assert all(choice.value is None for choice in form.query(NumberedChoice)), form
            assert form.focused is form.query_one(first_list)
        assert not channels.query_one("#offered").selected
        assert str(finish.query_one("#title").render()) == f"Finish {visits.ticket(second)}"
        service = finish.query_one("#service", NumberedChoice)
        assert service.highlighted == service._codes.index("replacement_card")

        # ... and laid out and drawn there: showing it lays out nothing.
        resets, layouts = [], []
        monkeypatch.setattr(NumberedChoice, "reset", lambda self, *args: resets.append(self.id))
        for form in (check_in, finish):
            monkeypatch.setattr(form, "_refresh_layout", lambda *args, form=form, **kwargs: layouts.append(form))
        await press(pilot, "f")
        assert app.screen is finish and resets == [] and layouts == []  # shown as it was made ready
        await press(pilot, "escape")  # the finish form, shown, is blanked again off screen
        assert app.screen is counter and finish._blank and resets and layouts == [finish]  # check_in: still blank
        resets.clear()
        layouts.clear()
        await press(pilot, "i")
        assert app.screen is check_in and resets == [] and layouts == []
    done = {visit.id: visit for visit in all_visits(db)}
    assert (done[first.id].state, done[first.id].channel_step) == ("done", "done")
    assert done[second.id].state == "called"


async def test_a_key_before_the_forms_are_built_builds_its_own(db_url, clock, db, office):
    """A clerk quicker than the build ahead gets a form built for the key, as before; the
    one built ahead for it is dropped, not kept beside it."""
    from cxdesk.screens.visit_dialogs import CheckInDialog

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        counter = app.screen
        for name in counter._kept.values():  # as if nothing had been built ahead yet
            counter._drop_dialog(name)
        counter._kept.clear()
        counter._build_ahead()
        while not counter._ahead:  # the check-in form built ahead is installed, not yet mounted
            await asyncio.sleep(0)
        [building] = counter._ahead
        assert building.startswith("CheckInDialog") and not app.get_screen(building).is_mounted
        counter.action_check_in()  # the key, before that form is ready
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CheckInDialog) and form.query_one("#segment").has_focus
        await press(pilot, "escape")
        assert app.get_screen(counter._kept["CheckInDialog-visit"]) is form  # kept for the next i
        assert not app.is_screen_installed(building) and not counter._ahead
        assert [name for name in app._installed_screens if name.startswith("CheckInDialog")] == [
            counter._kept["CheckInDialog-visit"]]


async def test_a_screen_keeps_its_own_lines_until_what_they_show_changes(db_url, clock, db, office):
    """A screen's background is drawn once (it was drawn again each time a form closed), and
    again when the theme or the size changes (issue 16)."""
    from textual.geometry import Region

    from cxdesk.screens.themes import HIGH_CONTRAST

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        counter = app.screen
        whole = Region(0, 0, *counter.size)
        first = counter.render_lines(whole)
        assert counter.render_lines(whole) is first
        app.theme = HIGH_CONTRAST
        await pilot.pause()
        themed = counter.render_lines(whole)
        assert themed is not first
        assert [segment.style for segment in themed[0]] != [segment.style for segment in first[0]]
        await pilot.resize_terminal(SIZE[0] - 10, SIZE[1])
        await pilot.pause()
        assert counter.render_lines(Region(0, 0, *counter.size))[0].cell_length == SIZE[0] - 10


async def test_a_failure_drawing_the_counter_behind_a_form_is_reported_not_fatal(db_url, clock, db, office):
    """Drawing the counter behind a form is ahead of time only: if it fails, the clerk is told
    and the shift goes on (the closing paint draws it all again)."""
    add_waiting(db, office, 2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        counter = app.screen
        today = counter.query_one("#today")
        draw = today.render_lines

        def broken(crop):
            if not counter.is_active:
                raise RuntimeError("a pane that cannot be drawn")
            return draw(crop)

        today.render_lines = broken

        await asyncio.wait_for(finish_with_the_read_under_the_form(pilot, counter), 30)
        assert any("drawing the counter behind a form" in str(notice.message) for notice in app._notifications)
        today.render_lines = draw
        await press(pilot, "escape", "n")
        assert app.screen is counter and counter.view.current is not None
    assert [visit.state for visit in all_visits(db)] == ["done", "called"]
