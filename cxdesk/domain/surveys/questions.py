"""Customer survey question sets as data (OMB A-11 Section 280, EO 12862 1(b)).

Both A-11 sets ship in ``data/`` in English and Spanish; an office may replace one
with a file of the same name in its catalog override folder. Answers are
validated here into the rows the store keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cxdesk.config import catalog_override_dir
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import load_data_file, office_catalog, toml_document
from cxdesk.text import check_storable, clean_line
from cxdesk.vocab import LANGUAGE_NAMES, LANGUAGES, SURVEY_SET_FILES

COMMON_FILE = "survey_common"
# The trust statement's code in every set, and the two branches that may follow it.
TRUST = "trust"
POSITIVE, NEGATIVE = "positive", "negative"
BRANCHES = (POSITIVE, NEGATIVE)
KINDS = ("scale", "drivers", "choice", "comment")
SCALE = (1, 2, 3, 4, 5)
TEXT_LIMIT = 1000
# Words the customer screens and the kiosk show: each must exist in every language.
SCREEN_TEXTS = (
    "intro", "progress", "hint_scale", "hint_drivers", "hint_choice", "hint_typing",
    "key_skip", "key_next", "key_end", "key_language", "typing_placeholder",
    "thanks_title", "thanks_body", "skipped_title", "skipped_body", "closing",
    "kiosk_title", "kiosk_body", "return_title", "return_body", "key_staff",
)


# --- question sets as data -----------------------------------------------------


@dataclass(frozen=True)
class Option:
    code: str
    labels: dict[str, str]
    # Picking it opens a line for the customer's own words ("a service you don't offer").
    asks_text: bool = False

    def label(self, lang: str) -> str:
        return self.labels[lang]


@dataclass(frozen=True)
class Question:
    code: str
    kind: str  # scale | drivers | choice | comment
    texts: dict[str, str]
    options: tuple[Option, ...] = ()
    # The A-11 summary column a scale question feeds (satisfied, trust, ...).
    driver: str | None = None
    # A-11 current set: "positive" (What went well?) follows a positive trust answer,
    # "negative" (What didn't go so well?) a negative one; None: asked of everyone.
    branch: str | None = None

    def option(self, code: str) -> Option:
        for option in self.options:
            if option.code == code:
                return option
        raise CxdeskError(f"'{code}' is not an answer to question '{self.code}'.")


@dataclass(frozen=True)
class SurveyTexts:
    """The shared words: agency name, 1-5 scale labels, screen texts (EN and ES)."""

    agency: dict[str, str]
    scale: dict[str, tuple[str, ...]]
    texts: dict[str, dict[str, str]]
    wish: Question

    def text(self, key: str, lang: str, **values: object) -> str:
        try:
            words = self.texts[key][lang]
        except KeyError:
            raise CxdeskError(f"No survey text '{key}' in {LANGUAGE_NAMES.get(lang, lang)}.") from None
        return words.format(**values) if values else words

    def scale_label(self, score: int, lang: str) -> str:
        return self.scale[lang][score - 1]


@dataclass(frozen=True)
class QuestionSet:
    code: str
    survey_type: str
    titles: dict[str, str]
    # The set's own questions plus the EO 12862 1(b) item, in the order asked.
    questions: tuple[Question, ...]
    texts: SurveyTexts

    def question(self, code: str) -> Question:
        for question in self.questions:
            if question.code == code:
                return question
        raise CxdeskError(f"The {self.code} survey has no question '{code}'.")

    def scale_questions(self) -> list[Question]:
        return [q for q in self.questions if q.kind == "scale"]

    def trust_side(self, answers: Mapping[str, Answer]) -> str | None:
        """"positive" for a trust answer of 4-5, "negative" for 1-3 (a neutral 3 goes to
        the negative branch, as on the A-11 form); None if trust was not answered."""
        answer = answers.get(TRUST)
        if answer is None or answer.score is None:
            return None
        return POSITIVE if answer.score >= 4 else NEGATIVE

    def asked(self, answers: Mapping[str, Answer], *, trust_passed: bool) -> tuple[Question, ...]:
        """The questions this customer is asked, in order: one branch after the trust
        statement, the one its answer points to (none if it was skipped). Before the
        trust statement is passed, the branch still to come holds one place."""
        side = self.trust_side(answers)
        shown: list[Question] = []
        placeholder_taken = False
        for question in self.questions:
            if question.branch is None:
                shown.append(question)
            elif trust_passed:
                if question.branch == side:
                    shown.append(question)
            elif not placeholder_taken:
                shown.append(question)
                placeholder_taken = True
        return tuple(shown)

    def check_branches(self, answers: Mapping[str, Answer]) -> None:
        """Refuse an answer to the branch the customer's trust answer did not lead to."""
        side = self.trust_side(answers)
        for code in answers:
            question = self.question(code)
            if question.branch is not None and question.branch != side:
                follows = "a positive trust answer (4-5)" if question.branch == POSITIVE else \
                    "a negative trust answer (1-3)"
                raise CxdeskError(f"'{code}' is asked only after {follows}.")

    def wording(self, question: Question, lang: str, *, service: str | None) -> str:
        """The question text with [service] and [agency] filled in."""
        agency = self.texts.agency[lang]
        service_label = _service_label(service, lang) if service else agency
        return question.texts[lang].replace("[service]", service_label).replace("[agency]", agency)


