"""The clock is injected: the app and the domain take a ``now()`` callable.

Snapshot tests pass a fixed clock instead of patching time globally.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cxdesk.errors import CxdeskError

Clock = Callable[[], datetime]
# IANA names: America/Chicago, America/Argentina/Buenos_Aires, Etc/GMT+5, UTC. Checked
# before zoneinfo sees them: a name of a thousand slashes makes it recurse until it crashes.
ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]{1,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says ``at`` (which must be timezone-aware)."""
    if at.tzinfo is None:
        raise ValueError("fixed_clock needs a timezone-aware datetime")
    return lambda: at


def office_zone(name: str) -> ZoneInfo:
    try:
        if not ZONE_NAME.fullmatch(name or ""):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        shown = name if len(name or "") <= 64 else name[:64] + "…"
        raise CxdeskError(
            f"Unknown time zone {shown!r}: use an IANA name such as America/Chicago."
        ) from None


def local_day(at: datetime, zone: ZoneInfo) -> date:
    """The office-local calendar day of a UTC instant."""
    return at.astimezone(zone).date()


def fiscal_quarter(day: date) -> tuple[int, int]:
    """Federal fiscal year and quarter: FY2027 Q1 is October to December 2026."""
    fy = day.year + 1 if day.month >= 10 else day.year
    quarter = ((day.month - 10) % 12) // 3 + 1
    return fy, quarter
