"""A DataTable whose cell updates redraw only the rows they change, and whose cells are
drawn without Rich's layout (the counter's line).

DataTable.update_cell counts every update as a change of the whole table: every
visible cell is rendered again (about 200 cell renders at the counter), so a tick that
moved one wait by a minute cost as much as a new line (issue 16). Here the updated
rows' cached renders are dropped, the rest kept, and only the updated rows on screen
are painted again. It reaches into DataTable's caches, which is why Textual is pinned
exactly; if they are not where this expects, it updates as DataTable does.

DataTable draws each cell through Rich's console (markup parsed, then padded, wrapped and
cropped): about 0.3 ms a cell, so a line that moves up one place (every position and
every stripe changes) cost some 30 ms for the rows on screen. The line's cells are one
line of plain text or a Text each: they are cropped and padded here, in a few
microseconds. Their text is never read as markup (a "[" in a code shows as typed).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


class LineTable(DataTable):
    # DataTable's count of whole-table changes when the table was last painted.
    _painted_count: int | None = None
    # A row is being removed from a table whose height does not follow its rows (remove_row).
    _rows_only = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Rich styles worked out once (each is a walk up the DOM, about 0.3 ms), by what they
        # depend on; emptied whenever the table's styles change (a theme, the focus).
        self._styles_seen: dict[tuple, object] = {}

    def _seen(self, what: tuple, work_out):
        key = (what, self._pseudo_class_state, self.app.theme, frozenset(self.app.classes),
               frozenset(self.screen.classes))
        if key not in self._styles_seen:
            self._styles_seen[key] = work_out()
        return self._styles_seen[key]

    def get_component_styles(self, *names: str):
        """A component's styles, its Rich style worked out once: DataTable asks for the
        header's and the stripes' for every row it draws, most of a row's time."""
        return self._seen(names, lambda: _ComponentStyles(super(LineTable, self).get_component_styles(*names)))

    @property
    def rich_style(self) -> Style:
        """The table's own Rich style, worked out once: DataTable asks for it for every line."""
        return self._seen((), lambda: super(LineTable, self).rich_style)

    def notify_style_update(self) -> None:
        self._styles_seen.clear()
        super().notify_style_update()

    def update_cells(self, changes: list[tuple[str, ColumnKey, object]]) -> None:
        """Put each (row key, column key, value) in place; column widths stay as they are."""
        if not changes:
            return
        try:
            data, rows = self._data, self._row_locations
            caches = (self._cell_render_cache, self._row_render_cache, self._row_renderable_cache,
                      self._line_cache)
        except AttributeError:  # another Textual: do it the slow way
            for row_key, column_key, value in changes:
                self.update_cell(row_key, column_key, value)
            return
        changed, changed_cells = set(), set()
        for row_key, column_key, value in changes:
            key = RowKey(row_key)
            data[key][column_key] = value
            changed.add(key)
            changed_cells.add((key, column_key))
        if self._update_count != self._painted_count:
            # Nothing painted since the last change of the whole table (a row removed, say):
            # nothing cached to drop, and the whole table is painted again anyway.
            self.refresh()
            return
        cells, row_renders, renderables, lines = caches
        indices = {rows.get(key) for key in changed}
        # Cells are keyed (row key, column key, ..., update count, ...): only the changed cells
        # are rendered again (a wait, say), the row's other cells come from the cache. Row
        # renders start with the row key; a row's cell renderables are keyed (update count,
        # row index). Entries of an earlier count are never used again: they go too, so the
        # next walk is over what is on screen.
        count = self._update_count
        for cache, at, stale in ((cells, 6, lambda k: k[:2] in changed_cells),
                                 (row_renders, 8, lambda k: k[0] in changed),
                                 (renderables, 0, lambda k: k[1] in indices)):
            for cache_key in [k for k in cache.keys() if k[at] != count or stale(k)]:  # noqa: SIM118 - not a dict
                cache.discard(cache_key)
        lines.clear()  # lines are keyed by y: rebuilt from the rows' renders, most still cached
        if len(indices) > self.size.height:
            self.refresh()
        else:  # only those rows on screen are painted again; rows out of view, not at all
            for index in indices:
                self.refresh_row(index)

    def remove_row(self, row_key) -> None:
        """As DataTable's, but without laying the whole screen out again when the table's
        height is set by the screen (``1fr``), not by its rows: a customer called or gone
        then repaints the table alone. The scrollable size, which does follow the rows, is
        set again once the table is idle, and lays out if it changed."""
        if self.styles.height is None or self.styles.height.is_auto:
            super().remove_row(row_key)
            return
        self._rows_only = True
        try:
            super().remove_row(row_key)
        finally:
            self._rows_only = False

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        return super().refresh(*regions, repaint=repaint, layout=layout and not self._rows_only,
                               recompose=recompose)

    def render_lines(self, crop):
        self._painted_count = self._update_count
        return super().render_lines(crop)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False):
        """A body cell as one line of segments, styled as DataTable styles it (stripes, cursor)."""
        if row_index < 0 or column_index < 0:  # the header: as DataTable draws it
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        # DataTable's key, so update_cells drops these entries as it drops DataTable's own.
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, row_index < self.fixed_rows or column_index < self.fixed_columns, hover, cursor,
            self.show_cursor, self._show_hover_cursor, self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css")
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        value = self._data[row_key].get(column_key)
        lines = [cell_segments(value, width, self.cell_padding, pre_style, post_style, self.app.console)]
        self._cell_render_cache[cache_key] = lines
        return lines


class _ComponentStyles:
    """A component's RenderStyles with its ``rich_style`` read once."""

    def __init__(self, styles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str):
        return getattr(self._styles, name)


def cell_segments(value: object, width: int, padding: int, pre_style: Style, post_style: Style | None,
                  console) -> list[Segment]:
    """One cell: its text (never markup) cropped with an ellipsis or padded to ``width``
    less the padding on each side, styled as DataTable's Styled(Padding(...)) styles it."""
    inner = max(0, width - 2 * padding)
    if not isinstance(value, Text):
        plain = "" if value is None else str(value)
        if plain.isascii() and plain.isprintable() and len(plain) <= inner:
            # Most cells (a position, a ticket, a language): one segment, one cell per character.
            style = pre_style + post_style if post_style else pre_style
            return [Segment(" " * padding + plain + " " * (inner - len(plain) + padding), style)]
        text = Text(plain, end="")
    else:
        text = value.copy()
    text.end = ""
    if text.cell_len > inner:
        text.truncate(inner, overflow="ellipsis")
    if text.spans:
        body = list(text.render(console))
    else:  # Text.render leaves the text's own style out when it has no spans
        body = [Segment(text.plain, console.get_style(text.style) if text.style else None)]
    # The padding and the room the text leaves are unstyled, as Rich lays a cell out.
    segments = [Segment(" " * padding), *body, Segment(" " * (inner - text.cell_len + padding))]
    return list(Segment.apply_style(segments, style=pre_style, post_style=post_style))
