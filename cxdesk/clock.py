"""The clock is injected: the app and the domain take a ``now()`` callable.

Snapshot tests pass a fixed clock instead of patching time globally.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cxdesk.errors import CxdeskError

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says ``at`` (which must be timezone-aware)."""
    if at.tzinfo is None:
        raise ValueError("fixed_clock needs a timezone-aware datetime")
    return lambda: at


def office_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CxdeskError(
            f"Unknown time zone {name!r}: use an IANA name such as America/Chicago."
        ) from None


def local_day(at: datetime, zone: ZoneInfo) -> date:
    """The office-local calendar day of a UTC instant."""
    return at.astimezone(zone).date()


def fiscal_quarter(day: date) -> tuple[int, int]:
    """Federal fiscal year and quarter: FY2027 Q1 is October to December 2026."""
    fy = day.year + 1 if day.month >= 10 else day.year
    quarter = ((day.month - 10) % 12) // 3 + 1
    return fy, quarter
