"""A complaint's detail: what happened, deadlines, contact (if allowed), the full trail,
and the lifecycle steps open to the person at the keyboard. Each step's time is
read when it is saved."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.complaints.common import CSS, label, setting_label, when
from cxdesk.screens.dialogs import Dialog
from cxdesk.screens.widgets import KeyBar, MessageLine, NumberedChoice, TickBox
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Header, Input, Label, Static

if TYPE_CHECKING:
    from cxdesk.reports.complaint_queue import ComplaintView


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
            yield Static(Content(self.title_text), classes="form-title")
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
        self.save_db(self.save(values), self.dismiss, "save this step")


class ComplaintDetailScreen(BaseScreen):
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
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, _: object = None) -> None:
        app = self.app
        if app.signed_in is None:  # signing out: this screen is on its way out
            return
        office, me, now, complaint_id = app.office, app.signed_in.staff, app.now(), self.complaint_id

        def read(session):
            from cxdesk.reports import complaint_queue as queue

            return queue.view_complaint(session, office, complaint_id, me, office.local_day(now))

        app.run_db(read, self._show, description="read the complaint")

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
            f"About: {label('complaint_categories', c.category)} · urgency "
            f"{setting_label(settings.urgency, c.urgency)}",
            f"Received: {when(c.received_at, zone)}, {setting_label(settings.received_via, c.received_via).lower()}",
            f"By {view.opened_by_code} · with {view.assigned_code or 'nobody'}",
            f"Acknowledge by: {spell_day(c.acknowledge_due)}"
            + (f" (done {when(c.acknowledged_at, zone)}{' ▲ LATE' if view.acknowledged_late else ''})"
               if c.acknowledged_at else ""),
            f"Resolve by: {spell_day(c.resolution_due)}" + (f" · extended {c.extensions}×" if c.extensions else ""),
        ]
        if view.visit_ticket:
            lines.append(f"Visit: {view.visit_ticket} · {label('services', c.service)} · "
                         f"{label('segments', c.segment)}")
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
            entry = Text(f"{line.seq:>2}  {when(line.at, zone)}  {line.who_code}  "
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
        # The clock is read when the step is saved (on the database thread), not when
        # its dialog opened: a step written over several minutes gets the time it was saved.
        who, clock = app.signed_in.staff, app.now
        ref = self.view.complaint.reference
        if action in ("acknowledge", "close"):
            do = cx.acknowledge if action == "acknowledge" else cx.close
            app.run_db(lambda session: do(session, complaint_id, who, clock()), self.reload,
                       description=f"{action} the complaint")
            return
        if action == "start":
            tracks = [(cx.FRONTLINE, "Front line (resolve within 5 working days of receipt)"),
                      (cx.INVESTIGATION, "Investigation (answer within 20 working days)")]
            if self.view.complaint.state == cx.IN_PROGRESS:
                tracks = tracks[1:]
            self._push(StepDialog(f"Start work on {ref}", lambda v: lambda session: cx.start_work(
                session, complaint_id, who, v["choice"], clock(), note=v["text"]),
                choice=("How", tracks), text="Note", text_required=False))
        elif action == "escalate":
            self._push(StepDialog(f"Escalate {ref} to a supervisor", lambda v: lambda session: cx.escalate(
                session, complaint_id, who, v["text"], clock()), text="Why"))
        elif action == "resolve":
            self._push(StepDialog(f"Resolve {ref}", lambda v: lambda session: cx.resolve(
                session, complaint_id, who, what_was_done=v["text"], customer_accepted=v["choice"] == "yes",
                now=clock()), choice=("Did the customer accept?", [("yes", "Yes, accepted"), ("no", "No")]),
                text="What was done"))
        elif action == "reopen":
            self._push(StepDialog(f"Reopen {ref}", lambda v: lambda session: cx.reopen(
                session, complaint_id, who, v["text"], clock()), text="Why (what the customer came back about)"))

    def action_extend(self) -> None:
        from cxdesk.domain import complaints as cx

        complaint_id, who, clock = self.complaint_id, self.app.signed_in.staff, self.app.now
        self._push(StepDialog(
            f"Extend the deadline of {self.view.complaint.reference}", lambda v: lambda session: cx.extend(
                session, complaint_id, who, days=v["days"], reason=v["text"], customer_told=v["told"],
                now=clock()),
            days=True, text="Reason", told=True))

    def action_note(self) -> None:
        from cxdesk.domain import complaints as cx

        complaint_id, who, clock = self.complaint_id, self.app.signed_in.staff, self.app.now
        self._push(StepDialog(f"Note on {self.view.complaint.reference}", lambda v: lambda session: cx.add_note(
            session, complaint_id, who, v["text"], clock()), text="Note (no contact details)"))

    def action_assign(self) -> None:
        from cxdesk.domain import complaints as cx

        complaint_id, who, clock = self.complaint_id, self.app.signed_in.staff, self.app.now
        office = self.app.office

        def work(values):
            def assign(session):
                from cxdesk.domain.staff import get_staff

                to = get_staff(session, office, values["choice"])
                return cx.assign(session, complaint_id, who, to, clock(), note=values["text"])

            return assign

        self._push(StepDialog(f"Give {self.view.complaint.reference} to", work,
                              choice=("Who", [(code, f"{name} ({code})") for code, name in self.view.staff_choices]),
                              text="Note", text_required=False))
