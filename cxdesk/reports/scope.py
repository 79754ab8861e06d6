"""Which visits and complaints a summary covers: a shift, a day, a week or a federal fiscal
quarter, optionally one station. Shared by the summary and the standards' results.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from cxdesk.errors import CxdeskError
from cxdesk.reports.periods import parse_quarter, quarter_days
from cxdesk.store.models import Complaint, Office, Shift, Staff, Station, Visit

PERIOD_KINDS = ("shift", "day", "week", "quarter")


@dataclass(frozen=True)
class Scope:
    """A period and the rows in it. ``start``..``end`` are office-local days."""

    kind: str  # shift | day | week | quarter
    start: date
    end: date
    label: str
    office_id: uuid.UUID
    shift_id: uuid.UUID | None = None
    station_id: uuid.UUID | None = None
    station_code: str | None = None

    def visits(self) -> list:
        """Conditions on Visit: arrivals in the period (a shift: the visits it called)."""
        if self.shift_id is not None:
            where = [Visit.shift_id == self.shift_id]
        else:
            where = [Visit.office_id == self.office_id, Visit.day >= self.start, Visit.day <= self.end]
        if self.station_id is not None:
            where.append(Visit.station_id == self.station_id)
        return where

    def complaints(self) -> list:
        """Conditions on Complaint: received in the period; for a shift or a station, those
        about its visits."""
        where = [Complaint.office_id == self.office_id]
        if self.shift_id is not None or self.station_id is not None:
            where.append(col(Complaint.visit_id).in_(select(Visit.id).where(*self.visits())))
        if self.shift_id is None:
            where += [Complaint.day >= self.start, Complaint.day <= self.end]
        return where


def _station(session: Session, office: Office, code: str | None) -> Station | None:
    if not code:
        return None
    code = code.strip().upper()
    station = session.exec(
        select(Station).where(Station.office_id == office.id, Station.code == code, Station.active)
    ).first()
    if station is None:
        raise CxdeskError(f"No station {code[:12]!r} in this office.")
    return station


def day_scope(office: Office, day: date, station: Station | None = None) -> Scope:
    return Scope("day", day, day, f"{day:%a %d %b %Y}", office.id,
                 station_id=station.id if station else None, station_code=station.code if station else None)


def resolve_scope(session: Session, office: Office, kind: str, today: date, *, day: date | None = None,
                  quarter: str | None = None, station_code: str | None = None,
                  shift_id: uuid.UUID | None = None) -> Scope:
    """The scope a supervisor asked for; a sentence if it cannot be found."""
    if kind not in PERIOD_KINDS:
        raise CxdeskError(f"Unknown period '{kind}' (one of: {', '.join(PERIOD_KINDS)}).")
    if quarter and kind != "quarter":
        raise CxdeskError("--quarter goes with --period quarter.")
    if quarter and day:
        raise CxdeskError("Give a date or a quarter, not both.")
    station = _station(session, office, station_code)
    code = station.code if station else None
    sid = station.id if station else None
    suffix = f" · station {code}" if code else ""
    day = day or today
    if kind == "day":
        return Scope("day", day, day, f"{day:%a %d %b %Y}{suffix}", office.id, station_id=sid, station_code=code)
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
        return Scope("week", start, end, f"Week of {start:%d %b %Y}{suffix}", office.id,
                     station_id=sid, station_code=code)
    if kind == "quarter":
        fy, q = parse_quarter(quarter) if quarter else _quarter_of(day)
        start, end = quarter_days(fy, q)
        return Scope("quarter", start, end, f"FY{fy} Q{q} ({start:%d %b %Y} – {end:%d %b %Y}){suffix}",
                     office.id, station_id=sid, station_code=code)
    shift = _pick_shift(session, office, day, shift_id, station)
    return shift_scope(session, office, shift)


def _quarter_of(day: date) -> tuple[int, int]:
    from cxdesk.clock import fiscal_quarter

    return fiscal_quarter(day)


@dataclass(frozen=True)
class ShiftChoice:
    """A shift as the supervisor picks it from a list."""

    id: uuid.UUID
    staff_code: str
    staff_name: str
    station_code: str
    started_at: datetime
    ended_at: datetime | None


def shifts_on(session: Session, office: Office, day: date) -> list[ShiftChoice]:
    """The shifts that started on an office-local day, earliest first."""
    zone = office.zone
    begin = datetime.combine(day, datetime.min.time(), zone)
    end = begin + timedelta(days=1)
    rows = session.execute(
        select(Shift, Staff.code, Staff.name, Station.code)
        .join(Staff, Staff.id == Shift.staff_id).join(Station, Station.id == Shift.station_id)
        .where(Staff.office_id == office.id, Shift.started_at >= begin, Shift.started_at < end)
        .order_by(Shift.started_at, Station.code)
    ).all()
    return [ShiftChoice(shift.id, code, name, station, shift.started_at, shift.ended_at)
            for shift, code, name, station in rows]


def _pick_shift(session: Session, office: Office, day: date, shift_id: uuid.UUID | None,
                station: Station | None) -> Shift:
    if shift_id is not None:
        shift = session.get(Shift, shift_id)
        staff = session.get(Staff, shift.staff_id) if shift else None
        if shift is None or staff is None or staff.office_id != office.id:
            raise CxdeskError("That shift is not in this office's records.")
        return shift
    choices = shifts_on(session, office, day)
    if station is not None:
        choices = [c for c in choices if c.station_code == station.code]
    if not choices:
        where = f" at station {station.code}" if station else ""
        raise CxdeskError(f"No shift started on {day:%a %d %b %Y}{where}.")
    if len(choices) > 1:
        listed = ", ".join(f"{c.station_code} {c.staff_code}" for c in choices)
        raise CxdeskError(f"{len(choices)} shifts on {day:%d %b %Y} ({listed}): pick one with --station CODE.")
    return session.get(Shift, choices[0].id)


def shift_scope(session: Session, office: Office, shift: Shift) -> Scope:
    staff = session.get(Staff, shift.staff_id)
    station = session.get(Station, shift.station_id)
    zone = office.zone
    start = office.local_day(shift.started_at)
    end = office.local_day(shift.ended_at) if shift.ended_at else start
    until = f"{shift.ended_at.astimezone(zone):%H:%M}" if shift.ended_at else "now"
    label = (f"Shift of {staff.code} {staff.name} at {station.code}, "
             f"{shift.started_at.astimezone(zone):%a %d %b %Y %H:%M}–{until}")
    return Scope("shift", start, end, label, office.id, shift_id=shift.id)
