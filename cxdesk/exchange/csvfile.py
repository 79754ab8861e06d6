"""Writing CSV that opens safely in a spreadsheet, and reading back what we wrote.

Every CSV cxdesk writes goes through here: RFC 4180 quoting, UTF-8, no terminal
control characters, and cells that a spreadsheet would run as a formula
(beginning with = + - @, a tab or a carriage return: the OWASP CSV-injection
rule) prefixed with an apostrophe, which spreadsheets show as text. A cell that
already begins with an apostrophe gets one too, so the rule can be undone
exactly (``restore_cell``): strip one leading apostrophe, and every text comes
back as it was.

Export bundles use the same rule in two forms, both here: ``sql_cell`` builds
each bundle line inside the database (a million rows never pass through Python
one cell at a time), ``encode_cell`` is the same rule in Python. In a bundle a
text cell is always quoted and NULL is an empty unquoted cell, so "" and NULL
stay apart (as PostgreSQL's COPY reads them); ``parse_records`` reads that back.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO

from cxdesk.text import strip_controls

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Prefixed on the way out, so that one leading apostrophe can always be removed on the way in.
NEUTRALISED_STARTS = ("=", "+", "-", "@", "'")
APOSTROPHE = "'"
LINE_END = "\r\n"
# Control characters a bundle cell may not hold (newline is allowed inside quotes).
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def neutralise(text: str) -> str:
    """``text`` without controls, with an apostrophe in front if a spreadsheet
    would run it (or if it already starts with one)."""
    text = strip_controls(text, keep_newlines=True)
    return APOSTROPHE + text if text.startswith(NEUTRALISED_STARTS) else text


def restore_cell(text: str) -> str:
    """Undo ``neutralise``'s apostrophe: exact for every text without controls."""
    return text[1:] if text.startswith(APOSTROPHE) else text


def safe_cell(value: object) -> str:
    """A cell as text a spreadsheet shows and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)  # a number, even a negative one, is not a formula
    # Controls first: "\x1b[0m=HYPERLINK(...)" is a formula once the escape is gone. A
    # formula after leading blanks is caught too (some spreadsheets trim them); a
    # leading apostrophe is doubled so that ``restore_cell`` stays exact.
    text = strip_controls(str(value), keep_newlines=True)
    if text.lstrip(" \n").startswith(FORMULA_STARTS) or text.startswith(APOSTROPHE):
        text = APOSTROPHE + text
    return text


def write_csv(stream: IO[str], columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write a header and the rows (missing keys are empty cells); returns the row count."""
    writer = csv.writer(stream, lineterminator=LINE_END)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
        count += 1
    return count


# --- bundle lines ----------------------------------------------------------------------


def quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def header_line(columns: Sequence[str]) -> str:
    return ",".join(quote(name) for name in columns)


def encode_cell(value: str | None, is_text: bool) -> str:
    """One bundle cell from its stored form: text quoted and neutralised, NULL empty."""
    if value is None:
        return ""
    return quote(neutralise(value)) if is_text else str(value)


def sql_cell(expression: str, kind: str, dialect: str, *, null_as_empty: bool = True) -> str:
    """SQL giving the bundle cell of ``expression`` (a column of ``kind``),
    neutralised like ``encode_cell``; NULL becomes '' (or stays NULL without
    ``null_as_empty``). Controls are left to ``chunk_bytes`` (they cannot be
    typed in, so the database never strips them)."""
    pg = dialect == "postgresql"
    if kind == "json":  # JSON is written as its text (PostgreSQL's json type needs the cast)
        kind, expression = "text", (f"({expression})::text" if pg else expression)
    if kind == "text":
        prefix = f"CASE WHEN {_formula_start(expression, dialect)} THEN '''' ELSE '' END || "
        # The apostrophe goes in front of the escaped text: no prefixed copy is made.
        cell = f"""'"' || {prefix}replace({expression}, '"', '""') || '"'"""
    elif kind == "float":
        # Enough digits that every double comes back exactly (SQLite's own text form keeps 15).
        cell = f"{expression}::text" if pg else f"printf('%!.17g', {expression})"
    elif not pg:
        # SQLite holds every other kind in its bundle form already (see bundle.py).
        cell = f"CAST({expression} AS TEXT)"
    elif kind == "uuid":
        cell = f"replace({expression}::text, '-', '')"
    elif kind == "timestamp":
        cell = f"to_char({expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    elif kind == "date":
        cell = f"to_char({expression}, 'YYYY-MM-DD')"
    elif kind == "bool":
        cell = f"CASE WHEN {expression} THEN '1' WHEN NOT {expression} THEN '0' END"
    else:
        cell = f"{expression}::text"
    return f"coalesce({cell}, '')" if null_as_empty else cell


