"""Demo barrier survey: a year of monthly answers from the demo office's staff.

The story the figures tell: workload, tools and forms are the sore points,
staffing and the IT system the barriers picked most, and training gets better
over the year. This month three staff have answered; CLK2 has not (sign in as
CLK2, PIN 4826, to see the prompt) and CLK4 has put it off once. One month of
the year has only two answers, to show results being withheld.
"""

from __future__ import annotations

import random
import uuid

import sqlalchemy as sa
from sqlmodel import Session

from cxdesk.demo.hooks import DemoEnd, DemoExtender
from cxdesk.domain.barrier.answers import BarrierAnswers, answer_rows, answered_token, recorded_role
from cxdesk.domain.barrier.periods import MONTH, BarrierPeriod, period_of
from cxdesk.domain.barrier.survey import DONT_KNOW, load_barrier_survey
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
)

DEMO_MONTHS = 12
ANSWER_RATE = 0.8
# This month: who has answered, and how often the others put the prompt off.
ANSWERED_THIS_MONTH = ("SUP1", "CLK1", "CLK3")
DEFERRED_THIS_MONTH = {"CLK4": 1}
# Months back from this one that got only two answers (results withheld).
THIN_MONTH = 7
# Mean 1-5 score per item a year ago, and its drift per month.
ITEM_LEAN = {
    "information": (3.7, 0.0), "tools": (2.7, -0.02), "workload": (2.5, -0.03), "training": (2.5, 0.1),
    "conditions": (3.3, 0.0), "authority": (2.8, 0.02), "involvement": (2.7, 0.03), "rules_forms": (2.4, 0.0),
}
CATEGORY_WEIGHTS = {"staffing": 9, "it_system": 8, "forms": 7, "policy_rule": 4, "authority": 3,
                    "coordination": 3, "training": 3, "facilities": 2, "other": 1}
IDEAS = (
    "Print the replacement card request at the counter instead of mailing a form home.",
    "A text message the day before an appointment listing the documents to bring.",
    "A checklist of documents at the door and on the website, in English and Spanish.",
    "Let clerks accept a copy we can check online instead of asking for a second visit.",
    "One screen with the other offices' case notes, so we stop phoning around.",
    "Someone at the door at lunchtime to check documents while people wait.",
    "A short refresher when the rules change, not only a memo.",
    "Let customers start a claim online and finish it with us.",
    "Un recordatorio por mensaje de texto el día antes de la cita.",
    "Formularios más cortos: el de la tarjeta pide lo mismo tres veces.",
)


def demo_end(session: Session, end: DemoEnd, rng: random.Random) -> None:
    """The ``DemoExtender.end`` hook: settings, the token key, a year of answers and this month's deferrals."""
    office = session.get(Office, end.office.office_id)
    staff = {code: session.get(Staff, staff_id) for code, staff_id in end.office.staff_ids.items()}
    supervisor = next(member for member in staff.values() if member.role == "supervisor")
    current = period_of(MONTH, office.local_day(end.now))
    session.add(BarrierSurveySettings(office_id=office.id, period=MONTH, deferrals=2,
                                      changed_at=office.created_at, changed_by=supervisor.id))
    secret = f"{rng.getrandbits(256):064x}"
    session.add(BarrierKey(office_id=office.id, secret=secret))

    periods = [current]
    while len(periods) < DEMO_MONTHS:
        periods.append(periods[-1].previous())
    survey = load_barrier_survey()
    answers, items, picks, tokens = [], [], [], []
    for back, period in enumerate(periods):
        for code, member in staff.items():
            if not _answers(rng, back, code, period, current):
                continue
            given = _demo_answers(rng, survey, DEMO_MONTHS - 1 - back)
            answer, answer_items, answer_picks = answer_rows(
                office.id, period.code, recorded_role(session, office, member), given,
                answer_id=uuid.UUID(int=rng.getrandbits(128), version=4))
            answers.append(answer)
            items += answer_items
            picks += answer_picks
            tokens.append(dict(token=answered_token(secret, office.id, member.id, period.code),
                               office_id=office.id, period=period.code))
    # Inserted in a random order, as the counter's own saves leave them.
    for table, rows in ((BarrierAnswer, answers), (BarrierItemAnswer, items), (BarrierPick, picks),
                        (BarrierToken, tokens)):
        rng.shuffle(rows)
        if rows:
            session.execute(sa.insert(table.__table__), rows)
    deferrals = [dict(staff_id=staff[code].id, period=current.code, office_id=office.id, count=count)
                 for code, count in DEFERRED_THIS_MONTH.items() if code in staff]
    if deferrals:
        session.execute(sa.insert(BarrierDeferral.__table__), deferrals)


def _answers(rng: random.Random, back: int, code: str, period: BarrierPeriod, current: BarrierPeriod) -> bool:
    """Whether this staff member answered in this month."""
    if period == current:
        return code in ANSWERED_THIS_MONTH
    if back == THIN_MONTH:
        return code in ("CLK1", "CLK2")
    return rng.random() < ANSWER_RATE


def _demo_answers(rng: random.Random, survey, month: int) -> BarrierAnswers:
    """One person's answers ``month`` months into the demo year."""
    scores = {}
    for item in survey.items:
        lean, drift = ITEM_LEAN.get(item.code, (3.0, 0.0))
        roll = rng.random()
        if roll < 0.03:
            continue  # skipped
        if roll < 0.08:
            scores[item.code] = DONT_KNOW
            continue
        scores[item.code] = min(5, max(1, round(rng.gauss(lean + drift * month, 0.9))))
    codes = [category.code for category in survey.categories]
    weights = [CATEGORY_WEIGHTS.get(code, 1) * (0.6 if code == "training" and month > 6 else 1) for code in codes]
    picked: set[str] = set()
    for _ in range(rng.choice((0, 1, 2, 3, 3, 3))):
        picked.add(rng.choices(codes, weights)[0])
    idea = rng.choice(IDEAS) if rng.random() < 0.4 else None
    return BarrierAnswers(scores, frozenset(picked), idea)


EXTENDER = DemoExtender("barrier", end=demo_end)
