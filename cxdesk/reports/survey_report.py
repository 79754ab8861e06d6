"""The quarter's customer survey report (EO 12862 Sec. 2: report on customer surveys and use
them in judging management): volumes, response rate, trust and each driver by service,
segment and language, comments with personal details withheld, the change since the last
quarter, and the lowest-rated drivers named as the places to act. Read-only SQL aggregates;
runs on an office database and on headquarters' central one.

Drivers are measured as the form asks them. Current A-11 set: each driver is a pick in
"What went well?" or "What didn't go so well?", so a driver's figure is its net mentions,
the percentage of trust respondents naming it as went well minus the percentage naming it
as didn't go well (-100..+100). Likert set: each driver is a 1-5 statement, its figure the
A-11 point scale.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.surveys.questions import load_question_set
from cxdesk.reports.a11 import TRUST, offices_in, service_column
from cxdesk.reports.comments import withhold_personal
from cxdesk.reports.periods import quarter_days
from cxdesk.reports.survey_results import DriverResult, offered_the_survey
from cxdesk.store.models import SurveyAnswer, SurveyResponse, Visit
from cxdesk.vocab import VisitState

DIMENSIONS = ("service", "segment", "language")
# The drivers every set measures (Likert question codes, A-11 option codes), in report order.
DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee")
LIKERT_DRIVERS = DRIVERS + ("satisfaction",)
PLACES_TO_ACT = 3
COMMENT_LIMIT = 100


@dataclass(frozen=True)
class DriverFigure:
    driver: str
    kind: str  # "net" (current A-11 set: net mentions, -100..100) | "scale" (Likert: 1-5 point scale)
    value: Decimal | None
    answers: int  # went well + didn't go well picks, or 1-5 answers

    def text(self) -> str:
        if self.value is None:
            return "–"
        return f"{self.value:+.0f}" if self.kind == "net" else f"{self.value:.2f}"


@dataclass(frozen=True)
class Cut:
    """One line of a breakdown: a service, a segment or a language (or the whole quarter)."""

    dimension: str
    value: str
    served: int
    offered: int
    respondents: int
    trust: DriverResult
    drivers: tuple[DriverFigure, ...]

    @property
    def response_rate(self) -> Decimal | None:
        return _pct(self.respondents, self.offered)

    @property
    def trust_agree(self) -> Decimal | None:
        """Percentage of trust answers 4-5 (thumbs up, agree, strongly agree)."""
        return self.trust.percent_agree


@dataclass(frozen=True)
class ReportComment:
    day: date
    service: str
    language: str
    trust: int | None
    text: str  # personal details withheld


@dataclass(frozen=True)
class SurveyReport:
    label: str  # FY2027Q1
    start: date
    end: date
    offices: tuple[str, ...]
    survey_sets: tuple[str, ...]
    trust_statement: str  # exactly as the office asks it (English)
    total: Cut
    previous_label: str
    previous: Cut
    cuts: dict[str, tuple[Cut, ...]]  # dimension -> lines
    places_to_act: tuple[DriverFigure, ...]
    comments: tuple[ReportComment, ...]
    comments_total: int


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def previous_quarter(fiscal_year: int, quarter: int) -> tuple[int, int]:
    return (fiscal_year, quarter - 1) if quarter > 1 else (fiscal_year - 1, 4)


def survey_report(session: Session, fiscal_year: int, quarter: int, office_code: str | None = None,
                  comment_limit: int = COMMENT_LIMIT) -> SurveyReport:
    offices = offices_in(session, office_code)
    ids = [o.id for o in offices]
    start, end = quarter_days(fiscal_year, quarter)
    before = previous_quarter(fiscal_year, quarter)
    previous_start, previous_end = quarter_days(*before)
    sets = tuple(sorted({o.survey_set for o in offices}))
    question_set = load_question_set(offices[0].survey_set)
    trust_statement = question_set.wording(question_set.question(TRUST), "en", service=None)
    figures = _figures(session, ids, start, end)
    previous = _figures(session, ids, previous_start, previous_end)
    total = figures[("all", "all")]
    cuts = {dim: tuple(sorted((cut for (d, _v), cut in figures.items() if d == dim),
                              key=lambda c: (-c.served, c.value))) for dim in DIMENSIONS}
    rated = [d for d in total.drivers if d.value is not None]
    places = tuple(sorted(rated, key=lambda d: (d.value, d.driver))[:PLACES_TO_ACT])
    comments, count = _comments(session, ids, start, end, comment_limit)
    return SurveyReport(f"FY{fiscal_year}Q{quarter}", start, end, tuple(o.code for o in offices), sets,
                        trust_statement, total, f"FY{before[0]}Q{before[1]}", previous[("all", "all")],
                        cuts, places, comments, count)


def _dimension_columns():
    return {"all": sa.literal("all"), "service": service_column(), "segment": Visit.segment,
            "language": Visit.language}


def _figures(session: Session, office_ids: list[uuid.UUID], start: date, end: date) -> dict[tuple[str, str], Cut]:
    """Every cut of one period: a grouped query per dimension and measure."""
    where = [col(Visit.office_id).in_(office_ids), Visit.day >= start, Visit.day <= end,
             Visit.state == VisitState.DONE]
    trust_answered = (select(SurveyAnswer.response_id)
                      .where(SurveyAnswer.response_id == SurveyResponse.id, SurveyAnswer.question == TRUST,
                             SurveyAnswer.choice == "", col(SurveyAnswer.score).is_not(None))
                      .correlate(SurveyResponse).exists())
    out: dict[tuple[str, str], Cut] = {}
    for dim, column in _dimension_columns().items():
        served = dict(session.execute(select(column, sa.func.count()).where(*where).group_by(column)).all())
        offered = dict(session.execute(
            select(column, sa.func.count()).where(*where, offered_the_survey()).group_by(column)).all())
        respondents = dict(session.execute(
            select(column, sa.func.count()).select_from(SurveyResponse)
            .join(Visit, Visit.id == SurveyResponse.visit_id).where(*where, trust_answered)
            .group_by(column)).all())
        scores: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 5)
        picks: dict[tuple[str, str, str], int] = defaultdict(int)
        for value, question, choice, score, n in session.execute(
            select(column, SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score, sa.func.count())
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .join(Visit, Visit.id == SurveyResponse.visit_id)
            .where(*where, col(SurveyAnswer.score).is_not(None))
            .group_by(column, SurveyAnswer.question, SurveyAnswer.choice, SurveyAnswer.score)
        ):
            if choice == "" and 1 <= score <= 5:
                scores[(value, question)][score - 1] += int(n)
            elif question in ("went_well", "not_well") and score == 1:
                picks[(value, question, choice)] += int(n)
        for value in served:
            if value is None:
                continue
            base = int(respondents.get(value, 0))
            drivers = []
            for driver in LIKERT_DRIVERS:
                counts = scores.get((value, driver))
                if counts is not None and sum(counts):
                    result = DriverResult(driver, driver, tuple(counts))
                    drivers.append(DriverFigure(driver, "scale", result.point_scale, result.answers))
                elif driver in DRIVERS:
                    good, bad = picks.get((value, "went_well", driver), 0), picks.get((value, "not_well", driver), 0)
                    net = None if not base or not (good or bad) else (
                        Decimal(100 * (good - bad)) / Decimal(base)).quantize(Decimal("1"), ROUND_HALF_UP)
                    drivers.append(DriverFigure(driver, "net", net, good + bad))
            out[(dim, str(value))] = Cut(dim, str(value), int(served[value]), int(offered.get(value, 0)), base,
                                         DriverResult(TRUST, TRUST, tuple(scores.get((value, TRUST), [0] * 5))),
                                         tuple(drivers))
    out.setdefault(("all", "all"), Cut("all", "all", 0, 0, 0, DriverResult(TRUST, TRUST, (0, 0, 0, 0, 0)), ()))
    return out


def _comments(session: Session, office_ids: list[uuid.UUID], start: date, end: date,
              limit: int) -> tuple[tuple[ReportComment, ...], int]:
    where = [col(Visit.office_id).in_(office_ids), Visit.day >= start, Visit.day <= end,
             col(SurveyResponse.comment).is_not(None)]
    count = session.execute(select(sa.func.count()).select_from(SurveyResponse)
                            .join(Visit, Visit.id == SurveyResponse.visit_id).where(*where)).scalar_one()
    trust = (select(SurveyAnswer.score).where(SurveyAnswer.response_id == SurveyResponse.id,
                                              SurveyAnswer.question == TRUST, SurveyAnswer.choice == "")
             .correlate(SurveyResponse).scalar_subquery())
    rows = session.execute(
        select(Visit.day, service_column(), SurveyResponse.language, trust, SurveyResponse.comment)
        .join(Visit, Visit.id == SurveyResponse.visit_id).where(*where)
        .order_by(col(SurveyResponse.answered_at).desc()).limit(limit)).all()
    return tuple(ReportComment(day, service or "", language, score, withhold_personal(text))
                 for day, service, language, score, text in rows), int(count)
