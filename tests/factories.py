"""Shared test data: the fixed clock, the test office and its staff, served and surveyed visits.

Every test module takes its data from here (and its fixtures from conftest);
no test module imports another.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

from sqlmodel import select

from cxdesk.domain import complaints as cx
from cxdesk.domain.surveys import invitations
from cxdesk.domain.surveys.questions import Answer
from cxdesk.domain.visits import Finish, quick_log
from cxdesk.store.models import Complaint, ComplaintEvent
from cxdesk.vocab import HANDOVER

# Tuesday 24 November 2026, 09:30 in Chicago: the office is open.
FIXED_NOW = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)
SUPERVISOR = ("SUP1", "Ana Ruiz", "24681357")  # supervisors need 8 digits or more
CLERK = ("CLK1", "Ben Okafor", "1357")
PG_ADMIN_URL = os.environ.get("CXDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def make_office(database, now=FIXED_NOW):
    """The test office: CHI01 in Chicago, stations W1 and W2, a supervisor and a clerk."""
    from cxdesk.domain.office import setup_office
    from cxdesk.domain.staff import add_staff, get_staff

    with database.session() as session:
        office = setup_office(
            session, code="CHI01", name="Chicago Loop", timezone="America/Chicago",
            station_names=["Window 1", "Window 2"], supervisor_code=SUPERVISOR[0],
            supervisor_name=SUPERVISOR[1], supervisor_pin=SUPERVISOR[2], now=now,
        )
        supervisor = get_staff(session, office, SUPERVISOR[0])
        add_staff(session, office, supervisor, code=CLERK[0], name=CLERK[1], role="clerk", pin=CLERK[2],
                  now=now)
    return office


def supervisor_of(session, office):
    from cxdesk.domain.staff import get_staff

    return get_staff(session, office, SUPERVISOR[0])


def clerk_of(session, office):
    from cxdesk.domain.staff import get_staff

    return get_staff(session, office, CLERK[0])


def serve(db, office, signed_in, *, service="change_address", segment="retiree", language="en",
          now=FIXED_NOW):
    with db.session() as session:
        return quick_log(session, office, signed_in, segment=segment,
                         details=Finish(service=service, outcome="resolved"), language=language, now=now)


def answer_all(run: invitations.SurveyRun, score: int) -> dict[str, Answer]:
    """Every question this customer is asked: the scales at ``score``, the first option
    of the drivers list its trust answer leads to (A-11 branch) and of each choice."""
    answers = {}
    side = "positive" if score >= 4 else "negative"
    for q in run.question_set.questions:
        if q.kind == "scale":
            answers[q.code] = Answer(score=score)
        elif q.kind == "drivers" and q.branch in (None, side):
            answers[q.code] = Answer(picked=frozenset({q.options[0].code}))
        elif q.kind == "choice":
            answers[q.code] = Answer(choice=q.options[0].code)
    return answers


def survey_many(db, office, signed_in):
    """Six served visits: five offered, four respond (scores 5, 4, 4, 2), one skips."""
    scores = {"change_address": [5, 4], "replacement_card": [4, 2]}
    for service, values in scores.items():
        for score in values:
            visit = serve(db, office, signed_in, service=service,
                          segment="veteran" if score == 2 else "retiree")
            with db.session() as session:
                run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
                answers = answer_all(run, score)
                if score == 2:
                    answers["comment"] = Answer(text="Too slow")
                invitations.finish(session, run.invitation_id, answers, language="en", ended_early=False,
                               now=FIXED_NOW)
    skipped = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, skipped.id, mode=HANDOVER, now=FIXED_NOW)
        invitations.finish(session, run.invitation_id, {}, language="en", ended_early=True, now=FIXED_NOW)
    serve(db, office, signed_in)  # served, never offered


# --- barrier survey ---------------------------------------------------------------


def start_barrier_survey(db, office, *, period="month", deferrals=2, now=FIXED_NOW):
    """The supervisor starts the front-line barrier survey (off until then)."""
    from cxdesk.domain.barrier import set_barrier_settings

    with db.session() as session:
        return set_barrier_settings(session, office, supervisor_of(session, office), period=period,
                                    deferrals=deferrals, now=now)


EXTRA_PIN = "2580"
# Supervisors need 8 to 12 digits.
EXTRA_SUPERVISOR_PIN = "25803691"


def more_staff(db, office, count, *, role="clerk", prefix="CLK", first=2, now=FIXED_NOW):
    """``count`` more staff (CLK2, CLK3 ..., PIN EXTRA_PIN, or EXTRA_SUPERVISOR_PIN for supervisors)
    added by the supervisor; their codes."""
    from cxdesk.domain.staff import add_staff

    codes = []
    with db.session() as session:
        boss = supervisor_of(session, office)
        for number in range(first, first + count):
            code = f"{prefix}{number}"
            add_staff(session, office, boss, code=code, name=f"Person {prefix.title()} {number}", role=role,
                      pin=EXTRA_SUPERVISOR_PIN if role == "supervisor" else EXTRA_PIN, now=now)
            codes.append(code)
    return codes


def answer_barrier(db, office, code, *, items=None, categories=(), idea=None, now=FIXED_NOW, names_ok=False):
    """Staff member ``code`` answers the barrier survey for the period of ``now``."""
    from cxdesk.domain.barrier import BarrierAnswers, submit_answers
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        return submit_answers(session, office, get_staff(session, office, code),
                              BarrierAnswers(items if items is not None else {"workload": 4},
                                             frozenset(categories), idea),
                              now=now, names_ok=names_ok)
# --- complaints -----------------------------------------------------------------------------

# FIXED_NOW's day in Chicago: Tuesday 24 November 2026, two days before Thanksgiving.
TODAY = date(2026, 11, 24)
LATER = FIXED_NOW + timedelta(hours=1)
# A complainant's contact details: they must never reach a log, a trail or a CSV by default.
PHONE = "312 555 0199"
EMAIL = "maria.lopez@example.org"


def complaint_intake(**changes) -> cx.ComplaintIntake:
    values = dict(received_via="counter", category="wait_time",
                  what_happened="Waited 70 minutes with an appointment.", wanted="An apology.")
    values.update(changes)
    return cx.ComplaintIntake(**values)


def complaint_with_contact(**changes) -> cx.ComplaintIntake:
    return complaint_intake(contact=cx.ContactDetails(name="Maria Lopez", phone=PHONE, email=EMAIL, language="es"),
                            consent=True, **changes)


def open_one_complaint(db, office, who, now=FIXED_NOW, **changes) -> Complaint:
    with db.session() as session:
        return cx.open_complaint(session, office, who, complaint_intake(**changes), now)


def complaint_events(db, complaint) -> list[ComplaintEvent]:
    with db.session() as session:
        return list(session.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                 .order_by(ComplaintEvent.seq)))


def reload_complaint(db, complaint) -> Complaint:
    with db.session() as session:
        return session.get(Complaint, complaint.id)


def complaint_in_state(db, office, state, who) -> Complaint:
    """A complaint walked through the legal path to ``state``."""
    complaint = open_one_complaint(db, office, who)
    path = {
        cx.RECEIVED: [],
        cx.ACKNOWLEDGED: ["ack"],
        cx.IN_PROGRESS: ["ack", "start"],
        cx.ESCALATED: ["ack", "start", "escalate"],
        cx.RESOLVED: ["ack", "start", "resolve"],
        cx.CLOSED: ["ack", "start", "resolve", "close"],
        cx.REOPENED: ["ack", "start", "resolve", "close", "reopen"],
    }[state]
    with db.session() as session:
        for step in path:
            if step == "ack":
                cx.acknowledge(session, complaint.id, who, LATER)
            elif step == "start":
                cx.start_work(session, complaint.id, who, cx.FRONTLINE, LATER)
            elif step == "escalate":
                cx.escalate(session, complaint.id, who, "Asks for a supervisor.", LATER)
            elif step == "resolve":
                cx.resolve(session, complaint.id, who, what_was_done="Apologised.", customer_accepted=True,
                           now=LATER)
            elif step == "close":
                cx.close(session, complaint.id, who, LATER)
            elif step == "reopen":
                cx.reopen(session, complaint.id, who, "Came back.", LATER)
    complaint = reload_complaint(db, complaint)
    assert complaint.state == state
    return complaint


def complaint_step(session, action, complaint, who, track=cx.FRONTLINE):
    if action == "acknowledge":
        return cx.acknowledge(session, complaint.id, who, LATER)
    if action == "start":
        return cx.start_work(session, complaint.id, who, track, LATER)
    if action == "escalate":
        return cx.escalate(session, complaint.id, who, "Asks for a supervisor.", LATER)
    if action == "resolve":
        return cx.resolve(session, complaint.id, who, what_was_done="Fixed.", customer_accepted=False, now=LATER)
    if action == "close":
        return cx.close(session, complaint.id, who, LATER)
    if action == "reopen":
        return cx.reopen(session, complaint.id, who, "Came back.", LATER)
    raise AssertionError(action)


# --- the demo office ------------------------------------------------------------------------

# Tuesday 24 November 2026, 11:30 in Springfield (Chicago time): the late-morning rush is on.
DEMO_NOW = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)
DEMO_DAYS = 20


def fill_demo(url: str, *, days: int = DEMO_DAYS, seed: int = 7, now: datetime = DEMO_NOW, extenders=()):
    """The demo office in the database at ``url`` (no extenders unless given); its summary."""
    from cxdesk.demo.office import generate
    from cxdesk.store.db import open_database

    db = open_database(url, create=True)
    try:
        return generate(db, days=days, seed=seed, now=now, extenders=extenders)
    finally:
        db.dispose()


def table_rows(url: str, table, *, order_by=(), limit: int | None = None) -> list[dict]:
    """A table's rows as plain dicts, read with a connection of their own."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(table.__table__).order_by(*order_by).limit(limit)
            return [dict(row._mapping) for row in conn.execute(query)]
    finally:
        engine.dispose()


