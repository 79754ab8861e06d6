"""A DataTable whose cell updates redraw only the rows they change (the counter's line).

DataTable.update_cell counts every update as a change of the whole table: every
visible cell is rendered again (about 200 cell renders at the counter), so a tick that
moved one wait by a minute cost as much as a new line (issue 16). Here the updated
rows' cached renders are dropped, the rest kept, and only the updated rows on screen
are painted again. It reaches into DataTable's caches, which is why Textual is pinned
exactly; if they are not where this expects, it updates as DataTable does.
"""

from __future__ import annotations

from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


class LineTable(DataTable):
    # DataTable's count of whole-table changes when the table was last painted.
    _painted_count: int | None = None

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

    def render_lines(self, crop):
        self._painted_count = self._update_count
        return super().render_lines(crop)
