"""The customer survey screen: one question at a time, number keys, English or Spanish.

Handed over at the counter or shown on a kiosk. While it is up the customer can
reach nothing of the staff screens. A handed-over survey that ends (answered,
Escape, or left alone) stays customer-facing: after the thank-you it asks the
customer to return the screen to the clerk, and only the clerk's PIN (F9) gives
the counter back. A kiosk goes back to its welcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.base import BaseScreen
from cxdesk.screens.dialogs.pin import StaffPinDialog
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Static

from cxdesk.vocab import KIOSK

if TYPE_CHECKING:
    from cxdesk.domain.surveys.invitations import SurveyRun
    from cxdesk.domain.surveys.questions import Answer, Question

__all__ = ["StaffPinDialog", "SurveyScreen"]

# How long the thank-you stays before the screen moves on by itself.
THANKS_SECONDS = 6
OTHER_LANGUAGE = {"en": "es", "es": "en"}
# The survey could not be stored: the clerk is told once they take the screen back.
NOT_SAVED = "error"


class SurveyScreen(BaseScreen[str]):
    """Dismisses with the invitation's final status (completed, partial, skipped, or "error")."""

    CUSTOMER_FACING = True
    CSS_PATH = "survey.tcss"
    # Number keys go to the screen; only a question asking for words takes the focus.
    AUTO_FOCUS = ""
    BINDINGS = [
        *(Binding(str(n), f"answer({n})", str(n), show=False, id=f"survey-answer-{n}") for n in range(1, 10)),
        Binding("0", "skip_question", "Skip question", tooltip="Skip this question.",
                id="survey-skip-question", show=False),
        Binding("enter", "next", "Next", tooltip="Confirm the picks and go on.", id="survey-next", show=False),
        Binding("escape", "end_survey", "End survey", tooltip="Skip the rest of the survey.",
                id="survey-end", show=False, priority=True),
        # Shift+L, l and F4 all switch; F4 is the one that works while typing words.
        Binding("l,L,f4", "switch_language", "Language", tooltip="English / Español.",
                id="survey-language", show=False),
        Binding("f9", "staff_take_back", "Staff: take back",
                tooltip="A clerk takes the screen back with a PIN (ends the survey if it is still open).",
                id="survey-staff-take-back", show=False, priority=True),
    ]

    def __init__(self, run: SurveyRun, *, idle_seconds: int, staff_code: str | None = None) -> None:
        super().__init__()
        self.survey = run
        self.lang = run.language
        self.idle_seconds = max(int(idle_seconds), 5)
        # Kept for callers of the earlier signature; the PIN dialog never shows it.
        self.staff_code = staff_code
        self.handover = run.mode != KIOSK
        self.index = 0
        self.answers: dict[str, Answer] = {}
        self.picked: set[str] = set()
        self.choice_waiting_for_words: str | None = None
        self.status: str | None = None
        self.saving = False
        # After the thank-you on a handover: "please return the screen to the clerk".
        self.returning = False
        self._idle_timer = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="survey-top"):
            yield Static("", id="survey-title")
            yield Static("", id="survey-progress")
        with Vertical(id="survey-body"):
            yield Static("", id="survey-intro")
            yield Static("", id="survey-question")
            with Horizontal(id="survey-scale"):
                for point in range(1, 6):
                    yield Static("", id=f"point-{point}", classes="point")
            with Vertical(id="survey-options"):
                for n in range(1, 10):
                    yield Static("", id=f"option-{n}", classes="option")
            yield Input(id="survey-words", max_length=1000)
            yield Static("", id="survey-hint")
        with Vertical(id="survey-thanks"):
            yield Static("", id="thanks-title")
            yield Static("", id="thanks-body")
            yield Static("", id="thanks-closing")
        yield Static("", id="survey-keys")

    def on_mount(self) -> None:
        # Staff messages ("Saved A012.") are not for the customer's eyes.
        self.app.clear_notifications()
        self.query_one("#survey-thanks").display = False
        self._show()
        self._touch()

    def on_screen_resume(self) -> None:
        if self.status is None and self.typing:
            self.query_one("#survey-words", Input).focus()

    # --- showing --------------------------------------------------------------

    def text(self, key: str, **values: object) -> str:
        return self.survey.texts.text(key, self.lang, **values)

    def _set(self, selector: str, words: str) -> None:
        # Survey words come from data files a supervisor may override: text, not markup.
        self.query_one(selector, Static).update(Content(words))

    @property
    def questions(self) -> tuple[Question, ...]:
        """The questions this customer gets: after the trust statement, only the branch
        its answer leads to (A-11: went well after 4-5, didn't go so well after 1-3)."""
        question_set = self.survey.question_set
        codes = [q.code for q in question_set.questions]
        trust_at = codes.index("trust") if "trust" in codes else -1
        return question_set.asked(self.answers, trust_passed=self.index > trust_at)

    @property
    def question(self) -> Question:
        return self.questions[self.index]

    @property
    def typing(self) -> bool:
        return self.question.kind == "comment" or self.choice_waiting_for_words is not None

    def _show(self) -> None:
        if self.status is not None:
            self._show_end()
            return
        question, lang = self.question, self.lang
        total = len(self.questions)
        self._set("#survey-title", self.survey.question_set.titles[lang])
        done = "■" * (self.index + 1) + "□" * (total - self.index - 1)
        self._set("#survey-progress", self.text("progress", n=self.index + 1, total=total) + "  " + done)
        intro = self.query_one("#survey-intro", Static)
        self._set("#survey-intro", self.text("intro"))
        intro.display = self.index == 0
        self._set("#survey-question", self.survey.question_set.wording(question, lang, service=self.survey.service))

        scale = self.query_one("#survey-scale")
        scale.display = question.kind == "scale"
        if question.kind == "scale":
            given = self.answers.get(question.code)
            for point in range(1, 6):
                box = self.query_one(f"#point-{point}", Static)
                box.update(Content.assemble((str(point), "bold"), "\n", self.survey.texts.scale_label(point, lang)))
                box.set_class(given is not None and given.score == point, "-picked")

        options = self.query_one("#survey-options")
        options.display = question.kind in ("drivers", "choice")
        for n in range(1, 10):
            row = self.query_one(f"#option-{n}", Static)
            if n > len(question.options) or not options.display:
                row.display = False
                continue
            option = question.options[n - 1]
            picked = option.code in self.picked or option.code == self.choice_waiting_for_words
            mark = ("[✔]" if picked else "[ ]") if question.kind == "drivers" else ("▶" if picked else " ")
            row.update(Content.assemble(f"{mark} ", (str(n), "bold"), f"   {option.label(lang)}"))
            row.set_class(picked, "-picked")
            row.display = True

        words = self.query_one("#survey-words", Input)
        words.display = self.typing
        words.placeholder = self.text("typing_placeholder")
        if self.typing:
            words.focus()
        else:
            self.set_focus(None)
        if self.typing:
            hint = self.text("hint_typing")
        elif question.kind == "scale":
            hint = self.text("hint_scale")
        elif question.kind == "drivers":
            hint = self.text("hint_drivers")
        else:
            hint = self.text("hint_choice")
        self._set("#survey-hint", hint)
        self._show_keys()
        self._say(" ".join((self.text("progress", n=self.index + 1, total=total) + ".",
                            self.survey.question_set.wording(question, lang, service=self.survey.service), hint)))

    # --- screen-reader mode (screens/speech.py): the customer's own words, in their language ---

    _said = ""

    def _say(self, sentence: str) -> None:
        if sentence != self._said:
            self._said = sentence
            if self.is_current:
                self.app.announce(sentence, customer=True)

    def spoken_name(self) -> str:
        return self._said

    def cursor_target(self):
        # Nothing has focus while numbers answer: the cursor sits on what is asked.
        if self.status is not None:
            return self.query_one("#thanks-title")
        return self.query_one("#survey-question")

    def _show_keys(self) -> None:
        keys = []
        if self.status is None:
            if not self.typing:
                keys.append(("0", self.text("key_skip")))
            if self.question.kind != "scale":
                keys.append(("Enter" if self.lang == "en" else "Intro", self.text("key_next")))
            keys.append(("Esc", self.text("key_end")))
            # What works: while typing, L is a letter, so only F4 switches.
            keys.append(("F4" if self.typing else "L / F4", self.text("key_language")))
        else:
            keys.append(("L / F4", self.text("key_language")))
            if self.handover:
                keys.append(("F9", self.text("key_staff")))
        chips: list = []
        for key, label in keys:
            chips += [(f" {key} ", "reverse bold"), f" {label}      "]
        self.query_one("#survey-keys", Static).update(Content.assemble(*chips))

    def _show_end(self) -> None:
        self.query_one("#survey-body").display = False
        self.query_one("#survey-progress", Static).update("")
        self.query_one("#survey-thanks").display = True
        if self.returning or self.status == NOT_SAVED:
            self._set("#thanks-title", self.text("return_title"))
            self._set("#thanks-body", self.text("return_body"))
            self._set("#thanks-closing", "")
        else:
            answered = self.status != "skipped"
            self._set("#thanks-title", self.text("thanks_title") if answered else self.text("skipped_title"))
            self._set("#thanks-body", self.text("thanks_body") if answered else self.text("skipped_body"))
            self._set("#thanks-closing", "" if self.handover else self.text("closing"))
        self.set_focus(None)
        self._show_keys()
        title = self.query_one("#thanks-title", Static).render()
        body = self.query_one("#thanks-body", Static).render()
        self._say(f"{getattr(title, 'plain', title)} {getattr(body, 'plain', body)}")

    # --- the idle clock ----------------------------------------------------------

    def _touch(self) -> None:
        """Any key from the customer restarts the idle clock."""
        if self._idle_timer is not None:
            self._idle_timer.stop()
        if self.status is None:
            self._idle_timer = self.set_timer(self.idle_seconds, self._idle_out)

    def _idle_out(self) -> None:
        if not self.is_current:  # a clerk is at the PIN dialog over it
            self._touch()
            return
        # Walked away: what was answered is kept and the survey ends; a handed-over
        # screen then waits for the clerk, a kiosk goes back to its welcome.
        self._save(ended_early=True, then_close=not self.handover)

    @on(Input.Changed, "#survey-words")
    def _typed(self) -> None:
        self._touch()

    # --- answering ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.saving and action != "staff_take_back":
            return False
        if self.status is not None:
            if self.handover:
                return action in ("switch_language", "staff_take_back")
            return action in ("next", "switch_language", "end_survey", "staff_take_back")
        return True

    def action_answer(self, number: int) -> None:
        self._touch()
        question = self.question
        if self.typing or number > (5 if question.kind == "scale" else len(question.options)):
            return
        from cxdesk.domain.surveys.questions import Answer

        if question.kind == "scale":
            self._record(Answer(score=number))
        elif question.kind == "drivers":
            self.picked ^= {question.options[number - 1].code}
            self._show()
        elif question.kind == "choice":
            option = question.options[number - 1]
            if option.asks_text:
                self.choice_waiting_for_words = option.code
                self._show()
            else:
                self._record(Answer(choice=option.code))

    def action_skip_question(self) -> None:
        self._touch()
        self.answers.pop(self.question.code, None)
        self._advance()

    def action_next(self) -> None:
        if self.status is not None:
            if not self.handover:
                self.dismiss(self.status)
            return
        self._touch()
        if self.question.kind == "drivers":
            from cxdesk.domain.surveys.questions import Answer

            if self.picked:
                self._record(Answer(picked=frozenset(self.picked)))
            else:
                self.action_skip_question()

    @on(Input.Submitted, "#survey-words")
    def _words_done(self, event: Input.Submitted) -> None:
        from cxdesk.domain.surveys.questions import Answer

        self._touch()
        words = event.value.strip()
        if self.choice_waiting_for_words is not None:
            self._record(Answer(choice=self.choice_waiting_for_words, text=words or None))
        elif words:
            self._record(Answer(text=words))
        else:
            self.action_skip_question()

    def _record(self, answer: Answer) -> None:
        self.answers[self.question.code] = answer
        self._advance()

    def _advance(self) -> None:
        self.picked = set()
        self.choice_waiting_for_words = None
        self.query_one("#survey-words", Input).value = ""
        if self.index + 1 >= len(self.questions):
            self._save(ended_early=False)
            return
        self.index += 1
        self._show()

    def action_end_survey(self) -> None:
        if self.status is not None:
            if not self.handover:
                self.dismiss(self.status)
            return
        self._save(ended_early=True)

    def action_switch_language(self) -> None:
        self._touch()
        self.lang = OTHER_LANGUAGE[self.lang]
        self._show()

    # --- saving and leaving ----------------------------------------------------------

    def _save(self, *, ended_early: bool, then_close: bool = False) -> None:
        """Store the answers (on the database thread), then thank, hand back or close.

        Every outcome ends the saving state, failures of any kind included: the
        customer is never left in front of a screen that waits for nothing.
        """
        if self.saving or self.status not in (None, NOT_SAVED):
            return
        self.saving = True
        if self._idle_timer is not None:
            self._idle_timer.stop()
        app = self.app
        run, answers, lang = self.survey, dict(self.answers), self.lang

        def store(session) -> str:
            from cxdesk.domain.surveys.invitations import finish

            return finish(session, run.invitation_id, answers, language=lang, ended_early=ended_early,
                          now=app.now())

        def saved(status: str) -> None:
            self.saving = False
            self.status = status
            if then_close:
                self.dismiss(status)
                return
            self._show()
            self.set_timer(app_thanks_seconds(app), self._after_thanks)

        def failed(exc) -> None:
            self.saving = False
            self.failure = exc
            if then_close or not self.handover:
                # The clerk asked for the screen back (or a kiosk moves on): say why and go.
                app.notify(f"The survey answers were not saved: {exc}", severity="error", timeout=15)
                self.dismiss(NOT_SAVED)
                return
            # The customer is not the one to fix this: the screen waits for the clerk,
            # who is told when they take it back (and the save is tried again then).
            self.status = NOT_SAVED
            self._show()

        app.run_db(store, saved, on_error=failed, description="save the survey answers")

    def _after_thanks(self) -> None:
        # A method, not a lambda: the timer awaits what its callback returns, and
        # awaiting dismiss() from the screen's own handler is an error.
        if not self.is_current:
            return
        if self.handover:
            self.returning = True
            self._show()
        else:
            self.dismiss(self.status)

    def action_staff_take_back(self) -> None:
        def unlocked(ok: bool | None) -> None:
            if not ok:
                self._touch()
                return
            if self.status is None or self.status == NOT_SAVED:
                self._save(ended_early=True, then_close=True)
            else:
                self.dismiss(self.status)

        if self._idle_timer is not None:
            self._idle_timer.stop()
        title = "Staff only: take the screen back" if self.status is not None else "Staff only: end the survey"
        self.app.push_screen(StaffPinDialog(title, "Esc returns to the customer's screen."), unlocked)


def app_thanks_seconds(app) -> float:
    """Tests and kiosks may set ``survey_thanks_seconds`` on the app."""
    return getattr(app, "survey_thanks_seconds", THANKS_SECONDS)
