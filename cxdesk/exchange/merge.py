"""Loading a checked bundle into the central database, inside the caller's transaction.

PostgreSQL: COPY each file into a temporary table, check every cell in one pass
per table (controls, formula cells not neutralised, lengths, dates), check that
every row belongs to the bundle's office, then merge each table with one
INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE the stored version is
lower: set-based, never row by row. SQLite (a small trial): the same checks in
Python while parsing, then the same merge statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa

from cxdesk.domain.barrier.answers import MIN_GROUP
from cxdesk.errors import CxdeskError
from cxdesk.exchange import csvfile
from cxdesk.exchange.files import text_of
from cxdesk.exchange.tables import JSON, TABLES, TEXT_KINDS, Exported, all_columns
from cxdesk.store.models import SQLModel

COPY_BLOCK = 1 << 20
WITHHELD = {"text": "''", "int": "0", "bool": "false", "float": "0"}
# A JSON cell (a sign-off's figures) has no length in the schema: this is its limit.
JSON_LIMIT = 1 << 20

_KIND_PATTERNS = {
    "uuid": re.compile(r"^[0-9a-f]{32}$"),
    "int": re.compile(r"^-?[0-9]{1,18}$"),
    "float": re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"),
    "bool": re.compile(r"^[01]$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "timestamp": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$"),
}
_FORMULA_FIRST = ("=", "+", "-", "@")


class Refused(Exception):
    """A bundle that is not ingested; the message is the reason."""


def load(conn: sa.Connection, office_id: str, listed: list[dict], files) -> int:
    """Check and merge the bundle's tables; returns the rows inserted or replaced. Raises Refused."""
    if conn.dialect.name == "postgresql":
        return _load_postgresql(conn, office_id, listed, files)
    return _load_sqlite(conn, office_id, listed, files)


def _ordered(tables: list[dict]) -> list[tuple[Exported, dict]]:
    listed = {table["name"]: table for table in tables}
    return [(entry, listed[entry.name]) for entry in TABLES if entry.name in listed]


def _limits(entry: Exported) -> dict[str, int | None]:
    table = SQLModel.metadata.tables[entry.name]
    kinds = dict(all_columns(entry.name))
    return {column.name: JSON_LIMIT if kinds[column.name] == JSON else getattr(column.type, "length", None)
            for column in table.columns}


def _owner(entry: Exported) -> tuple[str, str | None]:
    """(column, parent table) naming the office a row belongs to; parent None: the column is the office id."""
    if entry.owner is not None:
        return entry.owner
    return ("id" if entry.name == "office" else "office_id"), None


# --- PostgreSQL: COPY into staging, check, merge -----------------------------------------------


def _load_postgresql(conn: sa.Connection, office_id: str, tables: list[dict], files) -> int:
    conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
    cursor = conn.connection.driver_connection.cursor()
    ordered = _ordered(tables)
    for entry, table in ordered:
        stage = f"stage_{entry.name}"
        columns = ", ".join(f'"{c}" text' for c in table["columns"])
        cursor.execute(f"CREATE TEMP TABLE {stage} ({columns}) ON COMMIT DROP")
        try:
            with cursor.copy(f"COPY {stage} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, \
                    files.stream(table["file"]) as handle:
                while block := handle.read(COPY_BLOCK):
                    copy.write(block)
        except Exception as exc:  # psycopg errors, zip CRC errors: all mean "refused"
            raise Refused(f"{table['file']}: {first_line(exc)}") from None
        if cursor.rowcount != table["rows"]:
            raise Refused(f"{table['file']} holds {cursor.rowcount:,} rows; the manifest says {table['rows']:,}")
        # Statistics, so the checks and the merge join staged rows by hash, not row by row.
        cursor.execute(f"ANALYZE {stage}")
        _check_staged_postgresql(cursor, entry, table, office_id)
    written = 0
    for entry, table in ordered:
        try:
            cursor.execute(_merge_sql(entry, table["columns"], "postgresql"))
        except Exception as exc:  # a cast or constraint failure in this table
            raise Refused(f"{table['file']}: {first_line(exc)}") from None
        written += max(cursor.rowcount, 0)
    return written


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__).rstrip(".")


