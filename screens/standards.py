"""F3, service standards (EO 12862 1(c), 1(d)): every standard with the version in force,
its history and its benchmarks; supervisors add, change and retire standards and add
benchmarks. A change takes effect on a day, today or later; past periods keep theirs.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from cxdesk.errors import CxdeskError
from cxdesk.screens.dialogs import Dialog
from cxdesk.screens.widgets import FormInput, KeyBar, MessageLine, NumberedChoice
from cxdesk.screens.widgets.tables import SteadyTable

if TYPE_CHECKING:
    from cxdesk.reports.standards import StandardView, VersionView


def promise(view: StandardView, version: VersionView) -> str:
    target = f"{version.target:.2f} points" if view.unit(version) == "points" else f"{version.target:g}%"
    return f"{view.describe(version)}, {'at most' if view.lower_is_better else 'at least'} {target}"


def history_table(view: StandardView, zone) -> Group:
    versions = Table("from", "promise", "wording (English / Spanish)", "note", "by", box=box.SIMPLE_HEAD,
                     title=f"History of {view.code}", title_justify="left", title_style="bold")
    for v in reversed(view.versions):
        since = "built-in" if v.effective_from is None else f"{v.effective_from:%d %b %Y}"
        state = Text("✖ retired", style="bold") if v.retired else Text(promise(view, v))
        versions.add_row(Text(since), state, Text(f"{v.wording_en}\n{v.wording_es}"), Text(v.note or ""),
                         Text(v.created_by or ""))
    benchmarks = Table("value", "source", "dated", "note", box=box.SIMPLE_HEAD, title="Benchmarks",
                       title_justify="left", title_style="bold")
    for b in view.benchmarks:
        value = f"{b.value:.2f} points" if view.unit(view.versions[-1]) == "points" else f"{b.value:g}%"
        benchmarks.add_row(Text(value + (" ✖ retired" if b.retired else "")), Text(b.source),
                           Text(f"{b.as_of:%d %b %Y}"), Text(b.note))
    if not view.benchmarks:
        benchmarks.add_row(Text("–"), Text("No benchmark yet: press b to add one."), Text(""), Text(""))
    return Group(versions, benchmarks)


class StandardsScreen(Screen):
    """The office's posted standards, their history and benchmarks."""

    CSS_PATH = "summary.tcss"
    AUTO_FOCUS = "#standards"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the counter.", id="standards-back"),
        Binding("a", "add", "Add", tooltip="Add a service standard.", id="standards-add"),
        Binding("e", "change", "Change", tooltip="A new version of the highlighted standard, from a day.",
                id="standards-change"),
        Binding("r", "retire", "Retire", tooltip="Stop posting the highlighted standard from a day.",
                id="standards-retire"),
        Binding("b", "benchmark", "Benchmark", tooltip="Add a benchmark (value, source, date) to the highlighted standard.",
                id="standards-benchmark"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="standards-page"):
            yield Static("Service standards: the promises posted in the lobby (English and Spanish)",
                         classes="form-title")
            yield SteadyTable(id="standards", cursor_type="row", zebra_stripes=True)
            yield Static("", id="standard-history")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#standards", DataTable).add_columns("Status", "Code", "Promise", "Wording (English)")
        self.views: list[StandardView] = []
        self.reload()

    def reload(self) -> None:
        app = self.app
        office = app.office

        def read(session):
            from cxdesk.reports.standards import load_standards

            return load_standards(session, office)

        app.run_db(read, self._show, description="read the standards")

    def _show(self, views: list[StandardView]) -> None:
        self.views = views
        today = self.app.office.local_day(self.app.now())
        grid = self.query_one("#standards", DataTable)
        keep = grid.cursor_row
        grid.clear()
        for view in views:
            current = view.version_on(today)
            latest = view.versions[-1]
            if current is not None:
                status = "✔ in force"
                shown = current
            elif latest.retired:
                status, shown = f"✖ retired {latest.effective_from:%d %b %Y}", latest
            else:
                status, shown = f"… from {latest.effective_from:%d %b %Y}", latest
            grid.add_row(Text(status), Text(view.code), Text(promise(view, shown)), Text(shown.wording_en),
                         key=view.code)
        if views:
            grid.move_cursor(row=min(keep, len(views) - 1))
            self._show_history()

    @on(DataTable.RowHighlighted, "#standards")
    def _show_history(self) -> None:
        view = self._highlighted()
        widget = self.query_one("#standard-history", Static)
        widget.update(history_table(view, self.app.office.zone) if view else "")

    def _highlighted(self) -> StandardView | None:
        grid = self.query_one("#standards", DataTable)
        row = grid.cursor_row
        return self.views[row] if self.views and row is not None and 0 <= row < len(self.views) else None

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add(self) -> None:
        self.app.push_screen(StandardDialog(None), self._changed)

    def action_change(self) -> None:
        view = self._highlighted()
        if view is not None:
            self.app.push_screen(StandardDialog(view), self._changed)

    def action_retire(self) -> None:
        view = self._highlighted()
        if view is not None:
            self.app.push_screen(RetireDialog(view), self._changed)

    def action_benchmark(self) -> None:
        view = self._highlighted()
        if view is not None:
            self.app.push_screen(BenchmarkDialog(view), self._changed)

    def _changed(self, message: str | None) -> None:
        if message:
            self.notify(message, timeout=4)
            self.reload()


