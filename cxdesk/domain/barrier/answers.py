"""Asking staff and keeping their answers, anonymous by design (EO 12862 1(e)).

What is stored for an answer: office, period, role (only where every role of
the office has at least ``MIN_GROUP`` active staff, so a role cannot single
anyone out) and the answers themselves; never the staff member, station, shift
or any time. Every save rewrites the period's answers in a fresh random order
in one transaction, so neither SQLite's page layout nor PostgreSQL's row order
and transaction ids keep the order people answered in.

A second answer in a period is refused by a token, a keyed hash (HMAC-SHA256)
of the staff member and the period whose key is made at first use and stays in
the office database. Deferrals of the sign-in prompt are counted per staff
member and period, with no time: neither table shares an id with the answers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cxdesk.domain.barrier.periods import PERIOD_KINDS, BarrierPeriod, period_of
from cxdesk.domain.barrier.survey import SCORES, BarrierSurvey, load_barrier_survey
from cxdesk.domain.roles import acting_supervisor
from cxdesk.errors import CxdeskError
from cxdesk.store.models import (
    BarrierAnswer,
    BarrierDeferral,
    BarrierItemAnswer,
    BarrierKey,
    BarrierPick,
    BarrierSurveySettings,
    BarrierToken,
    Office,
    Staff,
    new_id,
)
from cxdesk.text import clean_line

# The fewest people a shown figure may rest on, and the fewest staff a role
# must have before answers record it.
MIN_GROUP = 3
DEFAULT_DEFERRALS = 2
MAX_DEFERRALS = 10
IDEA_LIMIT = 1000
# Name particles too common to warn about ("Carmen de la Cruz").
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "van", "von", "der", "den", "da", "di",
                        "dos", "das", "du", "le", "el", "y", "e", "jr", "sr", "ii", "iii"})


# --- the office's settings ---------------------------------------------------------


@dataclass(frozen=True)
class BarrierSettings:
    """``period`` is "month" or "quarter", or None while the office has not started the survey."""

    period: str | None = None
    deferrals: int = DEFAULT_DEFERRALS

    def current(self, office: Office, now: datetime) -> BarrierPeriod | None:
        return None if self.period is None else period_of(self.period, office.local_day(now))


def barrier_settings(session: Session, office: Office) -> BarrierSettings:
    row = session.get(BarrierSurveySettings, office.id)
    return BarrierSettings() if row is None else BarrierSettings(row.period, row.deferrals)


def set_barrier_settings(session: Session, office: Office, by: Staff, *, period: str | None,
                         deferrals: int | str, now: datetime) -> BarrierSettings:
    """A supervisor starts, changes or stops (period None) the survey; checked before anything changes."""
    me = acting_supervisor(session, by, "change the barrier survey settings")
    if period is not None and period not in PERIOD_KINDS:
        raise CxdeskError("The barrier survey period is a month or a quarter (or off).")
    try:
        allowed = int(str(deferrals).strip())
    except ValueError:
        raise CxdeskError(f"Deferrals: a whole number from 0 to {MAX_DEFERRALS}, e.g. 2.") from None
    if not 0 <= allowed <= MAX_DEFERRALS:
        raise CxdeskError(f"Deferrals: a whole number from 0 to {MAX_DEFERRALS}.")
    row = session.get(BarrierSurveySettings, office.id)
    if row is None:
        row = BarrierSurveySettings(office_id=office.id, changed_at=now, changed_by=me.id)
    row.period, row.deferrals, row.changed_at, row.changed_by = period, allowed, now, me.id
    session.add(row)
    from cxdesk.domain import audit

    audit.note(session, office.id, me, "barrier_survey", period or "off", f"deferrals {allowed}", now)
    session.commit()
    return BarrierSettings(period, allowed)


# --- asking at sign-in ---------------------------------------------------------------


@dataclass(frozen=True)
class AskStatus:
    """Where one staff member stands with this period's survey."""

    period: BarrierPeriod | None
    answered: bool
    deferrals_used: int
    deferrals_allowed: int

    @property
    def deferrals_left(self) -> int:
        return max(self.deferrals_allowed - self.deferrals_used, 0)

    @property
    def should_prompt(self) -> bool:
        """Asked at sign-in: the survey is on, not yet answered, and the prompt not put off too often."""
        return self.period is not None and not self.answered and self.deferrals_left > 0


