"""The quarterly A-11 Section 280 figures per service: volumes and driver point scales. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.surveys.questions import load_question_set
from cxdesk.reports.survey_results import (
    DriverResult,
    ResultsFilter,
    Volumes,
    visit_filter,
)
from cxdesk.store.models import (
    Office,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
)
from cxdesk.vocab import SurveyStatus, VisitState

# Columns of the A-11 quarterly summary, in the CSV's order (point scales, 2 decimals).
A11_DRIVERS = ("satisfied", "trust", "effective", "easy", "efficient", "transparent", "employee")


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
    where = visit_filter(office, flt)
    served = dict(session.execute(
        select(Visit.service, sa.func.count()).where(*where, Visit.state == VisitState.DONE).group_by(Visit.service)).all())
    offered = dict(session.execute(
        select(Visit.service, sa.func.count(sa.distinct(SurveyInvitation.visit_id)))
        .join(Visit, Visit.id == SurveyInvitation.visit_id)
        .where(*where, col(SurveyInvitation.status).not_in((SurveyStatus.PENDING, SurveyStatus.EXPIRED)))
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

