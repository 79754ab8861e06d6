"""Demo service standards, benchmarks with sources, and a few sign-offs (one reopened by a
complaint resolved after it), made through the domain's own functions at the end of the
demo history. Reads the days it is given; writes only standards, benchmarks, sign-offs
and the one complaint that reopens a sign-off.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import Session, select

from cxdesk.demo.hooks import DemoEnd, DemoExtender
from cxdesk.domain import signoffs, standards
from cxdesk.domain.complaints import (
    FRONTLINE,
    ComplaintIntake,
    acknowledge,
    load_settings,
    open_complaint,
    resolve,
    start_work,
)
from cxdesk.domain.workdays import add_working_days
from cxdesk.store.models import Office, Shift, Staff, Visit
from cxdesk.vocab import SUPERVISOR, VisitState

# (standard, value, source, note): figures made up for the demo, labelled as such.
DEMO_BENCHMARKS = (
    ("wait_20", 78.0, "Peer office: Riverside Field Office (demo figure)",
     "A field office of the same size and opening hours."),
    ("wait_20", 86.0, "Private-sector index: retail bank branches seen within 20 minutes (demo figure)",
     "The best in business for a walk-in counter."),
    ("card_20", 82.0, "Last year's best quarter: FY2026 Q3, this office", "Before the new card printer."),
    ("first_visit", 81.5, "Last year's best quarter: FY2026 Q3, this office", ""),
    ("trust_agree", 84.0, "Private-sector index: trust after a service visit, retail (demo figure)", ""),
    ("complaint_ack_3", 97.0, "Peer office: Riverside Field Office (demo figure)", ""),
    ("complaint_answer_20", 92.0, "Peer office: Riverside Field Office (demo figure)", ""),
    ("left_5", 4.0, "Private-sector index: retail walk-outs before service (demo figure)",
     "Lower is better."),
)


def _at(day: date, hour: int, minute: int, zone) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(timezone.utc)


def demo_end(session: Session, end: DemoEnd, rng: random.Random) -> None:
    office = session.get(Office, end.office.office_id)
    zone = end.office.zone
    supervisor = session.exec(select(Staff).where(Staff.office_id == office.id, Staff.role == SUPERVISOR)
                              .order_by(Staff.code)).first()
    days = list(end.days)
    first, middle = days[0], days[len(days) // 2]
    standards.install_defaults(session, office, supervisor, _at(first, 8, 0, zone))
    session.commit()
    for code, value, source, note in DEMO_BENCHMARKS:
        standards.add_benchmark(session, office, supervisor, code, value=value, source=source, as_of=first,
                                note=note, now=_at(first, 8, 5, zone))
    # Mid-history the card promise was raised after a faster card printer arrived.
    card = standards.default_standards()
    card_draft = next(d.draft for d in card if d.code == "card_20")
    standards.change_standard(
        session, office, supervisor, "card_20",
        standards.StandardDraft(measure=card_draft.measure, target=90, wording_en=card_draft.wording_en,
                                wording_es=card_draft.wording_es, threshold=card_draft.threshold,
                                service=card_draft.service),
        now=_at(middle, 8, 30, zone), note="New card printer: the promise is kept for 9 in 10 now.")
    _sign_offs(session, office, supervisor, days[:-1], zone, end.now)


def _sign_offs(session: Session, office: Office, supervisor: Staff, past: list[date], zone, now: datetime) -> None:
    """The last few finished days signed off; the oldest of them reopened by a complaint
    answered the next working day; one shift signed off too."""
    recent = past[-3:]
    if not recent:
        return
    reopened_day = recent[0]
    visit = session.exec(select(Visit).where(Visit.office_id == office.id, Visit.day == reopened_day,
                                             Visit.state == VisitState.DONE).order_by(Visit.seq)).first()
    clerk = session.exec(select(Staff).where(Staff.office_id == office.id, Staff.role != SUPERVISOR)
                         .order_by(Staff.code)).first() or supervisor
    complaint = None
    if visit is not None:
        complaint = open_complaint(
            session, office, clerk,
            ComplaintIntake(received_via="counter", category="wait_time", urgency="normal",
                            what_happened="Waited past my appointment time without being told why.",
                            wanted="To be told how long the wait will be.", visit_id=visit.id),
            _at(reopened_day, 15, 40, zone), load_settings())
    for day in recent:
        signoffs.sign_off(session, office, supervisor, kind=signoffs.DAY, day=day,
                          note="Checked the waits and the complaints of the day.",
                          now=_at(day, 17, 15, zone))
    shift = session.exec(select(Shift).where(Shift.staff_id == clerk.id, Shift.started_at >= _at(recent[-1], 0, 0, zone),
                                             Shift.started_at < _at(recent[-1] + timedelta(days=1), 0, 0, zone))).first()
    if shift is not None:
        signoffs.sign_off(session, office, supervisor, kind=signoffs.SHIFT, shift_id=shift.id,
                          note="Busy window, well handled.", now=_at(recent[-1], 17, 20, zone))
    if complaint is not None:
        answered = min(_at(add_working_days(reopened_day, 1), 10, 0, zone), now)
        acknowledge(session, complaint, supervisor, answered, note="Called the customer back.")
        start_work(session, complaint, supervisor, FRONTLINE, answered, settings=load_settings())
        resolve(session, complaint, supervisor, what_was_done="Apologised; the line screen now shows waits.",
                customer_accepted=True, now=answered)


EXTENDER = DemoExtender("standards", end=demo_end)
