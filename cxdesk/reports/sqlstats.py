"""SQL pieces the summary needs on both SQLite and PostgreSQL: office-local hours and
days of stored UTC instants, and percentiles computed inside the database.

PostgreSQL has time zones and ``percentile_cont``; SQLite has neither. There the
local time is the UTC text shifted by the office's offset (a CASE over the
offset changes inside the range asked for), and a percentile is read from a
window-function ranking with ``percentile_cont``'s own interpolation, so both
databases give the same figures for the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cxdesk.store.models import UTCDateTime


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _offsets(zone: ZoneInfo, first: date, last: date) -> list[tuple[datetime | None, int]]:
    """(UTC instant the offset starts, offset in minutes) over first..last, oldest first."""
    start = datetime.combine(first - timedelta(days=1), time(0), tzinfo=timezone.utc)
    end = datetime.combine(last + timedelta(days=2), time(0), tzinfo=timezone.utc)

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
    return spans


def _sqlite_shifted(column, spans: list[tuple[datetime | None, int]], fmt: str):
    def shifted(offset: int):
        return sa.func.strftime(fmt, column, f"{offset:+d} minutes")

    if len(spans) == 1:
        return shifted(spans[0][1])
    whens = [(column < sa.literal(begin, UTCDateTime()), shifted(offset))
             for (_b, offset), (begin, _o) in zip(spans, spans[1:])]
    return sa.case(*whens, else_=shifted(spans[-1][1]))


def local_hour(session: Session, column, zone: ZoneInfo, first: date, last: date):
    """The office-local hour (0-23) of a UTC column, for instants around first..last."""
    if dialect(session) == "postgresql":
        return sa.cast(sa.extract("hour", sa.func.timezone(zone.key, column)), sa.Integer)
    return sa.cast(_sqlite_shifted(column, _offsets(zone, first, last), "%H"), sa.Integer)


def local_date(session: Session, column, zone: ZoneInfo, first: date, last: date):
    """The office-local day of a UTC column as 'YYYY-MM-DD' text (NULL stays NULL)."""
    if dialect(session) == "postgresql":
        return sa.func.to_char(sa.func.timezone(zone.key, column), "YYYY-MM-DD")
    return _sqlite_shifted(column, _offsets(zone, first, last), "%Y-%m-%d")


def by_position(count: int) -> list:
    """GROUP BY 1, 2, ...: an expression with bound parameters (a CASE, a time zone) is
    grouped by where it stands in the SELECT, which PostgreSQL accepts and SQLite too."""
    return [sa.literal_column(str(index)) for index in range(1, count + 1)]


def as_date(value) -> date | None:
    if value is None:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- percentiles ---------------------------------------------------------------------------


def _interpolate(p: float, n: int, lo, hi) -> float | None:
    """``percentile_cont``: the value at position p·(n-1), linear between neighbours."""
    if not n or lo is None:
        return None
    position = p * (n - 1)
    fraction = position - math.floor(position)
    if hi is None or fraction == 0:
        return float(lo)
    return float(lo) + (float(hi) - float(lo)) * fraction


def percentiles(session: Session, value, where: Sequence, group_by: Sequence = (),
                ps: Sequence[float] = (0.5, 0.9), select_from=None) -> dict[tuple, tuple[float | None, ...]]:
    """Continuous percentiles of ``value`` (NULLs left out) per group, computed in SQL.

    Returns {group key tuple: (one figure per p, rounded to 0.1)}; () is the key
    without groups. Groups with no values are absent.
    """
    group_by = list(group_by)
    if dialect(session) == "postgresql":
        query = sa.select(*group_by, *[sa.func.percentile_cont(p).within_group(value) for p in ps])
        if select_from is not None:
            query = query.select_from(select_from)
        query = query.where(*where, value.is_not(None))
        if group_by:
            query = query.group_by(*group_by)
        out = {}
        for row in session.execute(query):
            key = tuple(row[:len(group_by)])
            figures = tuple(None if v is None else round(float(v), 1) for v in row[len(group_by):])
            if any(v is not None for v in figures):
                out[key] = figures
        return out

    labels = [f"g{index}" for index in range(len(group_by))]
    ranked = sa.select(
        *[column.label(label) for column, label in zip(group_by, labels)],
        value.label("v"),
        (sa.func.row_number().over(partition_by=group_by or None, order_by=value) - 1).label("i"),
        sa.func.count().over(partition_by=group_by or None).label("n"),
    )
    if select_from is not None:
        ranked = ranked.select_from(select_from)
    ranked = ranked.where(*where, value.is_not(None)).subquery()
    columns = [ranked.c[label] for label in labels]
    picks = []
    for p in ps:
        lower = sa.cast(sa.literal(p) * (ranked.c.n - 1), sa.Integer)
        picks.append(sa.func.max(sa.case((ranked.c.i == lower, ranked.c.v))))
        picks.append(sa.func.max(sa.case((ranked.c.i == lower + 1, ranked.c.v))))
    # Only the rows at the two ranks each percentile needs reach the aggregate.
    needed = sa.or_(*[ranked.c.i.between(sa.cast(sa.literal(p) * (ranked.c.n - 1), sa.Integer),
                                         sa.cast(sa.literal(p) * (ranked.c.n - 1), sa.Integer) + 1)
                      for p in ps])
    query = sa.select(*columns, sa.func.max(ranked.c.n), *picks).where(needed)
    if columns:
        query = query.group_by(*columns)
    out = {}
    for row in session.execute(query):
        key = tuple(row[:len(columns)])
        n = row[len(columns)]
        values = row[len(columns) + 1:]
        figures = tuple(
            None if (v := _interpolate(p, n, values[2 * k], values[2 * k + 1])) is None else round(v, 1)
            for k, p in enumerate(ps))
        out[key] = figures
    return out
