"""Wrong PINs slow down one staff code at one place; they never lock anybody out.

After ``FREE_TRIES`` wrong PINs in a row for a staff code at a station, the
next try there must wait ``FIRST_WAIT``, and every further wrong PIN doubles
the wait up to ``LONGEST_WAIT``. The same code at another station is not
slowed, so someone hammering one keyboard cannot keep the only supervisor out
of the office. Codes are counted as typed: an unknown code is slowed exactly
like a known one, so the delay says nothing about which codes exist.

A supervisor clears a delay from the staff screen (F5); whoever holds the
machine's account can run ``cxdesk staff unlock CODE``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cxdesk.domain.roles import acting_supervisor
from cxdesk.store.models import Office, SignInDelay, Staff

FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
# Wrong PINs older than this are forgotten: yesterday's typos do not slow today.
FORGET_AFTER = timedelta(hours=12)
# Sign-ins that come from no station (the command line, a kiosk's staff key).
NO_STATION = ""


def _row(session: Session, office: Office, code: str, place: str) -> SignInDelay | None:
    return session.get(SignInDelay, (office.id, code, place))


def current_wait(session: Session, office: Office, code: str, place: str, now: datetime) -> datetime | None:
    """Until when a try for ``code`` at ``place`` must wait, or None."""
    row = _row(session, office, code, place)
    if row is None or row.wait_until is None or row.wait_until <= now:
        return None
    return row.wait_until


def wait_after(failures: int) -> timedelta | None:
    """The wait after ``failures`` wrong PINs in a row: none, then 30 s doubling to 15 min."""
    if failures < FREE_TRIES:
        return None
    doublings = min(failures - FREE_TRIES, 10)
    return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)


def record_failure(session: Session, office: Office, code: str, place: str, now: datetime) -> datetime | None:
    """Count a wrong PIN; returns until when the next try must wait (None: no wait yet)."""
    for _attempt in range(2):
        row = _row(session, office, code, place)
        if row is None:
            row = SignInDelay(office_id=office.id, staff_code=code, place=place, failures=0,
                              last_failure_at=now)
        elif row.last_failure_at < now - FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = wait_after(row.failures)
        row.wait_until = now + wait if wait else None
        session.add(row)
        # Rows of codes nobody has mistyped for a while go, so made-up codes
        # cannot fill the table.
        session.execute(sa.delete(SignInDelay).where(SignInDelay.office_id == office.id,
                                                     SignInDelay.last_failure_at < now - FORGET_AFTER))
        try:
            session.commit()
        except IntegrityError:
            # Two wrong PINs for the same code and place at the same instant: count again.
            session.rollback()
            continue
        return row.wait_until
    return None


def forget(session: Session, office: Office, code: str, place: str | None = None) -> int:
    """Clear the wrong-PIN count of ``code`` at ``place`` (every place if None); the caller commits.

    Returns how many places had one.
    """
    query = sa.delete(SignInDelay).where(SignInDelay.office_id == office.id, SignInDelay.staff_code == code)
    if place is not None:
        query = query.where(SignInDelay.place == place)
    return session.execute(query).rowcount or 0


def waiting_codes(session: Session, office: Office, now: datetime) -> dict[str, datetime]:
    """Staff codes that must wait somewhere now, and until when (for the staff screen)."""
    rows = session.exec(
        select(SignInDelay.staff_code, sa.func.max(SignInDelay.wait_until))
        .where(SignInDelay.office_id == office.id, SignInDelay.wait_until > now)
        .group_by(SignInDelay.staff_code)
    ).all()
    return {code: until for code, until in rows}


def unlock(session: Session, office: Office, by: Staff, code: str) -> int:
    """A supervisor clears the sign-in delay of ``code`` at every station."""
    acting_supervisor(session, by, "clear a sign-in delay")
    cleared = forget(session, office, code)
    from cxdesk.domain import audit

    audit.note(session, office.id, by, "signin_unlocked", code)
    session.commit()
    return cleared


def unlock_from_machine(session: Session, office: Office, code: str) -> int:
    """``cxdesk staff unlock``: no PIN asked, because whoever can run commands on the
    machine's account can read and change the database file anyway."""
    cleared = forget(session, office, code)
    from cxdesk.domain import audit

    audit.note(session, office.id, None, "signin_unlocked", code, "from the command line")
    session.commit()
    return cleared


def wait_words(until: datetime, now: datetime) -> str:
    """'30 seconds', '2 minutes': how long until the next try."""
    seconds = max(int((until - now).total_seconds() + 0.999), 1)
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"
