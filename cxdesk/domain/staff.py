"""Staff, PINs and sign-in.

PINs are kept only as a salted scrypt hash (``cxdesk.domain.pins``). Wrong PINs
slow one staff code at one station (``cxdesk.domain.signin_delays``); nobody is
locked out. A sign-in opens a shift at a station, sign-out closes it. A station
has one open shift at a time: a second sign-in there is refused, saying who holds
it, unless the person signing in confirms that they take it over.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain import audit, signin_delays
# check_new_pin, hash_pin and verify_pin were defined here once; older imports still work.
from cxdesk.domain.pins import (  # noqa: F401
    check_new_pin,
    hash_pin,
    needs_rehash,
    strong_enough,
    verify_pin,
)
from cxdesk.domain.roles import acting_supervisor
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Office, Shift, Staff, Station, Visit, bound
from cxdesk.text import clean_name
from cxdesk.vocab import ROLES, SUPERVISOR, VisitState

STAFF_CODE = re.compile(r"[A-Z0-9]{2,16}")
WRONG = "Staff code or PIN is not right."


def clean_staff_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise CxdeskError("Enter a staff code.")
    if not STAFF_CODE.fullmatch(code):
        raise CxdeskError("Staff code: 2 to 16 letters or digits, no spaces.")
    return code


def add_staff(session: Session, office: Office, by: Staff | None, *, code: str, name: str, role: str,
              pin: str, now: datetime, commit: bool = True) -> Staff:
    """Add a staff member. ``by`` is the supervisor doing it; None only for the
    first supervisor, made by the first-run setup of an office with no staff yet."""
    if by is None:
        if session.exec(select(Staff.id).where(Staff.office_id == office.id)).first() is not None:
            raise CxdeskError("Only a supervisor can add staff.")
    else:
        acting_supervisor(session, by, "add staff")
    if role not in ROLES:
        raise CxdeskError(f"Role must be clerk or supervisor, not {role!r}.")
    code = clean_staff_code(code)
    if session.exec(select(Staff).where(Staff.office_id == office.id, Staff.code == code)).first():
        raise CxdeskError(f"Staff code {code} is already taken.")
    staff = Staff(office_id=office.id, code=code, name=clean_name(name, "Name"), role=role,
                  pin_hash=hash_pin(check_new_pin(pin, role)), created_at=now)
    session.add(staff)
    if by is not None:
        audit.note(session, office.id, by, "staff_added", code, f"role {role}", now)
    if commit:
        session.commit()
    else:
        session.flush()
    return staff


def list_staff(session: Session, office: Office) -> list[Staff]:
    return list(session.exec(select(Staff).where(Staff.office_id == office.id).order_by(Staff.code)))


def get_staff(session: Session, office: Office, code: str) -> Staff:
    code = clean_staff_code(code)
    staff = session.exec(select(Staff).where(Staff.office_id == office.id, Staff.code == code)).first()
    if staff is None:
        raise CxdeskError(f"No staff member {code}.")
    return staff


def set_active(session: Session, staff: Staff, active: bool, *, by: Staff) -> Staff:
    acting_supervisor(session, by, "activate or deactivate staff")
    if staff.id == by.id and not active:
        raise CxdeskError("You cannot deactivate yourself.")
    if not active and staff.role == SUPERVISOR:
        others = session.exec(select(Staff).where(
            Staff.office_id == staff.office_id, Staff.role == SUPERVISOR, Staff.active,
            Staff.id != staff.id)).first()
        if others is None:
            raise CxdeskError("The office needs at least one active supervisor.")
    staff.active = active
    session.add(staff)
    audit.note(session, staff.office_id, by, "staff_active", staff.code, "activated" if active else "deactivated")
    session.commit()
    return staff


def reset_pin(session: Session, staff: Staff, temporary_pin: str, *, by: Staff) -> Staff:
    """A supervisor sets a one-time PIN; the staff member picks a new one at sign-in."""
    acting_supervisor(session, by, "reset a PIN")
    staff.pin_hash = hash_pin(check_new_pin(temporary_pin, staff.role))
    staff.must_change_pin = True
    session.add(staff)
    office = session.get(Office, staff.office_id)
    signin_delays.forget(session, office, staff.code)
    audit.note(session, office.id, by, "pin_reset", staff.code, "a one-time PIN, to be changed at sign-in")
    session.commit()
    return staff


def change_pin(session: Session, staff: Staff, new_pin: str) -> Staff:
    new_pin = check_new_pin(new_pin, staff.role)
    if verify_pin(new_pin, staff.pin_hash):
        raise CxdeskError("Choose a PIN different from the one you were given.")
    staff.pin_hash = hash_pin(new_pin)
    staff.must_change_pin = False
    session.add(staff)
    session.commit()
    return staff


@dataclass(frozen=True)
class SignedIn:
    """Who is at which station, in which shift."""

    staff: Staff
    station: Station
    shift: Shift

    @property
    def is_supervisor(self) -> bool:
        return self.staff.role == SUPERVISOR


def check_pin(session: Session, office: Office, code: str, pin: str, now: datetime,
              *, place: str = signin_delays.NO_STATION) -> Staff:
    """The staff member whose code and PIN these are; used for sign-in and wherever a
    PIN unlocks something. ``place`` is the station code (wrong PINs are counted per
    code and station).

    An unknown code, an inactive one, a wrong PIN and a try during a wait all cost
    one PIN hash and read the same for known and unknown codes.
    """
    code = clean_staff_code(code)
    staff = session.exec(select(Staff).where(Staff.office_id == office.id, Staff.code == code)).first()
    usable = staff is not None and staff.active
    wait = signin_delays.current_wait(session, office, code, place, now)
    right = verify_pin((pin or "").strip(), staff.pin_hash if usable else None)
    if wait is not None:
        raise CxdeskError(_wait_message(code, wait, now))
    if not (usable and right):
        wait = signin_delays.record_failure(session, office, code, place, now)
        raise CxdeskError(WRONG if wait is None else f"{WRONG} {_wait_message(code, wait, now)}")
    changed = signin_delays.forget(session, office, code, place) > 0
    pin = (pin or "").strip()
    if needs_rehash(staff.pin_hash):
        # A hash from an older, cheaper cost: today's cost from now on.
        staff.pin_hash, changed = hash_pin(pin), True
    if staff.role == SUPERVISOR and not staff.must_change_pin and not strong_enough(pin, SUPERVISOR):
        # A supervisor PIN from before the 8-digit rule: choose a longer one now.
        staff.must_change_pin, changed = True, True
    if changed:
        session.add(staff)
        session.commit()
    return staff


# The recovery when no supervisor can clear a delay (the only one is the one waiting):
# whoever holds the machine's account runs it; file access is the authority.
UNLOCK_COMMAND = "cxdesk staff unlock"


def _wait_message(code: str, until: datetime, now: datetime) -> str:
    # The same words whether or not the code exists: a message must not tell codes apart.
    return (f"Too many wrong tries for {code} here: wait {signin_delays.wait_words(until, now)} "
            "before the next one, sign in at another station, or ask a supervisor (F5 Staff). "
            f"If no supervisor can: whoever holds this computer's account can run {UNLOCK_COMMAND} {code}")


def unlock(session: Session, office: Office, by: Staff, code: str) -> int:
    """A supervisor clears the sign-in delay of ``code`` (F5)."""
    return signin_delays.unlock(session, office, by, clean_staff_code(code))


class StationTaken(CxdeskError):
    """Someone else has an open shift at the station: signing in again takes it over."""

    def __init__(self, message: str, holder_code: str) -> None:
        super().__init__(message)
        self.holder_code = holder_code


def open_shift_at(session: Session, station: Station) -> Shift | None:
    """The shift open at the station now, if any."""
    return session.exec(
        select(Shift).where(Shift.station_id == station.id, col(Shift.ended_at).is_(None))
        .order_by(col(Shift.started_at).desc())
    ).first()


def sign_in(session: Session, office: Office, *, code: str, pin: str, station: Station,
            now: datetime, take_over: bool = False) -> SignedIn:
    """Check the PIN, then open a shift at the station.

    One open shift per station: another person's open shift there is refused with
    their name (``StationTaken``) unless ``take_over``, which closes it. The same
    person's own open shift there (left open by a crash) is closed without asking.
    """
    staff = check_pin(session, office, code, pin, now, place=station.code)
    # Locks the station row on PostgreSQL until the commit: two sign-ins at once see each other.
    session.exec(select(Station.id).where(Station.id == station.id).with_for_update()).first()
    holders = session.exec(select(Shift).where(Shift.station_id == station.id,
                                               col(Shift.ended_at).is_(None))).all()
    others = [shift for shift in holders if shift.staff_id != staff.id]
    if others and not take_over:
        holder = session.get(Staff, others[0].staff_id)
        since = others[0].started_at.astimezone(office.zone).strftime("%H:%M")
        session.rollback()
        raise StationTaken(
            f"{station.name} is signed in by {holder.code} ({holder.name}) since {since}. "
            "Sign in again to take it over (their shift is closed), or choose another station.",
            holder.code)
    for shift in holders:
        shift.ended_at = now
        session.add(shift)
    shift = Shift(staff_id=staff.id, station_id=station.id, started_at=now)
    session.add(shift)
    session.commit()
    return SignedIn(staff=staff, station=station, shift=shift)


def shift_is_open(session: Session, signed_in: SignedIn) -> bool:
    """False once the shift was closed elsewhere (taken over at another terminal).

    Asked of the database itself, not of a Shift the session may hold: one query on
    every counter read (issue 16)."""
    row = session.execute(_shift_query(), {"shift": signed_in.shift.id}).first()
    return row is not None and row.ended_at is None


@functools.cache
def _shift_query():
    # Built once: asked on every counter read.
    return select(Shift.id, Shift.ended_at).where(Shift.id == bound("shift", Shift.id))


def sign_out(session: Session, signed_in: SignedIn, now: datetime) -> None:
    """Close the shift. Customers transferred to this station and still waiting for it go
    to the head of the office line: nobody waits for a window nobody staffs."""
    shift = session.get(Shift, signed_in.shift.id)
    if shift is not None and shift.ended_at is None:
        shift.ended_at = now
        session.add(shift)
        if open_shift_at(session, signed_in.station) in (None, shift):
            session.execute(
                sa.update(Visit).where(Visit.station_id == signed_in.station.id,
                                       Visit.state == VisitState.WAITING)
                .values(station_id=None))
        session.commit()
        from cxdesk.domain.retention import day_end_backup

        day_end_backup(session, signed_in.station.office_id, now)  # the office's setting; never blocks


def change_own_pin(session: Session, office: Office, staff_id, *, old_pin: str, new_pin: str,
                   new_pin_again: str, now: datetime) -> Staff:
    """A staff member changes their own PIN: the current one, then the new one twice."""
    staff = session.get(Staff, staff_id)
    if staff is None or staff.office_id != office.id or not staff.active:
        raise CxdeskError("No such staff member.")
    try:
        # Counts like a PIN at sign-in: the same lock protects both.
        check_pin(session, office, staff.code, old_pin, now)
    except CxdeskError as exc:
        raise CxdeskError(f"Current PIN: {exc}") from None
    if (new_pin or "").strip() != (new_pin_again or "").strip():
        raise CxdeskError("The two new PINs differ.")
    new_pin = check_new_pin(new_pin)
    if verify_pin(new_pin, staff.pin_hash):
        raise CxdeskError("The new PIN is the same as the current one.")
    staff.pin_hash = hash_pin(new_pin)
    staff.must_change_pin = False
    session.add(staff)
    session.commit()
    return staff
