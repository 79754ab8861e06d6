"""The base app (issue 7): database failures of any type always come back; the clock is read
when a step is saved; a broken byte from the terminal does not stop the app."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

import pytest
from cxdesk.screens.base import UnexpectedError
from cxdesk.screens.kiosk import KioskApp, KioskIdleScreen
from cxdesk.screens.survey import StaffPinDialog, SurveyScreen
from sqlmodel import select

from cxdesk.errors import CxdeskError
from cxdesk.store.models import ComplaintEvent, SurveyInvitation
from tests.factories import CLERK, FIXED_NOW, serve
from tests.pilot import make_app, press, settle, sign_in

SIZE = (100, 32)


async def test_every_failure_reaches_on_error_and_unexpected_ones_are_logged(db_url, clock, db, office,
                                                                            cxdesk_home):
    app = make_app(db_url, clock)
    got: list[CxdeskError] = []
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)

        def locked(session):
            raise sqlite3.OperationalError("database is locked")

        def refused(session):
            raise CxdeskError("Nobody is waiting.")

        app.run_db(locked, lambda _: None, on_error=got.append, description="call the next customer")
        app.run_db(refused, lambda _: None, on_error=got.append, description="call the next customer")
        app.run_db(locked, description="read the line")  # no on_error: a notification
        await settle(pilot)
        said = [n.message for n in app._notifications]
    unexpected, domain = got
    assert isinstance(unexpected, UnexpectedError) and isinstance(unexpected.original, sqlite3.OperationalError)
    assert str(unexpected).startswith("Could not call the next customer: an unexpected error "
                                      "(OperationalError: database is locked).")
    assert str(domain) == "Nobody is waiting." and not isinstance(domain, UnexpectedError)
    assert any(message.startswith("Could not read the line") for message in said)
    assert "database is locked" in (cxdesk_home / "log" / "cxdesk.log").read_text()


async def test_a_survey_save_that_fails_unexpectedly_leaves_the_screen_to_the_clerks_pin(
        db, office, signed_in, db_url, clock, monkeypatch):
    from cxdesk.domain.surveys import invitations

    serve(db, office, signed_in)
    real_finish = invitations.finish

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    app = make_app(db_url, clock)
    app.survey_thanks_seconds = 600
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "v", "5")
        survey = app.screen
        monkeypatch.setattr(invitations, "finish", locked)
        await press(pilot, "escape")  # the customer ends the survey; the store fails
        assert app.screen is survey and not survey.saving  # not stuck in "saving"
        assert "return the screen to the clerk" in str(survey.query_one("#thanks-title").render())
        monkeypatch.setattr(invitations, "finish", real_finish)  # the lock is gone
        await press(pilot, "f9")
        assert isinstance(app.screen, StaffPinDialog)
        await pilot.press(*CLERK[0], "enter", *CLERK[2], "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CounterScreen"  # the PIN frees it, the answers saved
    with db.session() as session:
        assert session.exec(select(SurveyInvitation)).one().status == "partial"


async def test_a_kiosk_keeps_looking_after_a_failed_look(db, office, signed_in, db_url, clock, monkeypatch):
    from cxdesk.domain.office import get_station
    from cxdesk.domain.surveys import invitations

    visit = serve(db, office, signed_in)
    real_claim = invitations.claim_for_kiosk

    def broken(*args, **kwargs):
        raise RuntimeError("server closed the connection unexpectedly")

    kiosk = KioskApp(db_url, "W1", clock=clock, poll_seconds=3600)
    async with kiosk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(invitations, "claim_for_kiosk", broken)
        kiosk.check_for_survey()  # what the poll does
        await settle(pilot)
        assert "server closed the connection" in str(kiosk.idle.query_one("#kiosk-status").render())
        assert not kiosk._checking and isinstance(kiosk.screen, KioskIdleScreen)
        monkeypatch.setattr(invitations, "claim_for_kiosk", real_claim)
        with db.session() as session:
            invitations.offer(session, office, visit.id, mode="kiosk", now=FIXED_NOW,
                              station=get_station(session, office, "W1"))
        kiosk.check_for_survey()  # the next poll
        await settle(pilot)
        assert isinstance(kiosk.screen, SurveyScreen)


async def test_a_complaint_step_gets_the_time_it_was_saved_not_opened(db_url, db, office):
    from cxdesk.domain import complaints as cx
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        complaint = cx.open_complaint(session, office, get_staff(session, office, CLERK[0]), cx.ComplaintIntake(
            received_via="mail", category="privacy", what_happened="Wrong address."), FIXED_NOW)
    now = [FIXED_NOW + timedelta(minutes=1)]
    app = make_app(db_url, lambda: now[0])
    async with app.run_test(size=(110, 34)) as pilot:
        await sign_in(pilot)
        await press(pilot, "f7", "enter", "n")  # the note dialog opens at 09:31
        now[0] = FIXED_NOW + timedelta(minutes=8)  # the clerk writes for seven minutes
        await pilot.press(*"Phoned the customer back.", "enter")
        await settle(pilot)
    with db.session() as session:
        note = session.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id,
                                                         ComplaintEvent.kind == "note")).one()
    assert note.at == FIXED_NOW + timedelta(minutes=8)


@pytest.mark.parametrize("chunks", [[b"\xf1", b"a"], [b"x\xf1", b"\xffb"], [b"\xc3", b"\xa9"]])
def test_a_broken_byte_from_the_terminal_is_dropped_not_fatal(chunks):
    from cxdesk.screens.terminal import decode_keyboard, keyboard_decoder

    decode = keyboard_decoder()
    text = "".join(decode_keyboard(decode, chunk) for chunk in chunks)
    assert text in ("a", "xb", "é")


@contextmanager
def _driver_on_a_pipe(monkeypatch, all_arrived: Callable[[list[str]], bool]):
    """The driver's own read loop on a pipe. Yields (write, keys, done): ``write(data)`` is one
    write to the terminal side; ``done`` is set once ``all_arrived(keys)`` holds."""
    import os
    import threading
    from threading import Event

    from cxdesk.screens.terminal import TolerantLinuxDriver
    from textual import events
    from textual.driver import Driver

    read_end, write_end = os.pipe()
    driver = TolerantLinuxDriver.__new__(TolerantLinuxDriver)
    driver.fileno = read_end
    driver.exit_event = Event()
    driver._debug = False
    keys: list[str] = []
    done = Event()

    def record(self, message) -> None:
        if isinstance(message, events.Key):
            keys.append(message.key)
            if all_arrived(keys):
                done.set()

    monkeypatch.setattr(Driver, "process_message", record)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        yield (lambda data: os.write(write_end, data)), keys, done
    finally:
        driver.exit_event.set()
        thread.join(timeout=5)
        os.close(write_end)
        os.close(read_end)
    assert not thread.is_alive()


def test_the_driver_input_thread_survives_a_broken_byte(monkeypatch):
    """The driver's own read loop, on a pipe: one invalid byte, then keys; the keys arrive."""
    with _driver_on_a_pipe(monkeypatch, lambda keys: len(keys) >= 2) as (write, keys, done):
        write(b"\xf1")
        write(b"ab")
        done.wait(timeout=10)
    assert keys == ["a", "b"]


