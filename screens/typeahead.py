"""Type-ahead: keys typed while a screen is busy wait, in order, for the screen they were meant for.

A clerk who knows the keys types ahead: ``n f 1 1 Enter Escape`` arrives as one
burst while the first key's database call is still on its way. Textual hands
each key to whatever has the focus when the key arrives, so the keys behind a
call (or behind a dialog that has not painted yet) would act on the old screen
or on nothing.

Every key from the terminal goes into one queue instead. A key leaves the queue
only when the screen in front is ready for it: shown, with its focus set, and
not waiting for a database step it started (``keys_on_hold``). It is then
handled the way Textual handles any key, and the next key waits until the
messages the first one caused (a pick moving the focus, an Enter submitting a
field, a dialog closing) have been processed. So a burst is applied exactly as
if it had been typed slowly.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from cxdesk.screens.base import BaseApp

# A settle that waits longer than this is given up (a widget that never
# processes its queue must not freeze the keyboard).
SETTLE_TIMEOUT = 2.0
SETTLE_ROUNDS = 4


class TypeAhead:
    """The queue of keys typed and not yet handled, and the one task that hands them on."""

    def __init__(self, app: BaseApp) -> None:
        self.app = app
        self.keys: deque[events.Key] = deque()
        self._running = False

    def receive(self, event: events.Key) -> None:
        self.keys.append(event)
        self.kick()

    def idle(self) -> bool:
        """Nothing to wait for: no key queued or being handed on, the screen in front ready,
        and no message waiting on the app or on any node of that screen. A key arriving now
        can be handled at once, as Textual would (a key typed at a clerk's pace)."""
        app = self.app
        if self._running or self.keys or not app.is_running or app.keys_on_hold():
            return False
        try:
            nodes = [app, *app.screen.walk_children(with_self=True)]
        except Exception:  # noqa: BLE001 - no screen yet, or the app is closing
            return False
        return not any(_has_pending(node) for node in nodes)

    async def deliver_now(self, event: events.Key) -> None:
        """Handle ``event`` at once (``idle()`` said so); keys arriving meanwhile queue behind it."""
        self._running = True
        try:
            await self.app.deliver_key(event)
        finally:
            self._running = False
        self.kick()

    def kick(self) -> None:
        """Hand on waiting keys if the screen in front is ready (called when something finishes)."""
        if self._running or not self.keys or not self.app.is_running:
            return
        self._running = True
        self.app.run_worker(self._drain(), group="type-ahead", description="typed keys",
                            exit_on_error=False)

    async def _drain(self) -> None:
        from textual._context import active_message_pump

        # Keys are handled as the app itself would handle them (Textual private API:
        # Textual is pinned exactly, see pyproject.toml).
        active_message_pump.set(self.app)
        try:
            while self.keys:
                await self._settle()
                # The settle may have changed everything: a screen that drops the keys
                # typed before it appeared (the complaint receipt) empties the queue.
                if not self.keys or self.app.keys_on_hold():
                    break
                await self.app.deliver_key(self.keys.popleft())
        except Exception as error:  # noqa: BLE001 - the app's own last resort
            self.app._handle_exception(error)
        finally:
            self._running = False
        if self.keys and not self.app.keys_on_hold():
            self.kick()

    async def _settle(self) -> None:
        """Wait until the app and the screen in front have processed what is queued on them,
        and the screen has laid out what that changed."""
        await self._settle_messages()
        # A key typed slowly finds the screen laid out: a list just shown (the referral an
        # outcome asks for) has its place, and the focus moves past it in screen order, not
        # before it. Textual lays out on its next frame (Screen._layout_required, pinned);
        # laying out can ask for more (a list's new size), hence the rounds.
        for _round in range(SETTLE_ROUNDS):
            screen = self.app._screen_or_none()
            if screen is None or not screen._layout_required or not screen.is_attached:
                return
            try:
                await asyncio.wait_for(screen.wait_for_refresh(), SETTLE_TIMEOUT)
            except TimeoutError:
                return
            await self._settle_messages()

    async def _settle_messages(self) -> None:
        app = self.app
        for round_number in range(SETTLE_ROUNDS):
            try:
                nodes = [app, *app.screen.walk_children(with_self=True)]
            except Exception:  # noqa: BLE001 - no screen yet, or the app is closing
                return
            if round_number and not any(_has_pending(node) for node in nodes):
                return
            pending = 0
            done = asyncio.Event()

            def tick() -> None:
                nonlocal pending
                pending -= 1
                if pending == 0:
                    done.set()

            for node in nodes:
                if node.call_later(tick):
                    pending += 1
            if not pending:
                return
            try:
                await asyncio.wait_for(done.wait(), SETTLE_TIMEOUT)
            except TimeoutError:
                return


def _has_pending(node) -> bool:
    return bool(node._message_queue.qsize() or node._next_callbacks)