def ask_status(session: Session, office: Office, staff: Staff, now: datetime) -> AskStatus:
    settings = barrier_settings(session, office)
    period = settings.current(office, now)
    if period is None:
        return AskStatus(None, False, 0, settings.deferrals)
    return AskStatus(period, has_answered(session, office, staff.id, period),
                     _deferrals_used(session, staff.id, period), settings.deferrals)


def defer(session: Session, office: Office, staff: Staff, now: datetime) -> AskStatus:
    """The staff member puts the prompt off: one more deferral this period."""
    status = ask_status(session, office, staff, now)
    if status.period is None or status.answered:
        return status
    row = session.get(BarrierDeferral, (staff.id, status.period.code))
    if row is None:
        row = BarrierDeferral(staff_id=staff.id, period=status.period.code, office_id=office.id, count=0)
    row.count += 1
    session.add(row)
    session.commit()
    return ask_status(session, office, staff, now)


def _deferrals_used(session: Session, staff_id: uuid.UUID, period: BarrierPeriod) -> int:
    row = session.get(BarrierDeferral, (staff_id, period.code))
    return 0 if row is None else row.count


# --- the one-way token ------------------------------------------------------------


def answered_token(secret: str, office_id: uuid.UUID, staff_id: uuid.UUID, period_code: str) -> str:
    """HMAC-SHA256 of (office, staff, period) under the office's secret: the same person
    and period always give the same token, and the token gives back neither."""
    message = f"{office_id}|{staff_id}|{period_code}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).hexdigest()


def has_answered(session: Session, office: Office, staff_id: uuid.UUID, period: BarrierPeriod) -> bool:
    key = session.get(BarrierKey, office.id)
    if key is None:  # no key yet: nobody has ever answered
        return False
    token = answered_token(key.secret, office.id, staff_id, period.code)
    return session.get(BarrierToken, token) is not None


def office_secret(session: Session, office: Office) -> str:
    """The office's token key, made (and committed on its own) at first use."""
    key = session.get(BarrierKey, office.id)
    if key is not None:
        return key.secret
    session.add(BarrierKey(office_id=office.id, secret=secrets.token_hex(32)))
    try:
        session.commit()
    except IntegrityError:  # another counter made it a moment ago: use theirs
        session.rollback()
    return session.get(BarrierKey, office.id).secret


# --- answering ----------------------------------------------------------------------


@dataclass(frozen=True)
class BarrierAnswers:
    """What one staff member answered: item -> score (1-5, 0 don't know; skipped items
    left out), the barrier categories picked, and the idea."""

    items: Mapping[str, int] = field(default_factory=dict)
    categories: frozenset[str] = frozenset()
    idea: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.categories and not (self.idea or "").strip()


class NamesInIdea(CxdeskError):
    """The idea names someone of the office: the writer is warned and may rephrase or save."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(
            f"Your idea names someone in this office ({', '.join(names)}). A name can point back to a "
            "person: rephrase it, or save it as it is.")


def clean_idea(text: str | None) -> str | None:
    return clean_line(text, "The idea", IDEA_LIMIT, required=False) or None


def _folded(text: str) -> str:
    """Lower case without accents, so "Díaz" is found in "diaz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names_in_idea(session: Session, office: Office, idea: str | None) -> list[str]:
    """Names (and staff codes) of the office's staff, past and present, that the idea
    mentions, in the order the idea mentions them."""
    if not idea:
        return []
    words: dict[str, int] = {}
    for position, word in enumerate(re.findall(r"\w+", _folded(idea))):
        words.setdefault(word, position)
    found: dict[str, int] = {}
    for name, code in session.execute(select(Staff.name, Staff.code).where(Staff.office_id == office.id)):
        for part in [*re.findall(r"\w+", name), code]:
            folded = _folded(part)
            if len(folded) >= 3 and folded not in _PARTICLES and folded in words:
                found.setdefault(part, words[folded])
    return sorted(found, key=found.__getitem__)


def validated(survey: BarrierSurvey, answers: BarrierAnswers) -> BarrierAnswers:
    """The answers checked against the survey, the idea cleaned."""
    for code, score in answers.items.items():
        survey.item(code)
        if score not in SCORES:
            raise CxdeskError(f"'{code}' takes 1 to 5, or 0 for don't know.")
    for code in answers.categories:
        survey.category(code)
    if len(answers.categories) > survey.max_picks:
        raise CxdeskError(f"Pick at most {survey.max_picks} barriers.")
    return BarrierAnswers(dict(answers.items), frozenset(answers.categories), clean_idea(answers.idea))


