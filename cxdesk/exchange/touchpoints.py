"""Rows of the Touchpoints "Upload CX Data Collection" CSV, one per respondent (A-11 Section 280).

The header is exactly these 17 names (order free, no extra columns). ``question_1``
is the trust answer (thumbs: 1 up / 0 down; radio: 1-5). A driver cell is ``1``
if picked, ``0`` if the form has that option (even on the branch this respondent
never saw), and the string ``null`` if the form does not have it, as Touchpoints
itself writes them. ``question_4`` is the comment, personal details withheld.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date

from sqlmodel import Session, col, select

from cxdesk.domain.surveys.questions import QuestionSet
from cxdesk.reports.a11 import TRUST, service_column
from cxdesk.reports.comments import withhold_personal
from cxdesk.store.models import SurveyAnswer, SurveyResponse, Visit
from cxdesk.vocab import VisitState

# Driver names of the Touchpoints CX response CSV (positive_* / negative_* columns).
TOUCHPOINTS_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")
# The question-set codes whose picks fill the positive_* and negative_* columns.
BRANCHES = {"positive": "went_well", "negative": "not_well"}
DRIVER_COLUMNS = tuple(f"{sign}_{driver}" for sign in BRANCHES for driver in TOUCHPOINTS_DRIVERS)
COLUMNS = ("external_id", "question_1", *DRIVER_COLUMNS, "question_4")
NULL = "null"
# Survey types Touchpoints knows, and the values question_1 takes in each.
QUESTION_1_DOMAIN = {"thumbs_up_down": ("0", "1"), "likert_scale": ("1", "2", "3", "4", "5")}


def form_cells(question_set: QuestionSet) -> dict[str, str]:
    """Each driver column as it reads before any pick: ``0`` if the form offers it, ``null`` if not."""
    offered: set[str] = set()
    for sign, code in BRANCHES.items():
        if any(q.code == code for q in question_set.questions):
            offered |= {f"{sign}_{o.code}" for o in question_set.question(code).options}
    return {column: "0" if column in offered else NULL for column in DRIVER_COLUMNS}


def response_rows(session: Session, question_set: QuestionSet, office_ids: Sequence[uuid.UUID],
                  start: date, end: date, service: str) -> Iterator[dict[str, str]]:
    """One dict per respondent of ``service`` who answered the trust statement, in the
    CSV's columns, every cell a string. Streams: memory does not grow with the quarter."""
    blank = form_cells(question_set)
    signs = {code: sign for sign, code in BRANCHES.items()}
    query = (
        select(SurveyResponse.id, SurveyResponse.comment, SurveyAnswer.question, SurveyAnswer.choice,
               SurveyAnswer.score)
        .join(Visit, Visit.id == SurveyResponse.visit_id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(col(Visit.office_id).in_(office_ids), Visit.day >= start, Visit.day <= end,
               Visit.state == VisitState.DONE, service_column() == service,
               SurveyResponse.survey_set == question_set.code,
               col(SurveyAnswer.question).in_((TRUST, *BRANCHES.values())))
        .order_by(SurveyResponse.id)
        .execution_options(yield_per=5000)
    )
    row: dict[str, str] | None = None
    for response_id, comment, question, choice, score in session.execute(query):
        if row is None or row["external_id"] != str(response_id):
            if row is not None and row["question_1"]:
                yield row
            row = {"external_id": str(response_id), "question_1": "", **blank,
                   "question_4": withhold_personal(comment)}
        if question == TRUST and choice == "" and score is not None:
            row["question_1"] = str(score)
        elif question in signs and score == 1:
            column = f"{signs[question]}_{choice}"
            if column in row:
                row[column] = "1"
    if row is not None and row["question_1"]:
        yield row