def parse_day(text: str, what: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CxdeskError(f"{what}: a date like 2026-12-01, or blank for today.") from None


MEASURE_CHOICES = (("wait_within", "Waiting time within N minutes"),
                   ("service_within", "Service time within N minutes, for a service"),
                   ("first_visit", "Served at the first visit (resolved)"),
                   ("survey_driver", "Survey question: % agree or point scale"),
                   ("complaint_ack", "Complaints acknowledged within N working days"),
                   ("complaint_resolved", "Complaints resolved within N working days"),
                   ("left_unserved", "Visitors who left before being served (at most)"))


class StandardDialog(Dialog):
    """Add a standard (view None) or a new version of one, from a day."""

    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save the standard.", id="save-standard", priority=True)]

    def __init__(self, view: StandardView | None) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        view = self.view
        latest = view.versions[-1] if view else None

        def value(attr: str) -> str:
            found = getattr(latest, attr, None) if latest else None
            return "" if found is None else (f"{found:g}" if isinstance(found, float) else str(found))

        with VerticalScroll(classes="dialog wide"):
            title = f"Change {view.code}: a new version" if view else "Add a service standard"
            yield Static(Text(title), classes="form-title")
            if view is None:
                yield Label("Code (lowercase, e.g. wait_15)")
                yield FormInput(id="std-code", max_length=40)
                yield Label("Measure (number keys)")
                yield NumberedChoice(MEASURE_CHOICES, id="std-measure")
            else:
                yield Static(Text(f"Measure: {view.describe(latest)}"))
            yield Label("Threshold: minutes, or working days for complaints (blank if none)")
            yield FormInput(id="std-threshold", value=value("threshold"), max_length=4)
            yield Label("Service code (service time only), e.g. replacement_card")
            yield FormInput(id="std-service", value=value("service"), max_length=40)
            yield Label("Survey question code and scale (agree or points), e.g. trust agree")
            yield FormInput(id="std-question", value=f"{value('question')} {value('scale')}".strip(), max_length=40)
            yield Label("Target: percent of visitors (points 1-5 for a point scale)")
            yield FormInput(id="std-target", value=value("target"), max_length=6)
            yield Label("Wording in English, as customers read it")
            yield FormInput(id="std-wording-en", value=value("wording_en"), max_length=300)
            yield Label("Wording in Spanish")
            yield FormInput(id="std-wording-es", value=value("wording_es"), max_length=300)
            yield Label("In force from (YYYY-MM-DD, today or later; blank for today)")
            yield FormInput(id="std-from", max_length=10)
            yield Label("Why (kept in the history)")
            yield FormInput(id="std-note", max_length=500, advance=False)
            yield MessageLine(id="message")

    def field(self, name: str) -> str:
        return self.query_one(f"#std-{name}", Input).value

    @on(Input.Submitted, "#std-note")
    def action_save(self) -> None:
        from cxdesk.domain.standards import StandardDraft

        app = self.app
        office, by, now = app.office, app.signed_in.staff, app.now()
        view = self.view
        try:
            measure = view.measure if view else self.picked("std-measure")
            if not measure:
                raise CxdeskError("Choose the measure (number keys).")
            question, _, scale = self.field("question").strip().partition(" ")
            draft = StandardDraft(measure=measure, target=self.field("target"), wording_en=self.field("wording-en"),
                                  wording_es=self.field("wording-es"), threshold=self.field("threshold") or None,
                                  service=self.field("service").strip() or None, question=question or None,
                                  scale=scale.strip() or None)
            effective = parse_day(self.field("from"), "In force from")
        except CxdeskError as exc:
            self.show_error(exc)
            return
        code = view.code if view else self.field("code")
        note = self.field("note")

        def save(session):
            from cxdesk.domain import standards

            if view is None:
                standards.add_standard(session, office, by, code, draft, now=now, effective_from=effective, note=note)
                return f"Standard {code} added."
            standards.change_standard(session, office, by, code, draft, now=now, effective_from=effective, note=note)
            return f"Standard {code} changed; the earlier version stays in its history."

        app.run_db(save, self.dismiss, on_error=self.show_error, description="save standard")


class RetireDialog(Dialog):
    AUTO_FOCUS = "#retire-from"
    BINDINGS = [Binding("ctrl+s", "save", "Retire", tooltip="Retire the standard.", id="save-retire", priority=True)]

    def __init__(self, view: StandardView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(f"Retire {self.view.code}: no longer posted from a day"), classes="form-title")
            yield Label("From (YYYY-MM-DD, blank for today)")
            yield FormInput(id="retire-from", max_length=10)
            yield Label("Why (kept in the history)")
            yield FormInput(id="retire-note", max_length=500, advance=False)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#retire-note")
    def action_save(self) -> None:
        app = self.app
        office, by, now, code = app.office, app.signed_in.staff, app.now(), self.view.code
        try:
            effective = parse_day(self.query_one("#retire-from", Input).value, "From")
        except CxdeskError as exc:
            self.show_error(exc)
            return
        note = self.query_one("#retire-note", Input).value

        def save(session):
            from cxdesk.domain.standards import retire_standard

            retire_standard(session, office, by, code, now=now, effective_from=effective, note=note)
            return f"Standard {code} retired; its history stays."

        app.run_db(save, self.dismiss, on_error=self.show_error, description="retire standard")


class BenchmarkDialog(Dialog):
    AUTO_FOCUS = "#bench-value"
    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save the benchmark.", id="save-benchmark", priority=True)]

    def __init__(self, view: StandardView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        unit = self.view.unit(self.view.versions[-1])
        with VerticalScroll(classes="dialog"):
            yield Static(Text(f"Benchmark for {self.view.code}"), classes="form-title")
            yield Label(f"Value ({'points 1-5' if unit == 'points' else 'percent'}, same unit as the result)")
            yield FormInput(id="bench-value", max_length=6)
            yield Label("Source: a private-sector index, a peer office, last year's best quarter…")
            yield FormInput(id="bench-source", max_length=200)
            yield Label("Dated (YYYY-MM-DD, when the figure was published)")
            yield FormInput(id="bench-date", max_length=10)
            yield Label("Note")
            yield FormInput(id="bench-note", max_length=500, advance=False)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#bench-note")
    def action_save(self) -> None:
        app = self.app
        office, by, now, code = app.office, app.signed_in.staff, app.now(), self.view.code
        try:
            as_of = parse_day(self.query_one("#bench-date", Input).value, "Dated") or office.local_day(now)
        except CxdeskError as exc:
            self.show_error(exc)
            return
        value = self.query_one("#bench-value", Input).value
        source = self.query_one("#bench-source", Input).value
        note = self.query_one("#bench-note", Input).value

        def save(session):
            from cxdesk.domain.standards import add_benchmark

            add_benchmark(session, office, by, code, value=value, source=source, as_of=as_of, note=note, now=now)
            return f"Benchmark added to {code}."

        app.run_db(save, self.dismiss, on_error=self.show_error, description="save benchmark")
