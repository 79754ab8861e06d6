"""Named periods typed on the command line: a federal fiscal quarter (FY2027Q1 is
October to December 2026) and a calendar month (2026-11), as office-local days."""

from __future__ import annotations

import re
from datetime import date, timedelta

from cxdesk.clock import fiscal_quarter
from cxdesk.errors import CxdeskError

_QUARTER = re.compile(r"^FY(\d{4})\s*Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def quarter_days(text: str) -> tuple[date, date]:
    """First and last day of a fiscal quarter written FY2027Q1."""
    match = _QUARTER.match((text or "").strip())
    if not match:
        raise CxdeskError(f"A quarter is written like FY2027Q1 (October-December 2026), not {text!r}.")
    fiscal_year, quarter = int(match[1]), int(match[2])
    month = (quarter - 1) * 3 + 10  # Q1 starts in October of the year before
    year = fiscal_year - 1
    if month > 12:
        month, year = month - 12, fiscal_year
    start = date(year, month, 1)
    return start, _month_after(start, 3) - timedelta(days=1)


def month_days(text: str) -> tuple[date, date]:
    """First and last day of a month written 2026-11."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise CxdeskError(f"A month is written like 2026-11, not {text!r}.")
    start = date(int(match[1]), int(match[2]), 1)
    return start, _month_after(start, 1) - timedelta(days=1)


def quarter_name(day: date) -> str:
    fiscal_year, quarter = fiscal_quarter(day)
    return f"FY{fiscal_year}Q{quarter}"


def _month_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
