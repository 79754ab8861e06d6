"""The quarterly A-11 Section 280 figures (OMB Circular A-11, High Impact Service Providers):
per service and channel, customers served, customers offered the survey, respondents, the
trust statement as asked, and the Likert point scales. Read-only SQL aggregates.

Runs on an office database (one office) and on headquarters' central database (every
office ingested, or one picked by code): the rows carry their office and its local day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.surveys.questions import QuestionSet, load_question_set
from cxdesk.errors import CxdeskError
from cxdesk.reports.survey_results import DriverResult, offered_the_survey
from cxdesk.store.catalogs import load_data_file, toml_document
from cxdesk.config import catalog_override_dir
from cxdesk.store.models import Office, SurveyAnswer, SurveyResponse, Visit
from cxdesk.vocab import VisitState

# Columns of the legacy quarterly summary (Likert point scales, 2 decimals), in order.
A11_DRIVERS = ("satisfied", "trust", "effective", "easy", "efficient", "transparent", "employee")
# Touchpoints' question_1: the trust statement, answered by every respondent (the form requires it).
TRUST = "trust"
# The older set, whose drivers are 1-5 statements: the one the legacy summary fits.
LIKERT = "likert"


@dataclass(frozen=True)
class Submission:
    """What the analyst types besides the counts (data/a11.toml)."""

    service_provider: str
    service_provider_id: str
    omb_control_number: str
    channel: str
    transaction_point: str


def load_submission() -> Submission:
    def parse(text: str, where: str, _source: str) -> Submission:
        document = toml_document(text, where)
        values = {}
        for key in Submission.__dataclass_fields__:
            value = document.get(key)
            if not isinstance(value, str) or not value.strip():
                raise CxdeskError(f"{where}: '{key}' must be a non-empty text.")
            values[key] = value.strip()
        if values["transaction_point"] not in ("post_interaction", "post_service_journey", "relational"):
            raise CxdeskError(f"{where}: transaction_point must be post_interaction, post_service_journey "
                              "or relational.")
        return Submission(**values)

    return load_data_file("a11.toml", parse, catalog_override_dir())


@dataclass(frozen=True)
class A11Line:
    """One service and channel of the quarter: the A-11 volumes and what was asked."""

    service: str
    channel: str
    served: int
    offered: int
    # Respondents who answered the trust statement (question_1, required on the form):
    # one row each in the Touchpoints file.
    respondents: int
    # Responses that never reached the trust statement (ended early): not rows, shown apart.
    without_trust: int
    survey_set: str | None  # None: nobody answered
    drivers: dict[str, DriverResult]  # legacy A-11 column -> 1-5 result (Likert set only)

    def point_scale(self, driver: str) -> Decimal | None:
        result = self.drivers.get(driver)
        return result.point_scale if result else None


@dataclass(frozen=True)
class A11Quarter:
    label: str  # FY2027Q1
    fiscal_year: int
    quarter: int
    start: date
    end: date
    offices: tuple[str, ...]  # office codes covered
    office_ids: tuple[uuid.UUID, ...]
    submission: Submission
    lines: tuple[A11Line, ...]

    # The set the offices hand out (the first office's if they differ): what a line
    # nobody answered would have been asked.
    default_set: str = "a11_v2_radio"

    def question_set(self, line: A11Line) -> QuestionSet:
        return load_question_set(line.survey_set or self.default_set)


def offices_in(session: Session, office_code: str | None) -> list[Office]:
    """The offices a report covers: the one named, else every office in the database."""
    offices = list(session.exec(select(Office).order_by(Office.code)).all())
    if office_code:
        code = office_code.strip().upper()
        offices = [o for o in offices if o.code.upper() == code]
        if not offices:
            raise CxdeskError(f"No office {office_code[:12]!r} in this database.")
    if not offices:
        raise CxdeskError("This database holds no office yet.")
    return offices


def service_column():
    """The service a visit counts under: the one given, else the one the customer came for."""
    return sa.func.coalesce(Visit.service, Visit.service_wanted)


def a11_quarter(session: Session, fiscal_year: int, quarter: int, office_code: str | None = None) -> A11Quarter:
    """The quarter's A-11 lines, per service (channel in_person), from a few grouped SQL queries."""
    from cxdesk.reports.periods import quarter_days

    start, end = quarter_days(fiscal_year, quarter)
    offices = offices_in(session, office_code)
    ids = [o.id for o in offices]
    submission = load_submission()
    lines = _lines(session, ids, start, end, submission.channel)
    return A11Quarter(f"FY{fiscal_year}Q{quarter}", fiscal_year, quarter, start, end,
                      tuple(o.code for o in offices), tuple(ids), submission, tuple(lines), offices[0].survey_set)


