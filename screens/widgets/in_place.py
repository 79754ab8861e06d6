"""A Static's new text, laid out again only if its size changes.

``Static.update`` lays the whole screen out again by default: every widget is arranged
and every line on screen drawn anew, even when the new text takes the room the old one
took. At the counter that was most of a refresh after another counter's commit (the
status line's counts change; issue 16). A widget's size depends on its text only through
the height that text needs at the widget's width (and its width, if that is ``auto``), so
when that height is unchanged only the widget itself is repainted.
"""

from __future__ import annotations

from textual.widgets import Static


def update_in_place(widget: Static, content) -> None:
    """``widget.update(content)``, with a layout only if the text's height changes (or the
    widget's width follows its text, or it has not been laid out yet)."""
    width = widget.content_size.width
    if not width or (widget.styles.width is not None and widget.styles.width.is_auto):
        widget.update(content)
        return
    size, viewport = widget.container_size, widget.app.size
    needed = widget.get_content_height(size, viewport, width)
    widget.update(content, layout=False)
    if widget.get_content_height(size, viewport, width) != needed:
        widget.refresh(layout=True)
