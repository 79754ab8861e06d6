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
        changed = set()
        for row_key, column_key, value in changes:
            key = RowKey(row_key)
            data[key][column_key] = value
            changed.add(key)
        cells, row_renders, renderables, lines = caches
        indices = {rows.get(key) for key in changed}
        if len(indices) > self.size.height:  # more than a screenful: all of it is painted anyway
            self._update_count += 1
            self.refresh()
            return
        # Keys: cells and row renders start with the row key; renderables are (update count, row index).
        for cache, position, wanted in ((cells, 0, changed), (row_renders, 0, changed), (renderables, 1, indices)):
            for cache_key in [k for k in cache.keys() if k[position] in wanted]:  # noqa: SIM118 - not a dict
                cache.discard(cache_key)
        lines.clear()  # lines are keyed by y: rebuilt from the rows' renders, most still cached
        for index in indices:  # only those rows on screen are painted again; rows out of view, not at all
            self.refresh_row(index)
