"""Demo survey answers: invitations, responses and answers for the demo office's finished visits.

Scores fall with the wait and differ by service (long claims score lower).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from cxdesk.demo.hooks import DemoExtender
from cxdesk.domain.surveys.questions import (
    Answer,
    Question,
    answer_rows,
    load_question_set,
)
from cxdesk.store.catalogs import office_catalog
from cxdesk.store.models import Office, SurveyAnswer, SurveyInvitation, SurveyResponse, Visit
from cxdesk.vocab import HANDOVER, KIOSK, SurveyOffer, SurveyStatus, VisitState

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
        if visit.get("state", VisitState.DONE) != VisitState.DONE or finished_at is None:
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
            status=(SurveyStatus.PARTIAL if partial else SurveyStatus.COMPLETED) if answered else SurveyStatus.SKIPPED,
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
        given: dict[str, Answer] = {}
        questions = question_set.questions[:2] if partial else question_set.questions
        for question in questions:
            # A-11 branch: only the follow-up the trust answer leads to.
            if question.branch is not None and question.branch != question_set.trust_side(given):
                continue
            rows = _demo_answer(rng, question, mood, language)
            if question.code == "trust" and rows:
                given["trust"] = Answer(score=rows[0]["score"])
            for row in rows:
                answers.append(dict(response_id=response_id, **row))
    return invitations, responses, answers


def _demo_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def demo_day(session: Session, day, rng: random.Random) -> None:
    """The demo generator's per-day hook (``DemoExtender.day``): survey
    rows for the day's finished visits, in the office's question set."""
    survey_set = session.get(Office, day.office.office_id).survey_set
    invitations, responses, answers = demo_responses(
        rng, day.visits, office_id=day.office.office_id, survey_set=survey_set, now=day.now)
    for table, rows in ((SurveyInvitation, invitations), (SurveyResponse, responses), (SurveyAnswer, answers)):
        if rows:
            session.execute(sa.insert(table.__table__), rows)
    offers = demo_offers(day.visits, {row["visit_id"] for row in invitations}, now=day.now)
    for outcome, reason in {(o, r) for o, r in offers.values()}:
        ids = [visit_id for visit_id, value in offers.items() if value == (outcome, reason)]
        for start in range(0, len(ids), 500):
            session.execute(sa.update(Visit).where(col(Visit.id).in_(ids[start:start + 500]))
                            .values(survey_offer=outcome, survey_not_offered_reason=reason))


# Why a served customer got no survey, in the demo: (share out of 100, outcome, reason).
_DEMO_NO_SURVEY = ((45, SurveyOffer.DECLINED, None), (25, SurveyOffer.NOT_OFFERED, "hurry"),
                   (12, SurveyOffer.NOT_OFFERED, "language"), (10, SurveyOffer.NOT_OFFERED, "complaint"),
                   (8, SurveyOffer.NOT_OFFERED, "distress"))


def demo_offers(visits: Iterable[Mapping], invited: set, *, now: datetime | None = None) -> dict:
    """What the counter recorded about the survey at the end of each finished visit:
    offered for those with an invitation, else declined or not offered with a reason.
    Drawn from the visit's own id (not the shared generator), so adding this step
    leaves every other demo figure as it was."""
    offers = {}
    for visit in visits:
        finished_at = visit.get("finished_at")
        if visit.get("state", VisitState.DONE) != VisitState.DONE or finished_at is None:
            continue
        if now is not None and finished_at > now - timedelta(minutes=5):
            continue  # the clerk has not got to it yet
        if visit["id"] in invited:
            offers[visit["id"]] = (SurveyOffer.OFFERED, None)
            continue
        pick = uuid.UUID(str(visit["id"])).int % 100
        for share, outcome, reason in _DEMO_NO_SURVEY:
            if pick < share:
                offers[visit["id"]] = (outcome, reason)
                break
            pick -= share
    return offers


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
        return answer_rows(question, Answer(score=score))
    if question.kind == "drivers":
        positive = question.code == "went_well"
        lean = (mood - 1) / 4 if positive else (5 - mood) / 4
        picked = frozenset(o.code for o in question.options
                           if o.code != "other" and rng.random() < lean * 0.6)
        return answer_rows(question, Answer(picked=picked))
    if question.kind == "choice":
        if rng.random() < 0.3:
            return []
        option = rng.choice(question.options)
        text = rng.choice(_DEMO_WISHES[language]) if option.asks_text else None
        return answer_rows(question, Answer(choice=option.code, text=text))
    return []


EXTENDER = DemoExtender("surveys", day=demo_day)
