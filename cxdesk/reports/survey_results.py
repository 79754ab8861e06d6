"""Survey results for supervisors (EO 12862 Sec. 2): volumes, point scales, % agree,
a 0-100 index and comments, from SQL aggregates. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.roles import require_supervisor
from cxdesk.domain.surveys.questions import SCALE, load_question_set
from cxdesk.store.models import (
    Office,
    Staff,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
)
from cxdesk.vocab import SurveyOffer, SurveyStatus, VisitState

# HappyOrNot-style 0-100 index: weight of each point of the 5-point scale.
INDEX_WEIGHTS = {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}


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


def visit_filter(office: Office, flt: ResultsFilter) -> list:
    conditions = [Visit.office_id == office.id, Visit.day >= flt.start, Visit.day <= flt.end]
    if flt.service:
        conditions.append(Visit.service == flt.service)
    if flt.segment:
        conditions.append(Visit.segment == flt.segment)
    return conditions


def offered_the_survey():
    """SQL condition on Visit: the customer was offered the survey. What the counter
    recorded at the end of the visit (offered or declined), or, for visits recorded
    before the counter asked, a survey that reached the customer (a kiosk survey
    nobody picked up, pending or expired, was no opportunity to answer)."""
    reached = (select(SurveyInvitation.id)
               .where(SurveyInvitation.visit_id == Visit.id,
                      col(SurveyInvitation.status).not_in(SurveyStatus.NOT_OFFERED))
               .correlate(Visit).exists())
    return sa.or_(col(Visit.survey_offer).in_(SurveyOffer.COUNTED_OFFERED), reached)


def volumes(session: Session, office: Office, flt: ResultsFilter) -> Volumes:
    """Customers served, offered the survey, and respondents: SQL counts, never typed in."""
    where = visit_filter(office, flt)
    served = session.execute(
        select(sa.func.count()).select_from(Visit).where(*where, Visit.state == VisitState.DONE)).scalar_one()
    offered = session.execute(
        select(sa.func.count()).select_from(Visit)
        .where(*where, Visit.state == VisitState.DONE, offered_the_survey())).scalar_one()
    respondents = session.execute(
        select(sa.func.count(SurveyResponse.id))
        .join(Visit, Visit.id == SurveyResponse.visit_id).where(*where)).scalar_one()
    return Volumes(int(served), int(offered), int(respondents))


def results(session: Session, office: Office, flt: ResultsFilter, viewer: Staff,
            comment_limit: int = 200) -> SurveyResults:
    """Survey results for a period, per question, from SQL aggregates (supervisors only)."""
    require_supervisor(viewer, "read the survey results")
    set_code = flt.survey_set or office.survey_set
    question_set = load_question_set(set_code)
    where = [*visit_filter(office, flt), SurveyResponse.survey_set == set_code]
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