def _keys_read_by_the_driver(monkeypatch, data: bytes) -> list[str]:
    """The keys the driver sends on for ``data`` arriving in one write (as tmux send-keys, or
    a fast typist's terminal, delivers a burst)."""
    with _driver_on_a_pipe(monkeypatch, lambda keys: keys[-1] == "end") as (write, keys, done):
        write(data + b"\x1b[F")  # End, so the reader knows all has arrived
        done.wait(timeout=10)
    return keys[:-1]


def test_escape_in_a_burst_is_the_escape_key_not_alt_or_a_caret(monkeypatch):
    """ESC then n in one read was taken for the start of a sequence: Textual swallowed the
    keys up to the next ESC and gave Escape back as "^". Sequences still parse."""
    keys = _keys_read_by_the_driver(monkeypatch, b"nf11\r\x1bnf21\r\x1bN\x1b[A\x1bOP\x1b\x1bq")
    assert keys == ["n", "f", "1", "1", "enter", "escape", "n", "f", "2", "1", "enter", "escape",
                    "N", "up", "f1", "escape", "escape", "q"]


def test_an_escape_at_the_end_of_a_read_is_the_escape_key_without_textuals_wait(monkeypatch):
    """A lone Escape (the last byte a terminal sent) is the Escape key once ESCDELAY has
    passed with nothing after it: Textual's own wait (set to a minute here) is not needed."""
    from textual import constants

    monkeypatch.setattr(constants, "ESCAPE_DELAY", 60.0)
    monkeypatch.setenv("ESCDELAY", "20")
    with _driver_on_a_pipe(monkeypatch, bool) as (write, keys, done):
        write(b"\x1b")
        got_it = done.wait(timeout=10)
    assert got_it and keys == ["escape"]


