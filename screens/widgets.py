"""Widgets shared by the staff screens: numbered pick lists and a message line."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.message import Message
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option


def forward_typed_ahead(widget, event: events.Key) -> bool:
    """Pass on a key that was queued here before the focus moved on.

    Textual queues keys on the widget focused when they arrive; when a pick or
    an Enter moves the focus, the keys typed behind it belong to the next field.
    """
    focused = widget.screen.focused
    if focused is None or focused is widget:
        return False
    event.stop()
    event.prevent_default()
    focused._forward_event(events.Key(event.key, event.character))
    return True


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
        if forward_typed_ahead(self, event):
            return
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


class FormInput(Input):
    """A form field that moves to the next field at Enter, at once.

    Textual queues keys on the focused widget, so keys typed ahead of the focus
    change would land in this field. Moving the focus inside the submit action,
    and passing on keys that arrive after it, keeps fast typing in the right
    fields. ``advance=False`` for the last field of a form (Enter saves there).
    """

    def __init__(self, *args, advance: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.advance = advance

    async def action_submit(self) -> None:
        if self.advance:
            self.screen.focus_next()
        await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        if forward_typed_ahead(self, event):
            return
        # Enter and Tab are handled here, in key order: as bindings they would run
        # only after the keys queued behind them had been typed into this field.
        moves = {"enter": self.action_submit, "tab": self._next, "shift+tab": self._previous}
        if event.key in moves:
            event.stop()
            event.prevent_default()
            await moves[event.key]()
            return
        await super()._on_key(event)

    async def _next(self) -> None:
        self.screen.focus_next()

    async def _previous(self) -> None:
        self.screen.focus_previous()


class TickBox(Checkbox):
    """A checkbox whose state reads without colour: ✔ when ticked, blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's class attribute name
        return "✔" if self.value else " "
