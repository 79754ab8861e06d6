"""Pilot helpers shared by the workflow and snapshot tests."""

from __future__ import annotations

from cxdesk.screens.app import CxdeskApp


async def settle(pilot) -> None:
    """Let every queued database step and typed-ahead key finish, and the screen catch up.

    A finished step can start the next (a key waiting for it, a refresh), so this
    waits until a round ends with nothing running and no key waiting (bounded).
    """
    app = pilot.app
    for _ in range(12):
        await app.workers.wait_for_complete()
        await pilot.pause()
        typed_ahead = getattr(getattr(app, "type_ahead", None), "keys", ())
        if not typed_ahead and not any(worker.is_running for worker in app.workers):
            return


async def sign_in(pilot, code: str = "CLK1", pin: str = "1357", station: str | None = None) -> None:
    """From the sign-in screen to the counter (station W1 is preselected; ``station`` picks another)."""
    await settle(pilot)
    if station is not None:
        pilot.app.screen.query_one("#station").value = station
    await pilot.press(*code, "enter", *pin, "enter")
    await settle(pilot)


def burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's: all queued before the app handles the
    first (``pilot.press`` lets the app run between keys, which hides lost keys)."""
    from textual import events

    for key in keys:
        character = " " if key == "space" else key if len(key) == 1 else None
        app._driver.send_message(events.Key(key, character))


def typed(text: str) -> list[str]:
    """Key names for ``text`` (a space is the "space" key)."""
    return ["space" if c == " " else c for c in text]


async def press(pilot, *keys: str) -> None:
    """Press keys one at a time, letting the database catch up after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def make_app(db_url: str, clock, **kwargs) -> CxdeskApp:
    return CxdeskApp(db_url=db_url, clock=clock, **kwargs)


def steady(app) -> None:
    """No blinking cursors and no toasts in snapshots: they vary between runs."""
    from textual.widgets import Input

    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    app.clear_notifications()


def after(*keys: str, code: str = "CLK1", pin: str = "1357", sign_in_first: bool = True,
          typed: str = ""):
    """A ``run_before`` for snap_compare: sign in, press ``keys`` (each settled),
    type ``typed`` into the focused field, then hold the screen steady."""

    async def run_before(pilot) -> None:
        if sign_in_first:
            await sign_in(pilot, code, pin)
        else:
            await settle(pilot)
        await press(pilot, *keys)
        if typed:
            await pilot.press(*typed)
            await settle(pilot)
        steady(pilot.app)

    return run_before
