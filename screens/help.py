"""The help screen, generated from the bindings so it can never disagree with them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


def binding_rows(screen: Screen) -> list[tuple[str, str, str, str]]:
    """(where, key, what, why) for every binding of the screen and the app."""
    app = screen.app
    rows: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for where, node in ((screen.__class__.__name__.removesuffix("Screen") or "Screen", screen),
                        ("Everywhere", app)):
        for binding in node._bindings:
            binding = binding[1] if isinstance(binding, tuple) else binding
            if not binding.description or binding.action in seen:
                continue
            if app.check_action(binding.action, ()) is False:
                continue
            seen.add(binding.action)
            key = app.get_key_display(binding)
            rows.append((where, key, binding.description, binding.tooltip))
    if app.ENABLE_COMMAND_PALETTE:
        rows.append(("Everywhere", "ctrl+p", "Commands", "Search every action by name (command palette)."))
    return rows


class HelpScreen(ModalScreen):
    """Every key of the screen below, with what it does."""

    CSS_PATH = "forms.tcss"
    BINDINGS = [Binding("escape,f1", "close", "Close", tooltip="Back to where you were.", id="close-help")]

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Static("Keys", classes="form-title")
            yield DataTable(id="keys", cursor_type="row", show_cursor=False)
            yield Static("Escape closes this help. Number keys pick from lists; Escape always backs out.")

    def on_mount(self) -> None:
        table = self.query_one("#keys", DataTable)
        table.add_columns("Where", "Key", "Action", "What it does")
        for row in binding_rows(self.below):
            table.add_row(*row)

    def action_close(self) -> None:
        self.dismiss(None)
