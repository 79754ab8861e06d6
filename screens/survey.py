"""The customer survey screen: one question at a time, number keys, English or Spanish.

Handed over at the counter or shown on a kiosk. While it is up the customer can
reach nothing of the staff screens; a clerk takes it back early only with a PIN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.widgets import MessageLine
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

if TYPE_CHECKING:
    from cxdesk.domain.surveys.invitations import SurveyRun
    from cxdesk.domain.surveys.questions import Answer, Question

# How long the thank-you stays before the screen closes by itself.
THANKS_SECONDS = 6
OTHER_LANGUAGE = {"en": "es", "es": "en"}


class SurveyScreen(Screen[str]):
    """Dismisses with the invitation's final status (completed, partial or skipped)."""

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
        Binding("l,f4", "switch_language", "Language", tooltip="English / Español.",
                id="survey-language", show=False),
        Binding("f9", "staff_take_back", "Staff: take back",
                tooltip="A clerk ends the survey early with a PIN.", id="survey-staff-take-back",
                show=False, priority=True),
    ]

    def __init__(self, run: SurveyRun, *, idle_seconds: int, staff_code: str | None = None) -> None:
        super().__init__()
        self.survey = run
        self.lang = run.language
        self.idle_seconds = max(int(idle_seconds), 5)
        # The signed-in clerk on a handover; None on a kiosk (any staff code + PIN).
        self.staff_code = staff_code
        self.questions = run.question_set.questions
        self.index = 0
        self.answers: dict[str, Answer] = {}
        self.picked: set[str] = set()
        self.choice_waiting_for_words: str | None = None
        self.status: str | None = None
        self._saving = False
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

    @property
    def question(self) -> Question:
        return self.questions[self.index]

    @property
    def typing(self) -> bool:
        return self.question.kind == "comment" or self.choice_waiting_for_words is not None

    def _show(self) -> None:
        if self.status is not None:
            self._show_thanks()
            return
        question, lang = self.question, self.lang
        total = len(self.questions)
        self.query_one("#survey-title", Static).update(self.survey.question_set.titles[lang])
        done = "■" * (self.index + 1) + "□" * (total - self.index - 1)
        self.query_one("#survey-progress", Static).update(
            self.text("progress", n=self.index + 1, total=total) + "  " + done)
        intro = self.query_one("#survey-intro", Static)
        intro.update(self.text("intro"))
        intro.display = self.index == 0
        self.query_one("#survey-question", Static).update(
            self.survey.question_set.wording(question, lang, service=self.survey.service))

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
        self.query_one("#survey-hint", Static).update(hint)
        self._show_keys()

    def _show_keys(self) -> None:
        keys = []
        if self.status is None:
            if not self.typing:
                keys.append(("0", self.text("key_skip")))
            if self.question.kind != "scale":
                keys.append(("Enter" if self.lang == "en" else "Intro", self.text("key_next")))
            keys.append(("Esc", self.text("key_end")))
            keys.append(("F4" if self.typing else "L", self.text("key_language")))
        else:
            keys.append(("L", self.text("key_language")))
        chips: list = []
        for key, label in keys:
            chips += [(f" {key} ", "reverse bold"), f" {label}      "]
        self.query_one("#survey-keys", Static).update(Content.assemble(*chips))

    def _show_thanks(self) -> None:
        self.query_one("#survey-body").display = False
        self.query_one("#survey-progress", Static).update("")
        self.query_one("#survey-thanks").display = True
        answered = self.status != "skipped"
        self.query_one("#thanks-title", Static).update(
            self.text("thanks_title") if answered else self.text("skipped_title"))
        self.query_one("#thanks-body", Static).update(
            self.text("thanks_body") if answered else self.text("skipped_body"))
        self.query_one("#thanks-closing", Static).update(self.text("closing"))
        self.set_focus(None)
        self._show_keys()

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
        # Walked away: what was answered is kept, the survey ends, the screen goes back.
        self._save(ended_early=True, then_close=True)

    @on(Input.Changed, "#survey-words")
    def _typed(self) -> None:
        self._touch()

    # --- answering ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._saving and action != "staff_take_back":
            return False
        if self.status is not None:
            return action in ("next", "switch_language", "end_survey")
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
            self.dismiss(self.status)
            return
        self._save(ended_early=True)

    def action_switch_language(self) -> None:
        self._touch()
        self.lang = OTHER_LANGUAGE[self.lang]
        self._show()

    # --- saving and leaving ----------------------------------------------------------

    def _save(self, *, ended_early: bool, then_close: bool = False) -> None:
        """Store the answers (on the database thread), then thank or close."""
        if self._saving or self.status is not None:
            return
        self._saving = True
        if self._idle_timer is not None:
            self._idle_timer.stop()
        app = self.app
        run, answers, lang, now = self.survey, dict(self.answers), self.lang, app.now()

        def store(session) -> str:
            from cxdesk.domain.surveys.invitations import finish

            return finish(session, run.invitation_id, answers, language=lang, ended_early=ended_early, now=now)

        def saved(status: str) -> None:
            self._saving = False
            self.status = status
            if then_close:
                self.dismiss(status)
                return
            self._show()

            def back_to_staff() -> None:
                # Not a lambda: the timer awaits what its callback returns, and
                # awaiting dismiss() from the screen's own handler is an error.
                if self.is_current:
                    self.dismiss(status)

            self.set_timer(app_thanks_seconds(app), back_to_staff)

        def failed(exc) -> None:
            # The customer is not the one to fix this: the clerk sees why, the screen goes back.
            self._saving = False
            app.notify(f"The survey answers were not saved: {exc}", severity="error", timeout=10)
            self.dismiss("error")

        app.run_db(store, saved, on_error=failed, description="save survey answers")

    def action_staff_take_back(self) -> None:
        if self.status is not None:
            self.dismiss(self.status)
            return

        def unlocked(ok: bool | None) -> None:
            if ok:
                self._save(ended_early=True, then_close=True)
            else:
                self._touch()

        if self._idle_timer is not None:
            self._idle_timer.stop()
        self.app.push_screen(StaffPinDialog(self.staff_code), unlocked)