def _check_staged_postgresql(cursor, entry: Exported, table: dict, office_id: str) -> None:
    """Every cell check in one pass over the staged rows (types are checked by the casts of the merge)."""
    kinds = dict(all_columns(entry.name))
    limits = _limits(entry)
    problems = []
    texts = [f'"{column}"' for column in table["columns"] if kinds[column] in TEXT_KINDS]
    if texts:
        problems.append((f"concat_ws(chr(10), {', '.join(texts)}) ~ '[\\x01-\\x09\\x0b-\\x1f\\x7f-\\x9f]'",
                         "a cell holds a control character"))
    for column in table["columns"]:
        ref = f'"{column}"'
        if kinds[column] in TEXT_KINDS:
            problems.append((f"left({ref}, 1) IN ('=', '+', '-', '@')",
                             f"a {column} cell looks like a spreadsheet formula and was not neutralised"))
            if limits.get(column):
                problems.append((f"length({ref}) > {limits[column] + 1}",
                                 f"a {column} cell is longer than {limits[column]:,} characters"))
        elif kinds[column] in ("timestamp", "date"):
            # PostgreSQL would also read 'now', 'today' or 'infinity': only digits are dates here.
            problems.append((f"ascii({ref}) NOT BETWEEN 48 AND 57", f"a {column} cell is not a {kinds[column]}"))
    if problems:
        # One pass over the staged rows answers every question at once.
        cursor.execute(f"SELECT {', '.join(f'coalesce(bool_or({condition}), false)' for condition, _ in problems)} "
                       f"FROM stage_{entry.name}")
        for failed, (_condition, reason) in zip(cursor.fetchone(), problems):
            if failed:
                raise Refused(f"{table['file']}: {reason}")
    if entry.anonymous is not None and entry.anonymous[1] is None:
        cursor.execute(_small_groups_sql(entry, f"stage_{entry.name}"))
        if cursor.fetchone() is not None:
            raise Refused(_SMALL_GROUP.format(file=table["file"]))
    column, parent = _owner(entry)
    if parent is None:
        cursor.execute(f'SELECT 1 FROM stage_{entry.name} WHERE "{column}" <> %s LIMIT 1', (office_id,))
        if cursor.fetchone() is not None:
            raise Refused(f"{table['file']}: a row belongs to another office")
        return
    staged_parent = (f'AND NOT EXISTS (SELECT 1 FROM stage_{parent} q WHERE q.id = s."{column}")'
                     if _staged(cursor, parent) else "")
    cursor.execute(f'SELECT 1 FROM stage_{entry.name} s WHERE NOT EXISTS (SELECT 1 FROM {parent} p '
                   f'WHERE p.id = s."{column}"::uuid AND p.office_id = %s::uuid) {staged_parent} LIMIT 1',
                   (office_id,))
    if cursor.fetchone() is not None:
        raise Refused(f"{table['file']}: a row belongs to another office, or to a {parent} "
                      "headquarters does not have")


_SMALL_GROUP = ("{file}: a period with fewer than " + str(MIN_GROUP) + " answers, which could identify "
                "who answered (the barrier survey's answers travel only in groups of " + str(MIN_GROUP) + " or more)")


def _small_groups_sql(entry: Exported, source: str) -> str:
    """A row if some period of anonymous answers has fewer than MIN_GROUP of them."""
    period = entry.anonymous[0]
    return f'SELECT 1 FROM {source} GROUP BY "{period}" HAVING count(*) < {MIN_GROUP} LIMIT 1'


def _staged(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (f"pg_temp.stage_{table}",))
    return bool(cursor.fetchone()[0])


def _value_sql(column: str, kind: str, dialect: str) -> str:
    ref = f's."{column}"'
    if kind in TEXT_KINDS:
        first = f"left({ref}, 1)" if dialect == "postgresql" else f"substr({ref}, 1, 1)"
        text = f"CASE WHEN {first} = '''' THEN substr({ref}, 2) ELSE {ref} END"
        return f"({text})::json" if kind == JSON and dialect == "postgresql" else text
    if dialect != "postgresql":
        return ref
    casts = {"uuid": "uuid", "timestamp": "timestamptz", "date": "date", "bool": "boolean", "int": "bigint",
             "float": "double precision"}
    return f"{ref}::{casts[kind]}"


