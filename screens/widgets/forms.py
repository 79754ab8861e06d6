"""Form pieces: the message line under a form, a field that moves on at Enter, a tick box."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, Input, Static

from cxdesk.screens.widgets.in_place import update_in_place


class MessageLine(Static):
    """One line under a form for errors and hints: a symbol and words, not colour alone.

    The words are shown as text (a refusal may quote what was typed), never as markup.
    """

    DEFAULT_CSS = """
    MessageLine { height: auto; min-height: 1; padding: 0 1; }
    MessageLine.-error { color: $error; text-style: bold; }
    """

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(Content(text), **kwargs)

    def show_error(self, text: object) -> None:
        self.add_class("-error")
        self.update(Content(f"✖ Error: {text}"))
        # Screen-reader mode (screens/speech.py) says it on the status line too.
        announce = getattr(self.app, "announce", None)
        if announce is not None:
            announce(f"Error: {text}")

    def show_info(self, text: str) -> None:
        self.remove_class("-error")
        self.update(Content(f"ℹ {text}"))

    def clear(self) -> None:
        self.remove_class("-error")
        update_in_place(self, "")  # a form blanked: its layout is not asked for again


class FormInput(Input):
    """A form field that moves to the next field at Enter.

    ``advance=False`` for the last field of a form (Enter saves there). Keys
    typed ahead of the focus change wait for it (screens/typeahead.py), so a
    burst of keys fills the form field by field.
    """

    def __init__(self, *args, advance: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.advance = advance

    async def action_submit(self) -> None:
        if self.advance:
            self.screen.focus_next()
        await super().action_submit()


class TickBox(Checkbox):
    """A checkbox whose state reads without colour: ✔ when ticked, blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's class attribute name
        return "✔" if self.value else " "
