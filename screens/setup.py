"""First-run setup (office, time zone, stations, first supervisor) and PIN changes:
the one a supervisor's reset asks for at sign-in, and a staff member's own (Ctrl+O)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseModal, BaseScreen
from cxdesk.screens.dialogs import Dialog
from cxdesk.screens.widgets import FormInput, KeyBar, MessageLine
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.widgets import Header, Input, Label, Static

from cxdesk.errors import CxdeskError

if TYPE_CHECKING:
    from cxdesk.domain.staff import SignedIn

SETUP_FIELDS = (
    # id, label, placeholder, default, password
    ("office-code", "Office code", "e.g. CHI01 (letters and digits)", "", False),
    ("office-name", "Office name", "e.g. Chicago Loop Field Office", "", False),
    ("timezone", "Time zone (IANA)", "e.g. America/Chicago", "America/Chicago", False),
    ("stations", "Stations (comma separated)", "e.g. Window 1, Window 2, Window 3",
     "Window 1, Window 2", False),
    ("sup-code", "First supervisor: staff code", "e.g. SUP1", "", False),
    ("sup-name", "First supervisor: name", "e.g. Ana Ruiz", "", False),
    ("sup-pin", "First supervisor: PIN", "8 to 12 digits", "", True),
    ("sup-pin2", "PIN again", "the same PIN", "", True),
)


class SetupScreen(BaseScreen):
    """Asked once, when the database has no office yet."""

    CSS_PATH = "forms.tcss"
    AUTO_FOCUS = "#office-code"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Create the office, its stations and the supervisor.",
                id="save-setup", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form", classes="form setup"):
            yield Static("Welcome to cxdesk: set up this office", classes="form-title")
            yield Static("Enter moves to the next field; Ctrl+S saves. Supervisors add clerks later (F5).")
            with Grid(id="setup-grid"):
                for field_id, label, placeholder, default, password in SETUP_FIELDS:
                    yield Label(label, classes="field-label")
                    yield FormInput(value=default, placeholder=placeholder, id=field_id,
                                    password=password, compact=True,
                                    advance=field_id != SETUP_FIELDS[-1][0])
            yield MessageLine(id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.app.screen_ready("setup")

    @on(Input.Submitted, f"#{SETUP_FIELDS[-1][0]}")
    def _last_field(self) -> None:
        self.action_save()

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value

    def action_save(self) -> None:
        from cxdesk.domain.office import parse_station_names

        app = self.app
        message = self.query_one("#message", MessageLine)
        try:
            if self._value("sup-pin") != self._value("sup-pin2"):
                raise CxdeskError("The two PINs differ.")
            station_names = parse_station_names(self._value("stations"))
        except CxdeskError as exc:
            message.show_error(str(exc))
            return
        values = {field_id: self._value(field_id) for field_id, *_ in SETUP_FIELDS}

        def create(session):
            from cxdesk.domain.office import setup_office

            now = app.now()
            return setup_office(
                session, code=values["office-code"], name=values["office-name"],
                timezone=values["timezone"].strip(), station_names=station_names,
                supervisor_code=values["sup-code"], supervisor_name=values["sup-name"],
                supervisor_pin=values["sup-pin"], now=now,
            )

        def created(office) -> None:
            from cxdesk.screens.signin import SignInScreen

            app.office = office
            app.notify(f"Office {office.code} is ready. Sign in as {values['sup-code'].upper()}.")
            app.switch_screen(SignInScreen())

        app.run_db(create, created, on_error=lambda exc: message.show_error(str(exc)),
                   description="first-run setup")


class ChangePinScreen(BaseModal["SignedIn | None"]):
    """After a supervisor's reset: the staff member chooses a new PIN."""

    CSS_PATH = "forms.tcss"
    AUTO_FOCUS = "#new-pin"
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Back to sign-in.", id="cancel-pin")]

    def __init__(self, signed_in: SignedIn) -> None:
        super().__init__()
        self.signed_in = signed_in

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Content(f"{self.signed_in.staff.name}: choose a new PIN"), classes="form-title")
            yield Label("New PIN")
            yield FormInput(id="new-pin", password=True, max_length=12, placeholder="4 to 12 digits")
            yield Label("New PIN again")
            yield FormInput(id="new-pin2", password=True, max_length=12, advance=False)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#new-pin2")
    def _second(self) -> None:
        message = self.query_one("#message", MessageLine)
        pin = self.query_one("#new-pin", Input).value
        if pin != self.query_one("#new-pin2", Input).value:
            message.show_error("The two PINs differ.")
            return
        staff_id = self.signed_in.staff.id

        def change(session):
            from cxdesk.domain.staff import change_pin
            from cxdesk.store.models import Staff

            return change_pin(session, session.get(Staff, staff_id), pin)

        self.app.run_db(change, lambda _staff: self.dismiss(self.signed_in),
                        on_error=lambda exc: message.show_error(str(exc)), description="change PIN")

    def action_cancel(self) -> None:
        signed_in = self.signed_in

        def close(session) -> None:
            from cxdesk.domain.staff import sign_out

            sign_out(session, signed_in, self.app.now())

        self.app.run_db(close, lambda _: self.dismiss(None), on_error=lambda _exc: self.dismiss(None),
                        description="close the shift")


class OwnPinDialog(Dialog):
    """A staff member changes their own PIN: the current PIN, then the new one twice."""

    AUTO_FOCUS = "#old-pin"

    def __init__(self, signed_in: SignedIn) -> None:
        super().__init__()
        self.signed_in = signed_in

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Content(f"{self.signed_in.staff.name} ({self.signed_in.staff.code}): change your PIN"),
                         classes="form-title")
            yield Label("Current PIN")
            yield FormInput(id="old-pin", password=True, max_length=12)
            yield Label("New PIN")
            yield FormInput(id="new-pin", password=True, max_length=12, placeholder="4 to 12 digits")
            yield Label("New PIN again — Enter saves")
            yield FormInput(id="new-pin2", password=True, max_length=12, advance=False)
            yield MessageLine(id="message")

    @on(Input.Submitted, "#new-pin2")
    def _save(self) -> None:
        app = self.app
        office, staff_id = app.office, self.signed_in.staff.id
        old, new, again = (self.query_one(f"#{name}", Input).value for name in ("old-pin", "new-pin", "new-pin2"))

        def change(session):
            from cxdesk.domain.staff import change_own_pin

            return change_own_pin(session, office, staff_id, old_pin=old, new_pin=new, new_pin_again=again,
                                  now=app.now())

        def refused(exc) -> None:
            for name in ("old-pin", "new-pin", "new-pin2"):
                self.query_one(f"#{name}", Input).value = ""
            self.query_one("#old-pin").focus()
            self.show_error(exc)

        def changed(_staff) -> None:
            self.notify("Your PIN is changed. Use the new one from your next sign-in.")
            self.dismiss(True)

        app.run_db(change, changed, on_error=refused, description="change your PIN")
