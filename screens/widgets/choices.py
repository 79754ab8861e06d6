"""Short pick lists: the number keys 1-9 pick (or tick) an item at once.

Labels are shown as text, never read as markup: station and staff names, and
catalog labels a supervisor may override, are data.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import Option


class _RedrawsOneItem:
    """For an OptionList: a changed prompt redraws that item alone.

    Textual's OptionList drops every item's drawing and measure when one prompt changes;
    a pick or a tick changes one item's mark, so only that item's drawings go (issue 16:
    the dialogs' lists were drawn again on every key that picks, and on each opening). A
    prompt of another width is measured again, as Textual does. This replaces OptionList's
    own ``_replace_option_prompt`` and uses its render cache: Textual 8.2.8, pinned.
    """

    def _replace_option_prompt(self, index: int, prompt) -> None:
        option = self.get_option_at_index(index)
        same_width = cell_len(str(option.prompt)) == cell_len(str(prompt))
        option._set_prompt(prompt)
        if not same_width:
            self._clear_caches()
            return
        drawn = self._option_render_cache
        for key in [key for key in drawn.keys() if key[0] is option]:  # noqa: SIM118 - no __iter__
            drawn.discard(key)
        self.refresh()


class NumberedChoice(_RedrawsOneItem, OptionList):
    """A short list where the number keys 1-9 pick an item at once.

    Items past the ninth are reached with the arrows and Enter. Picking posts
    ``NumberedChoice.Picked`` and moves the focus on, so a form is filled with
    one key per field.
    """

    class Picked(Message):
        def __init__(self, choice: NumberedChoice, code: str, by_enter: bool = False) -> None:
            super().__init__()
            self.choice = choice
            self.code = code
            # Enter on the highlighted item (rather than its number key).
            self.by_enter = by_enter

        @property
        def control(self) -> NumberedChoice:
            return self.choice

    def __init__(self, items: Sequence[tuple[str, str]], *, selected: str | None = None,
                 advance: bool = True, **kwargs) -> None:
        self._codes = [code for code, _ in items]
        # Two columns of room for the check mark that shows the pick in words, not colour.
        self._labels = [f"{index}  {label}" if index <= 9 else f"   {label}"
                        for index, (_, label) in enumerate(items, start=1)]
        options = [Option(Content(f"  {text}"), id=code) for text, (code, _) in zip(self._labels, items)]
        super().__init__(*options, **kwargs)
        self.value: str | None = None
        self._initial = selected
        self.advance = advance

    def on_mount(self) -> None:
        if self._initial in self._codes:
            self.highlighted = self._codes.index(self._initial)

    def reset(self, selected: str | None = None) -> None:
        """Nothing picked, and highlighted what it was built with (or ``selected``, from now
        on): as new, for a form shown again."""
        self._mark(None)
        self.value = None
        if selected is not None:
            self._initial = selected
        self.scroll_home(animate=False, immediate=True)
        # As built: OptionList highlights its first item when it is made. The item
        # highlighted is scrolled into view (a customer's service past the ninth).
        self.highlighted = self._codes.index(self._initial) if self._initial in self._codes else 0
        self.scroll_to_highlight()

    def _mark(self, code: str | None) -> None:
        """The check mark on ``code``'s item only (items whose mark is right are left alone)."""
        for index, (option_code, text) in enumerate(zip(self._codes, self._labels)):
            if (option_code == code) != (option_code == self.value):
                mark = "✔ " if option_code == code else "  "
                self.replace_option_prompt_at_index(index, Content(mark + text))

    def pick(self, code: str, *, by_enter: bool = False) -> None:
        self._mark(code)
        self.value = code
        self.highlighted = self._codes.index(code)
        self.post_message(self.Picked(self, code, by_enter))
        if self.advance:
            self.screen.focus_next()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < len(self._codes):
                event.stop()
                event.prevent_default()
                self.pick(self._codes[index])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick(event.option.id, by_enter=True)


class NumberedSelection(_RedrawsOneItem, SelectionList):
    """A checklist where the number keys 1-9 tick and untick items.

    A ticked item also shows a check mark in its text, not only a colour.
    """

    def __init__(self, items: list[tuple[str, str]], **kwargs) -> None:
        self._labels = [f"{index}  {label}" for index, (_, label) in enumerate(items, 1)]
        super().__init__(*[(Content(f"  {text}"), code) for text, (code, _) in zip(self._labels, items)],
                         **kwargs)

    def reset(self) -> None:
        """Nothing ticked, nothing highlighted: as new, for a form shown again."""
        self.deselect_all()
        self._show_ticks()
        self.highlighted = None
        self.scroll_home(animate=False, immediate=True)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._show_ticks()

    def _show_ticks(self) -> None:
        chosen = set(self.selected)
        for index, text in enumerate(self._labels):
            option = self.get_option_at_index(index)
            mark = "✔ " if option.value in chosen else "  "
            if str(option.prompt) != mark + text:
                self.replace_option_prompt_at_index(index, Content(mark + text))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            index = int(event.character) - 1
            if index < self.option_count:
                event.stop()
                event.prevent_default()
                self.toggle(self.get_option_at_index(index).value)
                self.highlighted = index
