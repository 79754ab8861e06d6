"""Survey results for supervisors (EO 12862 sec. 2): per question the A-11 point scale,
% agree and a 0-100 index, the volumes, what went well or not, and the comments.

Customers' comments are shown as text, never read as markup; the comments table
takes the rest of the screen and scrolls on its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.widgets import KeyBar
from cxdesk.screens.widgets.tables import SteadyTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Label, Select, Static

from cxdesk.store.catalogs import office_catalog

if TYPE_CHECKING:
    from cxdesk.reports.survey_results import SurveyResults

ALL = "*"
SET_NAMES = {"a11_v2_radio": "A-11 current", "likert": "A-11 Likert"}
# Short names for the staff view; the customers' full wording is in the data files.
QUESTION_NAMES = {"went_well": "What went well", "not_well": "What didn't go well",
                  "wish": "Service or channel wished for"}


def number(value: Decimal | None, suffix: str = "") -> str:
    return "–" if value is None else f"{value}{suffix}"


class SurveyResultsScreen(BaseScreen):
    """Results of the customer survey, filtered by period, service and segment."""

    CSS_PATH = "survey.tcss"
    AUTO_FOCUS = "#results-period"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the counter.", id="survey-results-back"),
        Binding("ctrl+r", "reload", "Reload", tooltip="Read the results again.", id="survey-results-reload"),
    ]

    def compose(self) -> ComposeResult:
        from cxdesk.reports.periods import PERIODS
        from cxdesk.vocab import SURVEY_SETS

        services = office_catalog("services")
        segments = office_catalog("segments")
        office = self.app.office
        yield Header()
        with Horizontal(id="results-filters"):
            with Vertical():
                yield Label("Period")
                yield Select([(label, code) for code, label in PERIODS.items()], value="quarter",
                             allow_blank=False, id="results-period")
            with Vertical():
                yield Label("Service")
                yield Select([("All services", ALL), *((s.label(), s.code) for s in services)],
                             value=ALL, allow_blank=False, id="results-service")
            with Vertical():
                yield Label("Segment")
                yield Select([("All segments", ALL), *((s.label(), s.code) for s in segments)],
                             value=ALL, allow_blank=False, id="results-segment")
            with Vertical():
                yield Label("Question set")
                yield Select([(SET_NAMES.get(code, code), code) for code in SURVEY_SETS],
                             value=office.survey_set, allow_blank=False, id="results-set")
        with VerticalScroll(id="results-page"):
            yield Static("", id="results-volumes")
            yield SteadyTable(id="results-drivers", cursor_type="row", zebra_stripes=True)
            yield SteadyTable(id="results-tallies", cursor_type="row", zebra_stripes=True)
        yield Static("Comments", classes="results-title", id="results-comments-title")
        yield SteadyTable(id="results-comments", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#results-drivers", DataTable).add_columns(
            "Question", "Answers", "1", "2", "3", "4", "5", "Point scale", "% agree (4-5)", "Index 0-100")
        self.query_one("#results-tallies", DataTable).add_columns("Question", "Answer", "Picked", "Of", "%")
        self.query_one("#results-comments", DataTable).add_columns("When", "Lang", "Service", "Comment")
        self.action_reload()

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        if self.is_mounted:
            self.action_reload()

    def action_reload(self) -> None:
        from cxdesk.reports.periods import period_days
        from cxdesk.reports.survey_results import ResultsFilter

        app = self.app
        office, viewer = app.office, app.signed_in.staff
        today = office.local_day(app.now())
        start, end = period_days(self.query_one("#results-period", Select).value, today)
        service = self.query_one("#results-service", Select).value
        segment = self.query_one("#results-segment", Select).value
        flt = ResultsFilter(start, end, service=None if service == ALL else service,
                            segment=None if segment == ALL else segment,
                            survey_set=self.query_one("#results-set", Select).value)

        def read(session) -> SurveyResults:
            from cxdesk.reports.survey_results import results

            return results(session, office, flt, viewer)

        app.run_db(read, lambda res: self._show(res, flt), description="read the survey results")

    def _show(self, res: SurveyResults, flt) -> None:
        from cxdesk.domain.surveys.questions import load_question_set

        self.results = res
        question_set = load_question_set(res.survey_set)
        vol = res.volumes
        rate = "–" if vol.response_rate is None else f"{vol.response_rate:.1f}% of those offered"
        offered_share = f" ({100 * vol.offered / vol.served:.0f}% of served)" if vol.served else ""
        self.query_one("#results-volumes", Static).update(Content(
            f"{flt.start:%d %b %Y} – {flt.end:%d %b %Y}\n"
            f"Customers served {vol.served} · offered the survey {vol.offered}{offered_share}"
            f" · respondents {vol.respondents} · response rate {rate}"))

        def name(code: str) -> str:
            return QUESTION_NAMES.get(code, code.replace("_", " ").capitalize())

        drivers = self.query_one("#results-drivers", DataTable)
        drivers.clear()
        for row in res.drivers:
            drivers.add_row(Text(name(row.question)), str(row.answers), *map(str, row.counts),
                            number(row.point_scale), number(row.percent_agree, "%"), number(row.index),
                            key=row.question)

        tallies = self.query_one("#results-tallies", DataTable)
        tallies.clear()
        previous = None
        for tally in res.tallies:
            question = question_set.question(tally.question)
            share = f"{100 * tally.picked / tally.asked:.0f}%" if tally.asked else "–"
            shown = name(tally.question) if tally.question != previous else ""
            previous = tally.question
            tallies.add_row(Text(shown), Text(question.option(tally.option).label("en")),
                            str(tally.picked), str(tally.asked), share)

        services = office_catalog("services")
        comments = self.query_one("#results-comments", DataTable)
        comments.clear()
        zone = self.app.office.zone
        for comment in res.comments:
            service = services.get(comment.service).label() if comment.service in services else "–"
            comments.add_row(f"{comment.answered_at.astimezone(zone):%d %b %H:%M}",
                             comment.language.upper(), Text(service), Text(comment.text))
        self.query_one("#results-comments-title", Static).update(f"Comments ({len(res.comments)})")

    def action_back(self) -> None:
        self.app.pop_screen()
