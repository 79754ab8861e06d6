"""A pane's new text is laid out again only when its size changes (screens/widgets/in_place.py,
issue 16): a layout draws the whole screen again, most of a line refresh at the counter."""

from __future__ import annotations

from cxdesk.screens.widgets.in_place import update_in_place
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Static


class Panes(App[None]):
    CSS = "#fixed { width: 20; } #auto { width: auto; }"

    def compose(self) -> ComposeResult:
        yield Static("one line", id="fixed")
        yield Static("under it", id="below")
        yield Static("auto", id="auto")


def count_layouts(monkeypatch, widget: Static) -> list[int]:
    asked = [0]
    refresh = Widget.refresh

    def counting(target, *regions, repaint=True, layout=False, recompose=False):
        if target is widget and layout:
            asked[0] += 1
        return refresh(target, *regions, repaint=repaint, layout=layout, recompose=recompose)

    monkeypatch.setattr(Widget, "refresh", counting)
    return asked


async def test_a_text_of_the_same_height_is_repainted_without_a_layout(monkeypatch) -> None:
    app = Panes()
    async with app.run_test(size=(40, 10)) as pilot:
        pane = app.query_one("#fixed", Static)
        asked = count_layouts(monkeypatch, pane)
        update_in_place(pane, "[b]other[/b] words")  # a string is shown as Static shows it
        await pilot.pause()
        assert asked[0] == 0
        assert str(pane.render()) == "other words"
        assert pane.size.height == 1


async def test_a_taller_text_lays_the_screen_out_again(monkeypatch) -> None:
    app = Panes()
    async with app.run_test(size=(40, 10)) as pilot:
        pane, below = app.query_one("#fixed", Static), app.query_one("#below", Static)
        asked = count_layouts(monkeypatch, pane)
        update_in_place(pane, "a text far too long for twenty cells")  # wraps to two lines
        assert asked[0] == 1
        await pilot.pause()
        assert pane.size.height == 2
        assert below.region.y == 2  # what was under it moved down


async def test_a_pane_as_wide_as_its_text_is_always_laid_out_again(monkeypatch) -> None:
    app = Panes()
    async with app.run_test(size=(40, 10)) as pilot:
        pane = app.query_one("#auto", Static)
        asked = count_layouts(monkeypatch, pane)
        update_in_place(pane, "wider")
        assert asked[0] == 1
        await pilot.pause()
        assert pane.size.width == 5
