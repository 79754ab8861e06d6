"""The complaints queue, counts, trail and detail view: read-only queries for the
F7 screens, the CLI and summaries. Contact details only for those allowed to see them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cxdesk.domain.complaints.rules import (
    CLOSED,
    OPEN_STATES,
    STATES,
    DueMark,
    allowed_actions,
    can_see_contact,
    due_mark,
    state_text,
)
from cxdesk.domain.complaints.settings import (
    ComplaintSettings,
    categories,
    load_settings,
)
from cxdesk.errors import CxdeskError
from cxdesk.store.models import (
    Complaint,
    ComplaintContact,
    ComplaintEvent,
    Office,
    Staff,
    Visit,
)


def contact_for(session: Session, complaint: Complaint, viewer: Staff) -> ComplaintContact | None:
    if not complaint.has_contact or not can_see_contact(complaint, viewer):
        return None
    return session.get(ComplaintContact, complaint.id)


@dataclass(frozen=True)
class QueueRow:
    id: uuid.UUID
    reference: str
    state: str
    track: str | None
    category: str
    urgency: str
    received_day: date
    next_due: date | None
    due: DueMark
    assigned_code: str | None
    what_happened: str

    @property
    def state_label(self) -> str:
        return state_text(self.state, self.track)


def _urgency_rank(settings: ComplaintSettings):
    # The last urgency in the settings is the most pressing: it sorts first.
    levels = [item.code for item in settings.urgency]
    return sa.case({code: len(levels) - index for index, code in enumerate(levels)},
                   value=Complaint.urgency, else_=len(levels) + 1)


def list_complaints(session: Session, office: Office, today: date, *, mine: Staff | None = None,
                    states: Sequence[str] | None = None, category: str | None = None,
                    overdue: bool = False, limit: int = 500,
                    settings: ComplaintSettings | None = None) -> list[QueueRow]:
    """The queue, soonest deadline first (overdue at the top), then urgency.

    Closed complaints are left out unless ``states`` asks for them.
    """
    settings = settings or load_settings()
    assigned = aliased(Staff)
    query = (select(Complaint, assigned.code)
             .join(assigned, assigned.id == Complaint.assigned_to, isouter=True)
             .where(Complaint.office_id == office.id))
    if states:
        unknown = [s for s in states if s not in STATES]
        if unknown:
            raise CxdeskError(f"Unknown state {unknown[0]!r} (one of: {', '.join(STATES)}).")
        query = query.where(col(Complaint.state).in_(states))
    else:
        query = query.where(Complaint.state != CLOSED)
    if category:
        query = query.where(Complaint.category == categories().get(category).code)
    if mine is not None:
        query = query.where(Complaint.assigned_to == mine.id)
    if overdue:
        query = query.where(Complaint.next_due < today)
    query = query.order_by(
        sa.case((col(Complaint.next_due).is_(None), 1), else_=0), Complaint.next_due,
        _urgency_rank(settings), Complaint.received_at,
    ).limit(limit)
    return [
        QueueRow(c.id, c.reference, c.state, c.track, c.category, c.urgency, c.day, c.next_due,
                 due_mark(c.next_due, today), code, c.what_happened)
        for c, code in session.exec(query).all()
    ]


@dataclass(frozen=True)
class ComplaintCounts:
    open: int
    due_today: int
    overdue: int


def complaint_counts(session: Session, office: Office, today: date) -> ComplaintCounts:
    """Open, due today and overdue, in one SQL aggregate (for summaries and status bars)."""
    row = session.execute(
        select(sa.func.count(),
               sa.func.sum(sa.case((Complaint.next_due == today, 1), else_=0)),
               sa.func.sum(sa.case((Complaint.next_due < today, 1), else_=0)))
        .where(Complaint.office_id == office.id, col(Complaint.state).in_(OPEN_STATES))
    ).one()
    return ComplaintCounts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


@dataclass(frozen=True)
class TrailLine:
    seq: int
    at: datetime
    who_code: str
    who_name: str
    kind: str
    from_value: str | None
    to_value: str | None
    note: str


def trail(session: Session, complaint: Complaint | uuid.UUID) -> list[TrailLine]:
    complaint_id = complaint if isinstance(complaint, uuid.UUID) else complaint.id
    rows = session.exec(
        select(ComplaintEvent, Staff.code, Staff.name).join(Staff, Staff.id == ComplaintEvent.staff_id)
        .where(ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.seq)
    ).all()
    return [TrailLine(e.seq, e.at, code, name, e.kind, e.from_value, e.to_value, e.note)
            for e, code, name in rows]


@dataclass(frozen=True)
class ComplaintView:
    """Everything the detail screen shows, with contact details only if allowed."""

    complaint: Complaint
    trail: list[TrailLine]
    contact: ComplaintContact | None
    contact_withheld: bool
    assigned_code: str | None
    opened_by_code: str
    actions: list[str]
    due: DueMark
    visit_ticket: str | None = None
    staff_choices: list[tuple[str, str]] = field(default_factory=list)
    acknowledged_late: bool = False


def view_complaint(session: Session, office: Office, complaint_id: uuid.UUID, viewer: Staff,
                   today: date) -> ComplaintView:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or complaint.office_id != office.id:
        raise CxdeskError("That complaint is not in this office's records.")
    assigned = session.get(Staff, complaint.assigned_to) if complaint.assigned_to else None
    opener = session.get(Staff, complaint.opened_by)
    contact = contact_for(session, complaint, viewer)
    visit = session.get(Visit, complaint.visit_id) if complaint.visit_id else None
    choices = [(s.code, s.name) for s in session.exec(
        select(Staff).where(Staff.office_id == office.id, Staff.active).order_by(Staff.code))]
    return ComplaintView(
        complaint=complaint, trail=trail(session, complaint), contact=contact,
        contact_withheld=complaint.has_contact and contact is None,
        assigned_code=assigned.code if assigned else None, opened_by_code=opener.code,
        actions=allowed_actions(complaint, viewer), due=due_mark(complaint.next_due, today),
        visit_ticket=visit.ticket if visit else None, staff_choices=choices,
        acknowledged_late=(complaint.acknowledged_at is not None
                           and office.local_day(complaint.acknowledged_at) > complaint.acknowledge_due),
    )


def find_by_reference(session: Session, office: Office, reference: str) -> Complaint:
    reference = (reference or "").strip().upper()
    complaint = session.exec(
        select(Complaint).where(Complaint.office_id == office.id, Complaint.reference == reference)
    ).first()
    if complaint is None:
        raise CxdeskError(f"No complaint {reference or '(empty)'} in this office.")
    return complaint

