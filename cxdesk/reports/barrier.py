"""Barrier survey results (EO 12862 1(e)): percent positive per item, barrier
categories ranked, the ideas, the response rate and the change since the previous
period, from SQL aggregates. Read-only.

Nothing is shown that rests on fewer than MIN_GROUP (3) people: a period, a role
group or an item with fewer answers is withheld with WITHHELD as the reason.
Percent positive is agree + strongly agree over those who gave a 1-5 answer
(don't know and skipped left out), to one decimal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.barrier.answers import MIN_GROUP, barrier_settings
from cxdesk.domain.barrier.periods import MONTH, BarrierPeriod, parse_period, period_of
from cxdesk.domain.barrier.survey import DONT_KNOW, POSITIVE, SCALE, load_barrier_survey
from cxdesk.domain.roles import require_supervisor
from cxdesk.store.models import BarrierAnswer, BarrierItemAnswer, BarrierPick, Office, Shift, Staff
from cxdesk.vocab import ROLES

WITHHELD = "not enough answers to show without identifying anyone"
_TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(100 * part) / Decimal(whole)).quantize(_TENTH, ROUND_HALF_UP)


def _change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if now is None or before is None else now - before


@dataclass(frozen=True)
class ItemResult:
    """One agree item in one group: how many gave 1-5, how many of them agreed, don't knows."""

    item: str
    answered: int
    positive: int
    dont_know: int
    withheld: bool
    previous_percent: Decimal | None = None  # the previous period's, where it could be shown

    @property
    def percent_positive(self) -> Decimal | None:
        return None if self.withheld else percent(self.positive, self.answered)

    @property
    def change(self) -> Decimal | None:
        """Percentage points since the previous period."""
        return _change(self.percent_positive, self.previous_percent)


@dataclass(frozen=True)
class CategoryResult:
    """A barrier category: how many picked it, its rank (1 = most picked; ties share a rank)."""

    category: str
    picks: int
    rank: int
    previous_picks: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous_picks is None else self.picks - self.previous_picks


@dataclass(frozen=True)
class GroupResult:
    """A breakdown group (a role): shown only with at least MIN_GROUP answers."""

    group: str
    respondents: int
    withheld: bool
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class BarrierReport:
    office_code: str
    period: BarrierPeriod
    respondents: int
    # Staff signed in at some time in the period: the people who could be asked.
    active_staff: int
    withheld: bool
    items: tuple[ItemResult, ...]
    categories: tuple[CategoryResult, ...]
    ideas: tuple[str, ...]
    roles: tuple[GroupResult, ...]
    # Answers that carry no role (the office had a role with fewer than 3 staff).
    unrecorded_roles: int
    previous_period: BarrierPeriod
    previous_respondents: int
    previous_active_staff: int
    previous_withheld: bool

    withheld_reason: str = WITHHELD

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.respondents, self.active_staff)

    @property
    def previous_response_rate(self) -> Decimal | None:
        return percent(self.previous_respondents, self.previous_active_staff)

    @property
    def response_rate_change(self) -> Decimal | None:
        return _change(self.response_rate, self.previous_response_rate)


@dataclass(frozen=True)
class _Figures:
    """One period's raw aggregates (before the rule of 3 is applied)."""

    respondents_by_role: dict[str | None, int]
    items_by_role: dict[tuple[str | None, str], tuple[int, int, int]]
    picks: dict[str, int]
    active_staff: int

    @property
    def respondents(self) -> int:
        return sum(self.respondents_by_role.values())

    def item_counts(self, item: str, role: str | None = None, *, everyone: bool = True) -> tuple[int, int, int]:
        rows = [counts for (r, code), counts in self.items_by_role.items()
                if code == item and (everyone or r == role)]
        return tuple(sum(column) for column in zip(*rows)) if rows else (0, 0, 0)


def _figures(session: Session, office: Office, period: BarrierPeriod) -> _Figures:
    answer, item, pick = BarrierAnswer, BarrierItemAnswer, BarrierPick
    in_period = (answer.office_id == office.id, answer.period == period.code)
    respondents = {role: int(n) for role, n in session.execute(
        select(answer.role, sa.func.count()).where(*in_period).group_by(answer.role))}
    positive = sa.func.sum(sa.case((col(item.score).in_(POSITIVE), 1), else_=0))
    answered = sa.func.sum(sa.case((col(item.score).in_(SCALE), 1), else_=0))
    dont_know = sa.func.sum(sa.case((item.score == DONT_KNOW, 1), else_=0))
    items = {(role, code): (int(a or 0), int(p or 0), int(d or 0)) for role, code, a, p, d in session.execute(
        select(answer.role, item.item, answered, positive, dont_know)
        .join(answer, answer.id == item.answer_id).where(*in_period).group_by(answer.role, item.item))}
    picks = {code: int(n) for code, n in session.execute(
        select(pick.category, sa.func.count()).join(answer, answer.id == pick.answer_id)
        .where(*in_period).group_by(pick.category))}
    return _Figures(respondents, items, picks, active_staff(session, office, period))


