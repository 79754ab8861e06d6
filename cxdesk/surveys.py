"""Customer surveys (EO 12862 1(b), OMB A-11 Section 280): question sets, invitations,
responses, and the results and volumes a supervisor and the quarterly A-11 data need.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.catalogs import load_data_file, office_catalog, toml_document
from cxdesk.clock import local_day, office_zone
from cxdesk.config import catalog_override_dir
from cxdesk.errors import CxdeskError
from cxdesk.models import (
    Office,
    Station,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
)
from cxdesk.visits import LANGUAGES

_LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
# Office.survey_set -> the data file holding that question set.
SURVEY_SETS = {"likert": "survey_likert", "a11_v2_radio": "survey_a11_v2"}
COMMON_FILE = "survey_common"
KINDS = ("scale", "drivers", "choice", "comment")
SCALE = (1, 2, 3, 4, 5)
# HappyOrNot-style 0-100 index: weight of each point of the 5-point scale.
INDEX_WEIGHTS = {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}
TEXT_LIMIT = 1000
# Words the customer screens and the kiosk show: each must exist in every language.
SCREEN_TEXTS = (
    "intro", "progress", "hint_scale", "hint_drivers", "hint_choice", "hint_typing",
    "key_skip", "key_next", "key_end", "key_language", "typing_placeholder",
    "thanks_title", "thanks_body", "skipped_title", "skipped_body", "closing",
    "kiosk_title", "kiosk_body",
)

HANDOVER = "handover"
KIOSK = "kiosk"
MODES = (HANDOVER, KIOSK)
PENDING = "pending"
SHOWN = "shown"
COMPLETED = "completed"
PARTIAL = "partial"
SKIPPED = "skipped"
EXPIRED = "expired"
OPEN = (PENDING, SHOWN)
# A kiosk survey nobody picked up in this time is stale: the customer has gone.
KIOSK_PICKUP = timedelta(minutes=10)


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
            raise CxdeskError(f"No survey text '{key}' in {_LANGUAGE_NAMES.get(lang, lang)}.") from None
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
    if code not in SURVEY_SETS:
        raise CxdeskError(f"No survey set '{code}' (known: {', '.join(SURVEY_SETS)}).")
    name = SURVEY_SETS[code]
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
            raise CxdeskError(f"{where}: {what} has no {_LANGUAGE_NAMES[lang]} text ({prefix}_{lang}).")
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
    return Question(code, kind, _translations(entry, "text", where, what), tuple(options),
                    driver if isinstance(driver, str) else None)


def _parse_common(document: dict, where: str) -> SurveyTexts:
    agency = _translations(document.get("agency", {}), "name", where, "[agency]")
    scale_table = document.get("scale", {})
    scale: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        labels = scale_table.get(f"labels_{lang}")
        if not isinstance(labels, list) or len(labels) != 5 or not all(
                isinstance(x, str) and x.strip() for x in labels):
            raise CxdeskError(f"{where}: [scale] labels_{lang} must list 5 {_LANGUAGE_NAMES[lang]} labels.")
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


def _answer_rows(question: Question, answer: Answer) -> list[dict]:
    """Validated rows for one answer (without response_id)."""
    text = _clean_text(answer.text)
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


def _clean_text(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text[:TEXT_LIMIT] or None


# --- invitations and responses ---------------------------------------------------


@dataclass(frozen=True)
class SurveyRun:
    """Everything a customer screen needs to show one offered survey."""

    invitation_id: uuid.UUID
    question_set: QuestionSet
    language: str
    service: str | None
    mode: str

    @property
    def texts(self) -> SurveyTexts:
        return self.question_set.texts


def last_finished_visit(session: Session, office: Office, station: Station, now: datetime) -> Visit | None:
    """The visit this station finished last today: the one a survey is offered for."""
    day = local_day(now, office_zone(office.timezone))
    return session.exec(
        select(Visit).where(Visit.office_id == office.id, Visit.day == day,
                            Visit.station_id == station.id, Visit.state == "done")
        .order_by(col(Visit.finished_at).desc()).limit(1)
    ).first()


def offer(session: Session, office: Office, visit_id: uuid.UUID, *, mode: str, now: datetime,
          language: str | None = None, station: Station | None = None) -> SurveyRun:
    """Offer the survey for a finished visit, handed over or sent to a station's kiosk.

    A visit already answered is refused; an earlier unanswered offer is replaced.
    """
    if mode not in MODES:
        raise CxdeskError(f"Survey mode must be {' or '.join(MODES)}.")
    visit = session.get(Visit, visit_id)
    if visit is None or visit.office_id != office.id:
        raise CxdeskError("That visit no longer exists.")
    if visit.state != "done":
        raise CxdeskError("Finish the visit before offering the survey.")
    language = language or visit.language
    if language not in LANGUAGES:
        raise CxdeskError(f"Survey language must be one of {', '.join(LANGUAGES)}.")
    if mode == KIOSK and station is None:
        raise CxdeskError("Say which station's kiosk should show the survey.")
    question_set = load_question_set(office.survey_set)
    answered = session.exec(select(SurveyResponse.id).where(SurveyResponse.visit_id == visit.id)).first()
    if answered is not None:
        raise CxdeskError("This customer has already answered the survey for this visit.")
    stale = [SurveyInvitation.visit_id == visit.id]
    if mode == KIOSK:
        # One survey waits at a kiosk at a time: the newest customer's.
        stale.append(sa.and_(SurveyInvitation.station_id == station.id,
                             SurveyInvitation.status == PENDING))
    session.execute(
        sa.update(SurveyInvitation)
        .where(sa.or_(*stale), col(SurveyInvitation.status).in_(OPEN))
        .values(status=EXPIRED, closed_at=now)
    )
    invitation = SurveyInvitation(
        office_id=office.id, visit_id=visit.id, survey_set=question_set.code, mode=mode,
        language=language, station_id=station.id if mode == KIOSK else None,
        status=PENDING if mode == KIOSK else SHOWN, offered_at=now,
        shown_at=None if mode == KIOSK else now,
    )
    session.add(invitation)
    session.commit()
    return SurveyRun(invitation.id, question_set, language, visit.service or visit.service_wanted, mode)


def claim_for_kiosk(session: Session, office: Office, station: Station, now: datetime) -> SurveyRun | None:
    """The survey waiting for this station's kiosk, marked as shown; None if there is none.

    The claim is a conditional UPDATE, so a survey appears on one kiosk only, even
    with several processes polling the same database.
    """
    # Polled every second by each kiosk: a plain read unless something is waiting.
    waiting = session.exec(
        select(SurveyInvitation).where(SurveyInvitation.station_id == station.id,
                                       SurveyInvitation.status == PENDING)
        .order_by(col(SurveyInvitation.offered_at).desc()).limit(1)
    ).first()
    if waiting is None:
        return None
    if waiting.offered_at < now - KIOSK_PICKUP:
        session.execute(
            sa.update(SurveyInvitation)
            .where(SurveyInvitation.station_id == station.id, SurveyInvitation.status == PENDING,
                   SurveyInvitation.offered_at < now - KIOSK_PICKUP)
            .values(status=EXPIRED, closed_at=now)
        )
        session.commit()
        return None
    claimed = session.execute(
        sa.update(SurveyInvitation)
        .where(SurveyInvitation.id == waiting.id, SurveyInvitation.status == PENDING)
        .values(status=SHOWN, shown_at=now)
    )
    session.commit()
    if claimed.rowcount != 1:
        return None
    visit = session.get(Visit, waiting.visit_id)
    return SurveyRun(waiting.id, load_question_set(waiting.survey_set), waiting.language,
                     visit.service or visit.service_wanted, KIOSK)


def finish(session: Session, invitation_id: uuid.UUID, answers: Mapping[str, Answer], *,
           language: str, ended_early: bool, now: datetime) -> str:
    """Store what the customer answered and close the invitation; returns its status.

    Nothing answered: skipped, no response row. Ended early with some answers:
    partial. No staff identity is written (the response is anonymous to staff).
    """
    invitation = session.get(SurveyInvitation, invitation_id)
    if invitation is None:
        raise CxdeskError("That survey no longer exists.")
    session.refresh(invitation)
    if invitation.status not in OPEN:
        raise CxdeskError("This survey is already closed.")
    if language not in LANGUAGES:
        raise CxdeskError(f"Survey language must be one of {', '.join(LANGUAGES)}.")
    question_set = load_question_set(invitation.survey_set)
    rows: list[dict] = []
    comment = None
    for code, answer in answers.items():
        question = question_set.question(code)
        if question.kind == "comment":
            comment = _clean_text(answer.text)
        else:
            rows.extend(_answer_rows(question, answer))
    status = SKIPPED if not rows and comment is None else PARTIAL if ended_early else COMPLETED
    invitation.status = status
    invitation.closed_at = now
    invitation.language = language
    session.add(invitation)
    if status != SKIPPED:
        response = SurveyResponse(
            invitation_id=invitation.id, visit_id=invitation.visit_id, office_id=invitation.office_id,
            survey_set=invitation.survey_set, language=language, completed=status == COMPLETED,
            comment=comment, answered_at=now,
        )
        session.add(response)
        session.flush()
        session.add_all(SurveyAnswer(response_id=response.id, **row) for row in rows)
    session.commit()
    return status


# --- volumes and results -----------------------------------------------------------


@dataclass(frozen=True)
class ResultsFilter:
    """Which visits count: office-local days start..end (inclusive), optionally one
    service and one customer segment."""

    start: date
    end: date
    service: str | None = None
    segment: str | None = None
    survey_set: str | None = None  # None: the office's current set


@dataclass(frozen=True)
class Volumes:
    """The A-11 quarterly volumes, computed from the visits and invitations."""

    served: int
    offered: int
    respondents: int

    @property
    def response_rate(self) -> float | None:
        """Respondents as a percentage of customers offered the survey."""
        return 100.0 * self.respondents / self.offered if self.offered else None


@dataclass(frozen=True)
class DriverResult:
    """One 1-5 question: counts per point, point scale, % agree, 0-100 index."""

    question: str
    driver: str | None
    counts: tuple[int, int, int, int, int]

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def point_scale(self) -> Decimal | None:
        """A-11 point scale: Σ k·count_k / Σ count_k, 2 decimals."""
        if not self.answers:
            return None
        total = sum(k * c for k, c in zip(SCALE, self.counts))
        return (Decimal(total) / Decimal(self.answers)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def percent_agree(self) -> Decimal | None:
        if not self.answers:
            return None
        return (Decimal(100 * (self.counts[3] + self.counts[4])) / Decimal(self.answers)).quantize(
            Decimal("0.1"), ROUND_HALF_UP)

    @property
    def index(self) -> Decimal | None:
        """Smiley-terminal style 0-100 index (weights 100/75/50/25/0)."""
        if not self.answers:
            return None
        weighted = sum(INDEX_WEIGHTS[k] * c for k, c in zip(SCALE, self.counts))
        return (Decimal(weighted) / Decimal(self.answers)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class OptionTally:
    question: str
    option: str
    picked: int
    asked: int  # respondents who answered the question


@dataclass(frozen=True)
class Comment:
    answered_at: datetime
    language: str
    service: str | None
    text: str


@dataclass(frozen=True)
class SurveyResults:
    survey_set: str
    volumes: Volumes
    drivers: list[DriverResult]
    tallies: list[OptionTally]
    comments: list[Comment] = field(default_factory=list)


# The periods a supervisor picks from, office-local; quarters are federal fiscal quarters.
PERIODS = {
    "today": "Today",
    "week": "This week",
    "month": "This month",
    "quarter": "This quarter",
    "last_quarter": "Last quarter",
    "fiscal_year": "Fiscal year",
}


def period_days(period: str, today: date) -> tuple[date, date]:
    """First and last office-local day of ``period`` around ``today``."""
    if period == "today":
        return today, today
    if period == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = today.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    # Fiscal quarters start in October, January, April and July.
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    if period == "quarter":
        return quarter_start, _months_later(quarter_start, 3) - timedelta(days=1)
    if period == "last_quarter":
        start = _months_later(quarter_start, -3)
        return start, quarter_start - timedelta(days=1)
    if period == "fiscal_year":
        start = date(today.year if today.month >= 10 else today.year - 1, 10, 1)
        return start, date(start.year + 1, 9, 30)
    raise CxdeskError(f"Unknown period '{period}' (one of: {', '.join(PERIODS)}).")


def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _visit_filter(office: Office, flt: ResultsFilter) -> list:
    conditions = [Visit.office_id == office.id, Visit.day >= flt.start, Visit.day <= flt.end]
    if flt.service:
        conditions.append(Visit.service == flt.service)
    if flt.segment:
        conditions.append(Visit.segment == flt.segment)
    return conditions


def volumes(session: Session, office: Office, flt: ResultsFilter) -> Volumes:
    """Customers served, offered the survey, and respondents: SQL counts, never typed in."""
    where = _visit_filter(office, flt)
    served = session.execute(
        select(sa.func.count()).select_from(Visit).where(*where, Visit.state == "done")).scalar_one()
    # Offered = the survey was in front of the customer: a kiosk survey nobody
    # picked up (pending, expired) was no opportunity to answer.
    offered = session.execute(
        select(sa.func.count(sa.distinct(SurveyInvitation.visit_id)))
        .join(Visit, Visit.id == SurveyInvitation.visit_id)
        .where(*where, col(SurveyInvitation.status).not_in((PENDING, EXPIRED)))).scalar_one()
    respondents = session.execute(
        select(sa.func.count(SurveyResponse.id))
        .join(Visit, Visit.id == SurveyResponse.visit_id).where(*where)).scalar_one()
    return Volumes(int(served), int(offered), int(respondents))


def results(session: Session, office: Office, flt: ResultsFilter, comment_limit: int = 200) -> SurveyResults:
    """Survey results for a period, per question, from SQL aggregates."""
    set_code = flt.survey_set or office.survey_set
    question_set = load_question_set(set_code)
    where = [*_visit_filter(office, flt), SurveyResponse.survey_set == set_code]
    answered = (
        select(SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score, sa.func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .where(*where)
        .group_by(SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score)
    )
    counts: dict[tuple[str, str, int | None], int] = {
        (q, c, s): int(n) for q, c, s, n in session.execute(answered)}

    drivers = [
        DriverResult(q.code, q.driver, tuple(counts.get((q.code, "", k), 0) for k in SCALE))
        for q in question_set.scale_questions()
    ]
    tallies: list[OptionTally] = []
    for q in question_set.questions:
        if q.kind == "drivers":
            asked = sum(counts.get((q.code, q.options[0].code, s), 0) for s in (0, 1))
            tallies += [OptionTally(q.code, o.code, counts.get((q.code, o.code, 1), 0), asked)
                        for o in q.options]
        elif q.kind == "choice":
            asked = sum(counts.get((q.code, o.code, None), 0) for o in q.options)
            tallies += [OptionTally(q.code, o.code, counts.get((q.code, o.code, None), 0), asked)
                        for o in q.options]

    comment_rows = session.execute(
        select(SurveyResponse.answered_at, SurveyResponse.language, Visit.service, SurveyResponse.comment)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .where(*where, col(SurveyResponse.comment).is_not(None))
        .order_by(col(SurveyResponse.answered_at).desc()).limit(comment_limit)
    ).all()
    wish_rows = session.execute(
        select(SurveyResponse.answered_at, SurveyResponse.language, Visit.service, SurveyAnswer.text)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .where(*where, col(SurveyAnswer.text).is_not(None))
        .order_by(col(SurveyResponse.answered_at).desc()).limit(comment_limit)
    ).all()
    comments = sorted((Comment(*row) for row in [*comment_rows, *wish_rows]),
                      key=lambda c: c.answered_at, reverse=True)[:comment_limit]
    return SurveyResults(set_code, volumes(session, office, flt), drivers, tallies, comments)


# --- A-11 quarterly data -------------------------------------------------------------

# Columns of the A-11 quarterly summary, in the CSV's order (point scales, 2 decimals).
A11_DRIVERS = ("satisfied", "trust", "effective", "easy", "efficient", "transparent", "employee")
# Driver names of the Touchpoints CX response CSV (positive_* / negative_* columns).
TOUCHPOINTS_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")


@dataclass(frozen=True)
class A11ServiceRow:
    """One service's line of the quarterly A-11 data: volumes and driver point scales."""

    service: str
    volumes: Volumes
    drivers: dict[str, DriverResult]  # A-11 column -> result; absent if the set lacks it

    def point_scale(self, driver: str) -> Decimal | None:
        result = self.drivers.get(driver)
        return result.point_scale if result else None


