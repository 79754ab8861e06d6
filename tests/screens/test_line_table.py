"""The counter's line table draws its cells itself (screens/widgets/line_table.py, issue 16):
it must look exactly as DataTable would, never read a cell as markup, and follow the theme."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable

from cxdesk.screens.themes import HIGH_CONTRAST, register_themes
from cxdesk.screens.widgets.line_table import LineTable

COLUMNS = (("#", 3), ("Ticket", 7), ("Waited", 13), ("Service wanted", None))
ROWS = [
    ("1", "A101", Text("12 min", style="bold"), Text("Change of address")),
    ("2", "A102", "3 min", Text("A service with a name far longer than it should be")),
    ("3", "P003", Text("⚠ 41 min", style="reverse"), Text("→ HERE")),
    ("4", "A104", "", Text("")),
]


class OneTable(App[None]):
    """``table`` alone on screen; ``filled``: with COLUMNS and ROWS, the cursor on the second row."""

    def __init__(self, table: DataTable, filled: bool = True) -> None:
        super().__init__()
        self.table = table
        self.filled = filled

    def compose(self) -> ComposeResult:
        yield self.table

    def on_load(self) -> None:
        register_themes(self)

    def on_mount(self) -> None:
        if not self.filled:
            return
        for label, width in COLUMNS:
            self.table.add_column(label, width=width)
        for number, row in enumerate(ROWS):
            self.table.add_row(*row, key=str(number))
        self.table.move_cursor(row=1)


async def drawn(table: DataTable, *, theme: str | None = None, hostile: str | None = None,
                width: int = 60, scroll_x: int = 0, height: int = 8, scroll_y: int = 0) -> list:
    """Every line the table draws: (character, style) of each cell of the terminal."""
    app = OneTable(table)
    async with app.run_test(size=(width, height)) as pilot:
        if theme:
            app.theme = theme
        if hostile is not None:
            table.update_cell("3", table.ordered_columns[1].key, hostile)
        await pilot.pause()
        if scroll_x:
            table.scroll_to(x=scroll_x, animate=False, immediate=True)
            await pilot.pause()
            assert table.scroll_x == scroll_x
        if scroll_y:
            table.scroll_to(y=scroll_y, animate=False, immediate=True)
            await pilot.pause()
            assert table.scroll_y == scroll_y
        return lines_of(table)


def lines_of(table: DataTable) -> list:
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    assert {line.cell_length for line in lines} == {table.size.width}
    return [[(character, segment.style) for segment in line for character in segment.text] for line in lines]


def plain(lines: list) -> list[str]:
    return ["".join(character for character, _style in line) for line in lines]


async def test_the_line_looks_exactly_as_a_data_table_draws_it() -> None:
    ours = await drawn(LineTable(cursor_type="row", zebra_stripes=True))
    theirs = await drawn(DataTable(cursor_type="row", zebra_stripes=True))
    assert plain(ours) == plain(theirs)
    assert "A service with a name far long" in plain(ours)[2]  # an auto width: all of it (cut by the screen)
    assert ours == theirs  # character and style of every cell: stripes, cursor, a cell's own style


@pytest.mark.parametrize(("width", "scroll_x"), [(200, 0), (60, 9)], ids=["narrower-than-the-screen", "scrolled"])
async def test_the_line_beside_room_to_spare_or_scrolled_sideways_looks_as_a_data_table_draws_it(
        width: int, scroll_x: int) -> None:
    # A line is made straight from its cells: padded out when the screen is wider, cut at
    # both ends when scrolled (the line's "Service" column can sit past a narrow pane's edge).
    ours = await drawn(LineTable(cursor_type="row", zebra_stripes=True), width=width, scroll_x=scroll_x)
    theirs = await drawn(DataTable(cursor_type="row", zebra_stripes=True), width=width, scroll_x=scroll_x)
    assert ours == theirs


async def test_the_line_scrolled_down_keeps_its_header_as_a_data_table_does() -> None:
    # A paint reads the table's scroll and the lines that do not scroll (the header) once.
    ours = await drawn(LineTable(cursor_type="row", zebra_stripes=True), height=4, scroll_y=1)
    theirs = await drawn(DataTable(cursor_type="row", zebra_stripes=True), height=4, scroll_y=1)
    assert plain(ours)[0].startswith(" #") and "A102" in plain(ours)[1]  # the header, then the second row
    assert ours == theirs


@pytest.mark.parametrize("cursor_type", ["row", "column"])
async def test_the_header_kept_between_changes_of_rows_is_drawn_as_a_data_table_draws_it(cursor_type: str) -> None:
    async def header(table: DataTable) -> tuple[list, list]:
        app = OneTable(table)
        async with app.run_test(size=(60, 8)) as pilot:
            await pilot.pause()
            lines_of(table)
            table.remove_row("3")  # DataTable forgets what it drew; the line table keeps its header
            await pilot.pause()
            drawn = [lines_of(table)[0]]
            table.move_cursor(column=2)
            await pilot.pause()
            drawn.append(lines_of(table)[0])
            table._show_hover_cursor = True  # the mouse over the header's second cell
            table.hover_coordinate = Coordinate(-1, 1)
            await pilot.pause()
            return [*drawn, lines_of(table)[0]]

    ours = await header(LineTable(cursor_type=cursor_type, zebra_stripes=True))
    theirs = await header(DataTable(cursor_type=cursor_type, zebra_stripes=True))
    assert ours == theirs
    if cursor_type == "column":
        assert ours[0] != ours[1]  # the header lights the cursor's column


async def test_a_table_with_a_cell_cursor_looks_exactly_as_a_data_table_draws_it() -> None:
    # Not the line's own drawing (that is for a row cursor): each cell drawn on its own.
    ours = await drawn(LineTable(cursor_type="cell", zebra_stripes=True))
    theirs = await drawn(DataTable(cursor_type="cell", zebra_stripes=True))
    assert ours == theirs


async def test_a_theme_change_redraws_the_line_in_the_new_theme() -> None:
    before = await drawn(LineTable(cursor_type="row", zebra_stripes=True))
    ours = await drawn(LineTable(cursor_type="row", zebra_stripes=True), theme=HIGH_CONTRAST)
    theirs = await drawn(DataTable(cursor_type="row", zebra_stripes=True), theme=HIGH_CONTRAST)
    assert ours == theirs
    assert ours != before


async def after_the_first_leaves(table: DataTable) -> list:
    """What ``table`` draws once drawn, then with its first row gone (every row moves up a
    place and changes stripe), as the counter shows another counter's call."""
    app = OneTable(table)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        table.render_lines(Region(0, 0, table.size.width, table.size.height))
        table.remove_row("0")
        table.update_cell("1", table.ordered_columns[0].key, "1")
        await pilot.pause()
        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
        return [[(character, segment.style) for segment in line for character in segment.text] for line in lines]


