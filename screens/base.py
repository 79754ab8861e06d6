"""The base of every cxdesk terminal app (counter, kiosk, lobby board).

What they share: the injected clock, the one database thread, themes, the error
log, the type-ahead queue and the terminal driver. A screen calls
``app.run_db(work, on_done, on_error=..., description=...)``: the work runs on
the database thread, and exactly one of ``on_done`` / ``on_error`` is called
back here, for every outcome. A failure of any type ends the caller's busy
state and says what happened.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cxdesk.screens.heap import QuietCollector
from cxdesk.screens.themes import register_themes
from cxdesk.screens.typeahead import TypeAhead
from textual import events
from textual.app import App, SystemCommand
from textual.geometry import Offset
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from cxdesk.clock import Clock, utcnow
from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from textual.geometry import Region
    from textual.strip import Strip
    from textual.widget import Widget

    from cxdesk.store.db import Database
    from cxdesk.store.models import Office

# The stylesheets live beside the screen modules. Paths are absolute (and resolved, so a
# stylesheet is one source whether found through the link cxdesk/screens or not) because
# Textual reads a CSS_PATH relative to the module of each subclass.
STYLES = Path(__file__).resolve().parent


def stylesheet(name: str) -> str:
    return str(STYLES / name)


T = TypeVar("T")
ResultType = TypeVar("ResultType")

# Actions a customer holding the keyboard may still trigger (none of them staff's).
CUSTOMER_SAFE_ACTIONS = frozenset({"focus_next", "focus_previous"})
# How long a thread holds the interpreter while another waits for it (CPython: 5 ms).
SWITCH_INTERVAL_S = 0.001
# Below this many rows the stylesheets use their compact rules (".-short").
SHORT_ROWS = 30
# Screen-reader mode for every cxdesk app of this terminal's account (see screens/speech.py).
SCREEN_READER_ENV = "CXDESK_SCREEN_READER"


def screen_reader_wanted(flag: bool = False) -> bool:
    """The --screen-reader flag, or CXDESK_SCREEN_READER=1 (a setting kept with the user's account)."""
    return flag or os.environ.get(SCREEN_READER_ENV, "").strip().lower() in ("1", "yes", "on", "true")


class UnexpectedError(CxdeskError):
    """A failure that is not the domain's own (a locked database, a bug): logged, then
    described in a sentence for the clerk. ``original`` is what was raised."""

    def __init__(self, message: str, original: BaseException) -> None:
        super().__init__(message)
        self.original = original


class BaseApp(App):
    """Clock, store, themes, error log, type-ahead: what every cxdesk app stands on."""

    TITLE = "cxdesk"
    CUSTOMER_SAFE_ACTIONS = CUSTOMER_SAFE_ACTIONS

    def __init__(self, db_url: str, *, clock: Clock = utcnow, theme_name: str | None = None,
                 screen_reader: bool = False) -> None:
        super().__init__()
        self.screen_reader = screen_reader_wanted(screen_reader)
        # Every sentence said in screen-reader mode, in order (the status line shows the last).
        self.spoken: list[str] = []
        self._spoken_fresh = False
        self.db_url = db_url
        self.clock = clock
        self.db: Database | None = None
        self._opened_db = False  # True once this app opened self.db (then it closes it too)
        self._office: Office | None = None
        self._theme_name = theme_name
        # One thread for all database work, so steps are applied in the order they were asked for.
        self._db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxdesk-db")
        self.type_ahead = TypeAhead(self)
        self.heap = QuietCollector()
        self._heap_timer = None
        register_themes(self)

    @property
    def office(self) -> Office | None:
        return self._office

    @office.setter
    def office(self, office: Office | None) -> None:
        # Which keys apply depends on whether an office is open (the palette, for
        # one): the key bar must not show what it showed before the store opened.
        self._office = office
        if self.is_running:
            self.refresh_bindings()

    def settle_heap(self) -> None:
        """The counter is up: full garbage-collection passes from now on only when the clerk
        pauses (screens/heap.py). Not in headless runs: tests run hundreds of apps in one
        process, where frozen objects would never be collected."""
        if self.is_headless:
            return
        self.heap.start()
        if self._heap_timer is None:
            self._heap_timer = self.set_interval(1.0, self.heap.tick, name="quiet collector")

    # --- lifecycle ----------------------------------------------------------------

    def on_mount(self) -> None:
        if self._theme_name:
            if self._theme_name not in self.available_themes:
                self.notify(f"Unknown theme {self._theme_name!r}; using the default.", severity="warning")
            else:
                self.theme = self._theme_name
        self.set_class(self.size.height < SHORT_ROWS, "-short")
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self.screen_reader:
            self._screen_reader_on()
        self.start()

    def start(self) -> None:
        """The first screen of this app (sign-in, the kiosk's welcome...)."""
        raise NotImplementedError

    def on_resize(self, event: events.Resize) -> None:
        # Short terminals (80x24): stylesheets drop padding under ".-short".
        self.set_class(event.size.height < SHORT_ROWS, "-short")

    def now(self):
        """The clock, read when a step is saved (never kept from when a dialog opened)."""
        return self.clock()

    async def on_unmount(self) -> None:
        if self.db is not None and getattr(self, "_opened_db", False):
            # After the steps already asked for; a clean close spares the next start the
            # database's full quick check today (store.db.needs_quick_check).
            self._db_executor.submit(self.db.dispose)
        self._db_executor.shutdown(wait=False, cancel_futures=False)

    def get_driver_class(self):
        from textual.drivers.linux_driver import LinuxDriver

        driver_class = super().get_driver_class()
        if driver_class is LinuxDriver:
            from cxdesk.screens.terminal import TolerantLinuxDriver

            return TolerantLinuxDriver
        return driver_class

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if getattr(self.screen, "CUSTOMER_FACING", False) and action not in self.CUSTOMER_SAFE_ACTIONS:
            return False
        return True

    # --- the database thread ----------------------------------------------------------

    # Only the counter app's first run makes a new database (it then shows the setup);
    # a kiosk or a lobby board on a mistyped path must say so, not create one.
    CREATES_DATABASE = False

    async def open_store(self, read: Callable[[Any], T]) -> T:
        """Open the database (upgrading it, and creating it if this app may) on the
        database thread, then ``read(session)`` there. Raises what opening raises;
        ``self.db`` is set on success."""

        def open_and_read():
            from cxdesk.store.db import open_database

            database = self.db or open_database(self.db_url, create=self.CREATES_DATABASE)
            try:
                with database.session() as session:
                    found = read(session)
            except BaseException:
                if database is not self.db:
                    database.dispose()
                raise
            # Set here, on the database thread: a step queued behind the open (a sign-in
            # typed while it was on its way) runs next and must find the database.
            self._opened_db = self._opened_db or database is not self.db
            self.db = database
            return found

        found = await self.run_in_db_thread(open_and_read)
        self._take_quick_turns()
        return found

    def _take_quick_turns(self) -> None:
        """From the store's opening on, threads take 1 ms turns at the interpreter.

        Threads hand work to each other on every key: the terminal's reader, this one, the
        database's, Textual's writer. A thread that is ready waits until the running one lets
        go of the interpreter, after 5 ms by default; 1 ms shortens those waits (issue 16:
        measured in the pty harness, within that machine's spread). Not before the opening (the start-up loads the database layer on its
        thread while the first screen paints: no hand-offs to hurry there), and not in
        headless runs (tests share one process)."""
        if not self.is_headless:
            sys.setswitchinterval(SWITCH_INTERVAL_S)

    def run_db(
        self,
        work: Callable[[Any], T],
        on_done: Callable[[T], None] | None = None,
        *,
        on_error: Callable[[CxdeskError], None] | None = None,
        description: str = "do that",
    ) -> Worker:
        """Run ``work(session)`` on the database thread; then ``on_done(result)`` here, or
        ``on_error(error)`` for every failure.

        ``on_error`` always gets a CxdeskError: the domain's own (its message is for the
        clerk), or an :class:`UnexpectedError` for anything else (the original is logged
        and kept on ``.original``). Without ``on_error`` the screen shows a notification.
        While the step is on its way the screen that asked for it holds the keys typed
        ahead; they are applied once the result (or the failure) is in.
        ``description`` completes "Could not ...".
        """
        holder = self._screen_or_none()
        _hold_keys(holder, +1)

        async def runner() -> None:
            loop = asyncio.get_running_loop()
            try:
                try:
                    result = await loop.run_in_executor(self._db_executor, self._in_session, work)
                except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
                    failure = self.as_failure(exc, description)
                    if on_error is not None:
                        on_error(failure)
                    else:
                        self.notify(str(failure), title="Not done", severity="error",
                                    timeout=15 if isinstance(failure, UnexpectedError) else 8)
                    return
                if on_done is not None:
                    on_done(result)
            except Exception as exc:  # noqa: BLE001 - a fault in the screen's own callback
                self.report_unexpected(exc, f"showing the result of: {description}")
            finally:
                _hold_keys(holder, -1)
                self.type_ahead.kick()

        return self.run_worker(runner(), group="db", description=description, exit_on_error=False)

    def _in_session(self, work: Callable[[Any], T]) -> T:
        if self.db is None:
            raise CxdeskError("The database is still opening; try again in a moment.")
        with self.db.session() as session:
            return work(session)

    async def db_call(self, work: Callable[[Any], T]) -> T:
        """Await ``work(session)`` on the database thread (for code that needs the result)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_executor, self._in_session, work)

    async def run_in_db_thread(self, func: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db_executor, func)

    # --- customer-facing apps ------------------------------------------------------------

    def close_after_staff_pin(self, title: str, hint: str, close: Callable[[], None]) -> None:
        """A kiosk or lobby board closes only after a staff code and PIN (before an office
        is open there is nobody to ask and nothing to protect)."""
        from cxdesk.screens.dialogs.pin import StaffPinDialog

        if self.office is None:
            self.exit()
            return
        if isinstance(self.screen, StaffPinDialog):
            return
        self.push_screen(StaffPinDialog(title, hint), lambda unlocked: close() if unlocked else None)

    # --- failures -------------------------------------------------------------------------

    def as_failure(self, exc: BaseException, description: str) -> CxdeskError:
        """A CxdeskError as it is; anything else logged and described as unexpected."""
        if isinstance(exc, CxdeskError):
            return exc
        from cxdesk.logs import DISK_ERROR, is_disk_error, is_disk_full, log_unexpected

        path = log_unexpected(exc, description)
        where = f" Details were written to {path}." if path else " Details could not be written to the log either."
        if is_disk_full(exc):
            # Said in words a clerk can act on; the log line may not have been written.
            return UnexpectedError(f"Could not {description}: the disk is full. Free some space on it "
                                   f"(or ask whoever looks after this computer), then try again.{where}", exc)
        if is_disk_error(exc):
            return UnexpectedError(f"Could not {description}: {DISK_ERROR}{where}", exc)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {detail[:100]}" if detail else type(exc).__name__
        return UnexpectedError(f"Could not {description}: an unexpected error ({detail}).{where}", exc)

    def report_unexpected(self, exc: BaseException, context: str) -> None:
        self.notify(str(self.as_failure(exc, context)), title="Unexpected error", severity="error", timeout=15)

    def _handle_exception(self, error: Exception) -> None:
        # Last resort: an error outside run_db still gets logged before Textual exits.
        try:
            from cxdesk.logs import log_unexpected

            log_unexpected(error, "unhandled")
        finally:
            super()._handle_exception(error)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        # Notifications carry names, tickets and database messages: text, never markup
        # (a "[/]" in a staff name must not crash the screen or style it).
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)
        # Screen-reader mode says every result and error on the status line too.
        self.announce(f"{title}: {message}" if title and severity == "error" else message)

    # --- keys typed ahead ------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.heap.input()
            # Every key from the terminal waits its turn (see screens/typeahead.py); with
            # nothing to wait for, its turn is now (handing it to the queue's task and letting
            # every node settle first cost 4-5 ms a key).
            if self.type_ahead.idle():
                await self.type_ahead.deliver_now(event)
            else:
                self.type_ahead.receive(event)
            return
        await super().on_event(event)

    async def deliver_key(self, event: events.Key) -> None:
        """Handle a typed key now, as Textual would have on arrival."""
        # A key moves the reader on: the cursor goes back to what has focus, unless
        # the key itself brings a new sentence.
        self._spoken_fresh = False
        await super().on_event(event)
        if self.screen_reader:
            self.call_after_refresh(self.place_cursor)

    # --- screen-reader mode (screens/speech.py) ----------------------------------------------

    def _screen_reader_on(self) -> None:
        self.animation_level = "none"
        self.add_class("-screen-reader")
        if self._screen_or_none() is not None:
            self._screen_changed(self.screen)

    def action_toggle_screen_reader(self) -> None:
        self.screen_reader = not self.screen_reader
        if self.screen_reader:
            self._screen_reader_on()
            self.announce("Screen-reader mode on.")
        else:
            self.animation_level = "full"
            self.remove_class("-screen-reader")
            for screen in self.screen_stack:
                for line in screen.query("#spoken-line"):
                    line.remove()
            self._show_terminal_cursor(False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not getattr(screen, "CUSTOMER_FACING", False):
            yield SystemCommand("Screen-reader mode",
                                "Turn screen-reader mode on or off: the terminal cursor on what has focus, "
                                "and every change said on the top line.", self.action_toggle_screen_reader)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A focus that moves after the key's own refresh (Enter handled by a message): follow it.
        if self.screen_reader:
            self.call_after_refresh(self.place_cursor)

    def _screen_changed(self, screen: Screen) -> None:
        if not self.screen_reader:
            return
        from cxdesk.screens.speech import SpokenLine, screen_sentence

        if not screen.query("#spoken-line"):
            screen.mount(SpokenLine())

        def say() -> None:
            if self._screen_or_none() is screen:
                self.announce(screen_sentence(screen), customer=True)

        # Once the screen has its content (and its focus), say what it is.
        screen.call_after_refresh(say)

    def announce(self, sentence: str, *, customer: bool = False) -> None:
        """Say ``sentence`` on the status line and put the cursor there (screen-reader mode).

        On a customer's screen only what is meant for the customer is said
        (``customer=True``): staff messages never show up there.
        """
        if not self.screen_reader:
            return
        screen = self._screen_or_none()
        if screen is None:
            return
        if getattr(screen, "CUSTOMER_FACING", False) and not customer:
            return
        sentence = " ".join(str(sentence).split())
        self.spoken.append(sentence)
        self._spoken_fresh = True
        from cxdesk.screens.speech import SpokenLine

        lines = screen.query(SpokenLine)
        if lines:
            lines.first().update(sentence)
        else:
            screen.mount(SpokenLine(sentence))
        screen.call_after_refresh(self.place_cursor)

    def cursor_target(self) -> Offset | None:
        """Where the terminal cursor belongs now: the status line after a new sentence,
        else the focused item (None when there is neither)."""
        from cxdesk.screens.speech import SPOKEN_ROW, focus_point

        screen = self._screen_or_none()
        if screen is None:
            return None
        if self._spoken_fresh and screen.query("#spoken-line"):
            return Offset(0, SPOKEN_ROW)
        return focus_point(screen)

    def place_cursor(self) -> None:
        """Move the terminal's own cursor to :meth:`cursor_target` and show it."""
        if not self.screen_reader:
            return
        target = self.cursor_target()
        if target is None:
            return
        self.cursor_position = target
        self._show_terminal_cursor(True, target)

    def _show_terminal_cursor(self, show: bool, at: Offset | None = None) -> None:
        # Textual hides the cursor and moves it only when it repaints: say it directly.
        driver = self._driver
        if driver is None or self.is_headless:
            return
        move = f"\x1b[{at.y + 1};{at.x + 1}H" if at is not None else ""
        driver.write(move + ("\x1b[?25h" if show else "\x1b[?25l"))
        driver.flush()

    def keys_on_hold(self) -> bool:
        """True while the screen in front is not ready for the next typed key."""
        try:
            screen = self.screen
        except Exception:  # noqa: BLE001 - no screen yet: Textual handles the key
            return False
        return getattr(screen, "_cxdesk_steps", 0) > 0 or bool(getattr(screen, "holds_keys", False))

    def _screen_or_none(self) -> Screen | None:
        try:
            return self.screen
        except Exception:  # noqa: BLE001
            return None

    # --- the palette's screenshot ------------------------------------------------------------

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Save into the user data folder (created if missing) and say where."""
        from cxdesk.config import data_dir

        folder = Path(path) if path else data_dir() / "screenshots"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            saved = self.save_screenshot(filename, str(folder), time_format)
        except OSError as exc:
            self.notify(f"The screenshot was not saved: {exc.strerror or exc} ({folder}).",
                        title="Screenshot", severity="error")
            return None
        self.notify(f"Screenshot saved to {saved}", title="Screenshot", markup=False)
        return saved


def _hold_keys(screen: Screen | None, change: int) -> None:
    if screen is not None:
        screen._cxdesk_steps = getattr(screen, "_cxdesk_steps", 0) + change


class ReadyForKeys:
    """For a cxdesk screen: typed-ahead keys wait until it is shown with its focus set.

    A screen that loads what it shows can also say it is not ready yet with
    ``holds_keys`` (steps it started through ``run_db`` hold keys by themselves).
    """

    _keys_ready = False

    @property
    def holds_keys(self) -> bool:
        return not self._keys_ready

    def _on_screen_resume(self) -> None:
        # After the refresh that follows the resume, Textual has set the focus.
        self.call_after_refresh(self._ready_for_keys)

    def _ready_for_keys(self) -> None:
        self._keys_ready = True
        self.app.type_ahead.kick()


# Textual repaints the whole screen when its focus moves (``Screen.focused`` repaints). The
# widgets that gain and lose the focus restyle and repaint themselves, and the key bar
# follows ``bindings_updated_signal``: a full repaint on every key of a form (a number key
# picks and moves on) was a third of that key's time. Only the two widgets repaint now.


class BaseScreen(ReadyForKeys, Screen[ResultType]):
    """A full cxdesk screen."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    # The screen's own lines (its background, under its widgets) and what they were drawn under.
    _own_lines: tuple[tuple, list[Strip]] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """The screen's own lines, drawn again only when what they show can have changed.

        Textual repaints a screen whole each time it comes back to the front: every form
        closed drew the counter's blank background again, line by line (1.3-3 ms of each
        form's closing here; issue 16). An opaque screen's own lines are its background
        colour at its size (a border, its titles or a hatch with it), under the theme and the
        app's line filters (high contrast)."""
        styles = self.styles
        if styles.background.a < 1:  # translucent: it shows the screen under it, which changes
            return super().render_lines(crop)
        app = self.app
        under = (crop, self.size, self.background_colors, styles.color, app.theme, tuple(self.get_line_filters()),
                 app.ansi_color, styles.tint, styles.border, styles.hatch, self._border_title,
                 self._border_subtitle)
        kept = self._own_lines
        if kept is None or kept[0] != under:
            kept = self._own_lines = (under, super().render_lines(crop))
        return kept[1]


class BaseModal(ReadyForKeys, ModalScreen[ResultType]):
    """A cxdesk dialog or overlay."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    # The theme, the app's classes (".-short", the theme's own) and the size its styles were
    # last worked out under.
    _styled_under: tuple | None = None

    def _styling(self) -> tuple:
        app = self.app
        return app.theme, frozenset(app.classes), app.size

    def style_ahead(self) -> None:
        """Work out every style now, off screen (a dialog built ahead, ``CounterScreen``):
        its first showing then keeps them, as a dialog shown again does."""
        self.update_node_styles(animate=False)
        self._styled_under = self._styling()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual works out every style of a screen again each time it is pushed, about a
        fifth of opening a form. A dialog shown again (``CounterScreen.kept``) under the same
        theme, app classes and size would come out the same, so it keeps its styles: its own
        changes meanwhile (a blanked list, the focus moved) restyled what they touched then."""
        under = self._styling()
        if under == self._styled_under:
            event.refresh_styles = False
        self._styled_under = under
