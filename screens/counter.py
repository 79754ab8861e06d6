"""The counter: the waiting line with live waits, the customer at the counter, today's numbers.

A common visit is n (call next), f (finish), a number for the service, a number
for the outcome, Enter, and Escape to skip the channel step: six keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cxdesk.screens.format import LONG_WAIT, clock_time, minutes, wait_text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cxdesk.store.catalogs import office_catalog

if TYPE_CHECKING:
    from cxdesk.domain.visits import LineEntry
    from cxdesk.reports.counter import DayCounts
    from cxdesk.store.models import Visit

STATE_LABELS = {
    "waiting": "… WAITING",
    "on_hold": "⏸ ON HOLD",
    "called": "☎ CALLED",
    "serving": "▶ SERVING",
    "done": "✔ DONE",
    "no_show": "✖ NO-SHOW",
    "left": "↩ LEFT",
}
# How often the line is re-read (other counters change it) and waits re-drawn.
REFRESH_SECONDS = 10


@dataclass(frozen=True)
class CounterView:
    """Everything the counter screen shows, read in one go on the database thread."""

    line: list[LineEntry]
    current: Visit | None
    last_finished: Visit | None
    counts: DayCounts
    read_at: datetime
    # ⚠ LONG from the waiting-time standard in force today (EO 12862 1(c)).
    long_wait: timedelta = LONG_WAIT


class CounterScreen(Screen):
    """The clerk's home screen while signed in."""

    CSS_PATH = "counter.tcss"
    AUTO_FOCUS = "#line"
    BINDINGS = [
        Binding("n", "call_next", "Next", tooltip="Call the next customer: appointments due first, then first come.",
                id="call-next"),
        Binding("s", "start_serving", "Serve", tooltip="The called customer is at the counter: start serving.",
                id="start-serving"),
        Binding("f", "finish", "Finish", tooltip="Finish the visit: service, outcome, note, then channel choice.",
                id="finish"),
        Binding("i", "check_in", "Check in", tooltip="Put a customer in the waiting line.", id="check-in"),
        Binding("w", "walk_up", "Walk-up", tooltip="Log a customer served without queueing.", id="walk-up"),
        Binding("h", "hold", "Hold", tooltip="Put the customer at the counter on hold, back in the line.",
                id="hold"),
        Binding("t", "transfer", "Transfer", tooltip="Send the customer at the counter to another station.",
                id="transfer"),
        Binding("x", "no_show", "No-show", tooltip="The called customer did not come.", id="no-show"),
        # Less frequent keys stay out of the footer (which has room for one line);
        # they are in the help screen and the command palette.
        Binding("r", "recall", "Recall", tooltip="Call the customer highlighted in the line (out of order).",
                id="recall", show=False),
        Binding("l", "left_line", "Left", tooltip="The highlighted customer left before service.",
                id="left-line", show=False),
        Binding("v", "offer_survey", "Survey",
                tooltip="Hand the customer the survey for the visit just finished here (F9 + your PIN "
                        "takes the screen back early).", id="offer-survey"),
        Binding("k", "send_survey_to_kiosk", "Kiosk survey",
                tooltip="Send the survey for the visit just finished here to this station's kiosk.",
                id="send-survey-to-kiosk"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="main"):
            with Vertical(id="counter-pane"):
                yield Static("At the counter", classes="pane-title")
                yield Static("", id="current")
                yield Static("Last finished here", classes="pane-title")
                yield Static("", id="last")
            with Vertical(id="line-pane"):
                yield Static("Waiting line", id="line-title", classes="pane-title")
                yield DataTable(id="line", cursor_type="row", zebra_stripes=True)
        yield Static("", id="today")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#line", DataTable)
        table.add_columns("#", "Ticket", "Waited", "Service wanted", "Segment", "Lang", "Status")
        self.view: CounterView | None = None
        self.services = office_catalog("services")
        self.segments = office_catalog("segments")
        self.refresh_view(first=True)
        self.set_interval(REFRESH_SECONDS, self.refresh_view)

    # --- reading -------------------------------------------------------------

    def refresh_view(self, first: bool = False) -> None:
        app = self.app
        if app.signed_in is None:
            return
        office, station = app.office, app.signed_in.station
        now = app.now()

        def read(session) -> CounterView:
            from cxdesk.domain import visits
            from cxdesk.reports import counter
            from cxdesk.reports.standards import long_wait_minutes

            recent = counter.recent_finished(session, office, station, now, limit=1)
            return CounterView(
                line=visits.waiting_line(session, office, now),
                current=visits.at_station(session, office, station),
                last_finished=recent[0] if recent else None,
                counts=counter.day_counts(session, office, now),
                read_at=now,
                long_wait=timedelta(minutes=long_wait_minutes(session, office, office.local_day(now))),
            )

        def show(view: CounterView) -> None:
            self._show(view)
            if first:
                app.screen_ready("counter")

        app.run_db(read, show, description="read the line")

    def _show(self, view: CounterView) -> None:
        self.view = view
        self.app.current_visit_id = view.current.id if view.current else None
        now = self.app.now()
        self._show_line(view.line, now)
        self._show_current(view.current, now)
        self._show_last(view.last_finished)
        counts = view.counts
        average = minutes(counts.average_wait_seconds) if counts.average_wait_seconds is not None else "–"
        longest = (wait_text(timedelta(seconds=counts.longest_wait_seconds), view.long_wait)
                   if counts.longest_wait_seconds is not None else "–")
        self.query_one("#today", Static).update(
            f"Today: waiting {counts.waiting} · served {counts.served} · no-shows {counts.no_shows}"
            f" · left {counts.left} · average wait {average} · longest {longest}"
            f" · standard {minutes(view.long_wait.total_seconds())}"
            f"    (updated {clock_time(view.read_at, self.app.office.timezone)})"
        )
        self.refresh_bindings()

    def _show_line(self, line: list[LineEntry], now: datetime) -> None:
        table = self.query_one("#line", DataTable)
        keep = table.cursor_row
        table.clear()
        zone = self.app.office.timezone
        for position, entry in enumerate(line, start=1):
            if entry.appointment_at is not None:
                status = f"appt {clock_time(entry.appointment_at, zone)}"
            else:
                status = "walk-in"
            if entry.state == "on_hold":
                status = STATE_LABELS["on_hold"] + " · " + status
            table.add_row(
                str(position), entry.ticket, wait_text(entry.waited(now), self.view.long_wait),
                self._label(self.services, entry.service_wanted),
                self._label(self.segments, entry.segment), entry.language.upper(), status,
                key=str(entry.id),
            )
        if line:
            table.move_cursor(row=min(keep, len(line) - 1))
        self.query_one("#line-title", Static).update(f"Waiting line ({len(line)})")

    def _show_current(self, visit: Visit | None, now: datetime) -> None:
        from cxdesk.domain.visits import ticket

        widget = self.query_one("#current", Static)
        if visit is None:
            widget.update("Nobody at the counter.\n\nPress n to call the next customer,\nor w to log a walk-up visit.")
            return
        zone = self.app.office.timezone
        since = visit.serving_at or visit.called_at
        lines = [
            f"{ticket(visit)}   {STATE_LABELS.get(visit.state, visit.state)} since {clock_time(since, zone)}"
            f" ({wait_text(now - since, self.view.long_wait)})",
            f"Wants: {self._label(self.services, visit.service_wanted)}",
            f"Segment: {self._label(self.segments, visit.segment)}",
            f"Language: {'Spanish (ES)' if visit.language == 'es' else 'English (EN)'}",
            f"Waited: {minutes(visit.wait_seconds or 0)}",
        ]
        if visit.appointment_at is not None:
            lines.append(f"Appointment: {clock_time(visit.appointment_at, zone)}")
        if visit.hold_count:
            lines.append(f"Held {visit.hold_count}×")
        widget.update("\n".join(lines))

    def _show_last(self, visit: Visit | None) -> None:
        from cxdesk.domain.visits import ticket

        widget = self.query_one("#last", Static)
        if visit is None:
            widget.update("–")
            return
        if visit.state == "no_show":
            widget.update(f"{ticket(visit)}  {STATE_LABELS['no_show']}")
            return
        channel = {"done": "channels recorded", "skipped": "channel step skipped"}.get(
            visit.channel_step or "", "channel step open")
        widget.update(
            f"{ticket(visit)}  {STATE_LABELS['done']}  {self._label(self.services, visit.service or '')}"
            f"\nOutcome: {visit.outcome} · {channel}"
        )

    @staticmethod
    def _label(catalog, code: str) -> str:
        return catalog.get(code).label() if code in catalog else code

    # --- keys ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = getattr(self, "view", None)
        if view is None:
            return True
        current = view.current
        # Keys that cannot apply now are hidden from the footer, not only greyed.
        if action == "call_next":
            return current is None
        if action in ("finish", "hold", "transfer"):
            return current is not None
        if action in ("start_serving", "no_show"):
            return current is not None and current.state == "called"
        if action == "recall":
            return bool(view.line) and current is None
        if action == "left_line":
            return bool(view.line)
        return True

    def _do(self, work, message: str | None = None, after=None, description: str = "counter") -> None:
        """Run a domain step, say what happened, re-read the screen."""

        def done(result) -> None:
            if message:
                self.notify(message.format(result=result), timeout=3)
            if after:
                after(result)
            self.refresh_view()

        self.app.run_db(work, done, description=description)

    def action_call_next(self) -> None:
        app = self.app
        who, office, now = app.signed_in, app.office, app.now()

        def call(session):
            from cxdesk.domain import visits

            visit = visits.call_next(session, office, who, now)
            return visits.ticket(visit)

        self._do(call, "Called {result} to " + who.station.name + ".", description="call next")

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
        who, now = app.signed_in, app.now()

        def step(session, visit):
            from cxdesk.domain.visits import start_serving

            start_serving(session, visit, who, now)

        self._with_current(step, "Serving {result}.", "start serving")

    def action_hold(self) -> None:
        def step(session, visit):
            from cxdesk.domain.visits import hold

            hold(session, visit)

        self._with_current(step, "{result} is on hold, back in the line.", "hold")

    def action_no_show(self) -> None:
        now = self.app.now()

        def step(session, visit):
            from cxdesk.domain.visits import no_show

            no_show(session, visit, now)

        self._with_current(step, "{result} marked as no-show.", "no-show")

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
        who, office, now = app.signed_in, app.office, app.now()

        def call(session):
            from cxdesk.domain import visits

            return visits.ticket(visits.call_visit(session, office, who, entry.id, now))

        self._do(call, "Called {result} to " + who.station.name + ".", description="recall")

    def action_left_line(self) -> None:
        entry = self._highlighted_entry()
        if entry is None:
            return
        now = self.app.now()

        def left(session):
            from cxdesk.domain import visits

            return visits.ticket(visits.left_line(session, visits.get_visit(session, entry.id), now))

        self._do(left, "{result} left before service.", description="left line")

    def action_check_in(self) -> None:
        from cxdesk.screens.dialogs import CheckInDialog

        self.app.push_screen(CheckInDialog(), self._checked_in)

    def _checked_in(self, ticket: str | None) -> None:
        if ticket:
            self.notify(f"Checked in: ticket {ticket}.", timeout=3)
            self.refresh_view()

    def action_walk_up(self) -> None:
        from cxdesk.screens.dialogs import FinishDialog

        self.app.push_screen(FinishDialog(visit=None), self._finished)

    def action_finish(self) -> None:
        from cxdesk.screens.dialogs import FinishDialog

        view = self.view
        if view is None or view.current is None:
            self.notify("Nobody is at the counter.", severity="warning")
            return
        self.app.push_screen(FinishDialog(visit=view.current), self._finished)

    def _finished(self, visit: Visit | None) -> None:
        from cxdesk.screens.dialogs import ChannelDialog

        self.refresh_view()
        if visit is not None:
            self.app.push_screen(ChannelDialog(visit), lambda _: self.refresh_view())

    def action_transfer(self) -> None:
        from cxdesk.screens.dialogs import TransferDialog

        if self.view is None or self.view.current is None:
            return
        self.app.push_screen(TransferDialog(), self._transfer_to)

    def _transfer_to(self, station_code: str | None) -> None:
        if not station_code:
            return
        app = self.app
        office, now = app.office, app.now()

        def step(session, visit):
            from cxdesk.domain.office import get_station
            from cxdesk.domain.visits import transfer

            transfer(session, visit, get_station(session, office, station_code), now)

        self._with_current(step, "{result} sent to station " + station_code + ".", "transfer")

    # --- customer survey (screens/survey.py) -------------------------------

    def action_offer_survey(self) -> None:
        from cxdesk.screens.survey import offer_survey

        offer_survey(self, "handover")

    def action_send_survey_to_kiosk(self) -> None:
        from cxdesk.screens.survey import offer_survey

        offer_survey(self, "kiosk")