def _service_label(code: str, lang: str) -> str:
    services = office_catalog("services")
    return services.get(code).label(lang) if code in services else code


def load_question_set(code: str) -> QuestionSet:
    """The office's question set; a file of the same name in the catalog override
    folder replaces the built-in one."""
    if code not in SURVEY_SET_FILES:
        raise CxdeskError(f"No survey set '{code}' (known: {', '.join(SURVEY_SET_FILES)}).")
    name = SURVEY_SET_FILES[code]
    document, where = _read(name)
    texts = load_survey_texts()
    return _parse_set(code, document, where, texts)


def load_survey_texts() -> SurveyTexts:
    document, where = _read(COMMON_FILE)
    return _parse_common(document, where)


def _read(name: str) -> tuple[dict, str]:
    return load_data_file(f"{name}.toml", _document_and_where, catalog_override_dir())


def _document_and_where(text: str, where: str, _source: str) -> tuple[dict, str]:
    return toml_document(text, where), where


def _translations(entry: Mapping, prefix: str, where: str, what: str) -> dict[str, str]:
    """``prefix_en`` and ``prefix_es``, both present, non-empty and different:
    a Spanish text copied from the English one is a missing translation."""
    found: dict[str, str] = {}
    for lang in LANGUAGES:
        value = entry.get(f"{prefix}_{lang}")
        if not isinstance(value, str) or not value.strip():
            raise CxdeskError(f"{where}: {what} has no {LANGUAGE_NAMES[lang]} text ({prefix}_{lang}).")
        found[lang] = value.strip()
    if found["en"] == found["es"]:
        raise CxdeskError(f"{where}: {what} has the same English and Spanish text; translate it.")
    return found


def _parse_question(entry: object, where: str, number: int) -> Question:
    if not isinstance(entry, dict):
        raise CxdeskError(f"{where}: question {number} must be a table.")
    code = entry.get("code")
    if not isinstance(code, str) or not code:
        raise CxdeskError(f"{where}: question {number} has no code.")
    what = f"question '{code}'"
    kind = entry.get("kind")
    if kind not in KINDS:
        raise CxdeskError(f"{where}: {what} has kind {kind!r}; it must be one of {', '.join(KINDS)}.")
    options: list[Option] = []
    for index, raw in enumerate(entry.get("option", []), start=1):
        option_code = raw.get("code") if isinstance(raw, dict) else None
        if not isinstance(option_code, str) or not option_code:
            raise CxdeskError(f"{where}: {what}, option {index} has no code.")
        labels = _translations(raw, "label", where, f"{what}, option '{option_code}'")
        options.append(Option(option_code, labels, bool(raw.get("asks_text", False))))
    if kind in ("drivers", "choice") and not 1 <= len(options) <= 9:
        raise CxdeskError(f"{where}: {what} needs 1 to 9 options (number keys 1-9).")
    if len({o.code for o in options}) != len(options):
        raise CxdeskError(f"{where}: {what} repeats an option code.")
    driver = entry.get("driver")
    branch = entry.get("branch")
    if branch is not None and branch not in BRANCHES:
        raise CxdeskError(f"{where}: {what} has branch {branch!r}; it must be positive or negative.")
    return Question(code, kind, _translations(entry, "text", where, what), tuple(options),
                    driver if isinstance(driver, str) else None, branch)


