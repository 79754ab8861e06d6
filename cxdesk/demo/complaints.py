"""Demo complaints across every state, some overdue, each with its trail: made through
the domain's own functions, so the demo obeys the counter's rules."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, select

from cxdesk.demo.hooks import DemoExtender
from cxdesk.domain.complaints import (
    FRONTLINE,
    INVESTIGATION,
    ComplaintIntake,
    acknowledge,
    add_note,
    close,
    escalate,
    extend,
    load_settings,
    open_complaint,
    reopen,
    resolve,
    start_work,
)
from cxdesk.domain.workdays import is_working_day
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Complaint, Office, Staff, Visit
from cxdesk.vocab import SUPERVISOR, VisitState

_DEMO_STORIES = (
    ("wait_time", "Waited over an hour with a 2 pm appointment.", "An apology and a shorter wait next time."),
    ("staff_conduct", "Felt rushed at window 2 and was not listened to.", "To be treated with respect."),
    ("wrong_information", "Was told on the phone no documents were needed; had to come back.",
     "Correct information on the phone line."),
    ("accessibility", "The ramp door was locked; had to wait outside in the rain.", "Keep the ramp door open."),
    ("process_too_complex", "The replacement card form asks the same thing three times.",
     "A simpler form."),
    ("decision_dispute", "Benefit reduced without explanation.", "A review of the decision."),
    ("privacy", "My case was discussed loudly where others could hear.", "A private room for such talks."),
    ("facilities", "Not enough chairs in the waiting area.", "More seating."),
    ("other", "Parking validation machine broken.", "Have it repaired."),
)


def demo_complaints(session: Session, office: Office, rng: random.Random, visits: Sequence[Visit],
                    staff: Sequence[Staff], now: datetime, count: int = 24) -> list[Complaint]:
    """Realistic complaints across every state, some overdue, each with its trail.

    Built through the domain functions above, so the demo obeys the same rules
    as the counter. ``visits`` are finished visits to link some complaints to;
    ``staff`` must include at least one supervisor.
    """
    settings = load_settings()
    supervisors = [s for s in staff if s.role == SUPERVISOR]
    clerks = [s for s in staff if s.role != SUPERVISOR] or supervisors
    if not supervisors:
        raise CxdeskError("The demo complaints need a supervisor among the staff.")
    today = office.local_day(now)
    zone = office.zone
    # Targets cycle so every state appears; the age decides which are overdue.
    targets = ("received", "acknowledged", "frontline", "investigation", "escalated", "resolved",
               "closed", "reopened", "closed", "frontline", "received", "investigation")
    vias = [item.code for item in settings.received_via]
    made = []
    for index in range(count):
        target = targets[index % len(targets)]
        age = rng.randint(0, 6) if target in ("received", "acknowledged", "frontline") else rng.randint(3, 30)
        day = today - timedelta(days=age)
        while not is_working_day(day):
            day -= timedelta(days=1)
        opened = datetime.combine(day, datetime.min.time(), zone).replace(
            hour=rng.randint(9, 15), minute=rng.randint(0, 59)).astimezone(now.tzinfo)
        if opened > now:
            opened = now - timedelta(minutes=rng.randint(5, 90))
        clerk = rng.choice(clerks)
        category, what, wanted = rng.choice(_DEMO_STORIES)
        visit = rng.choice(visits) if visits and rng.random() < 0.5 else None
        via = "counter" if visit else rng.choice(vias)
        intake = ComplaintIntake(received_via=via, category=category, what_happened=what, wanted=wanted,
                                 urgency=rng.choice(("normal", "normal", "normal", "high", "urgent")),
                                 visit_id=visit.id if visit else None)
        complaint = open_complaint(session, office, clerk, intake, opened, settings)
        step = _demo_steps(opened, now, rng)
        if target == "received":
            made.append(complaint)
            continue
        acknowledge(session, complaint, clerk, next(step), note="Called the customer.")
        if target == "acknowledged":
            made.append(complaint)
            continue
        track = INVESTIGATION if target in ("investigation", "escalated") or rng.random() < 0.3 else FRONTLINE
        start_work(session, complaint, clerk, track, next(step), settings=settings)
        if rng.random() < 0.4:
            add_note(session, complaint, clerk, "Asked the customer for the letter they received.", next(step))
        if target == "investigation" and rng.random() < 0.5:
            extend(session, complaint, rng.choice(supervisors), days=5, reason="Waiting for the records office.",
                   customer_told=True, now=next(step), settings=settings)
        if target in ("frontline", "investigation"):
            made.append(complaint)
            continue
        supervisor = rng.choice(supervisors)
        if target == "escalated":
            escalate(session, complaint, clerk, "Customer asks for a supervisor.", next(step))
            made.append(complaint)
            continue
        resolve(session, complaint, clerk, what_was_done="Explained the rules and fixed the record.",
                customer_accepted=rng.random() < 0.8, now=next(step))
        if target in ("closed", "reopened"):
            close(session, complaint, supervisor, next(step))
        if target == "reopened":
            reopen(session, complaint, clerk, "The customer came back: the letter was wrong again.", next(step),
                   settings=settings)
        made.append(complaint)
    return made


def demo_end(session: Session, end, rng: random.Random) -> None:
    """The demo generator's closing hook (``DemoExtender.end``).

    Unlike bulk extenders this goes through the domain functions, which commit
    as they go; it runs after every batch of visits is committed, so nothing of
    the generator's is left half-written by it.
    """
    office = session.get(Office, end.office.office_id)
    staff = list(session.exec(select(Staff).where(Staff.office_id == office.id, Staff.active)
                              .order_by(Staff.code)))
    recent = list(session.exec(
        select(Visit).where(Visit.office_id == office.id, Visit.state == VisitState.DONE,
                            Visit.day >= end.days[max(0, len(end.days) - 20)])
        .order_by(Visit.day, Visit.seq).limit(300)))
    demo_complaints(session, office, rng, recent, staff, end.now)



def _demo_steps(opened: datetime, now: datetime, rng: random.Random):
    """Moments after ``opened`` and never after ``now``, for the steps of one demo complaint."""
    moment = opened
    while True:
        moment = min(moment + timedelta(hours=rng.randint(2, 40)), now)
        yield moment


EXTENDER = DemoExtender("complaints", end=demo_end)
