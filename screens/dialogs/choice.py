"""Questions with a short list of answers (number keys), and a plain pick list."""

from __future__ import annotations

from collections.abc import Sequence

from cxdesk.screens.base import BaseModal, stylesheet
from cxdesk.screens.widgets import NumberedChoice
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static


class ChoiceDialog(BaseModal[str | None]):
    """A question and numbered answers; dismisses with the code picked, or None on Escape."""

    CSS_PATH = stylesheet("forms.tcss")
    AUTO_FOCUS = "#answer"
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without choosing.", id="cancel-choice")]

    def __init__(self, question: str, detail: str, answers: Sequence[tuple[str, str]],
                 selected: str | None = None) -> None:
        super().__init__()
        self.question, self.detail, self.answers, self.selected = question, detail, answers, selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="form-title")
            if self.detail:
                yield Static(Content(self.detail), classes="detail")
            yield NumberedChoice(self.answers, id="answer", selected=self.selected, advance=False)
            yield Static("Number key picks · Esc cancels", classes="hint")

    @on(NumberedChoice.Picked, "#answer")
    def _picked(self, event: NumberedChoice.Picked) -> None:
        self.dismiss(event.code)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickDialog(ChoiceDialog):
    """Pick one item from a short list (number keys or arrows and Enter)."""

    def __init__(self, title: str, items: Sequence[tuple[str, str]], selected: str | None = None) -> None:
        super().__init__(title, "", items, selected)
