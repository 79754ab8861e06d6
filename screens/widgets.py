"""Widgets shared by the staff screens: numbered pick lists and a message line."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class NumberedChoice(OptionList):
    """A short list where the number keys 1-9 pick an item at once.

    Items past the ninth are reached with the arrows and Enter. Picking posts
    ``NumberedChoice.Picked`` and moves the focus on, so a form is filled with
    one key per field.
    """

    class Picked(Message):
        def __init__(self, choice: NumberedChoice, code: str) -> None:
            super().__init__()
            self.choice = choice
            self.code = code

        @property
        def control(self) -> NumberedChoice:
            return self.choice

    def __init__(self, items: Sequence[tuple[str, str]], *, selected: str | None = None,
                 advance: bool = True, **kwargs) -> None:
        self._codes = [code for code, _ in items]
        # Two columns of room for the check mark that shows the pick in words, not colour.
        self._labels = [f"{index}  {label}" if index <= 9 else f"   {label}"
                        for index, (_, label) in enumerate(items, start=1)]
        options = [Option(f"  {text}", id=code) for text, (code, _) in zip(self._labels, items)]
        super().__init__(*options, **kwargs)
        self.value: str | None = None
        self._initial = selected
        self.advance = advance

    def on_mount(self) -> None:
        if self._initial in self._codes:
            self.highlighted = self._codes.index(self._initial)

    def pick(self, code: str) -> None:
        self.value = code
        self.highlighted = self._codes.index(code)
        for index, (option_code, text) in enumerate(zip(self._codes, self._labels)):
            self.replace_option_prompt_at_index(index, ("✔ " if option_code == code else "  ") + text)
        self.post_message(self.Picked(self, code))
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
        self.pick(event.option.id)


class MessageLine(Static):
    """One line under a form for errors and hints: a symbol and words, not colour alone."""

    DEFAULT_CSS = """
    MessageLine { height: auto; min-height: 1; padding: 0 1; }
    MessageLine.-error { color: $error; text-style: bold; }
    """

    def show_error(self, text: str) -> None:
        self.add_class("-error")
        self.update(f"✖ Error: {text}")

    def show_info(self, text: str) -> None:
        self.remove_class("-error")
        self.update(f"ℹ {text}")

    def clear(self) -> None:
        self.remove_class("-error")
        self.update("")