def answer_rows(office_id: uuid.UUID, period_code: str, role: str | None, answers: BarrierAnswers,
                answer_id: uuid.UUID | None = None) -> tuple[dict, list[dict], list[dict]]:
    """Rows of one (validated) answer for the answer, item and pick tables."""
    answer_id = answer_id or new_id()
    answer = dict(id=answer_id, office_id=office_id, period=period_code, role=role, idea=answers.idea)
    items = [dict(answer_id=answer_id, item=code, score=score) for code, score in answers.items.items()]
    picks = [dict(answer_id=answer_id, category=code) for code in answers.categories]
    return answer, items, picks


def recorded_role(session: Session, office: Office, staff: Staff) -> str | None:
    """The role an answer may carry: only where every role of the office has at least
    MIN_GROUP active staff (with one supervisor, "supervisor" would name them)."""
    counts = session.execute(
        select(Staff.role, sa.func.count()).where(Staff.office_id == office.id, col(Staff.active))
        .group_by(Staff.role)).all()
    return staff.role if counts and all(n >= MIN_GROUP for _role, n in counts) else None


def submit_answers(session: Session, office: Office, staff: Staff, answers: BarrierAnswers, *,
                   now: datetime, names_ok: bool = False) -> BarrierPeriod:
    """Keep one staff member's answers for the current period; refuses a second answer.

    Raises NamesInIdea (a CxdeskError) when the idea names someone of the office
    and ``names_ok`` is not set: the screen warns, the writer rephrases or confirms.
    """
    period = barrier_settings(session, office).current(office, now)
    if period is None:
        raise CxdeskError("The barrier survey is not running: a supervisor sets its period first.")
    current = session.get(Staff, staff.id)
    if current is None or current.office_id != office.id or not current.active:
        raise CxdeskError("Only active staff of this office answer the barrier survey.")
    answers = validated(load_barrier_survey(), answers)
    if answers.is_empty:
        raise CxdeskError("Nothing to save: answer an item, pick a barrier or write an idea.")
    names = names_in_idea(session, office, answers.idea)
    if names and not names_ok:
        raise NamesInIdea(names)
    token = answered_token(office_secret(session, office), office.id, current.id, period.code)
    if session.get(BarrierToken, token) is not None:
        raise CxdeskError(f"You have already answered the barrier survey for {period.label()}; "
                          "it takes one answer a period.")
    session.add(BarrierToken(token=token, office_id=office.id, period=period.code))
    rows = answer_rows(office.id, period.code, recorded_role(session, office, current), answers)
    _rewrite_shuffled(session, office.id, period.code, rows)
    try:
        session.commit()
    except IntegrityError:  # the same person answered at another counter a moment ago
        session.rollback()
        raise CxdeskError(f"You have already answered the barrier survey for {period.label()}.") from None
    return period


def _rewrite_shuffled(session: Session, office_id: uuid.UUID, period_code: str,
                      new: tuple[dict, list[dict], list[dict]]) -> None:
    """Delete the period's answers and insert them again with the new one, all in a random
    order, in this one transaction: the stored order and (on PostgreSQL) the row
    versions then say nothing about who answered when."""
    answer_table, item_table, pick_table = (BarrierAnswer.__table__, BarrierItemAnswer.__table__,
                                            BarrierPick.__table__)
    in_period = (answer_table.c.office_id == office_id, answer_table.c.period == period_code)
    answers = [dict(row) for row in session.execute(sa.select(answer_table).where(*in_period)).mappings()]
    ids = sa.select(answer_table.c.id).where(*in_period)
    items = [dict(row) for row in session.execute(
        sa.select(item_table).where(item_table.c.answer_id.in_(ids))).mappings()]
    picks = [dict(row) for row in session.execute(
        sa.select(pick_table).where(pick_table.c.answer_id.in_(ids))).mappings()]
    session.execute(sa.delete(pick_table).where(pick_table.c.answer_id.in_(ids)))
    session.execute(sa.delete(item_table).where(item_table.c.answer_id.in_(ids)))
    session.execute(sa.delete(answer_table).where(*in_period))
    answer, new_items, new_picks = new
    shuffle = secrets.SystemRandom().shuffle
    for table, rows in ((answer_table, [*answers, answer]), (item_table, [*items, *new_items]),
                        (pick_table, [*picks, *new_picks])):
        shuffle(rows)
        if rows:
            session.execute(sa.insert(table), rows)
