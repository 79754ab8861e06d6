"""Staff, PINs and sign-in.

PINs are kept only as a salted scrypt hash. Five wrong PINs lock the staff code
for a while; a sign-in opens a shift at a station, sign-out closes it. A station
has one open shift at a time: a second sign-in there is refused, saying who holds
it, unless the person signing in confirms that they take it over.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.clock import office_zone
from cxdesk.domain.roles import acting_supervisor
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Office, Shift, Staff, Station, Visit
from cxdesk.text import clean_name
from cxdesk.vocab import ROLES, SUPERVISOR, VisitState

STAFF_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
PIN_PATTERN = re.compile(r"^[0-9]{4,12}$")
MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=15)
# scrypt cost: about 50 ms a check, slow enough to make guessing expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(
        SCRYPT_N, SCRYPT_R, SCRYPT_P,
        base64.b64encode(salt).decode(), base64.b64encode(digest).decode(),
    )


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                            p=int(p), dklen=len(expected))
    return hmac.compare_digest(actual, expected)


def clean_staff_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise CxdeskError("Enter a staff code.")
    if not STAFF_CODE.match(code):
        raise CxdeskError("Staff code: 2 to 16 letters or digits, no spaces.")
    return code


def check_new_pin(pin: str) -> str:
    pin = (pin or "").strip()
    if not PIN_PATTERN.match(pin):
        raise CxdeskError("A PIN is 4 to 12 digits.")
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210":
        raise CxdeskError("That PIN is too easy to guess; avoid repeated or running digits.")
    return pin


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
                  pin_hash=hash_pin(check_new_pin(pin)), created_at=now)
    session.add(staff)
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
    session.commit()
    return staff


def reset_pin(session: Session, staff: Staff, temporary_pin: str, *, by: Staff) -> Staff:
    """A supervisor sets a one-time PIN; the staff member picks a new one at sign-in."""
    acting_supervisor(session, by, "reset a PIN")
    staff.pin_hash = hash_pin(check_new_pin(temporary_pin))
    staff.must_change_pin = True
    staff.failed_pins = 0
    staff.locked_until = None
    session.add(staff)
    session.commit()
    return staff


def change_pin(session: Session, staff: Staff, new_pin: str) -> Staff:
    new_pin = check_new_pin(new_pin)
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


def check_pin(session: Session, office: Office, code: str, pin: str, now: datetime) -> Staff:
    """Verify a PIN with lockout; used for sign-in and for the clerk's PIN on handover."""
    code = clean_staff_code(code)
    staff = session.exec(select(Staff).where(Staff.office_id == office.id, Staff.code == code)).first()
    if staff is None or not staff.active:
        # Same cost and message as a wrong PIN: no hint which codes exist.
        verify_pin(pin or "", hash_pin("0000"))
        raise CxdeskError("Staff code or PIN is not right.")
    if staff.locked_until is not None and staff.locked_until > now:
        raise CxdeskError(_locked_message(session, office, staff, now))
    if not verify_pin((pin or "").strip(), staff.pin_hash):
        staff.failed_pins += 1
        if staff.failed_pins >= MAX_FAILED_PINS:
            staff.locked_until = now + LOCKOUT
            staff.failed_pins = 0
            session.add(staff)
            session.commit()
            raise CxdeskError(_locked_message(session, office, staff, now))
        session.add(staff)
        session.commit()
        left = MAX_FAILED_PINS - staff.failed_pins
        raise CxdeskError(f"Staff code or PIN is not right ({left} tries left before a lock).")
    if staff.failed_pins or staff.locked_until:
        staff.failed_pins = 0
        staff.locked_until = None
        session.add(staff)
        session.commit()
    return staff


# The unlock command for whoever holds the machine's account (issue 9 adds it to the CLI).
UNLOCK_COMMAND = "cxdesk staff unlock"


def _locked_message(session: Session, office: Office, staff: Staff, now: datetime) -> str:
    until = staff.locked_until.astimezone(office_zone(office.timezone)).strftime("%H:%M")
    others = session.exec(select(Staff.id).where(
        Staff.office_id == office.id, Staff.role == SUPERVISOR, Staff.active, Staff.id != staff.id,
        sa.or_(col(Staff.locked_until).is_(None), col(Staff.locked_until) <= now))).first()
    if others is None and staff.role == SUPERVISOR:
        # No other supervisor can unlock: say what works without one.
        return (f"Too many wrong PINs: {staff.code} is locked until {until}. Wait until {until}, or "
                f"whoever holds this computer's account can run: {UNLOCK_COMMAND} {staff.code}")
    return (f"Too many wrong PINs: {staff.code} is locked until {until}. Wait until then, "
            "or ask a supervisor to unlock it (F5 Staff).")


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
    staff = check_pin(session, office, code, pin, now)
    # Locks the station row on PostgreSQL until the commit: two sign-ins at once see each other.
    session.exec(select(Station.id).where(Station.id == station.id).with_for_update()).first()
    holders = session.exec(select(Shift).where(Shift.station_id == station.id,
                                               col(Shift.ended_at).is_(None))).all()
    others = [shift for shift in holders if shift.staff_id != staff.id]
    if others and not take_over:
        holder = session.get(Staff, others[0].staff_id)
        since = others[0].started_at.astimezone(office_zone(office.timezone)).strftime("%H:%M")
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
    """False once the shift was closed elsewhere (taken over at another terminal)."""
    shift = session.get(Shift, signed_in.shift.id)
    if shift is None:
        return False
    session.refresh(shift)
    return shift.ended_at is None


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