def add_waiting(db, office, count=1, **kwargs):
    """``count`` customers checked in half an hour before FIXED_NOW, a minute apart."""
    from datetime import timedelta

    from cxdesk.domain import visits

    kwargs.setdefault("segment", "retiree")
    kwargs.setdefault("service", "change_address")
    with db.session() as session:
        return [visits.check_in(session, office, now=FIXED_NOW - timedelta(minutes=30 - i), **kwargs)
                for i in range(count)]


def all_visits(db):
    """Every visit of the database, by ticket number."""
    from sqlmodel import select

    from cxdesk.store.models import Visit

    with db.session() as session:
        return session.exec(select(Visit).order_by(Visit.seq)).all()


def visit_rows(url: str, limit: int | None = None) -> list[dict]:
    """The visits by day and ticket number, without the exchange's row versions
    (a counter of writes to the whole database, not part of the visit)."""
    from cxdesk.store.models import Visit

    rows = table_rows(url, Visit, order_by=(Visit.day, Visit.seq), limit=limit)
    for row in rows:
        row.pop("version", None)
    return rows


def count_visits(url: str) -> int:
    import sqlalchemy as sa

    from cxdesk.store.models import Visit

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(Visit.__table__)).scalar_one()
    finally:
        engine.dispose()


def demo_stats_of(url: str):
    """``cxdesk demo --stats``'s figures for the office in the database at ``url``."""
    from cxdesk.demo.database import office_in
    from cxdesk.demo.stats import demo_stats
    from cxdesk.store.db import open_database

    db = open_database(url)
    try:
        with db.session() as session:
            return demo_stats(session, office_in(db).id)
    finally:
        db.dispose()


