"""How times and waits read on screen: office-local clock times, whole minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# Waits past this are flagged with a symbol and a word, not only a colour. The counter
# passes the waiting-time standard in force (reports.standards.long_wait_minutes);
# this is only the fallback before it has been read.
LONG_WAIT = timedelta(hours=1)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def clock_time(at: datetime | None, zone: str) -> str:
    return at.astimezone(_zone(zone)).strftime("%H:%M") if at else "–"


def minutes(seconds: float | int) -> str:
    return f"{int(round(seconds / 60))} min"


def wait_text(delta: timedelta, long_after: timedelta = LONG_WAIT) -> str:
    text = minutes(max(delta.total_seconds(), 0))
    return f"⚠ {text} LONG" if delta >= long_after else text