def _formula_start(expression: str, dialect: str) -> str:
    """SQL that is true when the text starts with one of NEUTRALISED_STARTS."""
    if dialect == "postgresql":
        starts = ", ".join("'" + start.replace("'", "''") + "'" for start in NEUTRALISED_STARTS)
        return f"left({expression}, 1) IN ({starts})"
    # unicode() compares a number: far cheaper in SQLite than substr() IN (...) or GLOB.
    return f"unicode({expression}) IN ({', '.join(str(ord(start)) for start in NEUTRALISED_STARTS)})"


def sql_line(columns: Sequence[tuple[str, str]], dialect: str, alias: str = "t",
             not_null: Collection[str] = ()) -> str:
    """SQL giving one bundle line (without its line end) per row.

    One printf()/format() call builds the whole line (NULL prints as nothing),
    where a chain of ``||`` would copy the growing line once per column.
    ``not_null``: the columns the database declares NOT NULL (see ``_plain_line``).

    On SQLite, where building the lines is nearly all of an export's time, a
    row none of whose texts could need an apostrophe (each is NULL or sorts
    at or after 'A') takes the plain line; the few others take each cell from
    ``sql_cell``. Both give the same line for such a row."""
    if not columns:
        return "''"
    function = "format" if dialect == "postgresql" else "printf"
    cells = ", ".join(sql_cell(f"{alias}.{name}", kind, dialect, null_as_empty=False) for name, kind in columns)
    careful = f"{function}('{','.join(['%s'] * len(columns))}', {cells})"
    if dialect == "postgresql":
        return careful
    texts = [f"{alias}.{name}" for name, kind in columns if kind in ("text", "json")]
    plain = _plain_line(columns, alias, not_null)
    if not texts:
        return plain
    # Before 'A' sort every start in NEUTRALISED_STARTS, an empty text and a number;
    # after X'' every blob but the empty one. A NULL leaves the row plain.
    flagged = " OR ".join(f"{text} NOT BETWEEN 'A' AND X''" for text in texts)
    return f"CASE WHEN {flagged} THEN {careful} ELSE {plain} END"


def _plain_line(columns: Sequence[tuple[str, str]], alias: str, not_null: Collection[str]) -> str:
    """SQLite's line for a row whose texts need no apostrophe: one printf() whose
    format quotes each text with %w (which doubles every double quote, as
    ``quote`` does) and prints the other cells as stored (what CAST AS TEXT
    gives), so most cells cost no function call. %w prints a NULL as (NULL):
    a text column the database does not declare NOT NULL is tested first."""
    form, values = [], []
    for name, kind in columns:
        column = f"{alias}.{name}"
        if kind in ("text", "json") and name in not_null:
            form.append('"%w"')
            values.append(column)
        elif kind in ("text", "json"):
            form.append("%s")
            values.append(f"""CASE WHEN {column} IS NULL THEN '' ELSE printf('"%w"', {column}) END""")
        else:
            form.append("%s")
            values.append(sql_cell(column, kind, "sqlite", null_as_empty=False) if kind == "float" else column)
    return f"printf('{','.join(form)}', {', '.join(values)})"


