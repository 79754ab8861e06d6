"""Working days: Monday to Friday, less US federal holidays (observed), from the holidays library.

Complaint deadlines count in them, and the demo office opens on them.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta


@functools.lru_cache(maxsize=64)
def federal_holidays(year: int) -> frozenset[date]:
    # holidays.US without a state is the federal list (the "public" category),
    # observed days included: July 4 2026 falls on a Saturday, so Friday July 3
    # is the day off.
    import holidays  # ~60 ms to import: only when a deadline or a working day is counted

    return frozenset(holidays.US(years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a US federal holiday (observed)."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (the day of receipt is day 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