def a11_summary(session: Session, office: Office, start: date, end: date,
                survey_set: str | None = None) -> list[A11ServiceRow]:
    """Per service, for office-local days start..end: served, offered, respondents and
    the point scale of each A-11 driver. A handful of grouped SQL queries."""
    question_set = load_question_set(survey_set or office.survey_set)
    flt = ResultsFilter(start, end)
    where = _visit_filter(office, flt)
    served = dict(session.execute(
        select(Visit.service, sa.func.count()).where(*where, Visit.state == "done").group_by(Visit.service)).all())
    offered = dict(session.execute(
        select(Visit.service, sa.func.count(sa.distinct(SurveyInvitation.visit_id)))
        .join(Visit, Visit.id == SurveyInvitation.visit_id)
        .where(*where, col(SurveyInvitation.status).not_in((PENDING, EXPIRED)))
        .group_by(Visit.service)).all())
    respondents = dict(session.execute(
        select(Visit.service, sa.func.count(SurveyResponse.id))
        .join(Visit, Visit.id == SurveyResponse.visit_id).where(*where).group_by(Visit.service)).all())
    counts: dict[tuple[str, str], list[int]] = {}
    for service, question, score, n in session.execute(
        select(Visit.service, SurveyAnswer.question, SurveyAnswer.score, sa.func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .where(*where, SurveyResponse.survey_set == question_set.code, SurveyAnswer.choice == "",
               col(SurveyAnswer.score).is_not(None))
        .group_by(Visit.service, SurveyAnswer.question, SurveyAnswer.score)
    ):
        counts.setdefault((service, question), [0] * 5)[score - 1] += int(n)
    rows = []
    for service in sorted(s for s in served if s):
        drivers = {q.driver: DriverResult(q.code, q.driver, tuple(counts.get((service, q.code), [0] * 5)))
                   for q in question_set.scale_questions() if q.driver}
        rows.append(A11ServiceRow(
            service, Volumes(int(served.get(service, 0)), int(offered.get(service, 0)),
                             int(respondents.get(service, 0))), drivers))
    return rows


def touchpoints_responses(session: Session, office: Office, start: date, end: date) -> Iterator[dict]:
    """One dict per respondent of the a11_v2_radio set, in the Touchpoints CX response
    CSV's columns: ``question_1`` the trust score, each driver 1 picked / 0 not picked,
    ``question_4`` the comment. Streams, so memory does not grow with the period."""
    where = [*_visit_filter(office, ResultsFilter(start, end)), SurveyResponse.survey_set == "a11_v2_radio"]
    query = (
        select(SurveyResponse.id, SurveyResponse.comment, SurveyAnswer.question, SurveyAnswer.choice,
               SurveyAnswer.score)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(*where)
        .order_by(SurveyResponse.id)
        .execution_options(yield_per=5000)
    )
    row: dict | None = None
    for response_id, comment, question, choice, score in session.execute(query):
        if row is None or row["external_id"] != str(response_id):
            if row is not None:
                yield row
            row = {"external_id": str(response_id), "question_1": ""}
            for sign in ("positive", "negative"):
                row |= {f"{sign}_{driver}": 0 for driver in TOUCHPOINTS_DRIVERS}
            row["question_4"] = comment or ""
        if question == "trust" and score is not None:
            row["question_1"] = score
        elif question in ("went_well", "not_well") and score == 1:
            row[f"{'positive' if question == 'went_well' else 'negative'}_{choice}"] = 1
    if row is not None:
        yield row


# --- demo data ---------------------------------------------------------------------

# Share of served customers offered the survey, and of those, who answer: about
# 40% of served customers respond, as at a well-run counter with a kiosk.
DEMO_OFFER_RATE = 0.85
DEMO_ANSWER_RATE = 0.47
DEMO_KIOSK_SHARE = 0.3
_DEMO_COMMENTS = {
    "good": {
        "en": ["Very helpful, thank you.", "Quick and friendly.", "The clerk explained everything clearly."],
        "es": ["Muy amables, gracias.", "Rápido y con buena atención.", "Me explicaron todo con claridad."],
    },
    "bad": {
        "en": ["The wait was far too long.", "I had to come back twice for the same form.",
               "Please open more windows at lunchtime."],
        "es": ["La espera fue demasiado larga.", "Tuve que volver dos veces por el mismo formulario.",
               "Abran más ventanillas a la hora del almuerzo."],
    },
}
_DEMO_WISHES = {
    "en": ["Renew the card online.", "Evening hours once a week."],
    "es": ["Renovar la tarjeta en línea.", "Horario de tarde una vez por semana."],
}


def demo_responses(rng: random.Random, visits: Iterable[Mapping], *, office_id: uuid.UUID,
                   survey_set: str = "a11_v2_radio", now: datetime | None = None,
                   ) -> tuple[list[dict], list[dict], list[dict]]:
    """Realistic survey rows for finished visits, as plain dicts for bulk inserts.

    ``visits``: mappings with ``id``, ``state``, ``service``, ``wait_seconds``,
    ``finished_at`` (aware UTC), ``language`` and optionally ``station_id``; only
    visits in state "done" that finished before ``now`` are surveyed. Returns rows
    for SurveyInvitation, SurveyResponse and SurveyAnswer, in that insert order.
    Scores fall with the wait and differ by service (long claims score lower).
    Ids come from ``rng``, so a seeded run is repeatable.
    """
    question_set = load_question_set(survey_set)
    services = office_catalog("services")
    invitations: list[dict] = []
    responses: list[dict] = []
    answers: list[dict] = []
    for visit in visits:
        finished_at = visit.get("finished_at")
        if visit.get("state", "done") != "done" or finished_at is None:
            continue
        if now is not None and finished_at > now - timedelta(minutes=5):
            continue  # still at the counter or the kiosk, as far as the demo's clock goes
        if rng.random() >= DEMO_OFFER_RATE:
            continue
        station_id = visit.get("station_id")
        mode = KIOSK if station_id is not None and rng.random() < DEMO_KIOSK_SHARE else HANDOVER
        language = visit.get("language") or "en"
        answered = rng.random() < DEMO_ANSWER_RATE
        partial = answered and rng.random() < 0.1
        invitation_id = _demo_id(rng)
        offered_at = finished_at + timedelta(seconds=rng.randint(5, 40))
        closed_at = offered_at + timedelta(seconds=rng.randint(30, 150))
        invitations.append(dict(
            id=invitation_id, office_id=office_id, visit_id=visit["id"], survey_set=survey_set,
            mode=mode, language=language, station_id=station_id if mode == KIOSK else None,
            status=(PARTIAL if partial else COMPLETED) if answered else SKIPPED,
            offered_at=offered_at, shown_at=offered_at, closed_at=closed_at,
        ))
        if not answered:
            continue
        mood = _demo_mood(visit, services)
        response_id = _demo_id(rng)
        comment = None
        if rng.random() < 0.15:
            tone = "good" if mood >= 3.8 else "bad"
            comment = rng.choice(_DEMO_COMMENTS[tone][language])
        responses.append(dict(
            id=response_id, invitation_id=invitation_id, visit_id=visit["id"], office_id=office_id,
            survey_set=survey_set, language=language, completed=not partial, comment=comment,
            answered_at=closed_at,
        ))
        questions = question_set.questions[:2] if partial else question_set.questions
        for question in questions:
            for row in _demo_answer(rng, question, mood, language):
                answers.append(dict(response_id=response_id, **row))
    return invitations, responses, answers


def _demo_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def demo_day(session: Session, day, rng: random.Random) -> None:
    """The demo generator's per-day hook (``cxdesk.demo.DemoExtender.day``): survey
    rows for the day's finished visits, in the office's question set."""
    survey_set = session.get(Office, day.office.office_id).survey_set
    invitations, responses, answers = demo_responses(
        rng, day.visits, office_id=day.office.office_id, survey_set=survey_set, now=day.now)
    for table, rows in ((SurveyInvitation, invitations), (SurveyResponse, responses), (SurveyAnswer, answers)):
        if rows:
            session.execute(sa.insert(table.__table__), rows)


def __getattr__(name: str):
    # ``cxdesk.surveys:DEMO_EXTENDER`` for cxdesk.demo.EXTENDERS, built on first use
    # so that importing the survey domain never loads the demo generator.
    if name == "DEMO_EXTENDER":
        from cxdesk.demo import DemoExtender

        return DemoExtender("surveys", day=demo_day)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _demo_mood(visit: Mapping, services) -> float:
    """The mean 1-5 score this customer leans to: lower after a long wait or a long claim."""
    mood = 4.3
    minutes = services.get(visit["service"]).extra["minutes"] if visit.get("service") in services else 10
    if minutes >= 60:
        mood -= 0.4
    wait = (visit.get("wait_seconds") or 0) / 60
    if wait > 60:
        mood -= 1.4
    elif wait > 30:
        mood -= 0.6
    return mood


def _demo_answer(rng: random.Random, question: Question, mood: float, language: str) -> list[dict]:
    if question.kind == "scale":
        score = min(5, max(1, round(rng.gauss(mood, 0.9))))
        return _answer_rows(question, Answer(score=score))
    if question.kind == "drivers":
        positive = question.code == "went_well"
        lean = (mood - 1) / 4 if positive else (5 - mood) / 4
        picked = frozenset(o.code for o in question.options
                           if o.code != "other" and rng.random() < lean * 0.6)
        return _answer_rows(question, Answer(picked=picked))
    if question.kind == "choice":
        if rng.random() < 0.3:
            return []
        option = rng.choice(question.options)
        text = rng.choice(_DEMO_WISHES[language]) if option.asks_text else None
        return _answer_rows(question, Answer(choice=option.code, text=text))
    return []
