"""The help screen, generated from the bindings so it can never disagree with them."""

from __future__ import annotations

from cxdesk.screens.base import BaseModal
from cxdesk.screens.widgets.keybar import key_label
from rich.table import Table
from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from cxdesk.i18n import staff_text

# The help screen's own words, in the staff message catalog (cxdesk/i18n.py) with the bindings'.
HELP_TEXTS = {
    "title": "Keys",
    "columns": ("Where", "Key", "Action", "What it does"),
    "hint": "Escape closes this help. Number keys pick from lists; Escape always backs out.",
    "palette": "Search every action by name.",
    "everywhere": "Everywhere",
}


def cxdesk_bindings(screen: Screen) -> list[tuple[str, DOMNode, Binding]]:
    """(where, namespace, binding) for every cxdesk binding of the screen, then the app.

    Only bindings with an id are ours; Textual's own (focus moves, copy) are left
    out. Actions the app refuses right now (a supervisor's keys for a clerk,
    staff keys on a customer's screen) are left out too. The help screen and the
    command palette both read this, so they cannot disagree.
    """
    app = screen.app
    found: list[tuple[str, DOMNode, Binding]] = []
    seen: set[str] = set()
    where_screen = screen.__class__.__name__.removesuffix("Screen") or "Screen"
    for where, node in ((where_screen, screen), ("Everywhere", app)):
        for _key, binding in node._bindings:
            if binding.id is None and binding.action != "command_palette":
                continue
            if binding.action in seen or app.check_action(binding.action, ()) is False:
                continue
            seen.add(binding.action)
            found.append((where, node, binding))
    return found


def binding_rows(screen: Screen) -> list[tuple[str, str, str, str]]:
    """(where, key, action, what it does) for the help screen."""
    app = screen.app
    return [
        (staff_text("Everywhere") if where == "Everywhere" else where, key_label(app, binding),
         staff_text(binding.description or binding.action.replace("_", " ").capitalize()),
         staff_text(binding.tooltip or HELP_TEXTS["palette"]))
        for where, _node, binding in cxdesk_bindings(screen)
    ]


class HelpScreen(BaseModal):
    """Every key of the screen below, with what it does."""

    CSS_PATH = "forms.tcss"
    AUTO_FOCUS = "#help"
    BINDINGS = [Binding("escape,f1", "close", "Close", tooltip="Back to where you were.", id="close-help")]

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.below = below
        self.rows = binding_rows(below)

    def compose(self) -> ComposeResult:
        table = Table(expand=True, box=None, pad_edge=False)
        for column, ratio in zip(HELP_TEXTS["columns"], (2, 1, 2, 6)):
            table.add_column(staff_text(column), ratio=ratio, overflow="fold")
        for row in self.rows:
            # Rich reads table cells as markup: escaped, so a "[" in a description is text.
            table.add_row(*(escape(cell) for cell in row))
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Static(staff_text(HELP_TEXTS["title"]), classes="form-title")
            yield Static(table, id="keys")
            yield Static(staff_text(HELP_TEXTS["hint"]), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
