"""The periods of the barrier survey: a calendar month ("2026-11") or a federal
fiscal quarter ("FY2027Q1" = October to December 2026), office-local days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from cxdesk.clock import fiscal_quarter
from cxdesk.errors import CxdeskError

MONTH = "month"
QUARTER = "quarter"
PERIOD_KINDS = (MONTH, QUARTER)
PERIOD_KIND_NAMES = {MONTH: "Month", QUARTER: "Fiscal quarter"}

_MONTH_CODE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_CODE = re.compile(r"^FY(\d{4})Q([1-4])$")
_MONTH_NAMES = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
}


@dataclass(frozen=True, order=True)
class BarrierPeriod:
    """One period of the survey: its code, kind and first and last office-local day."""

    start: date
    end: date
    kind: str
    code: str

    def label(self, lang: str = "en") -> str:
        if self.kind == MONTH:
            name = _MONTH_NAMES[lang][self.start.month - 1]
            return f"{name} {self.start.year}" if lang == "en" else f"{name} de {self.start.year}"
        first, last = (_MONTH_NAMES["en"][d.month - 1][:3] for d in (self.start, self.end))
        return f"{self.code[:6]} {self.code[6:]} ({first}–{last} {self.end.year})"

    def previous(self) -> BarrierPeriod:
        return period_of(self.kind, self.start - timedelta(days=1))

    def next(self) -> BarrierPeriod:
        return period_of(self.kind, self.end + timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def period_of(kind: str, day: date) -> BarrierPeriod:
    """The period of ``kind`` that holds the office-local ``day``."""
    if kind == MONTH:
        start = day.replace(day=1)
        end = _month_start(start, 1) - timedelta(days=1)
        return BarrierPeriod(start, end, MONTH, f"{start:%Y-%m}")
    if kind == QUARTER:
        fy, quarter = fiscal_quarter(day)
        start = date(fy - 1, 10, 1)
        start = _month_start(start, 3 * (quarter - 1))
        end = _month_start(start, 3) - timedelta(days=1)
        return BarrierPeriod(start, end, QUARTER, f"FY{fy}Q{quarter}")
    raise CxdeskError(f"The barrier survey period is a month or a quarter, not {kind!r}.")


def parse_period(code: str) -> BarrierPeriod:
    """"2026-11" (a month) or "FY2027Q1" (a federal fiscal quarter)."""
    text = (code or "").strip().upper()
    month = _MONTH_CODE.match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return period_of(MONTH, date(int(month.group(1)), int(month.group(2)), 1))
    quarter = _QUARTER_CODE.match(text)
    if quarter:
        fy, number = int(quarter.group(1)), int(quarter.group(2))
        return period_of(QUARTER, _month_start(date(fy - 1, 10, 1), 3 * (number - 1)))
    raise CxdeskError(f"A barrier survey period is a month like 2026-11 or a fiscal quarter like "
                      f"FY2027Q1, not {code!r}.")


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
