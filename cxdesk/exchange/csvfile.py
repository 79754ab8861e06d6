"""Writing CSV that opens safely in a spreadsheet.

Every CSV cxdesk writes goes through here: RFC 4180 quoting, UTF-8, no terminal
control characters, and cells that a spreadsheet would run as a formula
(beginning with = + - @, a tab or a carriage return: the OWASP CSV-injection
rule) prefixed with an apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO

from cxdesk.text import strip_controls

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell as text a spreadsheet shows and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)  # a number, even a negative one, is not a formula
    # Controls first: "\x1b[0m=HYPERLINK(...)" is a formula once the escape is gone.
    text = strip_controls(str(value), keep_newlines=True)
    if text.lstrip(" \n").startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def write_csv(stream: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write a header and the rows (missing keys are empty cells); returns the row count."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
        count += 1
    return count