def app_thanks_seconds(app) -> float:
    """Tests and kiosks may set ``survey_thanks_seconds`` on the app."""
    return getattr(app, "survey_thanks_seconds", THANKS_SECONDS)


class StaffPinDialog(ModalScreen[bool]):
    """A clerk takes the screen back from the customer: staff code and PIN."""

    CUSTOMER_FACING = True
    CSS_PATH = "survey.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Back to the survey", tooltip="Leave the survey with the customer.",
                id="staff-pin-cancel"),
    ]

    # Left open and unanswered, the dialog steps aside so the screen is not stuck on it.
    GIVE_UP_SECONDS = 60

    def __init__(self, staff_code: str | None) -> None:
        super().__init__()
        self.staff_code = staff_code

    def compose(self) -> ComposeResult:
        with Vertical(id="staff-pin"):
            yield Static("Staff only: end the survey", classes="form-title")
            yield Label("Staff code")
            yield Input(value=self.staff_code or "", id="staff-code", max_length=16)
            yield Label("PIN")
            yield Input(id="staff-pin-input", password=True, max_length=12)
            yield MessageLine("Esc returns to the survey.", id="staff-pin-message")

    def on_mount(self) -> None:
        self.query_one("#staff-pin-input" if self.staff_code else "#staff-code", Input).focus()
        self.set_timer(self.GIVE_UP_SECONDS, self._give_up)

    def _give_up(self) -> None:
        if self.is_current:
            self.dismiss(False)

    @on(Input.Submitted, "#staff-code")
    def _code_done(self) -> None:
        self.query_one("#staff-pin-input", Input).focus()

    @on(Input.Submitted, "#staff-pin-input")
    def _pin_done(self) -> None:
        app = self.app
        code = self.query_one("#staff-code", Input).value
        pin_input = self.query_one("#staff-pin-input", Input)
        pin, office, now = pin_input.value, app.office, app.now()

        def check(session) -> bool:
            from cxdesk.domain.staff import check_pin

            check_pin(session, office, code, pin, now)
            return True

        def refused(exc) -> None:
            pin_input.value = ""
            self.query_one("#staff-pin-message", MessageLine).show_error(str(exc))

        app.run_db(check, self.dismiss, on_error=refused, description="check PIN")

    def action_cancel(self) -> None:
        self.dismiss(False)


# --- counter hooks: `v` hands the survey over, `k` sends it to the station's kiosk

STATUS_WORDS = {
    "completed": "Survey answered. Thank you for offering it.",
    "partial": "Survey partly answered.",
    "skipped": "The customer skipped the survey.",
}


def offer_survey(counter: Screen, mode: str) -> None:
    """Offer the survey for the last visit finished at this station."""
    app = counter.app
    if app.signed_in is None:
        return
    office, station, staff_code, now = app.office, app.signed_in.station, app.signed_in.staff.code, app.now()

    def work(session) -> SurveyRun:
        from cxdesk.domain.surveys import invitations as surveys
        from cxdesk.errors import CxdeskError

        visit = surveys.last_finished_visit(session, office, station, now)
        if visit is None:
            raise CxdeskError("No visit finished at this station today: finish one, then offer the survey.")
        return surveys.offer(session, office, visit.id, mode=mode, station=station, now=now)

    def offered(run: SurveyRun) -> None:
        if mode == "kiosk":
            app.notify(f"Survey sent to the kiosk at {station.name}.", timeout=4)
            return

        def back(status: str | None) -> None:
            if status in STATUS_WORDS:
                app.notify(STATUS_WORDS[status], timeout=4)
            refresh = getattr(counter, "refresh_view", None)
            if refresh is not None:
                refresh()

        app.push_screen(SurveyScreen(run, idle_seconds=office.survey_idle_seconds, staff_code=staff_code), back)

    app.run_db(work, offered, description=f"offer survey ({mode})")
