"""The complaint lifecycle (EO 12862 1(h)): acknowledge, start work, escalate,
resolve, close, reopen, assign, extend, note. Every change is one commit with
its line in the append-only trail; the clock is read by the caller at save time.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from cxdesk.domain.complaints.rules import (
    ACTIONS,
    CLOSED,
    INVESTIGATION,
    OPEN_STATES,
    RECEIVED,
    RESOLVED,
    STATE_LABELS,
    refusal,
    state_text,
)
from cxdesk.domain.complaints.settings import ComplaintSettings, load_settings
from cxdesk.domain.complaints.trail import append_event
from cxdesk.domain.workdays import add_working_days
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Complaint, Office, Staff
from cxdesk.text import clean_block
from cxdesk.vocab import SUPERVISOR

TEXT_LIMIT = 2000

def _load(session: Session, complaint: Complaint | uuid.UUID) -> Complaint:
    complaint_id = complaint if isinstance(complaint, uuid.UUID) else complaint.id
    found = session.get(Complaint, complaint_id)
    if found is None:
        raise CxdeskError("That complaint is not in this office's records.")
    session.refresh(found)
    return found


def _commit(session: Session, complaint: Complaint) -> Complaint:
    try:
        session.commit()
    except IntegrityError:
        # Two people changed the same complaint at the same instant: the trail's
        # sequence refused the second, and nothing of it was written.
        session.rollback()
        raise CxdeskError(f"{complaint.reference} was changed by someone else just now; look again.") from None
    return complaint


def _clean_note(note: str | None, what: str = "The note", required: bool = False) -> str:
    return clean_block(note, what, TEXT_LIMIT, required=required)


def _next_due(complaint: Complaint) -> date | None:
    if complaint.state == RECEIVED:
        return complaint.acknowledge_due
    if complaint.state in (RESOLVED, CLOSED):
        return None
    return complaint.resolution_due


def _move(session: Session, complaint: Complaint | uuid.UUID, action: str, who: Staff,
          track: str | None = None) -> tuple[Complaint, str]:
    """Check the action is allowed now and set the new state; returns (complaint, state before)."""
    complaint = _load(session, complaint)
    reason = refusal(complaint, action, who, track)
    if reason:
        raise CxdeskError(reason)
    before = state_text(complaint.state, complaint.track)
    complaint.state = ACTIONS[action][1]
    return complaint, before


def _finish_move(session: Session, complaint: Complaint, who: Staff, now: datetime, before: str,
                 note: str) -> Complaint:
    complaint.next_due = _next_due(complaint)
    session.add(complaint)
    append_event(session, complaint, who, now, "state", before, state_text(complaint.state, complaint.track),
                 note)
    return _commit(session, complaint)


def acknowledge(session: Session, complaint: Complaint | uuid.UUID, who: Staff, now: datetime,
                note: str = "") -> Complaint:
    """The customer has been told the complaint was received."""
    note = _clean_note(note)
    complaint, before = _move(session, complaint, "acknowledge", who)
    complaint.acknowledged_at = now
    return _finish_move(session, complaint, who, now, before, note)


def start_work(session: Session, complaint: Complaint | uuid.UUID, who: Staff, track: str, now: datetime,
               note: str = "", settings: ComplaintSettings | None = None) -> Complaint:
    """Work starts at the front line (resolve within 5 working days of receipt)
    or as an investigation (answer within 20 working days of opening it)."""
    settings = settings or load_settings()
    note = _clean_note(note)
    complaint, before = _move(session, complaint, "start", who, track)
    if track == INVESTIGATION and complaint.track != INVESTIGATION:
        complaint.resolution_due = add_working_days(_office_today(session, complaint, now),
                                                    settings.investigation)
    complaint.track = track
    return _finish_move(session, complaint, who, now, before, note)


def escalate(session: Session, complaint: Complaint | uuid.UUID, who: Staff, reason: str,
             now: datetime, settings: ComplaintSettings | None = None) -> Complaint:
    """Hand the complaint to a supervisor; a running deadline stands."""
    settings = settings or load_settings()
    reason = _clean_note(reason, "The reason for escalating", required=True)
    complaint, before = _move(session, complaint, "escalate", who)
    if complaint.resolved_at is not None:
        # A resolution the customer rejected is live again, with a fresh
        # frontline clock for the supervisor.
        complaint.resolution_due = add_working_days(_office_today(session, complaint, now),
                                                    settings.frontline)
        complaint.resolved_at = None
    return _finish_move(session, complaint, who, now, before, reason)


def resolve(session: Session, complaint: Complaint | uuid.UUID, who: Staff, *, what_was_done: str,
            customer_accepted: bool, now: datetime) -> Complaint:
    """Record what was done and whether the customer accepted it."""
    what = _clean_note(what_was_done, "What was done", required=True)
    if not isinstance(customer_accepted, bool):
        raise CxdeskError("Say whether the customer accepted the resolution (yes or no).")
    complaint, before = _move(session, complaint, "resolve", who)
    complaint.resolution = what
    complaint.customer_accepted = customer_accepted
    complaint.resolved_at = now
    accepted = "accepted" if customer_accepted else "did not accept"
    return _finish_move(session, complaint, who, now, before, f"{what} (customer {accepted})")


def close(session: Session, complaint: Complaint | uuid.UUID, who: Staff, now: datetime,
          note: str = "") -> Complaint:
    note = _clean_note(note)
    complaint, before = _move(session, complaint, "close", who)
    complaint.closed_at = now
    return _finish_move(session, complaint, who, now, before, note)


def reopen(session: Session, complaint: Complaint | uuid.UUID, who: Staff, reason: str, now: datetime,
           settings: ComplaintSettings | None = None) -> Complaint:
    """The customer came back: a new frontline deadline runs from today."""
    settings = settings or load_settings()
    reason = _clean_note(reason, "The reason for reopening", required=True)
    complaint, before = _move(session, complaint, "reopen", who)
    complaint.resolution_due = add_working_days(_office_today(session, complaint, now), settings.frontline)
    complaint.resolved_at = complaint.closed_at = None
    complaint.resolution = None
    complaint.customer_accepted = None
    return _finish_move(session, complaint, who, now, before, reason)


def _office_today(session: Session, complaint: Complaint, now: datetime) -> date:
    return session.get(Office, complaint.office_id).local_day(now)


def add_note(session: Session, complaint: Complaint | uuid.UUID, who: Staff, note: str,
             now: datetime) -> Complaint:
    note = _clean_note(note, required=True)
    complaint = _load(session, complaint)
    append_event(session, complaint, who, now, "note", None, None, note)
    return _commit(session, complaint)


def assign(session: Session, complaint: Complaint | uuid.UUID, who: Staff, to: Staff | None,
           now: datetime, note: str = "") -> Complaint:
    """Give the complaint to a staff member (or nobody). Supervisors assign
    anyone; a clerk may take an unassigned complaint or pass on their own."""
    note = _clean_note(note)
    complaint = _load(session, complaint)
    if complaint.state == CLOSED:
        raise CxdeskError(f"{complaint.reference} is closed; reopen it first.")
    if to is not None and (to.office_id != complaint.office_id or not to.active):
        raise CxdeskError(f"{to.code} is not an active staff member of this office.")
    if who.role != SUPERVISOR:
        takes_free = complaint.assigned_to is None and to is not None and to.id == who.id
        if not takes_free and complaint.assigned_to != who.id:
            raise CxdeskError(f"Only a supervisor or the person handling {complaint.reference} can reassign it.")
    if (to.id if to else None) == complaint.assigned_to:
        raise CxdeskError(f"{complaint.reference} is already with {to.code if to else 'nobody'}.")
    previous = session.get(Staff, complaint.assigned_to) if complaint.assigned_to else None
    complaint.assigned_to = to.id if to else None
    session.add(complaint)
    append_event(session, complaint, who, now, "assign", previous.code if previous else None,
                 to.code if to else None, note)
    return _commit(session, complaint)


def extend(session: Session, complaint: Complaint | uuid.UUID, who: Staff, *, days: int, reason: str,
           customer_told: bool, now: datetime, settings: ComplaintSettings | None = None) -> Complaint:
    """Move the resolution deadline: only with a reason and the customer told."""
    settings = settings or load_settings()
    reason = _clean_note(reason, "The reason for the extension", required=True)
    if not customer_told:
        raise CxdeskError("Tell the customer about the extension first, then mark 'customer told'.")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= settings.max_extension:
        raise CxdeskError(f"An extension is 1 to {settings.max_extension} working days.")
    complaint = _load(session, complaint)
    if who.role != SUPERVISOR and complaint.assigned_to != who.id:
        raise CxdeskError(f"Only a supervisor or the person handling {complaint.reference} can extend its deadline.")
    if complaint.state == RECEIVED:
        raise CxdeskError(f"Acknowledge {complaint.reference} first; the acknowledgement deadline is not extended.")
    if complaint.state not in OPEN_STATES:
        raise CxdeskError(f"{complaint.reference} is {STATE_LABELS[complaint.state]}; there is no deadline to extend.")
    before = complaint.resolution_due
    complaint.resolution_due = add_working_days(before, days)
    complaint.next_due = _next_due(complaint)
    complaint.extensions += 1
    session.add(complaint)
    append_event(session, complaint, who, now, "extend", before.isoformat(), complaint.resolution_due.isoformat(),
                 f"{reason} (customer told)")
    return _commit(session, complaint)

