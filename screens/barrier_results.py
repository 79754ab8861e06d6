"""Barrier survey results for supervisors (EO 12862 1(e)), and the survey's settings.

Percent positive per item, barriers ranked, the ideas (in an order that says
nothing about who wrote them), the response rate and the change since the
previous period. Nothing resting on fewer than 3 answers is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.dialogs import Dialog
from cxdesk.screens.widgets import FormInput, KeyBar, MessageLine, NumberedChoice
from cxdesk.screens.widgets.tables import SteadyTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static

if TYPE_CHECKING:
    from cxdesk.domain.barrier import BarrierSettings
    from cxdesk.reports.barrier import BarrierReport

PERIOD_CHOICES = (("month", "Every month"), ("quarter", "Every fiscal quarter"), ("off", "Off (not asked)"))
ROLE_NAMES = {"clerk": "Clerks", "supervisor": "Supervisors"}


def pct(value) -> str:
    return "–" if value is None else f"{value}%"


def change(value, unit: str = " pts") -> str:
    return "–" if value is None else f"{value:+}{unit}"


class BarrierResultsScreen(Screen):
    """One period's results; the period is picked from those with answers."""

    CSS_PATH = ["forms.tcss", "barrier.tcss"]
    AUTO_FOCUS = "#barrier-period"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to where you were.", id="barrier-results-back"),
        Binding("s", "settings", "Settings", tooltip="The survey's period and how often staff may put it off.",
                id="barrier-settings"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Read the results again.", id="barrier-results-reload"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="barrier-filters"):
            yield Label("Period")
            yield Select([], id="barrier-period", allow_blank=True, prompt="Reading…")
            yield Static("", id="barrier-settings-line")
        with VerticalScroll(id="barrier-page"):
            yield Static("", id="barrier-overview")
            yield Static("", id="barrier-withheld")
            yield Static("Percent positive: agree + strongly agree, of those who answered 1-5",
                         classes="barrier-section", id="barrier-items-title")
            yield SteadyTable(id="barrier-items", cursor_type="row", zebra_stripes=True)
            yield Static("Barriers, most picked first (up to three each)", classes="barrier-section",
                         id="barrier-categories-title")
            yield SteadyTable(id="barrier-categories", cursor_type="row", zebra_stripes=True)
            yield Static("Ideas, in an order that says nothing about who wrote them or when",
                         classes="barrier-section", id="barrier-ideas-title")
            yield Static("", id="barrier-ideas")
            yield Static("By role", classes="barrier-section", id="barrier-roles-title")
            yield SteadyTable(id="barrier-roles", cursor_type="row", zebra_stripes=True)
            yield Static("", id="barrier-no-roles")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#barrier-items", DataTable).add_columns(
            "Item", "% positive", "Of", "Don't know", "Previous", "Change")
        self.query_one("#barrier-categories", DataTable).add_columns("Rank", "Barrier", "Picked", "Change")
        self.query_one("#barrier-roles", DataTable).add_columns("Role", "Answers", "Item", "% positive", "Of")
        self._read_periods()

    def _read_periods(self, keep: str | None = None) -> None:
        app = self.app
        office, today = app.office, app.office.local_day(app.now())

        def read(session):
            from cxdesk.domain.barrier import barrier_settings
            from cxdesk.reports.barrier import default_period, periods_with_answers

            current = default_period(session, office, today)
            periods = periods_with_answers(session, office)
            if current not in periods:
                periods = sorted([current, *periods], reverse=True)
            return barrier_settings(session, office), current, periods

        app.run_db(read, lambda result: self._set_periods(*result, keep=keep), description="barrier periods")

    def _set_periods(self, settings: BarrierSettings, current, periods, keep: str | None) -> None:
        self.settings = settings
        how = {"month": "asked every month", "quarter": "asked every fiscal quarter"}.get(
            settings.period, "not running (s starts it)")
        self.query_one("#barrier-settings-line", Static).update(
            f"Survey {how} · put off up to {settings.deferrals}× a period")
        select = self.query_one("#barrier-period", Select)
        with self.prevent(Select.Changed):
            select.set_options([(p.label(), p.code) for p in periods])
            select.value = keep if keep in [p.code for p in periods] else current.code
        self.action_reload()

    @on(Select.Changed, "#barrier-period")
    def _period_changed(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        code = self.query_one("#barrier-period", Select).value
        if code is Select.BLANK or code is None:
            return
        app = self.app
        office, viewer = app.office, app.signed_in.staff

        def read(session) -> BarrierReport:
            from cxdesk.reports.barrier import barrier_report

            return barrier_report(session, office, code, viewer=viewer)

        app.run_db(read, self._show, description="read barrier survey results")

    def _show(self, report: BarrierReport) -> None:
        from cxdesk.domain.barrier import load_barrier_survey
        from cxdesk.reports.barrier_format import rate_line, withheld_line

        self.report = report
        survey = load_barrier_survey()
        self.query_one("#barrier-overview", Static).update(
            f"{report.period.label()} ({report.period.start:%d %b} – {report.period.end:%d %b %Y}) · "
            f"{rate_line(report)}")
        withheld = self.query_one("#barrier-withheld", Static)
        withheld.update(withheld_line(report.respondents) if report.withheld else "")
        withheld.display = report.withheld
        for part in ("items", "categories", "ideas", "roles"):
            for widget in self.query(f"#barrier-{part}, #barrier-{part}-title"):
                widget.display = not report.withheld

        items = self.query_one("#barrier-items", DataTable)
        items.clear()
        for item in report.items:
            name = survey.item(item.item).short()
            if item.withheld:
                items.add_row(name, "⚠ withheld", str(item.answered), str(item.dont_know), "–", "–", key=item.item)
            else:
                items.add_row(name, pct(item.percent_positive), str(item.answered), str(item.dont_know),
                              pct(item.previous_percent), change(item.change), key=item.item)

        categories = self.query_one("#barrier-categories", DataTable)
        categories.clear()
        for category in report.categories:
            categories.add_row(str(category.rank), survey.category(category.category).label(),
                               str(category.picks), change(category.change, ""), key=category.category)

        # Typed by staff: data, never markup.
        ideas = Text()
        for idea in report.ideas:
            ideas.append("• ")
            ideas.append(idea)
            ideas.append("\n")
        self.query_one("#barrier-ideas", Static).update(ideas if report.ideas else Text("(no ideas this period)"))

        roles = self.query_one("#barrier-roles", DataTable)
        roles.clear()
        for group in report.roles:
            name = ROLE_NAMES.get(group.group, group.group)
            if group.withheld:
                roles.add_row(name, str(group.respondents), "⚠ not enough answers to show without "
                              "identifying anyone", "–", "–")
                continue
            for number, item in enumerate(group.items):
                roles.add_row(name if number == 0 else "", str(group.respondents) if number == 0 else "",
                              survey.item(item.item).short(),
                              "⚠ withheld" if item.withheld else pct(item.percent_positive), str(item.answered))
        roles.display = not report.withheld and bool(report.roles)
        self.query_one("#barrier-roles-title").display = not report.withheld
        no_roles = self.query_one("#barrier-no-roles", Static)
        no_roles.display = not report.withheld and bool(report.unrecorded_roles)
        no_roles.update(f"{report.unrecorded_roles} answers keep no role: this office has a role with fewer "
                        "than 3 staff, and a role that small would name the person.")

    def action_settings(self) -> None:
        def saved(result) -> None:
            if result is not None:
                self._read_periods(keep=self.query_one("#barrier-period", Select).value)

        self.app.push_screen(BarrierSettingsDialog(getattr(self, "settings", None)), saved)

    def action_back(self) -> None:
        self.app.pop_screen()


class BarrierSettingsDialog(Dialog):
    """The survey's period (or off) and how many times staff may put off the sign-in prompt."""

    CSS_PATH = ["forms.tcss", "barrier.tcss"]
    AUTO_FOCUS = "#barrier-period-choice"
    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save the barrier survey settings.",
                        id="save-barrier-settings", priority=True)]

    def __init__(self, settings: BarrierSettings | None) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        current = (self.settings.period if self.settings else None) or "off"
        deferrals = self.settings.deferrals if self.settings else 2
        with VerticalScroll(classes="dialog"):
            yield Static("Barrier survey settings", classes="form-title")
            yield Label("Ask staff (number key)")
            yield NumberedChoice(PERIOD_CHOICES, id="barrier-period-choice", selected=current)
            yield Label("Put-offs of the sign-in prompt allowed a period (0-10) — Enter saves")
            yield FormInput(str(deferrals), id="barrier-deferrals", max_length=2, advance=False)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#barrier-deferrals")
    def action_save(self) -> None:
        app = self.app
        picked = self.picked("barrier-period-choice") or ((self.settings.period if self.settings else None) or "off")
        period = None if picked == "off" else picked
        deferrals = self.query_one("#barrier-deferrals", Input).value
        office, me, now = app.office, app.signed_in.staff, app.now()

        def save(session):
            from cxdesk.domain.barrier import set_barrier_settings

            return set_barrier_settings(session, office, me, period=period, deferrals=deferrals, now=now)

        def saved(settings) -> None:
            self.notify("Barrier survey settings saved.")
            self.dismiss(settings)

        app.run_db(save, saved, on_error=self.show_error, description="barrier survey settings")


def open_results(app) -> None:
    """Supervisors only; the domain refuses anyone else too."""
    if not app.is_supervisor:
        app.notify("Barrier survey results are for supervisors.", severity="warning")
    elif not isinstance(app.screen, BarrierResultsScreen):
        app.push_screen(BarrierResultsScreen())