def _merge_sql(entry: Exported, columns: Sequence[str], dialect: str, source: str | None = None) -> str:
    """INSERT the staged rows; a row already there is replaced only by a higher version.
    Columns the bundle withholds keep what headquarters has (or a neutral value for a new row)."""
    kinds = dict(all_columns(entry.name))
    table = SQLModel.metadata.tables[entry.name]
    withheld = [column for column in table.columns
                if column.name not in columns and not column.nullable]
    names = [*columns, *(column.name for column in withheld)]
    values = [_value_sql(c, kinds[c], dialect) for c in columns]
    values += [WITHHELD.get(kinds[column.name], "NULL") if dialect == "postgresql"
               else {"text": "''", "int": "0", "bool": "0", "float": "0"}.get(kinds[column.name], "NULL")
               for column in withheld]
    key = ", ".join(entry.key)
    target = ", ".join(f'"{n}"' for n in names)
    select = f"SELECT {', '.join(values)} FROM {source or 'stage_' + entry.name} s WHERE true"
    if entry.append_only:
        return f"INSERT INTO {entry.name} ({target}) {select} ON CONFLICT ({key}) DO NOTHING"
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in entry.key)
    return (f"INSERT INTO {entry.name} ({target}) {select} ON CONFLICT ({key}) DO UPDATE SET {updates} "
            f"WHERE {entry.name}.{entry.changed_by} < excluded.{entry.changed_by}")


# --- SQLite (a small trial): parse and check in Python, then the same merge ---------------------


def _load_sqlite(conn: sa.Connection, office_id: str, tables: list[dict], files) -> int:
    raw = conn.connection.driver_connection
    written = 0
    staged: set[str] = set()
    for entry, table in _ordered(tables):
        columns = table["columns"]
        kinds = dict(all_columns(entry.name))
        limits = _limits(entry)
        max_cell = max([limits.get(c) or 0 for c in columns] + [64]) + 1
        try:
            text = text_of(files.read(table["file"]), table["file"])
            records = csvfile.parse_records(text, max_cell=max_cell)
            next(records)  # the header, checked already
            rows = [_checked_row(record, columns, kinds, limits, table["file"]) for record in records]
        except csvfile.CsvFormatError as exc:
            raise Refused(f"{table['file']}: {exc}") from None
        except CxdeskError as exc:
            raise Refused(str(exc)) from None
        if len(rows) != table["rows"]:
            raise Refused(f"{table['file']} holds {len(rows):,} rows; the manifest says {table['rows']:,}")
        stage = f"stage_{entry.name}"
        raw.execute(f"DROP TABLE IF EXISTS temp.{stage}")
        raw.execute(f"CREATE TEMP TABLE {stage} ({', '.join(f'{chr(34)}{c}{chr(34)} text' for c in columns)})")
        raw.executemany(f"INSERT INTO {stage} VALUES ({', '.join('?' for _ in columns)})", rows)
        staged.add(entry.name)
        if entry.anonymous is not None and entry.anonymous[1] is None:
            if raw.execute(_small_groups_sql(entry, stage)).fetchone() is not None:
                raise Refused(_SMALL_GROUP.format(file=table["file"]))
        column, parent = _owner(entry)
        if parent is None:
            bad = raw.execute(f'SELECT 1 FROM {stage} WHERE "{column}" <> ? LIMIT 1', (office_id,)).fetchone()
        else:
            also = f'AND s."{column}" NOT IN (SELECT id FROM stage_{parent})' if parent in staged else ""
            bad = raw.execute(f'SELECT 1 FROM {stage} s WHERE s."{column}" NOT IN '
                              f'(SELECT id FROM {parent} WHERE office_id = ?) {also} LIMIT 1', (office_id,)).fetchone()
        if bad is not None:
            raise Refused(f"{table['file']}: a row belongs to another office, or to a record "
                          "headquarters does not have")
    for entry, table in _ordered(tables):
        try:
            cursor = raw.execute(_merge_sql(entry, table["columns"], "sqlite"))
        except Exception as exc:  # a constraint failure in this table
            raise Refused(f"{table['file']}: {first_line(exc)}") from None
        written += max(cursor.rowcount, 0)
    for name in staged:
        raw.execute(f"DROP TABLE IF EXISTS temp.stage_{name}")
    return written


def _checked_row(record, columns, kinds, limits, file: str) -> list:
    if len(record) != len(columns):
        raise CxdeskError(f"{file}: a row has {len(record)} cells, the header {len(columns)}")
    for value, column in zip(record, columns):
        if value is None:
            continue
        kind = kinds[column]
        if kind in TEXT_KINDS:
            if csvfile.CONTROL.search(value):
                raise CxdeskError(f"{file}: a {column} cell holds a control character")
            if value.startswith(_FORMULA_FIRST):
                raise CxdeskError(f"{file}: a {column} cell looks like a spreadsheet formula and was not "
                                  "neutralised")
            if limits.get(column) and len(value) > limits[column] + 1:
                raise CxdeskError(f"{file}: a {column} cell is longer than {limits[column]:,} characters")
        elif not _KIND_PATTERNS[kind].match(value):
            raise CxdeskError(f"{file}: a {column} cell is not a {kind}")
    return record