def _parse_common(document: dict, where: str) -> SurveyTexts:
    agency = _translations(document.get("agency", {}), "name", where, "[agency]")
    scale_table = document.get("scale", {})
    scale: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        labels = scale_table.get(f"labels_{lang}")
        if not isinstance(labels, list) or len(labels) != 5 or not all(
                isinstance(x, str) and x.strip() for x in labels):
            raise CxdeskError(f"{where}: [scale] labels_{lang} must list 5 {LANGUAGE_NAMES[lang]} labels.")
        scale[lang] = tuple(labels)
    raw_texts = document.get("text", {})
    keys = sorted({key.rsplit("_", 1)[0] for key in raw_texts} | set(SCREEN_TEXTS))
    texts = {key: _translations(raw_texts, key, where, f"text '{key}'") for key in keys}
    wish = _parse_question(document.get("wish"), where, 0)
    return SurveyTexts(agency, scale, texts, wish)


def _parse_set(code: str, document: dict, where: str, texts: SurveyTexts) -> QuestionSet:
    if document.get("code") != code:
        raise CxdeskError(f"{where}: code must be '{code}'.")
    titles = _translations(document, "title", where, "the title")
    entries = document.get("question", [])
    if not isinstance(entries, list) or not entries:
        raise CxdeskError(f"{where}: no [[question]] entries.")
    questions = [_parse_question(entry, where, n) for n, entry in enumerate(entries, start=1)]
    if len({q.code for q in questions}) != len(questions):
        raise CxdeskError(f"{where}: two questions share a code.")
    if any(q.branch for q in questions):
        codes = [q.code for q in questions]
        if TRUST not in codes or any(q.branch and codes.index(q.code) < codes.index(TRUST) for q in questions):
            raise CxdeskError(f"{where}: a question with a branch must come after the '{TRUST}' question.")
    # EO 12862 1(b): every set also asks what service or channel the customer wants,
    # just before the closing comment.
    at = next((i for i, q in enumerate(questions) if q.kind == "comment"), len(questions))
    questions.insert(at, texts.wish)
    if len(questions) > 15:
        raise CxdeskError(f"{where}: A-11 allows at most 15 questions.")
    return QuestionSet(code, str(document.get("survey_type", "likert_scale")), titles,
                       tuple(questions), texts)


# --- answers -------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One customer's answer to one question (only the field of its kind is set)."""

    score: int | None = None  # scale: 1..5
    picked: frozenset[str] | None = None  # drivers: the toggled options
    choice: str | None = None  # choice: the option picked
    text: str | None = None  # comment, or the words of an option that asks for them


def answer_rows(question: Question, answer: Answer) -> list[dict]:
    """Validated rows for one answer (without response_id)."""
    text = clean_comment(answer.text)
    if question.kind == "scale":
        if answer.score not in SCALE:
            raise CxdeskError(f"'{question.code}' takes a number from 1 to 5.")
        return [dict(question=question.code, choice="", score=answer.score, text=None)]
    if question.kind == "drivers":
        picked = answer.picked or frozenset()
        for code in picked:
            question.option(code)
        # Every offered driver gets a row: 1 picked, 0 offered and not picked
        # (the Touchpoints CSV tells these apart from "not offered").
        return [dict(question=question.code, choice=o.code, score=int(o.code in picked), text=None)
                for o in question.options]
    if question.kind == "choice":
        if answer.choice is None:
            return []
        option = question.option(answer.choice)
        return [dict(question=question.code, choice=option.code, score=None,
                     text=text if option.asks_text else None)]
    return []  # comment: kept on the response itself


def clean_comment(text: str | None) -> str | None:
    """A customer's own words: one line, terminal controls removed, cut at the limit
    (a customer is never refused for typing too much)."""
    raw = text or ""
    check_storable(raw, "The comment")
    return clean_line(raw, "The comment", limit=10**9, required=False)[:TEXT_LIMIT] or None