def test_escape_waits_ten_milliseconds_unless_escdelay_says_otherwise(monkeypatch):
    from cxdesk.screens.terminal import escape_wait_seconds

    monkeypatch.delenv("ESCDELAY", raising=False)
    assert escape_wait_seconds() == 0.010  # tmux's escape-time
    monkeypatch.setenv("ESCDELAY", "40")
    assert escape_wait_seconds() == 0.040
    monkeypatch.setenv("ESCDELAY", "soon")
    assert escape_wait_seconds() == 0.010


def test_a_sequence_cut_after_its_escape_is_put_back_together():
    from cxdesk.screens.terminal import ESCAPE_KEY, finish_trailing_escape

    rest = iter(["[A"])
    assert finish_trailing_escape("n\x1b", lambda: next(rest, None)) == "n\x1b[A"
    assert finish_trailing_escape("n\x1b", lambda: None) == "n" + ESCAPE_KEY
    rest = iter(["\x1b"])
    assert finish_trailing_escape("\x1b", lambda: next(rest, None)) == "\x1b" + ESCAPE_KEY
    assert finish_trailing_escape("abc", lambda: None) == "abc"


def test_alt_and_a_character_is_escape_then_the_character():
    from cxdesk.screens.terminal import escape_then_key
    from textual import events

    split = escape_then_key(events.Key("alt+n", "n"))
    assert [(e.key, e.character) for e in split] == [("escape", "\x1b"), ("n", "n")]
    assert [e.key for e in escape_then_key(events.Key("alt+shift+n", "N"))] == ["escape", "N"]
    assert [e.key for e in escape_then_key(events.Key("up", None))] == ["up"]


async def test_three_visits_typed_as_one_terminal_burst_are_all_finished(monkeypatch, db_url, clock, db, office):
    """The keys the driver reads from ``n f 1 1 Enter Escape`` three times in one write,
    delivered to the counter all at once: three finished visits."""
    from tests.factories import add_waiting, all_visits
    from tests.pilot import burst

    add_waiting(db, office, 3)

    one = b"nf11\r\x1b"
    keys = _keys_read_by_the_driver(monkeypatch, one + one.replace(b"f1", b"f2") + one.replace(b"f1", b"f3"))
    monkeypatch.undo()
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        burst(app, *keys)
        await settle(pilot)
    visits = all_visits(db)
    assert [(v.state, v.channel_step) for v in visits] == [("done", "skipped")] * 3


async def test_the_heap_is_settled_once_the_counter_shows_and_never_in_headless_runs(db_url, clock, db, office,
                                                                                    monkeypatch):
    """Full GC passes wait for a pause once the counter is up (screens/heap.py); tests run
    headless, where freezing would keep every app of the run alive."""
    from cxdesk.screens.base import BaseApp

    settled: list[bool] = []
    settle_heap = BaseApp.settle_heap

    def spy(app) -> None:
        settled.append(app.is_headless)
        settle_heap(app)

    monkeypatch.setattr(BaseApp, "settle_heap", spy)
    app = make_app(db_url, clock)
    async with app.run_test() as pilot:
        await sign_in(pilot)
        await settle(pilot)
    assert settled == [True]  # asked once, at the counter's first showing
    assert not app.heap.started and app._heap_timer is None  # headless: nothing taken over

    started, timers = [], []
    monkeypatch.setattr(app.heap, "start", lambda: started.append(True))

    def set_interval(seconds, callback, **kwargs):
        timers.append((seconds, callback))
        return object()

    monkeypatch.setattr(app, "set_interval", set_interval)
    monkeypatch.setattr(BaseApp, "is_headless", property(lambda self: False))
    settle_heap(app)
    settle_heap(app)  # a second sign-in: frozen again, one timer
    assert started == [True, True] and timers == [(1.0, app.heap.tick)]


async def test_a_terminal_app_hands_the_interpreter_between_threads_every_millisecond(db_url, clock, db, office,
                                                                                      monkeypatch):
    """The key reader, the app and the database thread take turns (issue 16): a terminal
    app asks for 1 ms turns instead of CPython's 5; a headless run (tests) leaves it alone."""
    import sys

    from cxdesk.screens.base import SWITCH_INTERVAL_S, BaseApp

    asked: list[float] = []
    monkeypatch.setattr(sys, "setswitchinterval", asked.append)
    async with make_app(db_url, clock).run_test() as pilot:
        await settle(pilot)
    assert asked == []
    monkeypatch.setattr(BaseApp, "is_headless", property(lambda self: False))
    async with make_app(db_url, clock).run_test() as pilot:
        await settle(pilot)
    assert asked == [SWITCH_INTERVAL_S] and SWITCH_INTERVAL_S == 0.001
