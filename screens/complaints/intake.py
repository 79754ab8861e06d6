"""Complaint intake (F2 from any staff screen) and the receipt with the reference shown large.

Enter moves from field to field; only Ctrl+S, or Enter on the last field, saves.
Escape on a form with something typed asks before throwing it away. The receipt
closes only on Escape, and keys typed before it appeared are dropped, so a
clerk who kept typing never acts on the counter behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseModal
from cxdesk.screens.complaints.common import CSS, label
from cxdesk.screens.dialogs import LANGUAGES, Dialog
from cxdesk.screens.widgets import MessageLine, NumberedChoice, TickBox, big_text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, Static

if TYPE_CHECKING:
    from cxdesk.domain.complaints import ComplaintSettings, VisitLink
    from cxdesk.store.catalogs import Catalog
    from cxdesk.store.models import Complaint

TEXT_FIELDS = ("what", "wanted", "name", "phone", "email")


class ConsentBox(TickBox, inherit_bindings=False):
    """The consent tick: Space ticks, Enter goes on (as in every other field of the form)."""

    BINDINGS = [
        Binding("space", "toggle_button", "Tick", tooltip="Tick or untick the customer's consent.",
                id="consent-toggle", show=False),
        Binding("enter", "field_done", "Next", tooltip="Go on to the next field.", id="consent-next",
                show=False),
    ]

    def action_field_done(self) -> None:
        self.screen.field_done(self)


class ComplaintIntakeScreen(Dialog):
    """How it came in, what it is about, what happened, what the customer wants,
    and contact details only with consent. Ctrl+S saves."""

    CSS_PATH = CSS
    AUTO_FOCUS = "#via"
    DISCARD_QUESTION = "Throw away this complaint? Nothing has been saved yet."
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
                yield Static(Content(f"↳ Linked to visit {self.link.ticket} · {label('services', self.link.service)}"
                                     f" · {label('segments', self.link.segment)}"), id="link")
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
            yield ConsentBox("Consent: the customer agrees we keep contact details to reply (Space)",
                             id="consent")
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
        self.query_one("#intake").border_subtitle = "Number keys pick · Enter goes on · Ctrl+S saves · Esc cancels"

    def has_changes(self) -> bool:
        typed = any(self.query_one(f"#{name}", Input).value.strip() for name in TEXT_FIELDS)
        return typed or bool(self.picked("category")) or self.query_one("#consent", Checkbox).value

    @on(Checkbox.Changed, "#consent")
    def _consent(self, event: Checkbox.Changed) -> None:
        for widget in self.query("#contact Input, #contact NumberedChoice"):
            widget.disabled = not event.value

    def _last_field(self) -> str:
        return "language" if self.query_one("#consent", Checkbox).value else "consent"

    def field_done(self, widget) -> None:
        """Enter in a field: on to the next one, or save on the last."""
        if widget.id == self._last_field():
            self.action_save()
        else:
            self.focus_next()
            if self.focused is not None:
                self.focused.scroll_visible()

    @on(Input.Submitted)
    def _input_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.field_done(event.input)

    @on(NumberedChoice.Picked, "#language")
    def _language_entered(self, event: NumberedChoice.Picked) -> None:
        # Enter on the language list (the last field) picks, then saves; a number key only picks.
        if event.by_enter:
            self.field_done(event.choice)

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
        office, who, settings = app.office, app.signed_in.staff, self.settings

        def save(session) -> Complaint:
            from cxdesk.domain.complaints import open_complaint

            return open_complaint(session, office, who, intake, app.now(), settings)

        self.save_db(save, lambda complaint: app.switch_screen(ComplaintReceiptScreen(complaint)),
                     "save the complaint")


class ComplaintReceiptScreen(BaseModal):
    """The reference number, large, with the acknowledgement deadline, in English and Spanish."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "close", "Done", tooltip="Back to where you were.", id="close-receipt")]

    def __init__(self, complaint: Complaint) -> None:
        super().__init__()
        self.complaint = complaint

    def compose(self) -> ComposeResult:
        from cxdesk.domain.complaints import receipt_lines, spell_day, spoken_reference

        complaint = self.complaint
        lines = receipt_lines(complaint)
        with VerticalScroll(classes="dialog wide", id="receipt"):
            yield Static("✔ Complaint saved · Queja registrada", classes="form-title")
            yield Static("Reference number · Número de referencia")
            yield Static(Content(big_text(complaint.reference)), id="big-reference")
            yield Static(Content(f"Read aloud: {spoken_reference(complaint.reference)}"), id="spoken")
            yield Static(Content(f"Acknowledgement due by {spell_day(complaint.acknowledge_due)}"), id="ack-due")
            yield Static(Content(lines["en"]), classes="customer-line")
            yield Static(Content(lines["es"]), classes="customer-line")
            yield Static("Escape: done (other keys do nothing here)", classes="hint")

    def _ready_for_keys(self) -> None:
        # Keys typed while the complaint was being saved were meant for the form,
        # not for this screen or the one behind it: they are dropped.
        self.app.type_ahead.keys.clear()
        super()._ready_for_keys()

    def action_close(self) -> None:
        self.dismiss(self.complaint)
