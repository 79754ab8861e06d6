"""A clerk takes the screen back from the customer (survey) or closes a kiosk: staff code and PIN.

The staff code is never filled in ahead: the dialog is in front of the customer.
"""

from __future__ import annotations

from cxdesk.screens.base import BaseModal, stylesheet
from cxdesk.screens.widgets import MessageLine
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static


class StaffPinDialog(BaseModal[bool]):
    """Staff code and PIN; dismisses with True once they check out."""

    CUSTOMER_FACING = True
    CSS_PATH = stylesheet("survey.tcss")
    AUTO_FOCUS = "#staff-code"
    BINDINGS = [
        Binding("escape", "cancel", "Back", tooltip="Leave the screen with the customer.", id="staff-pin-cancel"),
    ]

    # Left open and unanswered, the dialog steps aside so the screen is not stuck on it.
    GIVE_UP_SECONDS = 60

    def __init__(self, title: str = "Staff only: end the survey", back: str = "Esc returns to the survey.") -> None:
        super().__init__()
        self.title_text = title
        self.back_text = back

    def compose(self) -> ComposeResult:
        with Vertical(id="staff-pin"):
            yield Static(self.title_text, classes="form-title")
            yield Label("Staff code")
            yield Input(id="staff-code", max_length=16)
            yield Label("PIN")
            yield Input(id="staff-pin-input", password=True, max_length=12)
            yield MessageLine(self.back_text, id="staff-pin-message")

    def on_mount(self) -> None:
        self.set_timer(self.GIVE_UP_SECONDS, self._give_up)

    def _give_up(self) -> None:
        if self.is_current:
            self.dismiss(False)

    @on(Input.Submitted, "#staff-code")
    def _code_done(self) -> None:
        self.query_one("#staff-pin-input", Input).focus()

    @on(Input.Submitted, "#staff-pin-input")
    def _pin_done(self) -> None:
        app = self.app
        code = self.query_one("#staff-code", Input).value
        pin_input = self.query_one("#staff-pin-input", Input)
        pin, office = pin_input.value, app.office

        def check(session) -> bool:
            from cxdesk.domain.staff import check_pin

            check_pin(session, office, code, pin, app.now())
            return True

        def refused(exc) -> None:
            pin_input.value = ""
            self.query_one("#staff-pin-message", MessageLine).show_error(str(exc))

        app.run_db(check, self.dismiss, on_error=refused, description="check the PIN")

    def action_cancel(self) -> None:
        self.dismiss(False)
