"""The dialog every cxdesk form builds on: Escape backs out, messages go to the line at the bottom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cxdesk.screens.base import BaseModal, stylesheet
from cxdesk.screens.widgets import MessageLine, NumberedChoice
from textual.binding import Binding

from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import office_catalog as catalog
from cxdesk.vocab import LANGUAGE_CHOICES

LANGUAGES = LANGUAGE_CHOICES


def choices(name: str) -> list[tuple[str, str]]:
    """(code, label) of a catalog, for a NumberedChoice."""
    return [(item.code, item.label()) for item in catalog(name)]


class Dialog(BaseModal):
    """A modal form. Escape cancels (asking first when ``has_changes()``); ``save_db``
    runs the save on the database thread and shows a refusal on the message line.
    Keys typed while the dialog opens or saves wait for it (screens/typeahead.py)."""

    CSS_PATH = stylesheet("forms.tcss")
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without saving.", id="cancel")]
    # What Escape would throw away, for the question asked before it does.
    DISCARD_QUESTION = "Throw away what you typed?"

    def has_changes(self) -> bool:
        """True when Escape would throw away something typed (then it asks first)."""
        return False

    def action_cancel(self) -> None:
        if not self.has_changes():
            self.dismiss(None)
            return
        from cxdesk.screens.dialogs.choice import ChoiceDialog

        def answered(code: str | None) -> None:
            if code == "discard":
                self.dismiss(None)

        self.app.push_screen(ChoiceDialog(self.DISCARD_QUESTION, "", [
            ("keep", "No, keep editing"), ("discard", "Yes, throw it away")]), answered)

    # Nothing typed, picked or moved since ``reset`` blanked it: a reset has nothing to do.
    # The counter blanks its kept forms off screen while the clerk talks (issue 16), so
    # the key that shows one again does not.
    _blank = False

    def reset(self, focus: str) -> bool:
        """Every pick list and field back to blank, the message line empty, the form scrolled
        to its top and ``focus`` (a selector) focused: the state compose left, for a dialog
        built once and shown again (``CounterScreen.kept``). False if it was blank already."""
        from textual.containers import ScrollableContainer
        from textual.widgets import Input

        from cxdesk.screens.widgets import NumberedSelection

        self._keys_ready = False
        if self._blank:
            return False
        for choice in self.query(NumberedChoice):
            choice.reset()
        for selection in self.query(NumberedSelection):
            selection.reset()
        for field in self.query(Input):
            field.value = ""
        self.query_one(MessageLine).clear()
        for scroll in self.query(ScrollableContainer):
            scroll.scroll_home(animate=False, immediate=True)
        self.set_focus(self.query_one(focus), scroll_visible=False)
        self._blank = True
        return True

    def blank(self) -> bool:
        """Blank for the next customer, ahead of the key that shows it (``CounterScreen``):
        its own ``prepare`` less what it needs that customer for. False if nothing changed."""
        return self.reset(self.AUTO_FOCUS)

    def ready_for(self, current: Any) -> bool:
        """Made ready off screen for the next showing, ``current`` being the customer at the
        counter (or None); False if nothing changed. A blank form, unless it needs that customer."""
        return self.blank()

    def on_screen_resume(self) -> None:
        # Shown: from now on the clerk may type into it.
        self._blank = False

    def show_error(self, exc: CxdeskError | str) -> None:
        line = self.query_one(MessageLine)
        line.show_error(str(exc))
        # A long form scrolls (80x24): the refusal must be seen, not left below the fold.
        line.scroll_visible()

    def picked(self, choice_id: str) -> str | None:
        return self.query_one(f"#{choice_id}", NumberedChoice).value

    # Set by a screen that keeps this dialog (CounterScreen.kept): after a save, the same
    # database job reads what that screen shows (``then_read(work)`` returns the job, whose
    # result is (the save's result, what was read)), and ``then_show`` shows it just before
    # the dialog's own ``on_done``.
    then_read: Callable[..., Callable[[Any], tuple[Any, Any]]] | None = None
    then_show: Callable[[Any], None] | None = None
    # What follows this form's save needs nothing of the screen's read (the finish form's
    # channel step; the channel step's counter, last drawn a moment ago): ``on_done`` runs as
    # soon as the step is saved, and the read is shown when it comes (``then_read``'s ``first``).
    DONE_BEFORE_THE_READ = False

    def save_db(self, work: Callable[[Any], Any], on_done: Callable[[Any], None], description: str) -> None:
        """``work`` on the database thread; a refusal (of any kind) is shown here."""
        if self.then_read is None or self.then_show is None:
            self.app.run_db(work, on_done, on_error=self.show_error, description=description)
            return
        show = self.then_show
        if self.DONE_BEFORE_THE_READ:
            self.app.run_db(self.then_read(work, first=on_done), lambda outcome: show(outcome[1]),
                            on_error=self.show_error, description=description)
            return

        def done(outcome: tuple[Any, Any]) -> None:
            result, read = outcome
            show(read)
            on_done(result)

        self.app.run_db(self.then_read(work), done, on_error=self.show_error, description=description)
