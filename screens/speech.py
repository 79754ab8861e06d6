"""Screen-reader mode (EO 12862 1(g); Section 508): the terminal's own cursor on what has
focus, and one plain sentence on a fixed status line for every change.

Screen readers and braille displays in a terminal follow the hardware cursor, which
Textual hides and parks wherever the last text input left it (Textual issues #2348
and #2425). In this mode cxdesk shows the cursor and puts it, after every key, on
the focused item: the highlighted row of a list or table, the active choice, the
character being typed in a field. Each screen change and each result (called A033,
visit saved, an error) is written as one sentence on the top line of the screen,
and the cursor goes there until the next key, so the reader speaks it. Animations
are off.
"""

from __future__ import annotations

import re

from textual.geometry import Offset
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static

# The status line is the top row of every screen; the cursor goes to its first column.
SPOKEN_ROW = 0


class SpokenLine(Static):
    """The fixed status line of screen-reader mode: the last sentence, plain text."""

    DEFAULT_CSS = """
    SpokenLine {
        dock: top;
        height: 1;
        width: 100%;
        padding: 0 1;
        background: $panel;
        color: $foreground;
        text-style: bold;
    }
    """

    def __init__(self, sentence: str = "") -> None:
        super().__init__(sentence, id="spoken-line", markup=False)


def focus_point(screen: Screen) -> Offset | None:
    """Where the focused item of ``screen`` is, in screen cells; None if nothing has focus.

    A screen without a focused widget (the customer survey, answered with number
    keys) may name the widget that carries what is asked with ``cursor_target()``.
    """
    widget: Widget | None = screen.focused
    if widget is None:
        target = getattr(screen, "cursor_target", None)
        widget = target() if callable(target) else None
    if widget is None or not widget.display or widget.content_region.area == 0:
        return None
    region = widget.content_region
    if isinstance(widget, Input):
        x, y = widget.cursor_screen_offset
    elif isinstance(widget, DataTable):
        row = widget._get_row_region(widget.cursor_row)
        x, y = region.x, region.y + row.y - round(widget.scroll_y)
    elif isinstance(widget, OptionList) and widget.highlighted is not None:
        line = widget._index_to_line.get(widget.highlighted, 0)
        x, y = region.x, region.y + line - round(widget.scroll_y)
    else:
        x, y = region.x, region.y
    x = min(max(x, region.x), region.right - 1)
    y = min(max(y, region.y), region.bottom - 1)
    return Offset(x, y)


def screen_sentence(screen: Screen) -> str:
    """The screen's name as said when it comes up: its own, its title, or its class name."""
    own = getattr(screen, "spoken_name", None)
    if callable(own):
        said = own()
        if said:
            return said
    for selector in (".form-title", "#survey-question", "#thanks-title", "#kiosk-en-title"):
        for widget in screen.query(selector):
            if isinstance(widget, Static) and widget.display:
                text = _plain(widget)
                if text:
                    return text
    name = type(screen).__name__.removesuffix("Screen")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize() + "."


def _plain(widget: Static) -> str:
    rendered = widget.render()
    return " ".join(str(getattr(rendered, "plain", rendered)).split())
