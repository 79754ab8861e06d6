"""Complaints on screen: intake (F2 from any staff screen), the receipt with the
reference shown large, the queue (F7) and the detail view with its trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cxdesk.screens.dialogs import LANGUAGES, Dialog, catalog
from cxdesk.screens.widgets import MessageLine, NumberedChoice, TickBox
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Label, Static

if TYPE_CHECKING:
    from cxdesk.domain.complaints import ComplaintSettings, VisitLink
    from cxdesk.reports.complaint_queue import ComplaintView, QueueRow
    from cxdesk.store.catalogs import Catalog
    from cxdesk.store.models import Complaint

CSS = ["forms.tcss", "complaints.tcss"]
ALL = "all"


def _label(name: str, code: str | None) -> str:
    if not code:
        return "–"
    items = catalog(name)
    return items.get(code).label() if code in items else code


def _setting_label(items, code: str) -> str:
    # An office may have dropped a code from its settings since the complaint was made.
    return next((item.label() for item in items if item.code == code), code)


def _when(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")


def open_intake(app) -> None:
    """F2: open the intake form, linked to the visit at the counter if there is one."""
    if isinstance(app.screen, (ComplaintIntakeScreen, ComplaintReceiptScreen)):
        return
    office, visit_id = app.office, app.current_visit_id

    def read(session):
        from cxdesk.domain.complaints import categories, load_settings, visit_link

        # Settings are read here so that a broken override file is a message, not a crash.
        return visit_link(session, office, visit_id), load_settings(), categories()

    app.run_db(read, lambda found: app.push_screen(ComplaintIntakeScreen(*found)), description="open complaint")


def open_queue(app) -> None:
    """F7: the complaints queue. From a complaint's detail it goes back to the
    queue below; over anything else (a half-filled form, say) it opens on top,
    so nothing typed is thrown away."""
    stack = app.screen_stack
    for index, screen in enumerate(stack):
        if isinstance(screen, ComplaintsScreen) and all(
                isinstance(above, ComplaintDetailScreen) for above in stack[index + 1:]):
            while app.screen is not screen:
                app.pop_screen()
            screen.reload()
            return
    app.push_screen(ComplaintsScreen())


# --- the reference, large ------------------------------------------------------------

# A 3x5 pixel font, drawn with half blocks into three text rows, so the
# customer can read the reference from across the counter.
_FONT = {
    "A": "010101111101101", "B": "110101110101110", "C": "111100100100111", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "111100101101111", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101111", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "111101101101101", "O": "010101101101010", "P": "111101111100100",
    "Q": "111101101111001", "R": "111101110101101", "S": "111100111001111", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101111010010", "Z": "111001010100111",
    "0": "111101101101111", "1": "110010010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111", "-": "000000111000000", " ": "000000000000000",
}


def big_text(text: str) -> str:
    """``text`` three rows tall (letters, digits and hyphens)."""
    rows = ["", "", ""]
    for char in text.upper():
        bits = _FONT.get(char, _FONT[" "])
        pixels = [bits[i:i + 3] for i in range(0, 15, 3)] + ["000"]
        for row in range(3):
            top, bottom = pixels[2 * row], pixels[2 * row + 1]
            rows[row] += "".join(
                "█" if t == "1" and b == "1" else "▀" if t == "1" else "▄" if b == "1" else " "
                for t, b in zip(top, bottom)
            ) + " "
    return "\n".join(row.rstrip() for row in rows)


# --- intake ---------------------------------------------------------------------------


class ComplaintIntakeScreen(Dialog):
    """How it came in, what it is about, what happened, what the customer wants,
    and contact details only with consent. Ctrl+S saves."""

    CSS_PATH = CSS
    AUTO_FOCUS = "#via"
    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save the complaint and show its reference number.",
                        id="save-complaint", priority=True)]

    def __init__(self, link: VisitLink | None, settings: ComplaintSettings, categories: Catalog) -> None:
        super().__init__()
        self.link, self.settings, self.categories = link, settings, categories

    def compose(self) -> ComposeResult:
        settings = self.settings
        with VerticalScroll(classes="dialog wide", id="intake"):
            yield Static("New complaint", classes="form-title")
            if self.link is not None:
                yield Static(f"↳ Linked to visit {self.link.ticket} · {_label('services', self.link.service)}"
                             f" · {_label('segments', self.link.segment)}", id="link")
            else:
                yield Static("Not linked to a visit.", id="link")
            with Horizontal(classes="columns"):
                with Vertical():
                    yield Label("Received")
                    yield NumberedChoice([(i.code, i.label()) for i in settings.received_via], id="via",
                                         selected="counter")
                with Vertical():
                    yield Label("About")
                    yield NumberedChoice([(i.code, i.label()) for i in self.categories], id="category")
                with Vertical(id="urgency-column"):
                    yield Label("Urgency")
                    yield NumberedChoice([(i.code, i.label()) for i in settings.urgency], id="urgency",
                                         selected="normal")
            yield Label("What happened (the customer's words)")
            yield Input(id="what", max_length=2000)
            yield Label("What the customer wants done")
            yield Input(id="wanted", max_length=1000)
            yield TickBox("Customer agrees we keep contact details to reply (consent)", id="consent")
            with Horizontal(classes="columns short", id="contact"):
                with Vertical():
                    yield Label("Name")
                    yield Input(id="name", max_length=80, disabled=True)
                with Vertical():
                    yield Label("Phone")
                    yield Input(id="phone", max_length=40, disabled=True)
                with Vertical():
                    yield Label("Email")
                    yield Input(id="email", max_length=120, disabled=True)
                with Vertical(id="language-column"):
                    yield Label("Language")
                    yield NumberedChoice(LANGUAGES, id="language", advance=False, disabled=True,
                                         selected=self.link.language if self.link else "en")
            yield MessageLine(id="message")

    def on_mount(self) -> None:
        self.query_one("#intake").border_subtitle = "Number keys pick · Enter goes on · Ctrl+S saves · Escape cancels"

    @on(Checkbox.Changed, "#consent")
    def _consent(self, event: Checkbox.Changed) -> None:
        for widget in self.query("#contact Input, #contact NumberedChoice"):
            widget.disabled = not event.value

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        last = "#email" if self.query_one("#consent", Checkbox).value else "#wanted"
        if event.input.id == last.lstrip("#"):
            self.action_save()
        else:
            self.focus_next()

    def intake(self):
        from cxdesk.domain.complaints import ComplaintIntake, ContactDetails

        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value

        consent = self.query_one("#consent", Checkbox).value
        contact = ContactDetails(name=value("name"), phone=value("phone"), email=value("email"),
                                 language=self.picked("language") or (self.link.language if self.link else "en")
                                 ) if consent else None
        return ComplaintIntake(
            received_via=self.picked("via") or "counter", category=self.picked("category") or "",
            what_happened=value("what"), wanted=value("wanted"), urgency=self.picked("urgency") or "normal",
            visit_id=self.link.visit_id if self.link else None, contact=contact, consent=consent,
        )

    def action_save(self) -> None:
        app = self.app
        intake = self.intake()
        if not intake.category:
            self.show_error("Choose what the complaint is about (number keys).")
            self.query_one("#category").focus()
            return
        office, who, now, settings = app.office, app.signed_in.staff, app.now(), self.settings

        def save(session) -> Complaint:
            from cxdesk.domain.complaints import open_complaint

            return open_complaint(session, office, who, intake, now, settings)

        app.run_db(save, lambda complaint: app.switch_screen(ComplaintReceiptScreen(complaint)),
                   on_error=self.show_error, description="save complaint")


class ComplaintReceiptScreen(ModalScreen):
    """The reference number, large, with the acknowledgement deadline, in English and Spanish."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape,enter", "close", "Done", tooltip="Back to where you were.", id="close-receipt")]

    def __init__(self, complaint: Complaint) -> None:
        super().__init__()
        self.complaint = complaint

    def compose(self) -> ComposeResult:
        from cxdesk.domain.complaints import receipt_lines, spell_day, spoken_reference

        complaint = self.complaint
        lines = receipt_lines(complaint)
        with Vertical(classes="dialog wide", id="receipt"):
            yield Static("✔ Complaint saved · Queja registrada", classes="form-title")
            yield Static("Reference number · Número de referencia")
            yield Static(big_text(complaint.reference), id="big-reference")
            yield Static(f"Read aloud: {spoken_reference(complaint.reference)}", id="spoken")
            yield Static(f"Acknowledgement due by {spell_day(complaint.acknowledge_due)}", id="ack-due")
            yield Static(lines["en"], classes="customer-line")
            yield Static(lines["es"], classes="customer-line")
            yield Static("Enter or Escape: done", classes="hint")

    def action_close(self) -> None:
        self.dismiss(self.complaint)


