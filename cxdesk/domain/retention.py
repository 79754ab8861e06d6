"""Personal data kept only as long as needed: the office's retention setting and the
purge that clears what is past it.

What is personal (the same columns the exchange keeps out of a bundle unless a
supervisor releases them): a complainant's contact details, the words of a
complaint (what happened, what they want, the resolution), a visit's note, a
survey comment and typed survey answers. Past retention they are cleared in place
with UPDATEs, never by deleting rows: the counts, dates, services and outcomes stay
for the reports, and the change-tracking triggers stamp every cleared row, so the
next export to headquarters carries it.

Retention runs from when a record was finished with: a complaint's closing (an open
complaint keeps its contact details, the office still has to answer it), a
visit's end, a survey's answer. The complaint trail is never edited: the purge adds
a line to it saying what was removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain import audit
from cxdesk.domain.complaints.trail import append_event
from cxdesk.domain.roles import acting_supervisor
from cxdesk.errors import CxdeskError
from cxdesk.store.models import (
    Complaint,
    ComplaintContact,
    Office,
    RecordKeeping,
    Staff,
    SurveyAnswer,
    SurveyResponse,
    Visit,
)
from cxdesk.vocab import ComplaintState

# What stays where the customer's words were.
REMOVED = "(removed: personal data past the office's retention period)"
MIN_DAYS, MAX_DAYS = 30, 3650
MIN_BACKUPS, MAX_BACKUPS = 1, 90


@dataclass(frozen=True)
class Keeping:
    retention_days: int | None
    backups_kept: int
    backup_at_day_end: bool


def record_keeping(session: Session, office: Office) -> Keeping:
    row = session.get(RecordKeeping, office.id)
    if row is None:
        return Keeping(None, 7, False)
    return Keeping(row.pii_retention_days, row.backups_kept, row.backup_at_day_end)


def _whole(value, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CxdeskError(f"{what}: a whole number from {low} to {high}.") from None
    if not low <= number <= high:
        raise CxdeskError(f"{what}: a whole number from {low} to {high}.")
    return number


def set_record_keeping(session: Session, office: Office, by: Staff, *, retention_days: int | str | None,
                       backups_kept: int | str | None = None, backup_at_day_end: bool | None = None,
                       now: datetime) -> Keeping:
    """A supervisor sets the retention period (None: none) and the backup settings."""
    me = acting_supervisor(session, by, "change how long personal data is kept")
    days = None if retention_days in (None, "") else _whole(retention_days, "Retention in days", MIN_DAYS,
                                                            MAX_DAYS)
    row = session.get(RecordKeeping, office.id) or RecordKeeping(office_id=office.id, changed_at=now)
    if backups_kept is not None:
        row.backups_kept = _whole(backups_kept, "Backups kept", MIN_BACKUPS, MAX_BACKUPS)
    if backup_at_day_end is not None:
        row.backup_at_day_end = bool(backup_at_day_end)
    row.pii_retention_days, row.changed_at, row.changed_by = days, now, me.id
    session.add(row)
    audit.note(session, office.id, me, "retention", f"{days} days" if days else "none",
               f"backups kept {row.backups_kept}, at day end {'yes' if row.backup_at_day_end else 'no'}", now)
    session.commit()
    return record_keeping(session, office)


@dataclass(frozen=True)
class PurgeCount:
    """What a purge cleared (or, with ``dry_run``, would clear)."""

    days: int
    cutoff: datetime
    complaints: int  # closed complaints whose words and contact details were cleared
    contacts: int
    visit_notes: int
    survey_comments: int
    survey_texts: int
    open_complaints_kept: int  # past the cutoff but still open: kept, the office owes an answer

    @property
    def total(self) -> int:
        return self.complaints + self.visit_notes + self.survey_comments + self.survey_texts


def _is_cleared(complaint: Complaint) -> bool:
    return complaint.what_happened == REMOVED and not complaint.has_contact


def purge_personal_data(session: Session, office: Office, by: Staff, *, older_than_days: int | str,
                        now: datetime, dry_run: bool = False) -> PurgeCount:
    """Clear personal data finished with more than ``older_than_days`` days ago.

    A supervisor's action, in one transaction (all or nothing), with a line in
    each complaint's trail and one in the supervisors' audit.
    """
    me = acting_supervisor(session, by, "purge personal data")
    days = _whole(older_than_days, "--pii-older-than (days)", 1, MAX_DAYS)
    cutoff = now - timedelta(days=days)
    complaints = [c for c in session.exec(
        select(Complaint).where(Complaint.office_id == office.id, Complaint.state == ComplaintState.CLOSED,
                                col(Complaint.closed_at) < cutoff)).all() if not _is_cleared(c)]
    open_kept = session.exec(
        select(sa.func.count()).select_from(Complaint).where(
            Complaint.office_id == office.id, Complaint.state != ComplaintState.CLOSED,
            col(Complaint.received_at) < cutoff,
            sa.or_(Complaint.has_contact, Complaint.what_happened != REMOVED))).one()
    ids = [c.id for c in complaints]
    contacts = session.exec(select(ComplaintContact).where(col(ComplaintContact.complaint_id).in_(ids))).all() \
        if ids else []
    contacts = [c for c in contacts if c.name or c.phone or c.email]
    visit_where = (Visit.office_id == office.id, col(Visit.finished_at) < cutoff, col(Visit.note).is_not(None))
    response_ids = select(SurveyResponse.id).where(SurveyResponse.office_id == office.id,
                                                   col(SurveyResponse.answered_at) < cutoff)
    comment_where = (SurveyResponse.office_id == office.id, col(SurveyResponse.answered_at) < cutoff,
                     col(SurveyResponse.comment).is_not(None))
    text_where = (col(SurveyAnswer.response_id).in_(response_ids), col(SurveyAnswer.text).is_not(None))
    count = PurgeCount(
        days=days, cutoff=cutoff, complaints=len(complaints), contacts=len(contacts),
        visit_notes=session.exec(select(sa.func.count()).select_from(Visit).where(*visit_where)).one(),
        survey_comments=session.exec(
            select(sa.func.count()).select_from(SurveyResponse).where(*comment_where)).one(),
        survey_texts=session.exec(select(sa.func.count()).select_from(SurveyAnswer).where(*text_where)).one(),
        open_complaints_kept=open_kept,
    )
    if dry_run:
        session.rollback()
        return count
    for contact in contacts:
        # Cleared, not deleted: an UPDATE is what the change tracking stamps for headquarters.
        contact.name, contact.phone, contact.email = "", "", ""
        session.add(contact)
    for complaint in complaints:
        complaint.what_happened, complaint.wanted = REMOVED, ""
        if complaint.resolution is not None:
            complaint.resolution = REMOVED
        complaint.has_contact = False
        session.add(complaint)
        append_event(session, complaint, me, now, "purge", None, None,
                     f"Contact details and the customer's words removed: closed more than {days} days ago "
                     "(office retention).")
    session.execute(sa.update(Visit).where(*visit_where).values(note=None)
                    .execution_options(synchronize_session=False))
    session.execute(sa.update(SurveyResponse).where(*comment_where).values(comment=None)
                    .execution_options(synchronize_session=False))
    session.execute(sa.update(SurveyAnswer).where(*text_where).values(text=None)
                    .execution_options(synchronize_session=False))
    audit.note(session, office.id, me, "pii_purge", f"older than {days} days",
               f"{count.complaints} complaints ({count.contacts} contacts), {count.visit_notes} visit notes, "
               f"{count.survey_comments} survey comments, {count.survey_texts} typed answers", now)
    session.commit()
    return count


def last_purge(session: Session, office: Office):
    """(when, by whom, detail) of the latest purge, for the supervisor summary; None if never."""
    from cxdesk.store.models import SupervisorAction

    row = session.exec(select(SupervisorAction, Staff.code)
                       .join(Staff, col(SupervisorAction.staff_id) == Staff.id, isouter=True)
                       .where(SupervisorAction.office_id == office.id, SupervisorAction.action == "pii_purge")
                       .order_by(col(SupervisorAction.at).desc()).limit(1)).first()
    return None if row is None else (row[0].at, row[1], row[0].detail)


def day_end_backup(session: Session, office_id, now: datetime):
    """After a sign-out: if the office asks for it and no shift is left open, back up the
    database (SQLite only) into the data folder, keeping the office's number of backups.
    Returns the backup's path, or None. A failed backup never stops a sign-out: it is
    logged, and the next day's sign-out tries again."""
    from cxdesk.store.models import Shift, Station

    row = session.get(RecordKeeping, office_id)
    if row is None or not row.backup_at_day_end:
        return None
    still_open = session.exec(select(Shift.id).join(Station, col(Shift.station_id) == Station.id)
                              .where(Station.office_id == office_id, col(Shift.ended_at).is_(None))).first()
    url = session.get_bind().url
    if still_open is not None or url.get_backend_name() != "sqlite":
        return None
    from cxdesk.store.backup import backup

    try:
        return backup(url.render_as_string(hide_password=False), keep=row.backups_kept,
                      now=now.replace(tzinfo=None)).path
    except CxdeskError as exc:
        from cxdesk.logs import log_unexpected

        log_unexpected(exc, "backup at the end of the day")
        return None
