"""The complaints list as CSV rows: the least personal data by default, contact
columns only for a supervisor who asks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from cxdesk.errors import CxdeskError
from cxdesk.reports.complaint_queue import QueueRow
from cxdesk.store.models import Complaint, ComplaintContact, Office, Staff
from cxdesk.vocab import SUPERVISOR

CSV_COLUMNS = ("reference", "office", "received_at", "received_day", "received_via", "category", "urgency",
               "state", "track", "assigned_to", "acknowledge_due", "resolution_due", "next_due", "due_status",
               "acknowledged_at", "resolved_at", "closed_at", "extensions", "customer_accepted", "service",
               "segment", "linked_to_visit")
CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email", "contact_language")


def csv_records(session: Session, office: Office, rows: Sequence[QueueRow],
                contact_viewer: Staff | None = None) -> list[dict[str, str]]:
    """One flat record per queue row, for CSV. Free text stays out (the least
    personal data); contact columns only when a supervisor asks for them."""
    if contact_viewer is not None and contact_viewer.role != SUPERVISOR:
        raise CxdeskError("Only a supervisor can export contact details.")
    ids = [row.id for row in rows]
    complaints = {c.id: c for c in session.exec(select(Complaint).where(col(Complaint.id).in_(ids)))} if ids else {}
    contacts = {}
    if contact_viewer is not None and ids:
        contacts = {c.complaint_id: c for c in session.exec(
            select(ComplaintContact).where(col(ComplaintContact.complaint_id).in_(ids)))}

    def stamp(value: datetime | None) -> str:
        return value.isoformat(timespec="seconds") if value else ""

    records = []
    for row in rows:
        c = complaints[row.id]
        record = {
            "reference": c.reference, "office": office.code, "received_at": stamp(c.received_at),
            "received_day": c.day.isoformat(), "received_via": c.received_via, "category": c.category,
            "urgency": c.urgency, "state": c.state, "track": c.track or "", "assigned_to": row.assigned_code or "",
            "acknowledge_due": c.acknowledge_due.isoformat(), "resolution_due": c.resolution_due.isoformat(),
            "next_due": c.next_due.isoformat() if c.next_due else "", "due_status": row.due.status,
            "acknowledged_at": stamp(c.acknowledged_at), "resolved_at": stamp(c.resolved_at),
            "closed_at": stamp(c.closed_at), "extensions": str(c.extensions),
            "customer_accepted": "" if c.customer_accepted is None else ("yes" if c.customer_accepted else "no"),
            "service": c.service or "", "segment": c.segment or "",
            "linked_to_visit": "yes" if c.visit_id else "no",
        }
        if contact_viewer is not None:
            contact = contacts.get(c.id)
            record.update({
                "contact_name": contact.name if contact else "", "contact_phone": contact.phone if contact else "",
                "contact_email": contact.email if contact else "",
                "contact_language": contact.language if contact else "",
            })
        records.append(record)
    return records

