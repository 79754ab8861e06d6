"""SQL pieces the summary needs on both SQLite and PostgreSQL: office-local hours and
days of stored UTC instants; and ``percentile_cont`` for values read from either.

PostgreSQL has time zones; SQLite has none. There the local time is the UTC text
shifted by the office's offset (a CASE over the offset changes inside the range
asked for), so both databases give the same figures for the same rows.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cxdesk.store.models import UTCDateTime


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@functools.lru_cache(maxsize=64)
def _offsets(zone: ZoneInfo, first: date, last: date) -> tuple[tuple[datetime | None, int], ...]:
    """(UTC instant the offset starts, offset in minutes) over first..last, oldest first.
    Remembered: a summary asks for the same range several times."""
    start = datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), time(0), tzinfo=UTC)

    def minutes(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds() // 60)

    spans: list[tuple[datetime | None, int]] = [(None, minutes(start))]
    step = timedelta(minutes=15)  # every zone's offsets change on a quarter hour
    at = start
    while at < end:
        # Whole days first: offsets change at most a few times a year.
        day_end = at + timedelta(days=1)
        if minutes(day_end) == spans[-1][1]:
            at = day_end
            continue
        while at < day_end:
            at += step
            offset = minutes(at)
            if offset != spans[-1][1]:
                spans.append((at, offset))
        at = day_end
    return tuple(spans)


def _by_offset(column, spans: tuple[tuple[datetime | None, int], ...], shifted):
    """``shifted(offset)`` under the offset in force at ``column``'s instant (a CASE when the
    offset changes inside the range)."""
    if len(spans) == 1:
        return shifted(spans[0][1])
    whens = [(column < sa.literal(begin, UTCDateTime()), shifted(offset))
             for (_b, offset), (begin, _o) in itertools.pairwise(spans)]
    return sa.case(*whens, else_=shifted(spans[-1][1]))


def _sqlite_hour(column, spans: tuple[tuple[datetime | None, int], ...]):
    # SQLite holds an instant as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's format,
    # and the only one the exchange accepts): the local hour is arithmetic on its digits,
    # the minute of the day shifted by the offset and wrapped into the day. strftime()
    # parses the whole text and costs twice as much over a quarter's visits.
    minute = (sa.cast(sa.func.substr(column, 12, 2), sa.Integer) * 60
              + sa.cast(sa.func.substr(column, 15, 2), sa.Integer))
    return _by_offset(column, spans, lambda offset: (minute + (offset + 1440)) % 1440 // 60)


def local_hour(session: Session, column, zone: ZoneInfo, first: date, last: date):
    """The office-local hour (0-23) of a UTC column, for instants around first..last."""
    if dialect(session) == "postgresql":
        return sa.cast(sa.extract("hour", sa.func.timezone(zone.key, column)), sa.Integer)
    return _sqlite_hour(column, _offsets(zone, first, last))


def local_date(session: Session, column, zone: ZoneInfo, first: date, last: date):
    """The office-local day of a UTC column as 'YYYY-MM-DD' text (NULL stays NULL)."""
    if dialect(session) == "postgresql":
        return sa.func.to_char(sa.func.timezone(zone.key, column), "YYYY-MM-DD")
    return _by_offset(column, _offsets(zone, first, last),
                      lambda offset: sa.func.strftime("%Y-%m-%d", column, f"{offset:+d} minutes"))


def by_position(count: int) -> list:
    """GROUP BY 1, 2, ...: an expression with bound parameters (a CASE, a time zone) is
    grouped by where it stands in the SELECT, which PostgreSQL accepts and SQLite too."""
    return [sa.literal_column(str(index)) for index in range(1, count + 1)]


def as_date(value) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- percentiles ---------------------------------------------------------------------------


def percentile_cont(ordered: Sequence[float], p: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: the value at position p·(n-1) of the values in
    ascending order, linear between neighbours; None for no values.

    A period's values are read once and sorted here: one read serves every grouping
    (the office, each service, each clerk, each station), on SQLite and PostgreSQL alike.
    """
    if not ordered:
        return None
    position = p * (len(ordered) - 1)
    lower = math.floor(position)
    fraction = position - lower
    if fraction == 0:
        return float(ordered[lower])
    return float(ordered[lower]) + (float(ordered[lower + 1]) - float(ordered[lower])) * fraction


def median_and_p90(values: list) -> tuple[float | None, float | None]:
    """Median and 90th percentile of ``values`` (sorted in place), each rounded to 0.1."""
    values.sort()
    return tuple(None if v is None else round(v, 1) for v in (percentile_cont(values, 0.5),
                                                                  percentile_cont(values, 0.9)))