# --- the lobby board ------------------------------------------------------------------------

LOBBY_NOW = FIXED_NOW + timedelta(minutes=60)


def lobby_day(db, office, signed_in, people):
    """An hour of the test office for the lobby board, seen at LOBBY_NOW: 14 checked in
    before opening; CLK1 at W1 served six (8 minutes each) and calls the seventh at +55;
    CLK2 signs in at W2 at +57 and calls the next at +58. Six still wait; two windows open."""
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.visits import call_next, check_in, finish, start_serving

    with db.session() as session:
        for i in range(14):
            check_in(session, office, segment="retiree", service="change_address",
                     now=FIXED_NOW - timedelta(minutes=20) + timedelta(seconds=30 * i))
        at = FIXED_NOW + timedelta(minutes=1)
        for _ in range(6):
            visit = call_next(session, office, signed_in, at)
            start_serving(session, visit, signed_in, at + timedelta(minutes=1))
            at += timedelta(minutes=8)
            finish(session, visit, Finish(service="change_address", outcome="resolved"), signed_in, at)
        call_next(session, office, signed_in, FIXED_NOW + timedelta(minutes=55))
        other = sign_in(session, office, code=people[2].code, pin="8642",
                        station=get_station(session, office, "W2"), now=FIXED_NOW + timedelta(minutes=57))
        call_next(session, office, other, FIXED_NOW + timedelta(minutes=58))
    return other
