"""A DataTable whose header keeps up with its columns' widths.

DataTable measures new rows when it is next idle and widens its columns then, but a
header cell drawn before that is cached without its width: a table filled after the
screen first painted (the barrier results, read on the database thread) kept a header
cut to its labels' widths over rows at their full widths, until something else redrew
it. Here a change of any column's width drops what was drawn at the old widths.
"""

from __future__ import annotations

from textual.widgets import DataTable


class SteadyTable(DataTable):
    def _widths(self) -> list[int]:
        return [column.get_render_width(self) for column in self.ordered_columns]

    def _update_dimensions(self, new_rows) -> None:
        before = self._widths()
        super()._update_dimensions(new_rows)
        self._redraw_if_resized(before)

    def _update_column_widths(self, updated_cells) -> None:
        before = self._widths()
        super()._update_column_widths(updated_cells)
        self._redraw_if_resized(before)

    def _redraw_if_resized(self, before: list[int]) -> None:
        if self._widths() != before:
            self._clear_caches()
            self.refresh()
