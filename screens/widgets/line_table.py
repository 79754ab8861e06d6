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

from itertools import chain
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip
from textual.widgets.data_table import ColumnKey, RowKey

from cxdesk.screens.widgets.tables import SteadyTable

# Cells drawn, by what they show and how (the stripe, the cursor): enough for a screenful
# of rows twice over, the two stripes.
_CELLS_KEPT = 2048


class LineTable(SteadyTable):
    # DataTable's count of whole-table changes when the table was last painted.
    _painted_count: int | None = None
    # A row is being removed from a table whose height does not follow its rows (remove_row).
    _rows_only = False
    # What every line of one paint shares (render_lines), worked out once for the paint.
    _pass: _Pass | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Rich styles worked out once (each is a walk up the DOM, about 0.3 ms), by what they
        # depend on; emptied whenever the table's styles change (a theme, the focus).
        self._styles_seen: dict[tuple, object] = {}
        # A body cell's segments without the row and column a mouse click reads (see
        # _render_line_in_row), by its value and how it is drawn.
        self._cells_drawn: LRUCache[tuple, list[Segment]] = LRUCache(_CELLS_KEPT)
        # The row and column of each cell, as the Style a click reads them from.
        self._cell_meta: dict[tuple[int, int], Style] = {}
        # The header's line, by what it shows and how (_render_line).
        self._header_drawn: LRUCache[tuple, Strip] = LRUCache(8)

    def _seen(self, what: tuple, work_out):
        key = (what, *(self._pass or self._take_measure()).styled_by)
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
        self._cells_drawn.clear()
        self._header_drawn.clear()
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
        for row_key, column_key, value in changes:
            data[RowKey(row_key)][column_key] = value
        if self._update_count != self._painted_count:
            # Nothing painted since the last change of the whole table (a row removed, say):
            # nothing cached to drop, and the whole table is painted again anyway.
            self.refresh()
            return
        cells, row_renders, renderables, lines = caches
        changed = {RowKey(row_key) for row_key, _column_key, _value in changes}
        if len(changed) > self.size.height:
            # More rows than the screen shows (every position moved): all of it is drawn again,
            # its cells mostly from those drawn before (_render_line_in_row).
            for cache in caches:
                cache.clear()
            self.refresh()
            return
        changed_cells = {(RowKey(row_key), column_key) for row_key, column_key, _value in changes}
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
        for index in indices:  # only those rows on screen are painted again; rows out of view, not at all
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
        """The lines of one paint. What every line asks again (the columns in order, their
        widths, the table's width, what its styles depend on: each a walk through the DOM
        or a sort) is worked out once for the paint: a line that moved up one place is
        otherwise more of that than drawing (issue 16: the re-read after another counter's
        call redraws every row on screen)."""
        self._painted_count = self._update_count
        self._pseudo_class_state = self.get_pseudo_class_state()
        self._pass = self._take_measure()
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def _take_measure(self) -> _Pass:
        columns = self.ordered_columns
        widths = tuple(column.get_render_width(self) for column in columns)
        return _Pass(columns, widths, self._row_label_column_width + sum(widths), self.size.width,
                     (self._pseudo_class_state, self.app.theme, frozenset(self.app.classes),
                      frozenset(self.screen.classes)),
                     self.cursor_type, self.fixed_rows, self.fixed_columns,
                     self._labelled_row_exists and self.show_row_labels, self.show_cursor,
                     self._show_hover_cursor, self.cursor_foreground_priority, self.cursor_background_priority,
                     self.cursor_coordinate, self.hover_coordinate, *self.scroll_offset,
                     sum(self.get_row_height(self._row_locations.get_key(row)) for row in range(self.fixed_rows))
                     + (self.get_row_height(self._header_row_key) if self.show_header else 0))

    def render_line(self, y: int) -> Strip:
        """DataTable's render_line, from what the paint read once (``_Pass``)."""
        line = self._pass
        if line is None:
            return super().render_line(y)
        if y >= line.fixed_height:
            y += line.scroll_y
        return self._render_line(y, line.scroll_x, line.scroll_x + line.width, self.rich_style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line as DataTable makes it, but a body row's straight from its cells: each cell
        is exactly its column's width (cell_segments), so the line's length is known and is
        neither measured nor cropped unless the table is wider than the pane or scrolled."""
        line = self._pass
        if line is None or line.fixed_columns:
            return super()._render_line(y, x1, x2, base_style)
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        cursor, hover = line.cursor, line.hover
        cache_key = (y, x1, x2, line.width, cursor, hover, base_style, line.cursor_type, line.show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        strip = self._line_cache.get(cache_key)
        if strip is not None:
            return strip
        if row_key is self._header_row_key and line.cursor_type == "row":
            # The header does not change with the rows, but DataTable's caches drop it at
            # every row added or removed: it is kept here, by what it shows and how (the
            # mouse over a header cell lights it; a column cursor would too).
            header_key = (cache_key[:4], cache_key[6:9], self._pseudo_class_state, line.widths,
                          tuple((column.label.plain, str(column.label.style)) for column in line.columns),
                          cursor if cursor.row < 0 else None, hover if hover.row < 0 else None)
            strip = self._header_drawn.get(header_key)
            if strip is None:
                strip = self._header_drawn[header_key] = super()._render_line(y, x1, x2, base_style)
            self._line_cache[cache_key] = strip
            return strip
        row = self._body_row(row_key, line_no, base_style, cursor, hover)
        if row is None:
            return super()._render_line(y, x1, x2, base_style)
        # Cells are simplified as they are drawn, and two cells never share a style (each
        # has its row and column): the line needs no Strip.simplify.
        segments = list(chain.from_iterable(row))
        length = max(line.width, line.table_width)
        if x1 == 0 and x2 >= length == line.width:
            strip = Strip(segments, line.width)
        else:
            strip = Strip(segments, length).crop(x1, x2).adjust_cell_length(line.width, base_style)
        self._line_cache[cache_key] = strip
        return strip

    def _render_line_in_row(self, row_key, line_no, base_style, cursor_location, hover_location):
        row = self._body_row(row_key, line_no, base_style, cursor_location, hover_location)
        if row is None:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        return [], row

    def _body_row(self, row_key, line_no, base_style, cursor_location, hover_location) -> list | None:
        """A body row's cells as DataTable draws them (None for the header and anything
        this does not draw), from cells drawn before wherever they were.

        When one customer leaves the front of the line every row on screen changes (its
        position, its stripe), and DataTable draws each of them anew: a cell's styles
        worked out again, a new Style for its row and column, the row's ends (issue 16:
        the re-read after another counter's call). Here a cell is drawn once for what it
        shows (its value, width, stripe, cursor) and reused in any row; only the row and
        column a click reads are put on it, from Styles kept per cell."""
        row_index = self._row_locations.get(row_key)
        line = self._pass or self._take_measure()
        if (row_index is None or row_index < line.fixed_rows or line_no or line.fixed_columns
                or line.cursor_type != "row" or line.row_labels):
            return None
        cursor, hover = row_index == cursor_location.row, row_index == hover_location.row
        row_style = self._get_row_style(row_index, base_style)
        show_cursor, show_hover = line.show_cursor, line.show_hover_cursor
        state = (row_style, cursor and show_cursor, hover and show_cursor and show_hover,
                 line.foreground_priority, line.background_priority, self._pseudo_class_state)
        values, drawn = self._data[row_key], self._cells_drawn
        scrollable_row = []
        for column_index, (column, width) in enumerate(zip(line.columns, line.widths)):
            value = values.get(column.key)
            key = _value_key(value)
            if key is None:  # a Text with styles of its own: drawn as DataTable draws it, not kept
                cell = self._draw_cell(value, width, row_style, cursor, hover)
            else:
                key = (key, width, state)
                cell = drawn.get(key)
                if cell is None:
                    cell = drawn[key] = self._draw_cell(value, width, row_style, cursor, hover)
            scrollable_row.append(self._placed(cell, row_index, column_index))
        extend_style = self._seen(("extend", row_style, cursor, hover, show_cursor, show_hover),
                                  lambda: row_style + self._get_styles_to_render_cell(
                                      False, False, False, hover, cursor, show_cursor, show_hover, False, False)[0])
        out_of_bounds = Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        scrollable_row.append([Segment(" " * max(0, line.width - line.table_width), extend_style + out_of_bounds)])
        return scrollable_row

    def _placed(self, cell: list[Segment], row_index: int, column_index: int) -> list[Segment]:
        """A cell's segments with the row and column a click reads (a Style kept per cell)."""
        meta = self._cell_meta.get((row_index, column_index))
        if meta is None:
            meta = self._cell_meta[row_index, column_index] = Style.from_meta({"row": row_index,
                                                                               "column": column_index})
        return [Segment(text, style + meta) for text, style, _control in cell]

    def _draw_cell(self, value: object, width: int, row_style: Style, cursor: bool, hover: bool,
                   fixed: bool = False) -> list[Segment]:
        """A body cell's segments, styled as DataTable styles it, without its row and column."""
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        return cell_segments(value, width, self.cell_padding, row_style + component_style, post_style,
                             self.app.console)

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
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        cell = self._draw_cell(self._data[row_key].get(column_key), width, base_style, cursor, hover, fixed)
        lines = [self._placed(cell, row_index, column_index)]
        self._cell_render_cache[cache_key] = lines
        return lines


def _value_key(value: object):
    """What a cell's drawing depends on in its value, or None when it is not worth keeping."""
    if value is None:
        return ""  # drawn as an empty text
    if isinstance(value, str):
        return value
    if isinstance(value, Text) and not value.spans and not value.style:
        return Text, value.plain
    return None


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
    # Its padding and text in one style are one segment: a line joins its cells as they are.
    return list(Segment.simplify(Segment.apply_style(segments, style=pre_style, post_style=post_style)))


class _Pass(NamedTuple):
    """What the lines of one paint share (LineTable.render_lines)."""

    columns: list
    widths: tuple[int, ...]
    table_width: int  # the row labels' column and every column, padding included
    width: int  # the table's own width on screen
    styled_by: tuple  # what the table's Rich styles depend on, beside the component asked for
    # The table's settings every line reads (reactives: each read is three attribute checks),
    # read once for the paint.
    cursor_type: str
    fixed_rows: int
    fixed_columns: int
    row_labels: bool  # a row label shown
    show_cursor: bool
    show_hover_cursor: bool
    foreground_priority: str
    background_priority: str
    cursor: object  # Coordinate
    hover: object
    scroll_x: int
    scroll_y: int
    fixed_height: int  # the header's and the fixed rows' lines, which do not scroll
