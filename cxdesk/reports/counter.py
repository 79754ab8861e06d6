"""What the counter screen reads besides the line: the station's last finished
visits and today's headline numbers. Read-only, one SQL query each.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.store.models import Office, Station, Visit, bound
from cxdesk.vocab import VisitState

DONE, NO_SHOW, LEFT, IN_LINE = VisitState.DONE, VisitState.NO_SHOW, VisitState.LEFT, VisitState.IN_LINE


# The counter reads these on every refresh: each statement is built once, over bind
# parameters (building one cost more than running it; issue 16, the line's re-read).


@functools.cache
def _recent_query():
    return (select(Visit).where(Visit.office_id == bound("office", Visit.office_id),
                                Visit.day == bound("day", Visit.day),
                                Visit.station_id == bound("station", Visit.station_id),
                                col(Visit.state).in_((DONE, NO_SHOW)))
            .order_by(col(Visit.finished_at).desc()).limit(sa.bindparam("limit")))


def recent_finished(session: Session, office: Office, station: Station, now: datetime,
                    limit: int = 8) -> Sequence[Visit]:
    """The station's last finished visits today, newest first (for the counter screen)."""
    return session.exec(_recent_query(), params={"office": office.id, "day": office.local_day(now),
                                                 "station": station.id, "limit": limit}).all()


@dataclass(frozen=True)
class DayCounts:
    waiting: int
    served: int
    no_shows: int
    left: int
    average_wait_seconds: float | None
    longest_wait_seconds: int | None


@functools.cache
def _counts_query():
    return select(
        sa.func.sum(sa.case((col(Visit.state).in_(IN_LINE), 1), else_=0)),
        sa.func.sum(sa.case((Visit.state == DONE, 1), else_=0)),
        sa.func.sum(sa.case((Visit.state == NO_SHOW, 1), else_=0)),
        sa.func.sum(sa.case((Visit.state == LEFT, 1), else_=0)),
        sa.func.avg(Visit.wait_seconds),
        sa.func.max(Visit.wait_seconds),
    ).where(Visit.office_id == bound("office", Visit.office_id), Visit.day == bound("day", Visit.day))


def day_counts(session: Session, office: Office, now: datetime) -> DayCounts:
    """Today's headline numbers for the counter's status bar (one SQL aggregate)."""
    row = session.execute(_counts_query(), {"office": office.id, "day": office.local_day(now)}).one()
    return DayCounts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0),
                     float(row[4]) if row[4] is not None else None,
                     int(row[5]) if row[5] is not None else None)
