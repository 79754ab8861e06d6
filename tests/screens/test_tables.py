"""Tables filled after the screen has painted keep their header over their columns
(screens/widgets/tables.py): DataTable cached a header cell drawn before the new rows
were measured, without its width, and kept it cut to the labels' widths."""

from __future__ import annotations

from textual.geometry import Region
from textual.widgets import DataTable

from cxdesk.screens.widgets.line_table import LineTable
from cxdesk.screens.widgets.tables import SteadyTable
from tests.screens.test_line_table import OneTable


async def header_and_first_row(table: DataTable, change_a_cell: bool = False) -> tuple[str, str]:
    app = OneTable(table, filled=False)
    async with app.run_test(size=(60, 8)) as pilot:
        table.add_columns("Item", "Of")
        table.add_row("Tools", "4", key="tools")
        await pilot.pause()
        if change_a_cell:  # a wider value in place: measured when idle, as new rows are
            table.update_cell("tools", table.ordered_columns[0].key, "A very long item name", update_width=True)
        else:  # filled again from a read, after the screen painted: measured when idle
            table.clear()
            table.add_row("A very long item name", "4")
        table.render_lines(Region(0, 0, table.size.width, table.size.height))  # a paint before that
        await pilot.pause()
        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
        return lines[0].text, lines[1].text


async def test_the_header_follows_columns_widened_by_rows_added_after_a_paint() -> None:
    header, row = await header_and_first_row(SteadyTable())
    assert "A very long item name" in row and header.index("Of") == row.index("4")


async def test_the_header_follows_a_column_widened_by_a_cell_changed_after_a_paint() -> None:
    header, row = await header_and_first_row(SteadyTable(), change_a_cell=True)
    assert "A very long item name" in row and header.index("Of") == row.index("4")


async def test_the_counters_line_is_such_a_table() -> None:
    header, row = await header_and_first_row(LineTable())
    assert "A very long item name" in row and header.index("Of") == row.index("4")
