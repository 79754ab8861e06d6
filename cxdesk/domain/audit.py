"""The supervisors' audit: who did what and when (staff added, PINs reset, settings and
standards changed, personal data exported or purged, a backup restored).

``note`` adds a line to the session; it is committed with the change it records, so
a refused or failed action leaves no line. The table is append-only (triggers).
Lines never hold a PIN or a customer's personal data: the subject is a staff code,
a standard code, a setting's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from cxdesk.clock import utcnow
from cxdesk.domain.roles import require_supervisor
from cxdesk.store.models import Office, Staff, SupervisorAction

# What each action is called where supervisors read the audit.
ACTIONS = {
    "staff_added": "Staff added",
    "staff_active": "Staff activated or deactivated",
    "pin_reset": "PIN reset",
    "signin_unlocked": "Sign-in delay lifted",
    "office_settings": "Office settings changed",
    "station": "Station added or renamed",
    "standard": "Service standard changed",
    "benchmark": "Benchmark changed",
    "barrier_survey": "Barrier survey settings changed",
    "retention": "Retention and backup settings changed",
    "pii_export": "Personal data exported",
    "pii_purge": "Personal data purged",
    "restore": "Database restored from a backup",
}


def note(session: Session, office_id, by: Staff | None, action: str, subject: str = "", detail: str = "",
         now: datetime | None = None) -> None:
    """Add an audit line; the caller's commit writes it with the change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(SupervisorAction(office_id=office_id, at=now or utcnow(), staff_id=by.id if by else None,
                                 action=action, subject=subject[:120], detail=detail[:500]))


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str  # staff code, or "(at the machine)"
    action: str
    subject: str
    detail: str

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)


def audit_lines(session: Session, office: Office, viewer: Staff | None, *, limit: int = 200,
                since: datetime | None = None) -> list[AuditLine]:
    """The newest lines first; supervisors only."""
    require_supervisor(viewer, "read the supervisors' audit")
    query = (select(SupervisorAction, Staff.code).join(Staff, col(SupervisorAction.staff_id) == Staff.id,
                                                       isouter=True)
             .where(SupervisorAction.office_id == office.id))
    if since is not None:
        query = query.where(SupervisorAction.at >= since)
    rows = session.exec(query.order_by(col(SupervisorAction.at).desc()).limit(limit)).all()
    return [AuditLine(row.at, code or "(at the machine)", row.action, row.subject, row.detail)
            for row, code in rows]
