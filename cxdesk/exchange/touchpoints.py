"""Rows of the Touchpoints "Upload CX Data Collection" CSV, one per respondent (A-11 Section 280)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlmodel import Session, select

from cxdesk.reports.survey_results import ResultsFilter, visit_filter
from cxdesk.store.models import Office, SurveyAnswer, SurveyResponse, Visit

# Driver names of the Touchpoints CX response CSV (positive_* / negative_* columns).
TOUCHPOINTS_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")


def touchpoints_responses(session: Session, office: Office, start: date, end: date) -> Iterator[dict]:
    """One dict per respondent of the a11_v2_radio set, in the Touchpoints CX response
    CSV's columns: ``question_1`` the trust score, each driver 1 picked / 0 not picked,
    ``question_4`` the comment. Streams, so memory does not grow with the period."""
    where = [*visit_filter(office, ResultsFilter(start, end)), SurveyResponse.survey_set == "a11_v2_radio"]
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

