"""The front-line barrier survey for staff (EO 12862 1(e)): the prompt after sign-in
and the survey itself, one item at a time, number keys, English or Spanish.

Nothing on these screens is stored with the staff member's name: the domain keeps
the answers without it (see cxdesk.domain.barrier).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.widgets import MessageLine
from textual import on
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Input, Static

if TYPE_CHECKING:
    from cxdesk.domain.barrier import AskStatus, BarrierPeriod, BarrierSurvey
    from cxdesk.domain.staff import SignedIn

OTHER_LANGUAGE = {"en": "es", "es": "en"}
SCALE_KEYS = 6  # 1-5 on the agree scale, 6 don't know


class BarrierSurveyScreen(Screen[bool]):
    """The survey: the agree items, the barriers (up to three), one idea. Dismisses
    True when the answers were saved."""

    CSS_PATH = "barrier.tcss"
    AUTO_FOCUS = ""
    BINDINGS = [
        *(Binding(str(n), f"answer({n})", str(n), show=False, id=f"barrier-answer-{n}") for n in range(1, 10)),
        Binding("0", "skip", "Skip item", tooltip="Skip this item.", id="barrier-skip", show=False),
        Binding("left,pageup", "back", "Back", tooltip="Back to the item before.", id="barrier-back",
                show=False),
        Binding("enter", "next", "Next", tooltip="Go on from the barriers (or back to the counter at the end).",
                id="barrier-next", show=False),
        Binding("escape", "leave", "Later", tooltip="Leave the survey without saving (twice if you answered).",
                id="barrier-leave", show=False, priority=True),
        Binding("l,f4", "switch_language", "Language", tooltip="English / Español.", id="barrier-language",
                show=False),
    ]

    def __init__(self, survey: BarrierSurvey, period: BarrierPeriod, *, from_prompt: bool = False,
                 lang: str = "en") -> None:
        super().__init__()
        self.survey = survey
        self.period = period
        self.from_prompt = from_prompt
        self.lang = lang
        self.step = 0
        self.scores: dict[str, int] = {}
        self.picked: list[str] = []
        self.saved = False
        self._saving = False
        self._leaving = False
        self._names_warned_for: str | None = None

    @property
    def steps(self) -> int:
        return len(self.survey.items) + 2  # the items, the barriers, the idea

    @property
    def on_item(self) -> bool:
        return self.step < len(self.survey.items)

    @property
    def on_categories(self) -> bool:
        return self.step == len(self.survey.items)

    @property
    def on_idea(self) -> bool:
        return self.step == len(self.survey.items) + 1

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="barrier-top"):
            yield Static("", id="barrier-title")
            yield Static("", id="barrier-progress")
        with Vertical(id="barrier-body"):
            yield Static("", id="barrier-question")
            with Vertical(id="barrier-options"):
                for n in range(1, 10):
                    yield Static("", id=f"barrier-option-{n}", classes="barrier-option")
            yield Input(id="barrier-idea", max_length=1000)
            yield Static("", id="barrier-hint")
            yield MessageLine(id="barrier-message")
        yield Static("", id="barrier-anonymous")
        yield Static("", id="barrier-keys")

    def on_mount(self) -> None:
        self._show()

    def text(self, key: str, **values: object) -> str:
        return self.survey.text(key, self.lang, **values)

    # --- showing ------------------------------------------------------------------

    def _show(self) -> None:
        lang, survey = self.lang, self.survey
        self.query_one("#barrier-title", Static).update(f"{survey.titles[lang]} · {self.period.label(lang)}")
        done = min(self.step + 1, self.steps)
        self.query_one("#barrier-progress", Static).update(
            self.text("progress", n=done, total=self.steps) + "  " + "■" * done + "□" * (self.steps - done))
        self.query_one("#barrier-anonymous", Static).update(self.text("anonymous"))
        question = self.query_one("#barrier-question", Static)
        idea = self.query_one("#barrier-idea", Input)
        if self.saved:
            question.update(Content.assemble(("✔ ", "bold"), (self.text("thanks_title"), "bold")))
            self._rows([])
            idea.display = False
            self.query_one("#barrier-hint", Static).update(self.text("thanks_body", period=self.period.label(lang)))
            self.query_one("#barrier-progress", Static).update("")
            self.set_focus(None)
            self._keys([("Enter" if lang == "en" else "Intro", self.text("key_done"))])
            return
        if self.on_item:
            item = survey.items[self.step]
            question.update(item.text(lang))
            given = self.scores.get(item.code)
            scores = [*range(1, 6), 0]
            self._rows([(str(key), survey.score_label(score, lang), given == score, "▶" if given == score else " ")
                        for key, score in enumerate(scores, start=1)])
            hint = self.text("hint_scale")
        elif self.on_categories:
            question.update(survey.categories_question[lang])
            self._rows([(str(n), category.label(lang), category.code in self.picked,
                         "[✔]" if category.code in self.picked else "[ ]")
                        for n, category in enumerate(survey.categories, start=1)])
            hint = self.text("hint_categories") + "  " + self.text(
                "picked", n=len(self.picked), max=survey.max_picks)
        else:
            question.update(survey.idea_question[lang])
            self._rows([])
            hint = self.text("hint_idea")
        idea.display = self.on_idea
        idea.placeholder = self.text("placeholder")
        if self.on_idea:
            idea.focus()
        else:
            self.set_focus(None)
        self.query_one("#barrier-hint", Static).update(hint)
        keys = [] if self.on_idea else [("0", self.text("key_skip"))]
        if self.on_categories:
            keys.append(("Enter" if lang == "en" else "Intro", self.text("key_next")))
        if self.on_idea:
            keys.append(("Enter" if lang == "en" else "Intro", self.text("key_save")))
        if self.step:
            keys.append(("PgUp" if self.on_idea else "←", self.text("key_back")))
        keys.append(("Esc", self.text("key_later")))
        keys.append(("F4" if self.on_idea else "L", self.text("key_language")))
        self._keys(keys)

    def _rows(self, rows: list[tuple[str, str, bool, str]]) -> None:
        options = self.query_one("#barrier-options")
        options.display = bool(rows)
        for n in range(1, 10):
            row = self.query_one(f"#barrier-option-{n}", Static)
            if n > len(rows):
                row.display = False
                continue
            key, label, picked, mark = rows[n - 1]
            row.update(Content.assemble(f"{mark} ", (key, "bold"), f"  {label}"))
            row.set_class(picked, "-picked")
            row.display = True

    def _keys(self, keys: list[tuple[str, str]]) -> None:
        chips: list = []
        for key, label in keys:
            chips += [(f" {key} ", "reverse bold"), f" {label}    "]
        self.query_one("#barrier-keys", Static).update(Content.assemble(*chips))

    # --- answering -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._saving:
            return False
        if self.saved:
            return action in ("next", "leave")
        return True

    def _clear_message(self) -> None:
        message = self.query_one("#barrier-message", MessageLine)
        message.remove_class("-warning")
        message.clear()

    def action_answer(self, number: int) -> None:
        self._leaving = False
        self._clear_message()
        if self.on_item:
            if number > SCALE_KEYS:
                return
            self.scores[self.survey.items[self.step].code] = 0 if number == SCALE_KEYS else number
            self._go(self.step + 1)
        elif self.on_categories and number <= len(self.survey.categories):
            code = self.survey.categories[number - 1].code
            if code in self.picked:
                self.picked.remove(code)
            elif len(self.picked) >= self.survey.max_picks:
                self.query_one("#barrier-message", MessageLine).show_error(self.text("too_many"))
                return
            else:
                self.picked.append(code)
            self._show()

    def action_skip(self) -> None:
        if self.on_item:
            self.scores.pop(self.survey.items[self.step].code, None)
        elif self.on_categories:
            self.picked = []
        self._go(self.step + 1)

    def action_back(self) -> None:
        if self.step:
            self._go(self.step - 1)

    def action_next(self) -> None:
        if self.saved:
            self.dismiss(True)
        elif self.on_categories:
            self._go(self.step + 1)

    def _go(self, step: int) -> None:
        self._leaving = False
        self._clear_message()
        self.step = max(0, min(step, self.steps - 1))
        self._show()

    def action_switch_language(self) -> None:
        self.lang = OTHER_LANGUAGE[self.lang]
        self._show()

    def action_leave(self) -> None:
        if self.saved:
            self.dismiss(True)
            return
        answered = self.scores or self.picked or self.query_one("#barrier-idea", Input).value.strip()
        if answered and not self._leaving:
            self._leaving = True
            self.query_one("#barrier-message", MessageLine).show_info(self.text("leave"))
            return
        if self.from_prompt:
            record_deferral(self.app)
        self.dismiss(False)

    @on(Input.Submitted, "#barrier-idea")
    def _idea_done(self, event: Input.Submitted) -> None:
        self._save(event.value)

    # --- saving --------------------------------------------------------------------

    def _save(self, idea: str) -> None:
        from cxdesk.domain.barrier import BarrierAnswers

        if self._saving:
            return
        app = self.app
        office, staff, now = app.office, app.signed_in.staff, app.now()
        answers = BarrierAnswers(dict(self.scores), frozenset(self.picked), idea.strip() or None)
        # Enter on the same words after the warning means "save them as they are".
        names_ok = answers.idea is not None and answers.idea == self._names_warned_for
        message = self.query_one("#barrier-message", MessageLine)

        def store(session):
            from cxdesk.domain.barrier import submit_answers

            return submit_answers(session, office, staff, answers, now=now, names_ok=names_ok)

        def saved(_period) -> None:
            self._saving = False
            self.saved = True
            self._show()

        def refused(exc) -> None:
            from cxdesk.domain.barrier import NamesInIdea

            self._saving = False
            if isinstance(exc, NamesInIdea):
                self._names_warned_for = answers.idea
                message.remove_class("-error")
                message.add_class("-warning")
                # Staff names are data: plain text, never markup.
                message.update(Text("⚠ " + self.text("names", names=", ".join(exc.names))))
            else:
                message.show_error(str(exc))

        self._saving = True
        app.run_db(store, saved, on_error=refused, description="save barrier survey answers")


class BarrierPrompt(ModalScreen[bool]):
    """Asked after sign-in: answer now (True) or later (False, one deferral)."""

    CSS_PATH = ["forms.tcss", "barrier.tcss"]
    BINDINGS = [
        Binding("enter", "answer_now", "Answer now", tooltip="Open the barrier survey.", id="barrier-prompt-now"),
        Binding("escape", "later", "Later", tooltip="Ask me at a later sign-in.", id="barrier-prompt-later"),
    ]

    def __init__(self, status: AskStatus) -> None:
        super().__init__()
        self.status = status

    def compose(self) -> ComposeResult:
        status = self.status
        left = status.deferrals_left
        with Vertical(id="barrier-prompt", classes="dialog"):
            yield Static(f"Front-line barrier survey · {status.period.label()}", classes="form-title")
            yield Static(
                "What gets in the way of serving people as well as the best private firms? Eight short "
                "statements, the barriers that matter most, and one idea: about two minutes. Any item can "
                "be skipped.")
            yield Static(
                "Anonymous by design: your answers are kept without your name, station, shift or time, "
                "and results are shown only where at least 3 people answered.", id="barrier-prompt-privacy")
            yield Static(Content.assemble(
                (" Enter ", "reverse bold"), " Answer now     ", (" Esc ", "reverse bold"),
                f" Later ({left} of {status.deferrals_allowed} put-offs left this period)"),
                id="barrier-prompt-keys")

    def action_answer_now(self) -> None:
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)


# --- hooks for the app and the sign-in screen -----------------------------------------------------


def ask_after_sign_in(app, signed_in: SignedIn) -> None:
    """After a sign-in: if this person has not answered this period and may still put it
    off, ask them (the counter is already up beneath the prompt)."""
    office, staff, now = app.office, signed_in.staff, app.now()

    def read(session):
        from cxdesk.domain.barrier import ask_status, load_barrier_survey

        status = ask_status(session, office, staff, now)
        return status, load_barrier_survey() if status.should_prompt else None

    def answered(result) -> None:
        status, survey = result
        if not status.should_prompt or app.signed_in is not signed_in:
            return

        def chosen(now_please: bool | None) -> None:
            if now_please:
                app.push_screen(BarrierSurveyScreen(survey, status.period, from_prompt=True), _thanked(app))
            else:
                record_deferral(app)

        app.push_screen(BarrierPrompt(status), chosen)

    # A problem reading the status must never stand between a clerk and the counter.
    app.run_db(read, answered, on_error=lambda _exc: None, description="barrier survey status")


def open_barrier_survey(app) -> None:
    """From the palette (or its key): the survey for this period, unless already answered."""
    if app.signed_in is None:
        return
    office, staff, now = app.office, app.signed_in.staff, app.now()
    if isinstance(app.screen, BarrierSurveyScreen):
        return

    def read(session):
        from cxdesk.domain.barrier import ask_status, load_barrier_survey

        return ask_status(session, office, staff, now), load_barrier_survey()

    def opened(result) -> None:
        status, survey = result
        if status.period is None:
            app.notify("The barrier survey is not running: a supervisor starts it under F5, b.",
                       severity="warning")
        elif status.answered:
            app.notify(f"You have answered the barrier survey for {status.period.label()}. Thank you.")
        else:
            app.push_screen(BarrierSurveyScreen(survey, status.period), _thanked(app))

    app.run_db(read, opened, description="open the barrier survey")


def _thanked(app):
    def back(saved: bool | None) -> None:
        if saved:
            app.notify("Barrier survey saved, without your name. Thank you.", timeout=4)

    return back


def record_deferral(app) -> None:
    """One more put-off of the prompt this period; says how many are left."""
    signed_in = app.signed_in
    if signed_in is None:
        return
    office, staff, now = app.office, signed_in.staff, app.now()

    def work(session):
        from cxdesk.domain.barrier import defer

        return defer(session, office, staff, now)

    def deferred(status: AskStatus) -> None:
        if status.period is None or status.answered:
            return
        if status.deferrals_left:
            app.notify(f"You will be asked again at a later sign-in ({status.deferrals_left} more "
                       f"put-off{'s' if status.deferrals_left != 1 else ''} this period). The survey is also "
                       "in the command palette (Ctrl+P, \"Barrier survey\").", timeout=6)
        else:
            app.notify("That was the last reminder this period. You can still answer from the command "
                       "palette (Ctrl+P, \"Barrier survey\").", timeout=6)

    app.run_db(work, deferred, description="put off the barrier survey")
