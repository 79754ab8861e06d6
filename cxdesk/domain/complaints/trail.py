"""A complaint's audit trail: append-only (database triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from cxdesk.store.models import Complaint, ComplaintEvent, Staff


def append_event(session: Session, complaint: Complaint, who: Staff, now: datetime, kind: str,
                 from_value: str | None, to_value: str | None, note: str = "",
                 seq: int | None = None) -> None:
    """Add a line to the trail; the caller commits it with the change it records."""
    if seq is None:
        current = session.exec(
            select(sa.func.max(ComplaintEvent.seq)).where(ComplaintEvent.complaint_id == complaint.id)
        ).one()
        seq = (current or 0) + 1
    session.add(ComplaintEvent(complaint_id=complaint.id, seq=seq, at=now, staff_id=who.id, kind=kind,
                               from_value=from_value, to_value=to_value, note=note))


def record_personal_export(session: Session, complaint_ids, who: Staff, now: datetime, bundle: str) -> int:
    """A line in the trail of each complaint whose personal details left for
    headquarters in an export a supervisor released (``cxdesk export --include-pii``)."""
    count = 0
    for complaint_id in complaint_ids:
        complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            continue
        append_event(session, complaint, who, now, "export", None, None,
                     f"Personal details sent to headquarters in export bundle {bundle}.")
        count += 1
    session.commit()
    return count