async def test_cells_drawn_before_are_drawn_again_in_another_row_as_a_data_table_draws_them() -> None:
    ours = await after_the_first_leaves(LineTable(cursor_type="row", zebra_stripes=True))
    theirs = await after_the_first_leaves(DataTable(cursor_type="row", zebra_stripes=True))
    assert plain(ours)[1].startswith(" 1    A102")
    assert ours == theirs  # stripes, cursor, and the row and column a click reads from each cell


async def test_cells_of_more_rows_than_the_screen_shows_are_all_drawn_anew() -> None:
    table = LineTable(cursor_type="row", zebra_stripes=True)
    app = OneTable(table)
    async with app.run_test(size=(60, 8)) as pilot:
        for number in range(4, 30):
            table.add_row(str(number + 1), f"A{number + 101}", "1 min", Text("General"), key=str(number))
        await pilot.pause()
        table.render_lines(Region(0, 0, table.size.width, table.size.height))
        first = table.ordered_columns[0].key
        table.update_cells([(str(number), first, f"#{number}") for number in range(30)])  # every row moved
        await pilot.pause()
        lines = plain([[(character, None) for segment in line for character in segment.text]
                       for line in table.render_lines(Region(0, 0, table.size.width, table.size.height))])
    assert [line[:4] for line in lines[1:]] == [f" #{number} " for number in range(len(lines) - 1)]


async def test_a_click_on_a_row_moves_the_cursor_to_it() -> None:
    app = OneTable(LineTable(cursor_type="row", zebra_stripes=True))
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        app.table.remove_row("0")
        await pilot.pause()
        assert await pilot.click(app.table, offset=(8, 3))  # the header, then A102, A103: A104's line
        assert app.table.cursor_row == 2
        assert app.table.coordinate_to_cell_key((2, 1)).row_key.value == "3"


async def test_a_cell_is_never_read_as_markup() -> None:
    lines = plain(await drawn(LineTable(cursor_type="row"), hostile="[i]x[/]"))
    assert "[i]x[/]" in lines[4]  # DataTable would show an italic x


async def test_a_fixed_width_cell_is_cut_with_an_ellipsis() -> None:
    app = OneTable(LineTable(cursor_type="row"))
    async with app.run_test(size=(60, 8)) as pilot:
        app.table.update_cell("1", app.table.ordered_columns[2].key, "waited a very long time indeed")
        await pilot.pause()
        line = app.table.render_line(2).text
    assert "waited a ver…" in line


class LayoutSpy:
    """Counts the layouts ``widget`` asks for (``refresh(layout=True)`` that gets through)."""

    def __init__(self, monkeypatch, widget) -> None:
        self.asked = 0
        refresh = Widget.refresh  # what every widget's refresh comes down to

        def counting(target, *regions, repaint=True, layout=False, recompose=False):
            if target is widget and layout:
                self.asked += 1
            return refresh(target, *regions, repaint=repaint, layout=layout, recompose=recompose)

        monkeypatch.setattr(Widget, "refresh", counting)


async def test_a_customer_leaving_a_table_of_set_height_repaints_the_table_alone(monkeypatch) -> None:
    table = LineTable(cursor_type="row", zebra_stripes=True)
    table.styles.height = "1fr"
    app = OneTable(table)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        spy = LayoutSpy(monkeypatch, table)
        # Another counter's call: the first customer leaves the line, a newcomer joins its end.
        table.remove_row("0")
        table.add_row("5", "A105", "0 min", Text("Name change"), key="4")
        await pilot.pause()
        assert spy.asked == 0
        lines = plain([[(character, None) for segment in line for character in segment.text]
                       for line in table.render_lines(Region(0, 0, table.size.width, table.size.height))])
        assert "A101" not in "".join(lines)
        assert "A102" in lines[1] and "A105" in lines[4]  # everyone moved up; the newcomer is last


async def test_a_table_whose_height_follows_its_rows_is_laid_out_again(monkeypatch) -> None:
    table = LineTable(cursor_type="row")
    table.styles.height = "auto"
    app = OneTable(table)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        before = table.size.height
        spy = LayoutSpy(monkeypatch, table)
        table.remove_row("0")
        assert spy.asked == 1
        await pilot.pause()
        assert table.size.height == before - 1