# --- the queue --------------------------------------------------------------------------


class PickDialog(Dialog):
    """Pick one item from a short list (number keys or arrows and Enter)."""

    CSS_PATH = CSS
    AUTO_FOCUS = "#pick"

    def __init__(self, title: str, items: Sequence[tuple[str, str]], selected: str | None = None) -> None:
        super().__init__()
        self.title_text, self.items, self.selected = title, items, selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="form-title")
            yield NumberedChoice(self.items, id="pick", selected=self.selected, advance=False)

    @on(NumberedChoice.Picked, "#pick")
    def _picked(self, event: NumberedChoice.Picked) -> None:
        self.dismiss(event.code)


class ComplaintsScreen(Screen):
    """My complaints or the office queue, soonest deadline first."""

    CSS_PATH = CSS
    AUTO_FOCUS = "#queue"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to where you were.", id="back-from-complaints"),
        Binding("enter", "open_detail", "Open", tooltip="Open the highlighted complaint with its trail.",
                id="open-complaint-detail", show=False),
        Binding("m", "toggle_mine", "Mine/office", tooltip="Switch between my complaints and the office queue.",
                id="toggle-mine"),
        Binding("s", "filter_state", "State", tooltip="Show only one state (or all open).", id="filter-state"),
        Binding("c", "filter_category", "Category", tooltip="Show only one category (or all).",
                id="filter-category"),
        Binding("o", "toggle_overdue", "Overdue only", tooltip="Show only complaints past their deadline.",
                id="toggle-overdue"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mine = False
        self.state: str = ALL
        self.category: str = ALL
        self.overdue = False
        self.rows: list[QueueRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="queue-title", classes="pane-title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).add_columns(
            "Deadline", "Reference", "State", "About", "Urgency", "With")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = self.app
        office, me, now = app.office, app.signed_in.staff, app.now()
        mine, overdue = self.mine, self.overdue
        states = [self.state] if self.state != ALL else None
        category = self.category if self.category != ALL else None

        def read(session):
            from cxdesk.reports import complaint_queue as queue

            today = office.local_day(now)
            return (queue.list_complaints(session, office, today, mine=me if mine else None, states=states,
                                          category=category, overdue=overdue),
                    queue.complaint_counts(session, office, today))

        app.run_db(read, self._show, description="read complaints")

    def _show(self, result) -> None:
        from cxdesk.domain.complaints import STATE_LABELS

        rows, counts = result
        self.rows = rows
        table = self.query_one("#queue", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            style = {"overdue": "bold reverse", "due_today": "bold"}.get(row.due.status, "")
            table.add_row(
                Text(f"{row.due.symbol} {row.due.text}", style=style), row.reference,
                row.track if row.state == "in_progress" else row.state_label,
                _label("complaint_categories", row.category), row.urgency, row.assigned_code or "–",
                key=str(row.id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        filters = [("My complaints" if self.mine else "Office queue")]
        filters.append(f"state: {STATE_LABELS.get(self.state, 'all open')}")
        filters.append(f"about: {_label('complaint_categories', self.category) if self.category != ALL else 'all'}")
        if self.overdue:
            filters.append("overdue only")
        self.query_one("#queue-title", Static).update(f"{' · '.join(filters)}  ({len(rows)})")
        self.query_one("#queue-summary", Static).update(
            f"Office: {counts.open} open · ● {counts.due_today} due today · ▲ {counts.overdue} overdue"
            "    Enter opens · F2 new complaint")

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self.reload()

    def action_toggle_overdue(self) -> None:
        self.overdue = not self.overdue
        self.reload()

    def action_filter_state(self) -> None:
        from cxdesk.domain.complaints import STATE_LABELS, STATES

        items = [(ALL, "all open")] + [(state, STATE_LABELS[state]) for state in STATES]
        self.app.push_screen(PickDialog("Show which state?", items, self.state), self._set_state)

    def action_filter_category(self) -> None:
        from cxdesk.domain.complaints import categories

        items = [(ALL, "all categories")] + [(item.code, item.label()) for item in categories()]
        self.app.push_screen(PickDialog("Show which category?", items, self.category), self._set_category)

    def _set_state(self, state: str | None) -> None:
        if state:
            self.state = state
            self.reload()

    def _set_category(self, category: str | None) -> None:
        if category:
            self.category = category
            self.reload()

    @on(DataTable.RowSelected, "#queue")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(ComplaintDetailScreen(uuid.UUID(event.row_key.value)))

    def action_open_detail(self) -> None:
        table = self.query_one("#queue", DataTable)
        if self.rows:
            row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
            self.app.push_screen(ComplaintDetailScreen(uuid.UUID(row_key.value)))


# --- detail -----------------------------------------------------------------------------

_KIND_LABELS = {"opened": "opened", "state": "state", "assign": "assigned", "note": "note",
                "extend": "extended", "contact": "contact"}


class StepDialog(Dialog):
    """A small form for one lifecycle step: a text, and as needed a pick, a number
    of days and a "customer told" mark. ``save(values)`` returns the database work."""

    CSS_PATH = CSS
    BINDINGS = [Binding("ctrl+s", "save", "Save", tooltip="Save this step.", id="save-step", priority=True)]

    def __init__(self, title: str, save: Callable[[dict[str, Any]], Callable], *, text: str | None = None,
                 text_required: bool = True, choice: tuple[str, Sequence[tuple[str, str]]] | None = None,
                 days: bool = False, told: bool = False) -> None:
        super().__init__()
        self.title_text, self.save = title, save
        self.text, self.text_required = text, text_required
        self.choice, self.days, self.told = choice, days, told

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(self.title_text, classes="form-title")
            if self.choice is not None:
                yield Label(self.choice[0])
                yield NumberedChoice(self.choice[1], id="choice")
            if self.days:
                yield Label("Extra working days")
                yield Input(id="days", max_length=3, restrict=r"[0-9]*")
            if self.text is not None:
                yield Label(self.text + ("" if self.text_required else " (optional)"))
                yield Input(id="text", max_length=2000)
            if self.told:
                yield TickBox("The customer has been told", id="told")
            yield MessageLine(id="message")
            yield Static("Enter or Ctrl+S saves · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        first = self.query("NumberedChoice, Input")
        if first:
            first.first().focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "text" or (event.input.id == "days" and self.text is None):
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        values: dict[str, Any] = {}
        if self.choice is not None:
            values["choice"] = self.picked("choice")
            if not values["choice"]:
                self.show_error(f"{self.choice[0]}: pick one (number keys).")
                return
        if self.days:
            raw = self.query_one("#days", Input).value
            values["days"] = int(raw) if raw.isdigit() else 0
        if self.text is not None:
            values["text"] = self.query_one("#text", Input).value
        if self.told:
            values["told"] = self.query_one("#told", Checkbox).value
        self.app.run_db(self.save(values), self.dismiss, on_error=self.show_error, description="complaint step")


class ComplaintDetailScreen(Screen):
    """One complaint: what happened, deadlines, contact (if allowed), the full trail,
    and the steps open to the person at the keyboard."""

    CSS_PATH = CSS
    AUTO_FOCUS = "#trail-pane"
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="Back to the queue.", id="back-from-complaint"),
        Binding("a", "step('acknowledge')", "Acknowledge", tooltip="The customer was told we received it.",
                id="complaint-acknowledge"),
        Binding("w", "step('start')", "Work", tooltip="Start work: front line or investigation.",
                id="complaint-start"),
        Binding("e", "step('escalate')", "Escalate", tooltip="Escalate to a supervisor, with the reason.",
                id="complaint-escalate"),
        Binding("v", "step('resolve')", "Resolve", tooltip="Record what was done and whether the customer accepted.",
                id="complaint-resolve"),
        Binding("c", "step('close')", "Close", tooltip="Close a resolved complaint.", id="complaint-close"),
        Binding("o", "step('reopen')", "Reopen", tooltip="The customer came back: reopen, with the reason.",
                id="complaint-reopen"),
        Binding("x", "extend", "Extend", tooltip="Extend the deadline: reason and customer told.",
                id="complaint-extend"),
        Binding("g", "assign", "Assign", tooltip="Give the complaint to someone (or take it).",
                id="complaint-assign"),
        Binding("n", "note", "Note", tooltip="Add a note to the trail.", id="complaint-note"),
    ]

    def __init__(self, complaint_id: uuid.UUID) -> None:
        super().__init__()
        self.complaint_id = complaint_id
        self.view: ComplaintView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-main"):
            with VerticalScroll(id="facts-pane"):
                yield Static("Loading…", id="facts")
            with VerticalScroll(id="trail-pane"):
                yield Static("Trail (kept as written, never edited)", classes="pane-title")
                yield Static("", id="trail")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, _: object = None) -> None:
        app = self.app
        office, me, now, complaint_id = app.office, app.signed_in.staff, app.now(), self.complaint_id

        def read(session):
            from cxdesk.reports import complaint_queue as queue

            return queue.view_complaint(session, office, complaint_id, me, office.local_day(now))

        app.run_db(read, self._show, description="read complaint")

    def _show(self, view: ComplaintView) -> None:
        from cxdesk.domain.complaints import load_settings, spell_day, state_text

        self.view = view
        c = view.complaint
        zone = self.app.office.timezone
        settings = load_settings()
        # Plain Text pieces: free text from the database is never read as markup.
        def head(words: str) -> Text:
            return Text(words, style="bold")

        lines: list[Text | str] = [
            head(f"{c.reference}   {state_text(c.state, c.track).upper()}"),
            f"{view.due.symbol} {view.due.text}",
            "",
            f"About: {_label('complaint_categories', c.category)} · urgency "
            f"{_setting_label(settings.urgency, c.urgency)}",
            f"Received: {_when(c.received_at, zone)}, {_setting_label(settings.received_via, c.received_via).lower()}",
            f"By {view.opened_by_code} · with {view.assigned_code or 'nobody'}",
            f"Acknowledge by: {spell_day(c.acknowledge_due)}"
            + (f" (done {_when(c.acknowledged_at, zone)}{' ▲ LATE' if view.acknowledged_late else ''})"
               if c.acknowledged_at else ""),
            f"Resolve by: {spell_day(c.resolution_due)}" + (f" · extended {c.extensions}×" if c.extensions else ""),
        ]
        if view.visit_ticket:
            lines.append(f"Visit: {view.visit_ticket} · {_label('services', c.service)} · "
                         f"{_label('segments', c.segment)}")
        lines += ["", head("What happened"), c.what_happened]
        if c.wanted:
            lines += [head("Customer wants"), c.wanted]
        if c.resolution:
            accepted = "accepted" if c.customer_accepted else "NOT accepted"
            lines += [head("Resolution"), f"{c.resolution} (customer {accepted})"]
        lines.append("")
        if view.contact is not None:
            contact = view.contact
            reach = " · ".join(part for part in (contact.phone, contact.email) if part)
            lines += [head("Contact (consent recorded)"),
                      f"{contact.name or '(no name)'} · {reach} · {contact.language.upper()}"]
        elif view.contact_withheld:
            lines.append("Contact: 🔒 withheld (only the person handling it and supervisors see it)")
        else:
            lines.append("Contact: none kept")
        facts = self.query_one("#facts", Static)
        facts.update(Text("\n").join(Text(line) if isinstance(line, str) else line for line in lines))
        entries = []
        for line in view.trail:
            change = f": {line.from_value or '–'} → {line.to_value or '–'}" if line.from_value or line.to_value else ""
            entry = Text(f"{line.seq:>2}  {_when(line.at, zone)}  {line.who_code}  "
                         f"{_KIND_LABELS.get(line.kind, line.kind)}{change}", style="bold")
            if line.note:
                entry.append(f"\n└ {line.note}", style="not bold")
            entries.append(entry)
        self.query_one("#trail", Static).update(Text("\n").join(entries))
        self.refresh_bindings()

    # Steps that are not allowed now are hidden from the footer (not only greyed):
    # the detail panel says which state the complaint is in and why.
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.view is None:
            return action == "back"
        if action == "step":
            return bool(parameters) and parameters[0] in self.view.actions
        if action in ("extend",):
            from cxdesk.domain.complaints import OPEN_STATES, RECEIVED

            state = self.view.complaint.state
            return state in OPEN_STATES and state != RECEIVED
        if action == "assign":
            return self.view.complaint.state != "closed"
        return True

    def action_back(self) -> None:
        self.dismiss()

    def _push(self, dialog: StepDialog) -> None:
        self.app.push_screen(dialog, self.reload)

    def action_step(self, action: str) -> None:
        from cxdesk.domain import complaints as cx

        if self.view is None or action not in self.view.actions:
            return
        app, complaint_id = self.app, self.complaint_id
        who, now = app.signed_in.staff, app.now()
        ref = self.view.complaint.reference
        if action in ("acknowledge", "close"):
            do = cx.acknowledge if action == "acknowledge" else cx.close
            app.run_db(lambda session: do(session, complaint_id, who, now), self.reload,
                       description=f"complaint {action}")
            return
        if action == "start":
            tracks = [(cx.FRONTLINE, "Front line (resolve within 5 working days of receipt)"),
                      (cx.INVESTIGATION, "Investigation (answer within 20 working days)")]
            if self.view.complaint.state == cx.IN_PROGRESS:
                tracks = tracks[1:]
            self._push(StepDialog(f"Start work on {ref}", lambda v: lambda session: cx.start_work(
                session, complaint_id, who, v["choice"], now, note=v["text"]),
                choice=("How", tracks), text="Note", text_required=False))
        elif action == "escalate":
            self._push(StepDialog(f"Escalate {ref} to a supervisor", lambda v: lambda session: cx.escalate(
                session, complaint_id, who, v["text"], now), text="Why"))
        elif action == "resolve":
            self._push(StepDialog(f"Resolve {ref}", lambda v: lambda session: cx.resolve(
                session, complaint_id, who, what_was_done=v["text"], customer_accepted=v["choice"] == "yes",
                now=now), choice=("Did the customer accept?", [("yes", "Yes, accepted"), ("no", "No")]),
                text="What was done"))
        elif action == "reopen":
            self._push(StepDialog(f"Reopen {ref}", lambda v: lambda session: cx.reopen(
                session, complaint_id, who, v["text"], now), text="Why (what the customer came back about)"))

    def action_extend(self) -> None:
        from cxdesk.domain import complaints as cx

        complaint_id, who, now = self.complaint_id, self.app.signed_in.staff, self.app.now()
        self._push(StepDialog(
            f"Extend the deadline of {self.view.complaint.reference}", lambda v: lambda session: cx.extend(
                session, complaint_id, who, days=v["days"], reason=v["text"], customer_told=v["told"], now=now),
            days=True, text="Reason", told=True))

    def action_note(self) -> None:
        from cxdesk.domain import complaints as cx

        complaint_id, who, now = self.complaint_id, self.app.signed_in.staff, self.app.now()
        self._push(StepDialog(f"Note on {self.view.complaint.reference}", lambda v: lambda session: cx.add_note(
            session, complaint_id, who, v["text"], now), text="Note (no contact details)"))

    def action_assign(self) -> None:
        from cxdesk.domain import complaints as cx

        complaint_id, who, now = self.complaint_id, self.app.signed_in.staff, self.app.now()
        office = self.app.office

        def work(values):
            def assign(session):
                from cxdesk.domain.staff import get_staff

                to = get_staff(session, office, values["choice"])
                return cx.assign(session, complaint_id, who, to, now, note=values["text"])

            return assign

        self._push(StepDialog(f"Give {self.view.complaint.reference} to", work,
                              choice=("Who", [(code, f"{name} ({code})") for code, name in self.view.staff_choices]),
                              text="Note", text_required=False))