def active_staff(session: Session, office: Office, period: BarrierPeriod) -> int:
    """Staff of the office who were signed in at some time in the period (a shift that
    overlaps it; a shift never closed counts where it started)."""
    zone = office.zone
    start = datetime.combine(period.start, time(0), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    return int(session.execute(
        select(sa.func.count(sa.distinct(Shift.staff_id))).join(Staff, Staff.id == Shift.staff_id)
        .where(Staff.office_id == office.id, Shift.started_at < end,
               sa.func.coalesce(Shift.ended_at, Shift.started_at) >= start)).scalar_one())


def _item_results(codes, figures: _Figures, previous: _Figures | None, role: str | None = None,
                  everyone: bool = True) -> tuple[ItemResult, ...]:
    results = []
    for code in codes:
        answered, positive, dont_know = figures.item_counts(code, role, everyone=everyone)
        before = None
        if previous is not None and previous.respondents >= MIN_GROUP:
            p_answered, p_positive, _ = previous.item_counts(code, role, everyone=everyone)
            before = percent(p_positive, p_answered) if p_answered >= MIN_GROUP else None
        results.append(ItemResult(code, answered, positive, dont_know, answered < MIN_GROUP, before))
    return tuple(results)


def _ranked(codes, picks: dict[str, int], previous: dict[str, int] | None) -> tuple[CategoryResult, ...]:
    order = sorted(codes, key=lambda code: -picks.get(code, 0))  # stable: ties keep the survey's order
    ranked = []
    for code in order:
        rank = 1 + sum(1 for other in codes if picks.get(other, 0) > picks.get(code, 0))
        ranked.append(CategoryResult(code, picks.get(code, 0), rank,
                                     None if previous is None else previous.get(code, 0)))
    return tuple(ranked)


def idea_order(period_code: str, idea: str) -> str:
    """Ideas are listed in an order drawn from their words (a hash), never from when
    or by whom they were written."""
    return hashlib.sha256(f"{period_code}|{idea}".encode()).hexdigest()


def barrier_report(session: Session, office: Office, period: BarrierPeriod | str, *,
                   viewer: Staff | None = None) -> BarrierReport:
    """The results of one period. ``viewer`` (on screens) must be a supervisor; the
    command line, already inside the office database, passes None."""
    if viewer is not None:
        require_supervisor(viewer, "read the barrier survey results")
    if isinstance(period, str):
        period = parse_period(period)
    survey = load_barrier_survey()
    item_codes = [item.code for item in survey.items]
    category_codes = [category.code for category in survey.categories]
    figures = _figures(session, office, period)
    previous_period = period.previous()
    previous = _figures(session, office, previous_period)
    withheld = figures.respondents < MIN_GROUP
    previous_shown = previous if previous.respondents >= MIN_GROUP else None

    roles: list[GroupResult] = []
    ideas: tuple[str, ...] = ()
    if not withheld:
        for role in [r for r in ROLES if r in figures.respondents_by_role]:
            count = figures.respondents_by_role[role]
            group_withheld = count < MIN_GROUP
            roles.append(GroupResult(role, count, group_withheld, () if group_withheld else _item_results(
                item_codes, figures, previous_shown, role, everyone=False)))
        texts = session.execute(select(BarrierAnswer.idea).where(
            BarrierAnswer.office_id == office.id, BarrierAnswer.period == period.code,
            col(BarrierAnswer.idea).is_not(None))).scalars()
        ideas = tuple(sorted(texts, key=lambda text: idea_order(period.code, text)))
    return BarrierReport(
        office_code=office.code,
        period=period,
        respondents=figures.respondents,
        active_staff=figures.active_staff,
        withheld=withheld,
        items=() if withheld else _item_results(item_codes, figures, previous_shown),
        categories=() if withheld else _ranked(
            category_codes, figures.picks, None if previous_shown is None else previous.picks),
        ideas=ideas,
        roles=tuple(roles),
        unrecorded_roles=0 if withheld else figures.respondents_by_role.get(None, 0),
        previous_period=previous_period,
        previous_respondents=previous.respondents,
        previous_active_staff=previous.active_staff,
        previous_withheld=previous_shown is None,
    )


def default_period(session: Session, office: Office, today: date) -> BarrierPeriod:
    """The office's current period (a month while the survey has not been started)."""
    return period_of(barrier_settings(session, office).period or MONTH, today)


def report_for_days(session: Session, office: Office, start: date, end: date, *,
                    viewer: Staff | None = None) -> BarrierReport:
    """For the supervisor summary of the days ``start``..``end``: the results of the
    barrier survey period (the office's kind) that holds ``end``."""
    return barrier_report(session, office, default_period(session, office, end), viewer=viewer)


def periods_with_answers(session: Session, office: Office) -> list[BarrierPeriod]:
    """Every period with at least one answer, newest first."""
    codes = session.execute(select(BarrierAnswer.period).where(BarrierAnswer.office_id == office.id)
                            .distinct()).scalars()
    return sorted((parse_period(code) for code in codes), reverse=True)