# Bytes a bundle line may hold as they are: everything but C0 controls and DEL.
# A carriage return is let through only where a line ends (one a line, counted);
# a newline anywhere (inside quotes). C1 controls are two bytes in UTF-8
# (\xc2\x80-\xc2\x9f), found by _C1_UTF8, and only where a byte is not ASCII.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\n" + bytes(range(0x80, 0x100))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
# Cells a bundle writes without quotes: numbers, UUIDs, dates, timestamps.
_BARE = re.compile(r"^[0-9a-f.: +-]+$")


def chunk_bytes(text: str, count: int, kinds: Sequence[str]) -> tuple[bytes, int]:
    """``count`` lines as built by ``sql_line`` and joined by CRLF, as UTF-8 bytes
    ending in CRLF, with control characters taken out of their text cells
    (``clean_lines``). Returns (bytes, cells changed). When nothing is wrong,
    which is always for text typed into cxdesk, the check is one pass in C
    (two where a text is not ASCII)."""
    data = (text + LINE_END).encode("utf-8")
    if (data.translate(None, _PLAIN_BYTES) != b"\r" * count
            or (not data.isascii() and _C1_UTF8.search(data))):
        lines = [",".join(_as_cell(value) for value in record) for record in parse_records(text)]
        cleaned, changed = clean_lines(lines, kinds)
        return (LINE_END.join(cleaned) + LINE_END).encode("utf-8"), changed
    return data, 0


def _as_cell(value: str | None) -> str:
    """A parsed cell written back as it was read (text quoted, NULL empty); digits
    and dates come back unquoted because they never needed quotes."""
    if value is None:
        return ""
    return value if _BARE.match(value) else quote(value)


def clean_lines(lines: Sequence[str], kinds: Sequence[str]) -> tuple[list[str], int]:
    """Lines as built by ``sql_line``, with control characters taken out of their
    text cells (and the apostrophe rule applied after). Returns (lines, cells
    changed). Fast when nothing is wrong: one search over the whole chunk."""
    if not CONTROL.search("\n".join(lines)):
        return list(lines), 0
    cleaned, changed = [], 0
    is_text = [kind in ("text", "json") for kind in kinds]
    for line in lines:
        if not CONTROL.search(line):
            cleaned.append(line)
            continue
        cells = next(iter(parse_records(line)))
        out = []
        for value, text in zip(cells, is_text):
            if text and value is not None:
                fixed = encode_cell(restore_cell(value), True)
                changed += fixed != quote(value)
                out.append(fixed)
            else:
                out.append("" if value is None else value)
        cleaned.append(",".join(out))
    return cleaned, changed


# --- reading bundle CSV ----------------------------------------------------------------

# A quoted field (its "" doubled quotes inside) or an unquoted one, then a comma,
# a CRLF or the end. Unrolled so that a 10 MB field is one linear scan.
_FIELD = re.compile(r'(?:"([^"]*(?:""[^"]*)*)"|([^,"\r\n]*))(,|\r\n|\Z)')


class CsvFormatError(ValueError):
    """The text is not the RFC 4180 CSV a bundle holds; the message says where."""


def parse_records(text: str, max_cell: int | None = None) -> Iterator[list[str | None]]:
    """The records of bundle CSV text: quoted cells as text (quotes undone),
    empty unquoted cells as None, other unquoted cells as they are."""
    position, end, record, line = 0, len(text), [], 1
    while position < end:
        match = _FIELD.match(text, position)
        if match is None or (match.end() == position):
            raise CsvFormatError(f"line {line}: a quote or line break out of place")
        quoted, bare, separator = match.groups()
        if quoted is not None:
            value = quoted.replace('""', '"')
            line += value.count("\n")
        else:
            value = bare or None
        if max_cell is not None and value is not None and len(value) > max_cell:
            raise CsvFormatError(f"line {line}: a cell of {len(value):,} characters (at most {max_cell:,})")
        record.append(value)
        position = match.end()
        if separator == ",":
            if position == end:
                record.append(None)
                yield record
                return
            continue
        if not separator and position < end:
            raise CsvFormatError(f"line {line}: a quote or line break out of place")
        yield record
        record, line = [], line + 1