def _lines(session: Session, office_ids: list[uuid.UUID], start: date, end: date, channel: str) -> list[A11Line]:
    where = [col(Visit.office_id).in_(office_ids), Visit.day >= start, Visit.day <= end,
             Visit.state == VisitState.DONE]
    service = service_column()
    served = dict(session.execute(select(service, sa.func.count()).where(*where).group_by(service)).all())
    offered = dict(session.execute(
        select(service, sa.func.count()).where(*where, offered_the_survey()).group_by(service)).all())
    # Responses that answered the trust statement, as a derived table (an outer join
    # counts them in the same grouped pass on SQLite and PostgreSQL alike).
    trusted = (select(SurveyAnswer.response_id.label("response_id"))
               .where(SurveyAnswer.question == TRUST, SurveyAnswer.choice == "",
                      col(SurveyAnswer.score).is_not(None)).subquery())
    respondents: dict[str, dict[str, int]] = {}
    without: dict[str, int] = {}
    for svc, survey_set, answered, total in session.execute(
        select(service, SurveyResponse.survey_set, sa.func.count(trusted.c.response_id), sa.func.count())
        .select_from(SurveyResponse)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .outerjoin(trusted, trusted.c.response_id == SurveyResponse.id).where(*where)
        .group_by(service, SurveyResponse.survey_set)
    ):
        counted = respondents.setdefault(svc, {})
        counted[survey_set] = counted.get(survey_set, 0) + int(answered)
        if total > answered:
            without[svc] = without.get(svc, 0) + int(total) - int(answered)
    counts: dict[tuple[str, str, str], list[int]] = {}
    for svc, survey_set, question, score, n in session.execute(
        select(service, SurveyResponse.survey_set, SurveyAnswer.question, SurveyAnswer.score, sa.func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .where(*where, SurveyAnswer.choice == "", col(SurveyAnswer.score).between(1, 5))
        .group_by(service, SurveyResponse.survey_set, SurveyAnswer.question, SurveyAnswer.score)
    ):
        counts.setdefault((svc, survey_set, question), [0] * 5)[int(score) - 1] += int(n)
    lines = []
    for svc in sorted(s for s in served if s):
        by_set = respondents.get(svc, {})
        if len(by_set) > 1:
            raise CxdeskError(
                f"Service {svc!r} has answers from two survey sets ({', '.join(sorted(by_set))}) this quarter: "
                "Touchpoints takes one form per service and channel. Export each office with --office CODE.")
        survey_set = next(iter(by_set), None)
        drivers: dict[str, DriverResult] = {}
        if survey_set == LIKERT:
            for q in load_question_set(survey_set).scale_questions():
                if q.driver in A11_DRIVERS:
                    drivers[q.driver] = DriverResult(q.code, q.driver,
                                                     tuple(counts.get((svc, survey_set, q.code), [0] * 5)))
        lines.append(A11Line(svc, channel, int(served.get(svc, 0)), int(offered.get(svc, 0)),
                             sum(by_set.values()), without.get(svc, 0), survey_set, drivers))
    return lines
