"""Headquarters' quarter report as CSV: the nation, then one line per office (the report's
figures from cxdesk.reports.hq, written through csvfile so it opens safely in a spreadsheet)."""

from __future__ import annotations

import io

from cxdesk.exchange.csvfile import write_csv
from cxdesk.reports.hq import COLUMNS, HqReport, rows


def as_csv(report: HqReport) -> str:
    buffer = io.StringIO()
    write_csv(buffer, COLUMNS + report.extra_columns, rows(report))
    return buffer.getvalue()
