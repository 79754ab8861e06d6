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


def percentiles(session: Session, values: Sequence, where: Sequence, group_by: Sequence = (),
                ps: Sequence[float] = (0.5, 0.9)) -> dict[tuple, tuple[tuple[float | None, ...], ...]]:
    """Continuous percentiles of each of ``values`` (NULLs left out) per group, in one query.

    Returns {group key tuple: ((one figure per p) per value)}, rounded to 0.1; () is
    the key without groups. Groups where every value is NULL are absent.
    """
    group_by = list(group_by)
    width = len(group_by)
    some_value = sa.or_(*[value.is_not(None) for value in values])
    if dialect(session) == "postgresql":
        query = sa.select(*group_by, *[sa.func.percentile_cont(p).within_group(value) for value in values for p in ps])
        query = query.where(*where, some_value)
        if group_by:
            query = query.group_by(*group_by)
        rows = [(tuple(row[:width]), [None if v is None else float(v) for v in row[width:]])
                for row in session.execute(query)]
    else:
        labels = [f"g{index}" for index in range(width)]
        partition = group_by or None
        columns = [column.label(label) for column, label in zip(group_by, labels)]
        for j, value in enumerate(values):
            columns += [
                value.label(f"v{j}"),
                # NULLs sort last, so the non-NULL values hold ranks 0..n-1.
                (sa.func.row_number().over(partition_by=partition, order_by=[value.is_(None), value]) - 1).label(f"i{j}"),
                sa.func.count(value).over(partition_by=partition).label(f"n{j}"),
            ]
        ranked = sa.select(*columns).where(*where, some_value).subquery()
        groups = [ranked.c[label] for label in labels]
        picks = []
        for j in range(len(values)):
            v, i, n = ranked.c[f"v{j}"], ranked.c[f"i{j}"], ranked.c[f"n{j}"]
            picks.append(sa.func.max(n))
            for p in ps:
                lower = sa.cast(sa.literal(p) * (n - 1), sa.Integer)
                picks.append(sa.func.max(sa.case((i == lower, v))))
                picks.append(sa.func.max(sa.case((i == lower + 1, v))))
        query = sa.select(*groups, *picks)
        if groups:
            query = query.group_by(*groups)
        rows = []
        step = 1 + 2 * len(ps)
        for row in session.execute(query):
            figures = []
            for j in range(len(values)):
                n, *pairs = row[width + j * step: width + (j + 1) * step]
                figures += [_interpolate(p, n, pairs[2 * k], pairs[2 * k + 1]) for k, p in enumerate(ps)]
            rows.append((tuple(row[:width]), figures))
    out = {}
    for key, figures in rows:
        rounded = [None if v is None else round(v, 1) for v in figures]
        if any(v is not None for v in rounded):
            out[key] = tuple(tuple(rounded[j * len(ps):(j + 1) * len(ps)]) for j in range(len(values)))
    return out
