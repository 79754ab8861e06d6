"""F8, the supervisor's summary: a shift, a day, a week or a fiscal quarter against the
posted standards, with a chart of arrivals and served by hour (the numbers beside it),
and the sign-off of a shift or a day.

Everything shown is one ``reports.summary.Summary``; the role is checked there too,
so a clerk who reaches this screen is refused by the domain, not only by the key.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from cxdesk.screens.hour_chart import LEGEND, HourChart
from cxdesk.screens.widgets import KeyBar

if TYPE_CHECKING:
    from cxdesk.reports.summary import Count, Summary

KIND_NAMES = {"shift": "Shift", "day": "Day", "week": "Week", "quarter": "Quarter"}


def minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.0f} min"


def share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def table(*columns: str, title: str | None = None) -> Table:
    grid = Table(*columns, title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                 title_style="bold")
    for column in grid.columns[1:]:
        column.justify = "right"
    return grid


def row(grid: Table, *cells) -> None:
    # Every cell as Text: labels and typed words (notes, wording, sources) are data, never markup.
    grid.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in cells))


def counts_table(title: str, items: tuple[Count, ...]) -> Table:
    grid = table("", "count", title=title)
    for item in items:
        row(grid, item.label, item.count)
    return grid


class SummaryScreen(Screen):
    """The supervisor's summary of a period."""

    CSS_PATH = "summary.tcss"
    AUTO_FOCUS = "#summary-page"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the counter.", id="summary-back"),
        Binding("d", "period('day')", "Day", tooltip="The summary of a day.", id="summary-day"),
        Binding("w", "period('week')", "Week", tooltip="The week, Monday to Sunday.", id="summary-week"),
        Binding("q", "period('quarter')", "Quarter", tooltip="The federal fiscal quarter (FY2027 Q1 = Oct-Dec 2026).",
                id="summary-quarter"),
        Binding("s", "pick_shift", "Shift", tooltip="Pick a shift of the day from a list.", id="summary-shift"),
        Binding("left_square_bracket", "step(-1)", "Earlier", tooltip="The previous day, week or quarter.",
                id="summary-earlier"),
        Binding("right_square_bracket", "step(1)", "Later", tooltip="The next day, week or quarter.",
                id="summary-later"),
        Binding("o", "sign_off", "Sign off", tooltip="Sign off this shift or day with a note.",
                id="summary-sign-off"),
        Binding("t", "today", "Today", tooltip="Back to today.", id="summary-today", show=False),
        Binding("ctrl+r", "reload", "Reload", tooltip="Read the figures again.", id="summary-reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.kind = "day"
        self.day: date | None = None
        self.shift_id = None
        self.summary: Summary | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="summary-title")
        with VerticalScroll(id="summary-page", can_focus=True):
            yield Static("", id="summary-message")
            yield Static("", id="summary-headline")
            with Horizontal(id="summary-chart-row"):
                with Vertical(id="summary-chart-box"):
                    yield Static(f"By hour: {LEGEND}", classes="summary-caption")
                    yield HourChart(id="summary-chart")
                yield Static("", id="summary-hours")
            yield Static("", id="summary-standards")
            yield Static("", id="summary-signoff")
            yield Static("", id="summary-details")
        yield KeyBar()

    def on_mount(self) -> None:
        self.day = self.app.office.local_day(self.app.now())
        self.action_reload()

    # --- reading -------------------------------------------------------------

    def action_reload(self) -> None:
        app = self.app
        office, viewer, now = app.office, app.signed_in.staff, app.now()
        kind, day, shift_id = self.kind, self.day, self.shift_id

        def read(session) -> Summary:
            from cxdesk.reports.scope import resolve_scope
            from cxdesk.reports.summary import office_summary

            today = office.local_day(now)
            scope = resolve_scope(session, office, kind, today, day=day, shift_id=shift_id)
            return office_summary(session, office, scope, viewer, today)

        self.query_one("#summary-message", Static).update("Reading the figures…")
        app.run_db(read, self._show, on_error=self._refused, description="read the summary")

    def _refused(self, error) -> None:
        self.summary = None
        self.query_one("#summary-title", Static).update(Text("Supervisor summary"))
        self.query_one("#summary-message", Static).update(Text(f"✖ {error}"))
        for widget_id in ("#summary-headline", "#summary-hours", "#summary-standards", "#summary-signoff",
                          "#summary-details"):
            self.query_one(widget_id, Static).update("")
        self.query_one(HourChart).show_hours(())

    def _show(self, s: Summary) -> None:
        self.summary = s
        mark = f"   {s.signoff.mark}" if s.signoff else ("   not signed off" if s.can_sign_off else "")
        self.query_one("#summary-title", Static).update(Text(f"{KIND_NAMES[s.kind]}: {s.label}{mark}", style="bold"))
        self.query_one("#summary-message", Static).update("")
        v = s.volumes
        self.query_one("#summary-headline", Static).update(Text(
            f"Arrived {v.arrived} · served {v.served} · no-shows {v.no_shows} · left before service {v.left}"
            f" · in line {v.in_line} · at a counter {v.at_counter}\n"
            f"Waiting: median {minutes(s.waiting.median)}, 90th percentile {minutes(s.waiting.p90)}, longest "
            f"{minutes(s.waiting.longest)} · Service: median {minutes(s.service.median)}, 90th percentile "
            f"{minutes(s.service.p90)}"))
        self.query_one(HourChart).show_hours([(h.hour, h.arrived, h.served) for h in s.hours])
        hours = table("hour", "arrived", "served")
        for h in s.hours:
            row(hours, f"{h.hour:02d}:00", h.arrived, h.served)
        row(hours, Text("total", style="bold"), v.arrived, v.served)
        self.query_one("#summary-hours", Static).update(hours)
        self.query_one("#summary-standards", Static).update(self._standards(s))
        self.query_one("#summary-signoff", Static).update(self._signoff(s))
        self.query_one("#summary-details", Static).update(self._details(s))
        self.refresh_bindings()

    @staticmethod
    def _standards(s: Summary) -> Table:
        grid = table("standard", "result", "target", "status", "benchmark", title="Service standards")
        grid.columns[3].justify = "left"
        grid.columns[4].justify = "left"
        for r in s.standards:
            span = "" if (r.start, r.end) == (s.start, s.end) else f" ({r.start:%d %b}–{r.end:%d %b})"
            row(grid, r.description + span, r.show(r.value), r.target_text, r.mark, r.benchmark_text)
        return grid

    @staticmethod
    def _signoff(s: Summary):
        so = s.signoff
        if so is None:
            return Text("Not signed off. Press o to sign off." if s.can_sign_off else
                        "Sign-off is for a shift or a whole day.")
        at = so.signed_at.astimezone(ZoneInfo(s.timezone))
        lines = [Text(f"{so.mark} by {so.signed_by_code} {so.signed_by_name} on {at:%a %d %b %Y %H:%M}", style="bold"),
                 Text("Note: ") + Text(so.note or "–")]
        if so.reopened:
            lines.append(Text("Changed since the sign-off (press o to sign off again):"))
            lines += [Text(f"  {change}") for change in so.changes]
        return Group(*lines)

    @staticmethod
    def _details(s: Summary) -> Group:
        services = table("service", "served", "median", "90th pct", title="Service time by service")
        for r in s.service_by_type:
            row(services, r.label, r.served, minutes(r.median), minutes(r.p90))
        sv = s.surveys
        surveys = table("survey", "figure", title=f"Surveys: response rate {share(sv.response_rate)}")
        row(surveys, "served", sv.served)
        row(surveys, "offered the survey", sv.offered)
        row(surveys, "respondents", sv.respondents)
        for d in sv.drivers:
            row(surveys, f"{d.question}: % agree (4-5)", share(d.percent_agree))
            row(surveys, f"{d.question}: point scale", "–" if d.point_scale is None else f"{d.point_scale:.2f}")
        c = s.complaints
        complaints = table("complaints", "count", "per 1,000", title="Complaints")
        for name in ("opened", "acknowledged", "resolved", "due", "overdue"):
            label = {"due": "due in the period", "overdue": "▲ overdue"}.get(name, name)
            row(complaints, label, getattr(c, name), "")
        for rate in c.by_service:
            row(complaints, f"  {rate.label}", rate.complaints, "–" if rate.per_1000 is None else f"{rate.per_1000:.1f}")
        people = []
        for title, rows in (("By clerk", s.clerks), ("By station", s.stations)):
            grid = table("", "served", "no-shows", "resolved", "median wait", "median service", title=title)
            for r in rows:
                row(grid, f"{r.code} {r.name}", r.served, r.no_shows, share(r.resolved_share),
                    minutes(r.median_wait), minutes(r.median_service))
            people.append(grid)
        blocks = [counts_table("Left before service, at what stage", s.left_stages),
                  counts_table("Outcomes", s.outcomes), counts_table("Referrals", s.referrals),
                  counts_table("Could not be served, why", s.not_served_reasons),
                  services, counts_table("Customer segments", s.segments), counts_table("Languages", s.languages),
                  counts_table("Channels offered (EO 12862 1(f))", s.channels_offered),
                  counts_table("Channels preferred next time", s.channels_preferred),
                  counts_table("Channel step", s.channel_step), surveys, complaints, *people]
        return Group(*blocks)

    # --- keys ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign_off":
            return self.summary is not None and self.summary.can_sign_off
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_period(self, kind: str) -> None:
        self.kind, self.shift_id = kind, None
        self.action_reload()

    def action_today(self) -> None:
        self.day = self.app.office.local_day(self.app.now())
        self.kind, self.shift_id = "day", None
        self.action_reload()

    def action_step(self, direction: int) -> None:
        if self.kind == "shift":
            self.kind, self.shift_id = "day", None
        if self.kind == "quarter":
            month = self.day.month - 1 + 3 * direction
            self.day = date(self.day.year + month // 12, month % 12 + 1, 1)
        else:
            self.day += timedelta(days=7 if self.kind == "week" else 1) * direction
        self.action_reload()

    def action_pick_shift(self) -> None:
        from cxdesk.screens.signoff import ShiftPickDialog

        app = self.app
        office, day = app.office, self.day
        mine = app.signed_in.shift.id if app.signed_in else None

        def read(session):
            from cxdesk.reports.scope import shifts_on

            return shifts_on(session, office, day)

        def pick(choices) -> None:
            app.push_screen(ShiftPickDialog(choices, day, office.zone, selected=mine), self._shift_picked)

        app.run_db(read, pick, on_error=self._refused, description="list shifts")

    def _shift_picked(self, shift_id) -> None:
        if shift_id is not None:
            self.kind, self.shift_id = "shift", shift_id
            self.action_reload()

    def action_sign_off(self) -> None:
        from cxdesk.screens.signoff import SignOffDialog

        if self.summary is None or not self.summary.can_sign_off:
            return
        self.app.push_screen(SignOffDialog(self.summary, self.shift_id), self._signed)

    def _signed(self, done) -> None:
        if done:
            self.notify("Signed off.", timeout=3)
            self.action_reload()
