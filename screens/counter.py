"""The counter: the waiting line with live waits, the customer at the counter, today's numbers.

A common visit is n (call next), f (finish), a number for the service, a number
for the outcome, Enter, and Escape to skip the channel step: six keys, and they
can be typed as one burst (keys wait for the step before them, see typeahead.py).
Below 100 columns the panes stack, so the line keeps room for what it shows.
What it shows is read and worded in screens/counter_view.py; this module is the
keys and the steps they take (about 430 lines: one binding, one step each).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.counter_view import (
    LINE_COLUMNS,
    CounterView,
    Undoable,
    current_text,
    holds_at,
    last_text,
    line_rows,
    read_counter,
    status_text,
)
from cxdesk.screens.format import clock_time
from cxdesk.screens.widgets import KeyBar
from cxdesk.screens.widgets.in_place import update_in_place
from cxdesk.screens.widgets.line_table import LineTable
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Static

from cxdesk.store.catalogs import office_catalog
from cxdesk.vocab import VISIT_STATE_LABELS as STATE_LABELS
from cxdesk.vocab import VisitState

if TYPE_CHECKING:
    from cxdesk.domain.visits import LineEntry
    from cxdesk.screens.dialogs import Dialog
    from cxdesk.store.models import Visit

# How often the line is re-read when the database changed (other counters change it),
# and the waits re-drawn.
REFRESH_SECONDS = 10
# Narrower than this, the customer pane sits above the line instead of beside it.
NARROW = 100
# How long the database thread waits for the customer called to be painted before it reads
# the counter (see _called_shown_early): a frame or two.
EARLY_PAINT_WAIT_S = 0.05
# Layouts of a form drawn off screen, at most (a first layout asks for another).
OFF_SCREEN_LAYOUTS = 3


class CounterScreen(BaseScreen):
    """The clerk's home screen while signed in."""

    CSS_PATH = "counter.tcss"
    AUTO_FOCUS = "#line"
    BINDINGS = [
        Binding("n", "call_next", "Next", tooltip="Call the next customer: transfers and appointments due "
                "first, then first come.", id="call-next"),
        Binding("s", "start_serving", "Serve", tooltip="The called customer is at the counter: start serving.",
                id="start-serving"),
        Binding("f", "finish", "Finish", tooltip="Finish the visit: service, outcome, note, then channel choice.",
                id="finish"),
        Binding("i", "check_in", "Check in", tooltip="Put a customer in the waiting line.", id="check-in"),
        Binding("w", "walk_up", "Walk-up", tooltip="Log a customer served without queueing.", id="walk-up"),
        Binding("h", "hold", "Hold", tooltip="Put the customer at the counter on hold, back in the line.",
                id="hold"),
        Binding("t", "transfer", "Transfer", tooltip="Send the customer at the counter to the head of another "
                "station's line, or of the office line.", id="transfer"),
        Binding("x", "no_show", "No-show", tooltip="The called customer did not come (u undoes it for two "
                "minutes).", id="no-show"),
        Binding("u", "undo", "Undo", tooltip="Undo the last no-show or 'left' marked here (within two minutes).",
                id="undo"),
        # Less frequent keys stay out of the key bar; they are in the help screen and the palette.
        Binding("r", "recall", "Recall", tooltip="Call the customer highlighted in the line (out of order).",
                id="recall", show=False),
        Binding("l", "left_line", "Left", tooltip="The highlighted customer left before service (u undoes "
                "it for two minutes).", id="left-line", show=False),
        Binding("v", "offer_survey", "Survey",
                tooltip="Hand the customer the survey for the visit just finished here (F9 + your PIN "
                        "takes the screen back).", id="offer-survey"),
        Binding("k", "send_survey_to_kiosk", "Kiosk survey",
                tooltip="Send the survey for the visit just finished here to this station's kiosk.",
                id="send-survey-to-kiosk"),
        Binding("o", "survey_outcome", "Survey not given",
                tooltip="Record for the visit just finished here that the customer declined the survey, "
                        "or why it was not offered (A-11 counts customers offered the survey).",
                id="survey-outcome", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: CounterView | None = None
        self.undoable: Undoable | None = None
        self._asked_about_stranded: set[uuid.UUID] = set()
        # The line's rows as the table shows them, by visit id, in order (see _show_line).
        self._line_cells: dict[str, tuple] = {}
        self._line_columns: list = []
        # The dialogs of every visit, built once and shown again (see kept), and those built
        # ahead whose mount has not finished yet (see _build_ahead).
        self._kept: dict[str, str] = {}
        self._ahead: set[str] = set()
        # The ticket of the last customer checked in here (shown above the line).
        self._checked_in_last: str | None = None
        # Catalog labels as the line shows them (line_rows), and what each pane and the
        # key bar last showed: a refresh that changes nothing there leaves them alone.
        self._label_texts: dict = {}
        self._shown_texts: dict[str, object] = {}
        self._shown_keys: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="main"):
            with Vertical(id="counter-pane"):
                yield Static("At the counter", classes="pane-title")
                yield Static("", id="current")
                yield Static("Last finished here", classes="pane-title", id="last-title")
                yield Static("", id="last")
            with Vertical(id="line-pane"):
                yield Static("Waiting line", id="line-title", classes="pane-title")
                yield LineTable(id="line", cursor_type="row", zebra_stripes=True)
        yield Static("", id="today")
        yield KeyBar()

    def spoken_name(self) -> str:
        """Screen-reader mode: what is said when the counter comes up (screens/speech.py)."""
        current = self.query_one("#current", Static).render()
        return f"Counter. {getattr(current, 'plain', current)}".strip()

    def on_mount(self) -> None:
        table = self.query_one("#line", DataTable)
        self._line_columns = [table.add_column(label, width=width) for label, width in LINE_COLUMNS]
        self.services = office_catalog("services")
        self.segments = office_catalog("segments")
        self.refresh_view(first=True)
        self.set_interval(REFRESH_SECONDS, self.refresh_on_timer)

    def on_unmount(self) -> None:
        # Signed out (or quitting): the kept dialogs go with the counter that kept them.
        for name in [*self._kept.values(), *self._ahead]:
            self._drop_dialog(name)
        self._kept.clear()
        self._ahead.clear()

    def _drop_dialog(self, name: str) -> None:
        app = self.app
        if not app.is_screen_installed(name):  # Textual uninstalls them itself at exit
            return
        dialog = app.get_screen(name)
        if dialog in app.screen_stack:
            return
        app.uninstall_screen(name)
        dialog.remove()

    def kept(self, kind: type[Dialog], *args) -> Dialog:
        """A dialog of ``kind`` for ``args``, built once per sign-in and shown again.

        Building a form anew (compose, a style pass over each widget, four layouts) was most
        of the time from i or f to the form on screen (issue 16); a kept one is blanked by its
        ``prepare`` and shown. The walk-up's finish form asks more than a visit's: its own.
        """
        key = self._kept_key(kind, walk_up=args == (None,))
        name = self._kept.get(key)
        if name is None:
            name = self._kept[key] = f"{key}-{id(self)}"
            return self._install(kind(*args), name)
        dialog = self.app.get_screen(name)
        dialog.prepare(*args)
        return dialog

    @staticmethod
    def _kept_key(kind: type[Dialog], walk_up: bool = False) -> str:
        return f"{kind.__name__}-{'walk-up' if walk_up else 'visit'}"

    def _install(self, dialog: Dialog, name: str) -> Dialog:
        # Its save reads the counter in the same job and shows it as the dialog closes:
        # the dialog's callback has nothing left to read.
        dialog.then_read, dialog.then_show = self.then_read, self.show_read
        self.app.install_screen(dialog, name)
        return dialog

    def _build_ahead(self) -> None:
        """Build the dialogs of a visit off screen once the counter is up, one after the other.

        The first opening of a form composed it, styled each of its widgets, laid it out,
        drew it and waited a frame for the new screen's update timer: 60-95 ms at a shift's
        first i, f and Enter here, against 30 for every later one, and those three were the
        keys' p99 (issue 16). A key that comes first builds its own form as before; the one
        built ahead for it is then dropped. The off-screen steps reach into Textual 8.2.8
        (pinned): what push_screen does before a screen mounts, its first layout and paint."""
        self.run_worker(self._build_dialogs_ahead(), group="build-ahead", exclusive=True)

    async def _build_dialogs_ahead(self) -> None:
        from cxdesk.screens.visit_dialogs import (
            ChannelDialog,
            CheckInDialog,
            FinishDialog,
        )

        app = self.app
        blanks = ((CheckInDialog, CheckInDialog), (FinishDialog, lambda: FinishDialog(None, walk_up=False)),
                  (ChannelDialog, lambda: ChannelDialog(None)))
        for kind, blank in blanks:
            key = self._kept_key(kind)
            if key in self._kept or not self.is_attached:
                continue
            name = f"{key}-{id(self)}-ahead"
            dialog = self._install(blank(), name)
            self._ahead.add(name)
            app._load_screen_css(dialog)  # as push_screen does before a screen mounts
            _dialog, mounted = app._get_screen(name)  # starts it: compose and mount, off screen
            await mounted
            # Laid out at the terminal's size and drawn once, off screen: its first showing
            # then lays out and draws nothing new (a resize meanwhile lays it out again).
            # Its screen-update timer is started too: a timer's first tick waits a whole
            # frame (17 ms), which the first showing of every form paid.
            dialog.style_ahead()
            # Made ready as a kept form is between customers (_blank_kept_ahead): a new form
            # is not yet marked blank, and its key would blank it, laying it out again.
            dialog.ready_for(self.view.current if self.view is not None else None)
            await self._draw_off_screen(dialog)
            dialog._update_timer.resume()  # ticks once (off screen, nothing to do) and pauses
            self._ahead.discard(name)
            if key in self._kept or not self.is_attached:  # a key built its own meanwhile
                self._drop_dialog(name)
            else:
                self._kept[key] = name

    async def _draw_off_screen(self, dialog: Dialog) -> None:
        """``dialog``, not on screen, laid out at the terminal's size and drawn: its showing
        then draws only what changes meanwhile (Textual 8.2.8's screen internals, pinned)."""
        await dialog.wait_for_refresh()  # its widgets' changes have reached it
        for _round in range(OFF_SCREEN_LAYOUTS):
            if dialog in self.app.screen_stack or not dialog.is_attached:
                return
            dialog._layout_required = False  # the layout its changes asked for is this one
            dialog._refresh_layout(self.app.size)
            await dialog.wait_for_refresh()
            # A first layout sizes every widget, and a widget sized asks for a layout again
            # (its scrollable size): laid out until it asks no more, as frames on screen would.
            if not dialog._layout_required:
                break
        if dialog not in self.app.screen_stack and dialog.is_attached:
            dialog._compositor.render_update(full=True)

    def on_screen_resume(self) -> None:
        # A form closed: the kept ones are blanked for the next customer once the counter
        # has been drawn again.
        self.call_after_refresh(self._blank_kept_ahead)

    def _blank_kept_ahead(self) -> None:
        """The kept forms not on screen blanked, and the finish form filled in for the customer
        at the counter, off screen while the clerk talks.

        Blanking a form as its key showed it (a pick list's marks, the focus moved back to its
        first list, which restyles both lists) was a fifth of the time from i or f to the form
        (issue 16); a form blanked ahead is shown as it is. A key that comes first blanks its
        form itself, as before (``Dialog.reset`` does nothing to a form already blank)."""
        app = self.app
        if not self.is_active or app.signed_in is None:  # a form is up: after it
            return
        current = self.view.current if self.view is not None else None
        blanked = []
        for name in self._kept.values():
            dialog = app.get_screen(name) if app.is_screen_installed(name) else None
            if dialog is None or dialog in app.screen_stack:
                continue
            if dialog.ready_for(current):
                blanked.append(dialog)  # drawn again off screen

        async def draw() -> None:
            for dialog in blanked:
                await self._draw_off_screen(dialog)

        if blanked:
            self.run_worker(draw(), group="draw-ahead")

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            if self.view is not None:
                self._show(self.view)

    # --- reading -------------------------------------------------------------

    def reader(self, known: CounterView | None = None) -> Callable[[Any], tuple[CounterView, bool]]:
        """What the counter shows, read in a session on the database thread: (the view, True
        if it is ``known`` moved on to now without a read).

        The change marker is taken before the read: a commit during it changes the marker,
        and the next tick reads. ``known`` (the timer's tick): when nobody has committed
        since it was read, and ``holds_at`` says the clock alone changes nothing more (an
        appointment coming due does), it is not read again."""
        app = self.app
        office, who, store = app.office, app.signed_in, app.db

        def read(session) -> tuple[CounterView, bool]:
            now = app.now()
            marker = store.change_marker() if store is not None else None
            if (known is not None and marker is not None and marker == known.marker
                    and holds_at(known, now, office)):
                return replace(known, read_at=now), True
            return read_counter(session, office, who, now, marker), False

        return read

    def then_read(self, work: Callable[[Any], Any], first: Callable[[Any], None] | None = None
                  ) -> Callable[[Any], tuple[Any, CounterView | None]]:
        """``work``, then in the same database job what the counter shows after it.

        A step and the read after it as one job are shown in one repaint, not two (issue 16:
        key to screen). The step is saved before the read: a read that fails gives None, and
        the next refresh reads again and says why.

        ``first``: what comes after the step needs nothing of the read (the finish form's Enter
        brings the channel step; the channel step closes onto the counter drawn after the
        finish). ``first(result)`` is then run here as soon as the step is saved, and the read
        waits for what it shows to be painted (``_painted_before_the_read``); the counter shows
        the read a moment later.
        """
        read = self.reader()
        before_the_read = self._painted_before_the_read() if first is not None else None

        def job(session) -> tuple[Any, CounterView | None]:
            result = work(session)
            if before_the_read is not None:
                before_the_read(lambda: first(result))
            try:
                view, _clock_only = read(session)
            except Exception:  # noqa: BLE001 - the step is saved; refresh_view reports a failed read
                view = None
            return result, view

        return job

    def show_read(self, view: CounterView | None) -> None:
        """Show a view read just after a step (``then_read``), or read it now if there is none."""
        if view is None:
            self.refresh_view()
            return
        self._show(view)
        self._check_shift_and_window(view)

    def refresh_view(self, first: bool = False) -> None:
        """Read everything the counter shows again (after a step here, and on the timer
        when the database changed)."""
        self._read_and_show(first=first)

    def refresh_on_timer(self) -> None:
        """What the timer does. When nobody (here or at another counter) has committed
        since the last read, the waits and the clock move on from what was read, and the
        database is not read (Database.change_marker, see reader). Otherwise, and on
        PostgreSQL, a read."""
        self._read_and_show(known=self.view)

    def _read_and_show(self, first: bool = False, known: CounterView | None = None) -> None:
        app = self.app
        if app.signed_in is None or not self.is_attached:
            return

        def show(result: tuple[CounterView, bool]) -> None:
            view, clock_only = result
            if clock_only and self.view is not known:
                return  # a read asked for earlier came in meanwhile; the next tick moves its clock
            self._show(view)
            if first:
                app.settle_heap()
                app.screen_ready("counter")
                self.call_after_refresh(self._build_ahead)
                # Screen-reader mode: the counter's first sentence waited for what is at the counter.
                if self.is_current and app.spoken and app.spoken[-1] == "Counter.":
                    app.announce(self.spoken_name())
            self._check_shift_and_window(view)

        app.run_db(self.reader(known), show, description="read the line")

    def _show(self, view: CounterView) -> None:
        self.view = view
        app = self.app
        if app.signed_in is None:
            return
        current_id = view.current.id if view.current else None
        if current_id != app.current_visit_id and current_id is not None:
            # A customer called: the finish form filled in for them while they are served.
            self.call_after_refresh(self._blank_kept_ahead)
        app.current_visit_id = current_id
        zone = app.office.timezone
        table = self.query_one("#line", LineTable)
        keep = table.cursor_row
        self._show_line(table, list(line_rows(view, app.signed_in.station.id, zone, self.services, self.segments,
                                              self._label_texts)))
        if view.line and table.cursor_row != min(keep, len(view.line) - 1):
            table.move_cursor(row=min(keep, len(view.line) - 1))
        self._update("#line-title", self._line_title())
        self._update("#current", current_text(
            view.current, view.read_at, zone, self.services, self.segments, narrow=self.has_class("-narrow")))
        self._update("#last", last_text(view.last_finished, self.services))
        self._update("#today", status_text(view, zone))
        # The key bar hangs on these alone (check_action); redrawing it for nothing costs a repaint.
        keys = (view.current.id if view.current else None, view.current.state if view.current else None,
                bool(view.line), self.check_action("undo", ()))
        if keys != self._shown_keys:
            self._shown_keys = keys
            self.refresh_bindings()
        if not self.is_active:
            self.call_after_refresh(self._draw_under_the_form)

    def _draw_under_the_form(self) -> None:
        """The counter's panes drawn again behind the form in front, as they now are.

        Textual draws a screen's changed widgets only when it comes back to the front: the
        channel step's Escape drew the key bar, the counts, the line's scroll bar and the
        customer's pane again, 3-4 ms of that key (issue 16). Drawn here, once the read
        after a step has been shown under the form, the closing draws only what changes
        with the step itself. What reaches the screen is still the compositor's to say: this
        fills the widgets' own caches of drawn lines, as a paint would (Textual 8.2.8, pinned)."""
        if self.is_active or not self.is_attached:
            return
        try:
            for widget, (region, clip) in self._compositor.visible_widgets.items():
                shown = region.intersection(clip)
                if widget is not self and shown and widget.is_attached:
                    widget.render_lines(shown.translate(-region.offset))
        except Exception as exc:  # noqa: BLE001 - ahead of time only: the closing paint draws it all again
            self.app.report_unexpected(exc, "drawing the counter behind a form")

    def _update(self, selector: str, content) -> None:
        """Update a pane only if its text changed (a repaint), laid out again only if its height changes."""
        if self._shown_texts.get(selector) != content:
            self._shown_texts[selector] = content
            update_in_place(self.query_one(selector, Static), content)

    def _show_line(self, table: LineTable, rows: list[tuple[str, tuple]]) -> None:
        """Show the line's rows, changing only what changed.

        Rebuilding the table measures every cell of every row again: with 200 people
        waiting, the timer's refresh took most of a second of CPU (issue 16). Customers
        called or gone are removed, newcomers added at the end, and the cells that
        changed (mostly "Waited") updated in place, redrawing only their rows; any other
        change of order rebuilds.
        """
        shown: dict[str, tuple] = self._line_cells
        keys = [key for key, _cells in rows]
        wanted = set(keys)
        staying = [key for key in shown if key in wanted]
        added = [key for key in keys if key not in shown]
        if staying + added != keys:
            table.clear()
            shown.clear()
            staying, added = [], keys
        cells_of = dict(rows)
        for key in [key for key in shown if key not in cells_of]:
            table.remove_row(key)
            del shown[key]
        changes = []
        for key in staying:
            for column, old, new in zip(self._line_columns, shown[key], cells_of[key]):
                if old is not new and old != new:
                    changes.append((key, column, new))
            shown[key] = cells_of[key]
        table.update_cells(changes)
        for key in added:
            table.add_row(*cells_of[key], key=key)
            shown[key] = cells_of[key]

    def _check_shift_and_window(self, view: CounterView) -> None:
        """A shift taken over elsewhere goes back to sign-in; a customer left at this window
        by an earlier shift (a crash, say) is offered back to the clerk."""
        app = self.app
        if not view.shift_open:
            app.notify("Your shift at this station was taken over at another terminal.", severity="warning",
                       timeout=10)
            app.back_to_sign_in()
            return
        current = view.current
        if (current is None or current.shift_id == app.signed_in.shift.id
                or current.id in self._asked_about_stranded or not self.is_active):
            return
        self._asked_about_stranded.add(current.id)
        from cxdesk.domain.visits import ticket
        from cxdesk.screens.dialogs import ChoiceDialog

        since = clock_time(current.serving_at or current.called_at, app.office.timezone)
        answers = [("keep", "Carry on with them here"), ("line", "Back to the line (first in line)")]
        if current.state == VisitState.CALLED:
            answers.append(("no_show", "No-show"))
        app.push_screen(ChoiceDialog(
            f"{ticket(current)} was left at this window",
            f"{STATE_LABELS.get(current.state, current.state)} since {since}, from an earlier shift "
            "that did not close normally. What now?", answers), self._stranded_answer)

    def _stranded_answer(self, answer: str | None) -> None:
        app = self.app
        who = app.signed_in
        if answer is None or who is None:
            return
        if answer == "keep":
            def step(session, visit):
                from cxdesk.domain.visits import take_over

                take_over(session, visit, who)

            self._with_current(step, "{result} is yours now.", "take over the customer")
        elif answer == "line":
            self.send_back_to_line()
        elif answer == "no_show":
            self.action_no_show()

    # --- keys ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if view is None:
            return True
        current = view.current
        # Keys that cannot apply now are hidden from the key bar, not only greyed.
        if action == "call_next":
            return current is None
        if action in ("finish", "hold", "transfer"):
            return current is not None
        if action in ("start_serving", "no_show"):
            return current is not None and current.state == VisitState.CALLED
        if action == "recall":
            return bool(view.line) and current is None
        if action == "left_line":
            return bool(view.line)
        if action == "undo":
            from cxdesk.domain.visits import UNDO_WINDOW

            return self.undoable is not None and view.read_at - self.undoable.at <= UNDO_WINDOW
        return True

    def _do(self, work, message: str | None = None, after=None, description: str = "do that",
            shown: bool = False) -> None:
        """Run a domain step, say what happened, show the screen read after it.

        ``shown``: the panes themselves show what the step did (a call): the message is
        only said in screen-reader mode, not put up as a notification too. Each one is a
        widget mounted on every screen shown while it lasts, and a pause on a key
        (issue 16: they were most of the p99 of key to screen).
        """

        def done(outcome) -> None:
            result, view = outcome
            if message and shown:
                self.app.announce(message.format(result=result))
            elif message:
                self.notify(message.format(result=result), timeout=3)
            if after:
                after(result)
            self.show_read(view)

        self.app.run_db(self.then_read(work), done, description=description)

    def action_call_next(self) -> None:
        app = self.app
        who, office = app.signed_in, app.office

        show_called = self._called_shown_early()

        def call(session):
            from cxdesk.domain import visits

            called = visits.call_next(session, office, who, app.now())
            show_called(called)
            return visits.ticket(called)

        self._do(call, "Called {result} to " + who.station.name + ".", description="call the next customer",
                 shown=True)

    def _called_shown_early(self) -> Callable[[Visit], None]:
        """For the database thread: the customer just called, put in the "at the counter" pane
        as soon as the call is saved, before the read that follows it (then_read).

        The ticket called is what the clerk reads out; the line, the counts and the keys follow
        with the read, a few milliseconds later (issue 16: key to screen). Keys typed meanwhile
        wait for the read, as for every step.

        The database thread waits for that paint (at most ``EARLY_PAINT_WAIT_S``) before it
        reads: the read holds the interpreter, and the paint, handed the interpreter a
        millisecond at a time, came only after it."""
        app, zone, services, segments = self.app, self.app.office.timezone, self.services, self.segments
        narrow = self.has_class("-narrow")
        before_the_read = self._painted_before_the_read()

        def show(called: Visit) -> None:
            text = current_text(called, app.now(), zone, services, segments, narrow=narrow)
            before_the_read(lambda: self._show_early("#current", text))

        return show

    def _show_early(self, selector: str, content) -> bool:
        """``content`` in the pane ``selector`` ahead of the read; True if it is on screen to be
        painted (the counter in front)."""
        if not self.is_attached or self.app.signed_in is None:
            return False
        self._update(selector, content)
        return self.is_current

    def _painted_before_the_read(self) -> Callable[[Callable[[], bool | None]], None]:
        """For the database thread, between a step and the read after it: ``show()`` run on the
        app's thread, and the read held until what it showed is painted, at most
        ``EARLY_PAINT_WAIT_S`` (``show`` returns False when it showed nothing).

        The read holds the interpreter: a paint asked for meanwhile was handed it a
        millisecond at a time, and came only after the read."""
        loop = asyncio.get_running_loop()
        app = self.app

        def on_the_app(show: Callable[[], bool | None], painted: threading.Event) -> None:
            try:
                shown = show()
            except Exception as exc:  # noqa: BLE001 - the step is saved; the read goes on
                app.report_unexpected(exc, "showing the result of a step")
                shown = False
            screen = app._screen_or_none() if app.is_running else None
            if shown is False or screen is None:
                painted.set()  # nothing to paint: the read goes on at once
            else:
                screen.call_after_refresh(painted.set)

        def before_the_read(show: Callable[[], bool | None]) -> None:
            painted = threading.Event()
            try:
                loop.call_soon_threadsafe(on_the_app, show, painted)
            except RuntimeError:  # the app is closing: the step is saved, nothing left to show it on
                return
            painted.wait(EARLY_PAINT_WAIT_S)

        return before_the_read

    def _with_current(self, step, message: str, description: str, after=None) -> None:
        """A step on the customer at this counter, re-read on the database thread."""
        app = self.app
        office, station = app.office, app.signed_in.station

        def work(session):
            from cxdesk.domain import visits
            from cxdesk.errors import CxdeskError

            visit = visits.at_station(session, office, station)
            if visit is None:
                raise CxdeskError("Nobody is at the counter.")
            step(session, visit)
            return visits.ticket(visit)

        self._do(work, message, after=after, description=description)

    def action_start_serving(self) -> None:
        app = self.app
        who = app.signed_in

        def step(session, visit):
            from cxdesk.domain.visits import start_serving

            start_serving(session, visit, who, app.now())

        self._with_current(step, "Serving {result}.", "start serving")

    def action_hold(self) -> None:
        def step(session, visit):
            from cxdesk.domain.visits import hold

            hold(session, visit)

        self._with_current(step, "{result} is on hold, back in the line.", "put the customer on hold")

    def action_no_show(self) -> None:
        app = self.app
        marked: dict = {}

        def step(session, visit):
            from cxdesk.domain.visits import no_show

            no_show(session, visit, app.now())
            marked.update(id=visit.id, at=visit.finished_at)

        def remember(ticket: str) -> None:
            self.undoable = Undoable(marked["id"], ticket, "no-show", marked["at"])

        self._with_current(step, "{result} marked as no-show. u undoes it.", "mark the no-show", after=remember)

    def send_back_to_line(self) -> None:
        app = self.app

        def step(session, visit):
            from cxdesk.domain.visits import send_back_to_line

            send_back_to_line(session, visit, app.now())

        self._with_current(step, "{result} is back in the line, first in line.", "send the customer back")

    def _highlighted_entry(self) -> LineEntry | None:
        view = self.view
        table = self.query_one("#line", DataTable)
        if view is None or not view.line or table.cursor_row is None:
            return None
        row = table.cursor_row
        return view.line[row] if 0 <= row < len(view.line) else None

    def action_recall(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        app = self.app
        who, office = app.signed_in, app.office

        def call(session):
            from cxdesk.domain import visits

            return visits.ticket(visits.call_visit(session, office, who, entry.id, app.now()))

        self._do(call, "Called {result} to " + who.station.name + ".", description="call the customer",
                 shown=True)

    def action_left_line(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        app = self.app

        def left(session):
            from cxdesk.domain import visits

            visit = visits.left_line(session, visits.get_visit(session, entry.id), app.now())
            return visits.ticket(visit), visit.finished_at

        def remember(result) -> None:
            ticket, at = result
            self.undoable = Undoable(entry.id, ticket, "left", at)
            self.notify(f"{ticket} marked as left before service. u undoes it.", timeout=4)

        self._do(left, None, after=remember, description="mark the customer as left")

    def action_undo(self) -> None:
        undoable = self.undoable
        if undoable is None:
            return
        self.undoable = None
        app = self.app
        who = app.signed_in

        def undo(session):
            from cxdesk.domain.visits import undo_end

            undo_end(session, undoable.visit_id, who, app.now())
            return undoable.ticket

        back = "called again here" if undoable.what == "no-show" else "back in the line"
        self._do(undo, "Undone: {result} is " + back + ".", description="undo")

    def action_check_in(self) -> None:
        from cxdesk.screens.visit_dialogs import CheckInDialog

        self.app.push_screen(self.kept(CheckInDialog), self._checked_in)

    def _line_title(self) -> str:
        title = f"Waiting line ({len(self.view.line) if self.view else 0})"
        return f"{title} · last checked in: {self._checked_in_last}" if self._checked_in_last else title

    def _checked_in(self, ticket: str | None) -> None:
        if ticket:
            # The ticket to give the customer, kept above the line until the next check-in
            # (a notification was a widget mounted on every screen shown while it lasted:
            # see _do), and said in screen-reader mode.
            self._checked_in_last = ticket
            self._update("#line-title", self._line_title())
            self.app.announce(f"Checked in: ticket {ticket}.")

    def action_walk_up(self) -> None:
        from cxdesk.screens.visit_dialogs import FinishDialog

        self.app.push_screen(self.kept(FinishDialog, None), self._finished)

    def action_finish(self, then=None) -> None:
        from cxdesk.screens.visit_dialogs import FinishDialog

        view = self.view
        if view is None or view.current is None:
            self.notify("Nobody is at the counter.", severity="warning")
            return
        self.app.push_screen(self.kept(FinishDialog, view.current), lambda visit: self._finished(visit, then))

    def _finished(self, visit: Visit | None, then=None) -> None:
        from cxdesk.screens.visit_dialogs import ChannelDialog

        if visit is None:
            return

        def channels_done(result: Visit | None) -> None:
            # The form closes before the read after its step (DONE_BEFORE_THE_READ): the pane of
            # the visit last finished here is shown from the visit as saved, the rest with the read.
            last = self.view.last_finished if self.view is not None else None
            if result is not None and (last is None or last.id == result.id):
                self._show_early("#last", last_text(result, self.services))
            if then is not None:
                then()

        self.app.push_screen(self.kept(ChannelDialog, visit), channels_done)

    def action_transfer(self) -> None:
        from cxdesk.screens.visit_dialogs import TransferDialog

        if self.view is None or self.view.current is None:
            return
        self.app.push_screen(TransferDialog(), self._transfer_to)

    def _transfer_to(self, station_code: str | None) -> None:
        from cxdesk.screens.visit_dialogs import OFFICE_LINE

        if not station_code:
            return
        app = self.app
        office = app.office

        def step(session, visit):
            from cxdesk.domain.office import get_station
            from cxdesk.domain.visits import transfer

            target = None if station_code == OFFICE_LINE else get_station(session, office, station_code)
            transfer(session, visit, target, app.now())

        where = "the head of the office line" if station_code == OFFICE_LINE else f"station {station_code}"
        self._with_current(step, "{result} sent to " + where + ".", "transfer the customer")

    # --- customer survey (screens/survey.py) -------------------------------

    def action_offer_survey(self) -> None:
        from cxdesk.screens.survey_offer import offer_survey

        offer_survey(self, "handover")

    def action_send_survey_to_kiosk(self) -> None:
        from cxdesk.screens.survey_offer import offer_survey

        offer_survey(self, "kiosk")

    def action_survey_outcome(self) -> None:
        from cxdesk.screens.survey_offer import record_outcome

        record_outcome(self)

