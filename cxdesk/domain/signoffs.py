"""A supervisor signs off a shift or a day with a note. The sign-off keeps the
period's figures as they stood (visits by state and outcome, waiting and service
seconds, channels, complaints by state) and a fingerprint of them; when a late
change moves any of them (a visit finished after the sign-off, a complaint
resolved), the sign-off reads as reopened, with what changed.

The figures are facts of the period that do not move with the clock (nothing
like "overdue as of today"), so a period left alone stays signed off.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.roles import acting_supervisor
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Complaint, Office, Shift, SignOff, Staff, Visit, VisitChannelOffer
from cxdesk.text import clean_block

SHIFT, DAY = "shift", "day"
NOTE_LIMIT = 1000


def _visit_where(office: Office, day: date, shift_id: uuid.UUID | None) -> list:
    # The same rows as reports.scope for a day or a shift (domain cannot import reports).
    if shift_id is not None:
        return [Visit.shift_id == shift_id]
    return [Visit.office_id == office.id, Visit.day == day]


def _complaint_where(office: Office, day: date, shift_id: uuid.UUID | None) -> list:
    if shift_id is not None:
        return [Complaint.office_id == office.id,
                col(Complaint.visit_id).in_(select(Visit.id).where(Visit.shift_id == shift_id))]
    return [Complaint.office_id == office.id, Complaint.day == day]


def period_figures(session: Session, office: Office, day: date, shift_id: uuid.UUID | None = None) -> dict[str, int]:
    """The figures a sign-off vouches for, by name, from four grouped SQL queries."""
    where = _visit_where(office, day, shift_id)
    figures: dict[str, int] = {}
    for state, n, waited, served_for, holds, transfers, preferred in session.execute(
        sa.select(Visit.state, sa.func.count(), sa.func.sum(Visit.wait_seconds),
                  sa.func.sum(Visit.service_seconds), sa.func.sum(Visit.hold_count),
                  sa.func.count(Visit.transferred_from), sa.func.count(Visit.preferred_channel))
        .where(*where).group_by(Visit.state)
    ):
        figures[f"visits {state}"] = int(n)
        figures[f"waiting seconds, {state}"] = int(waited or 0)
        figures[f"service seconds, {state}"] = int(served_for or 0)
        figures[f"holds, {state}"] = int(holds or 0)
        figures[f"transfers, {state}"] = int(transfers or 0)
        figures[f"preferred channel given, {state}"] = int(preferred or 0)
    for outcome, service, n in session.execute(
        sa.select(Visit.outcome, Visit.service, sa.func.count())
        .where(*where, col(Visit.outcome).is_not(None)).group_by(Visit.outcome, Visit.service)
    ):
        figures[f"outcome {outcome}, {service}"] = int(n)
    figures["channels offered"] = int(session.execute(
        sa.select(sa.func.count()).select_from(VisitChannelOffer)
        .join(Visit, Visit.id == VisitChannelOffer.visit_id).where(*where)).scalar_one())
    for state, n, acknowledged, resolved in session.execute(
        sa.select(Complaint.state, sa.func.count(), sa.func.count(Complaint.acknowledged_at),
                  sa.func.count(Complaint.resolved_at))
        .where(*_complaint_where(office, day, shift_id)).group_by(Complaint.state)
    ):
        figures[f"complaints {state}"] = int(n)
        figures[f"complaints acknowledged, {state}"] = int(acknowledged)
        figures[f"complaints resolved, {state}"] = int(resolved)
    return {name: value for name, value in sorted(figures.items()) if value}


def fingerprint(figures: dict[str, int]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    figure: str
    before: int
    after: int

    def __str__(self) -> str:
        return f"{self.figure}: {self.before} → {self.after}"


@dataclass(frozen=True)
class SignOffStatus:
    """The latest sign-off of a period, and whether the period has changed since."""

    id: uuid.UUID
    kind: str
    day: date
    shift_id: uuid.UUID | None
    note: str
    signed_by_code: str
    signed_by_name: str
    signed_at: datetime
    reopened: bool
    changes: tuple[Change, ...]
    earlier: int  # sign-offs of the same period before this one

    @property
    def mark(self) -> str:
        return "⚠ REOPENED" if self.reopened else "✔ SIGNED OFF"


def _changes(before: dict[str, int], after: dict[str, int]) -> tuple[Change, ...]:
    names = sorted(set(before) | set(after))
    return tuple(Change(n, before.get(n, 0), after.get(n, 0)) for n in names if before.get(n, 0) != after.get(n, 0))


def _period_key(kind: str, shift_id: uuid.UUID | None) -> list:
    if kind == SHIFT:
        return [SignOff.kind == SHIFT, SignOff.shift_id == shift_id]
    return [SignOff.kind == DAY]


def signoff_status(session: Session, office: Office, kind: str, day: date,
                   shift_id: uuid.UUID | None = None) -> SignOffStatus | None:
    """The latest sign-off of a day or a shift, compared with the figures now."""
    rows = session.execute(
        select(SignOff, Staff.code, Staff.name).join(Staff, Staff.id == SignOff.signed_by)
        .where(SignOff.office_id == office.id, SignOff.day == day, *_period_key(kind, shift_id))
        .order_by(col(SignOff.signed_at).desc())
    ).all()
    if not rows:
        return None
    latest, code, name = rows[0]
    now_figures = period_figures(session, office, day, shift_id if kind == SHIFT else None)
    reopened = fingerprint(now_figures) != latest.fingerprint
    changes = _changes(dict(latest.figures or {}), now_figures) if reopened else ()
    return SignOffStatus(latest.id, latest.kind, latest.day, latest.shift_id, latest.note, code, name,
                         latest.signed_at, reopened, changes, len(rows) - 1)


def sign_off(session: Session, office: Office, by: Staff, *, kind: str, day: date | None = None,
             shift_id: uuid.UUID | None = None, note: str = "", now: datetime) -> SignOff:
    """Sign off a day or a shift (supervisors only). A period signed off and unchanged
    since is refused; a reopened one can be signed off again."""
    by = acting_supervisor(session, by, "sign off a shift or a day")
    note = clean_block(note, "The note", NOTE_LIMIT)
    if kind == SHIFT:
        shift = session.get(Shift, shift_id) if shift_id else None
        staff = session.get(Staff, shift.staff_id) if shift else None
        if shift is None or staff is None or staff.office_id != office.id:
            raise CxdeskError("Pick a shift of this office to sign off.")
        day = office.local_day(shift.started_at)
    elif kind == DAY:
        if day is None:
            raise CxdeskError("Pick the day to sign off.")
        shift_id = None
    else:
        raise CxdeskError("A sign-off is for a shift or a day.")
    if day > office.local_day(now):
        raise CxdeskError("A day can be signed off once it has begun, not before.")
    current = signoff_status(session, office, kind, day, shift_id)
    if current is not None and not current.reopened:
        raise CxdeskError(f"Already signed off by {current.signed_by_code} on "
                          f"{current.signed_at.astimezone(office.zone):%d %b %Y %H:%M}; nothing has changed since.")
    figures = period_figures(session, office, day, shift_id)
    signoff = SignOff(office_id=office.id, kind=kind, day=day, shift_id=shift_id, note=note,
                      signed_by=by.id, signed_at=now, fingerprint=fingerprint(figures), figures=figures)
    session.add(signoff)
    session.commit()
    return signoff
