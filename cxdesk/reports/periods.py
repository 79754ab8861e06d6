"""The periods a supervisor reports on, office-local: days, weeks, months and federal fiscal quarters.

FY2027 Q1 is October to December 2026.
"""

from __future__ import annotations

from datetime import date, timedelta

from cxdesk.errors import CxdeskError

# The periods a supervisor picks from, office-local; quarters are federal fiscal quarters.
PERIODS = {
    "today": "Today",
    "week": "This week",
    "month": "This month",
    "quarter": "This quarter",
    "last_quarter": "Last quarter",
    "fiscal_year": "Fiscal year",
}


def period_days(period: str, today: date) -> tuple[date, date]:
    """First and last office-local day of ``period`` around ``today``."""
    if period == "today":
        return today, today
    if period == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = today.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    # Fiscal quarters start in October, January, April and July.
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    if period == "quarter":
        return quarter_start, _months_later(quarter_start, 3) - timedelta(days=1)
    if period == "last_quarter":
        start = _months_later(quarter_start, -3)
        return start, quarter_start - timedelta(days=1)
    if period == "fiscal_year":
        start = date(today.year if today.month >= 10 else today.year - 1, 10, 1)
        return start, date(start.year + 1, 9, 30)
    raise CxdeskError(f"Unknown period '{period}' (one of: {', '.join(PERIODS)}).")


def _months_later(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_days(fiscal_year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a federal fiscal quarter: FY2027 Q1 is 1 Oct – 31 Dec 2026."""
    if quarter not in (1, 2, 3, 4):
        raise CxdeskError("A fiscal quarter is Q1 to Q4.")
    start = _months_later(date(fiscal_year - 1, 10, 1), 3 * (quarter - 1))
    return start, _months_later(start, 3) - timedelta(days=1)


def parse_quarter(text: str) -> tuple[int, int]:
    """'FY2027Q1' (also 'FY2027 Q1', '2027Q1') -> (2027, 1)."""
    cleaned = (text or "").strip().upper().replace(" ", "").removeprefix("FY")
    year, _, quarter = cleaned.partition("Q")
    if not (year.isdigit() and len(year) == 4 and quarter in ("1", "2", "3", "4")):
        raise CxdeskError(f"A fiscal quarter looks like FY2027Q1, not {text!r}.")
    return int(year), int(quarter)
