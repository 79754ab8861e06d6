"""What the lobby board writes: the wait estimates it showed, so the office can later see
how often actual waits fell inside them (issue 12; the reading is cxdesk.reports.lobby).

One row each time the range shown for a line changes, and one at least every
RECORD_EVERY while it stays the same, so every arrival can be matched with the estimate
on the board when it came in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from cxdesk.store.models import Office, WaitEstimate

RECORD_EVERY = timedelta(minutes=5)


def record_estimate(session: Session, office: Office, *, line: str, waiting: int, windows_open: int,
                    low: int | None, high: int | None, now: datetime) -> bool:
    """Note the estimate shown for ``line`` at ``now`` if it changed or the last note is
    old; True when a row was written (and committed)."""
    day = office.local_day(now)
    last = session.exec(
        select(WaitEstimate).where(WaitEstimate.office_id == office.id, WaitEstimate.day == day,
                                   WaitEstimate.line == line, WaitEstimate.given_at <= now)
        .order_by(col(WaitEstimate.given_at).desc()).limit(1)
    ).first()
    if last is not None and (last.low_minutes, last.high_minutes) == (low, high) \
            and now - last.given_at < RECORD_EVERY:
        return False
    session.add(WaitEstimate(office_id=office.id, day=day, given_at=now, line=line, waiting=waiting,
                             windows_open=windows_open, low_minutes=low, high_minutes=high))
    session.commit()
    return True
