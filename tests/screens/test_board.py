"""The lobby board at work: a call made at a counter shows up with the bell, pages turn,
and no key reaches anything of the staff's."""

from __future__ import annotations

from datetime import timedelta

from cxdesk.screens.board import BoardApp, BoardScreen
from cxdesk.screens.dialogs.pin import StaffPinDialog
from textual.widgets import Static

from cxdesk.clock import fixed_clock
from cxdesk.domain.visits import call_next, check_in
from tests.factories import FIXED_NOW, SUPERVISOR
from tests.pilot import settle


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def board(db_url, now) -> BoardApp:
    return BoardApp(db_url, clock=fixed_clock(now), poll_seconds=3600, page_seconds=3600,
                    standards_seconds=3600)


async def test_a_call_at_a_counter_shows_on_the_board_with_the_bell(db, office, signed_in, db_url):
    with db.session() as session:
        waiting = check_in(session, office, segment="retiree", service="change_address",
                           now=FIXED_NOW - timedelta(minutes=5))
    app = board(db_url, FIXED_NOW + timedelta(minutes=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "No number called yet today" in _text(app, "#board-newest-window")
        assert "1 person waiting · 1 window open" in _text(app, "#board-wait")
        assert app.bells == 0
        with db.session() as session:
            call_next(session, office, signed_in, FIXED_NOW + timedelta(seconds=30))
        app.refresh_calls()  # what the one-second poll does
        await settle(pilot)
        assert f"{waiting.ticket}  →  Window 1 · Ventanilla 1" in _text(app, "#board-newest-window")
        assert app.bells == 1
        app.refresh_calls()  # the same call read again rings no more
        await settle(pilot)
        assert app.bells == 1


async def test_pages_turn_and_a_new_call_brings_the_calls_back(db, office, signed_in, db_url):
    with db.session() as session:
        check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
    app = board(db_url, FIXED_NOW + timedelta(minutes=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right")
        assert app.board.current_page == "standards-en-1"
        assert "We will call you to a window within 20 minutes" in _text(app, "#board-standards-list")
        assert "ask at any window" in _text(app, "#board-complain")
        await pilot.press("right", "right")
        assert app.board.current_page == "standards-es-1"  # at 120x40 the standards fit one page
        assert "Le llamaremos" in _text(app, "#board-standards-list")
        with db.session() as session:
            call_next(session, office, signed_in, FIXED_NOW + timedelta(seconds=30))
        app.refresh_calls()
        await settle(pilot)
        assert app.board.current_page == "calls"


async def test_no_key_reaches_a_staff_screen_and_quitting_needs_a_pin(db, office, db_url):
    app = board(db_url, FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("f1", "f2", "f3", "f5", "f8", "f10", "ctrl+p", "escape", "n", "ctrl+o"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, BoardScreen), key
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, StaffPinDialog)
        await pilot.press(*SUPERVISOR[0], "enter", "1", "2", "3", "4", "enter")
        await settle(pilot)
        assert isinstance(app.screen, StaffPinDialog)  # a wrong PIN closes nothing
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.return_code is None
        await pilot.press(*SUPERVISOR[0], "enter", *SUPERVISOR[2], "enter")
        await settle(pilot)
        assert app.return_code == 0  # the board closed


async def test_a_board_on_a_database_without_an_office_says_so(tmp_path):
    from cxdesk.store.db import open_database

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(url, create=True).dispose()
    app = board(url, FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _text(app, "#board-status").startswith("✖")


async def test_the_board_notes_each_estimate_it_shows_once_until_it_changes(db, office, signed_in, db_url):
    from sqlmodel import select

    from cxdesk.store.models import WaitEstimate

    with db.session() as session:
        check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
    app = board(db_url, FIXED_NOW + timedelta(minutes=1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.refresh_calls()
        await settle(pilot)
    with db.session() as session:
        rows = session.exec(select(WaitEstimate)).all()
    assert [(r.line, r.waiting, r.windows_open, r.low_minutes, r.high_minutes) for r in rows] == [
        ("line", 1, 1, None, None)]  # "—": nobody served yet
