"""Sign-in shows the office's stations from a first look (plain sqlite3) while the
database layer loads behind it; what is typed meanwhile waits for the real open."""

from __future__ import annotations

import threading

from cxdesk.screens.counter import CounterScreen
from cxdesk.screens.signin import SignInScreen
from sqlmodel import select
from textual.widgets import Input, Select, Static

from cxdesk.errors import CxdeskError
from cxdesk.store import db as store_db
from cxdesk.store.models import Shift
from tests.pilot import make_app, settle

SIZE = (100, 32)


def held_open(monkeypatch, *, fail: bool = False) -> threading.Event:
    """The real open waits until the returned event is set (then opens, or fails)."""
    release = threading.Event()
    real_open = store_db.open_database

    def slow_open(*args, **kwargs):
        assert release.wait(30), "the test never let the database open"
        if fail:
            raise CxdeskError("The disk went away.")
        return real_open(*args, **kwargs)

    monkeypatch.setattr(store_db, "open_database", slow_open)
    return release


async def until(pilot, condition) -> None:
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the screen never got there")


def station_codes(screen) -> list[str]:
    return [value for _label, value in screen.query_one("#station", Select)._options if value is not Select.NULL]


async def test_stations_show_before_the_database_layer_has_opened(monkeypatch, db_url, clock, db, office):
    release = held_open(monkeypatch)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        await until(pilot, lambda: station_codes(screen))
        assert app.db is None and app.office is None  # the real open is still waiting
        assert station_codes(screen)[:2] == ["W1", "W2"]
        assert screen.query_one("#station", Select).value == "W1"
        assert office.name in str(screen.query_one("#status", Static).render())
        release.set()
        await settle(pilot)
        assert app.office is not None and app.office.id == office.id


async def test_a_sign_in_typed_while_the_database_opens_lands_at_the_counter(monkeypatch, db_url, clock, db,
                                                                          office):
    release = held_open(monkeypatch)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await until(pilot, lambda: station_codes(screen))
        screen.query_one("#station", Select).value = "W2"
        await pilot.press(*"CLK1", "enter", *"1357", "enter")
        await until(pilot, lambda: screen.query_one("#pin", Input).value == "1357")
        assert isinstance(app.screen, SignInScreen)  # waiting for the open, nothing lost
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, CounterScreen)
        assert app.signed_in.station.code == "W2"
    with db.session() as session:
        shifts = session.exec(select(Shift)).all()
    assert [(s.station_id, s.ended_at) for s in shifts] == [(app.signed_in.station.id, None)]


async def test_an_open_that_fails_after_the_first_look_disables_the_form(monkeypatch, db_url, clock, db, office):
    release = held_open(monkeypatch, fail=True)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await until(pilot, lambda: station_codes(screen))
        await pilot.press(*"CLK1", "enter", *"1357")
        release.set()
        await settle(pilot)
        status = str(screen.query_one("#status", Static).render())
        assert "The disk went away." in status
        assert screen.query_one("#pin", Input).disabled
        screen.action_sign_in()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "could not be opened" in str(screen.query_one("#message").render())
    with db.session() as session:
        assert session.exec(select(Shift)).all() == []
