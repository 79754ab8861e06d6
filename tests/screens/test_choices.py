"""Pick lists (screens/widgets/choices.py): a pick redraws the items whose mark changed
and keeps the drawing of every other item (issue 16: Textual's OptionList dropped all
of them on each pick, and the counter's dialogs drew every list again on every key)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region

from cxdesk.screens.widgets import NumberedChoice, NumberedSelection

ITEMS = [("a", "Apples"), ("b", "Bread"), ("c", "Cheese"), ("d", "Dates")]


class OneList(App):
    CSS = "NumberedChoice { height: 6; }"  # never resized: a resize alone measures again

    def compose(self) -> ComposeResult:
        yield NumberedChoice(ITEMS, id="list", advance=False)


def drawn(choice) -> list[str]:
    size = choice.outer_size  # border included
    return [strip.text.strip("▊▎ ") for strip in choice.render_lines(Region(0, 0, size.width, size.height))]


def marked(choice) -> list[str]:
    return [line.partition("✔ ")[2] for line in drawn(choice) if "✔ " in line]


def drawings_of(choice, index: int) -> list:
    option = choice.get_option_at_index(index)
    return [strips for key, strips in choice._option_render_cache._cache.items() if key[0] is option]


async def test_a_pick_moves_the_mark_and_keeps_the_other_items_drawn() -> None:
    app = OneList()
    async with app.run_test(size=(40, 8)) as pilot:
        choice = app.query_one("#list", NumberedChoice)
        await pilot.press("2")
        assert marked(choice) == ["2  Bread"]
        await pilot.press("up")  # Bread drawn marked and not highlighted, the way it is drawn unmarked next
        assert marked(choice) == ["2  Bread"]
        kept = drawings_of(choice, 3)  # Dates: never marked
        assert kept
        await pilot.press("3")
        assert marked(choice) == ["3  Cheese"]
        assert "2  Bread" in drawn(choice)
        assert all(any(strips is old for strips in drawings_of(choice, 3)) for old in kept)
        await pilot.press("3")  # the same pick again: nothing to change
        assert marked(choice) == ["3  Cheese"]


async def test_a_prompt_of_another_width_is_measured_again() -> None:
    app = OneList()
    async with app.run_test(size=(20, 8)) as pilot:
        choice = app.query_one("#list", NumberedChoice)
        assert len(choice._lines) == len(ITEMS)
        choice.replace_option_prompt_at_index(0, "A name far too long for one line of the list")
        await pilot.pause()
        assert len(choice._lines) > len(ITEMS)
        assert "A name far" in "".join(drawn(choice))


class OneChecklist(App):
    CSS = "NumberedSelection { height: 6; }"

    def compose(self) -> ComposeResult:
        yield NumberedSelection(ITEMS, id="list")


async def test_a_tick_marks_its_item_and_keeps_the_other_items_drawn() -> None:
    app = OneChecklist()
    async with app.run_test(size=(40, 8)) as pilot:
        checklist = app.query_one("#list", NumberedSelection)
        await pilot.press("1", "3")
        await pilot.press("down")  # Cheese drawn ticked and not highlighted, as it is drawn unticked next
        assert marked(checklist) == ["1  Apples", "3  Cheese"]
        kept = drawings_of(checklist, 3)  # Dates: never ticked
        assert kept
        await pilot.press("3")
        assert checklist.selected == ["a"]
        assert marked(checklist) == ["1  Apples"]
        assert all(any(strips is old for strips in drawings_of(checklist, 3)) for old in kept)


async def test_a_list_shown_again_shows_its_cursor_in_view() -> None:
    """``reset`` (a kept form shown again) highlights the item it is given, scrolled into view
    (a customer's service past the list's fold), or the first item, as a new list does."""
    items = [(f"s{index}", f"Service {index}") for index in range(1, 13)]

    class LongList(App):
        CSS = "NumberedChoice { height: 6; }"

        def compose(self) -> ComposeResult:
            yield NumberedChoice(items, id="list")

    app = LongList()
    async with app.run_test(size=(40, 10)) as pilot:
        choice = app.query_one("#list", NumberedChoice)
        await pilot.press("2")
        choice.reset("s12")
        await pilot.pause()
        assert choice.highlighted == 11
        assert "Service 12" in drawn(choice)
        choice.reset()  # no item given now: the one given last, as built
        await pilot.pause()
        assert choice.highlighted == 11 and "Service 12" in drawn(choice)
        choice._initial = None  # a list built without one: its first item, as OptionList does
        choice.reset()
        await pilot.pause()
        assert choice.highlighted == 0 and "1  Service 1" in drawn(choice)
