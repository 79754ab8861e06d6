"""Export bundles for headquarters: writing one from an office database, opening one.

A bundle is a folder or a .zip holding ``manifest.json``, its Ed25519 signature
``manifest.sig``, and one UTF-8 CSV per table of ``exchange.tables.TABLES``
(header row, RFC 4180, CRLF). The manifest lists every file with its columns,
row count and SHA-256, so the signature covers every byte.

Cells: text always quoted, neutralised for spreadsheets (``csvfile``); NULL an
empty unquoted cell; UUIDs 32 lowercase hex digits; timestamps UTC
``YYYY-MM-DD HH:MM:SS.ffffff``; dates ``YYYY-MM-DD``; booleans 1/0. These are
SQLite's stored forms, so an SQLite office writes its rows as they are, with
each line built by one SQL expression; a PostgreSQL office formats to match.

The export reads one consistent snapshot and changes nothing it reads; the
caller records it in the ledger afterwards (``record_export``).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from cxdesk.domain.barrier.answers import MIN_GROUP
from cxdesk.domain.barrier.periods import parse_period
from cxdesk.errors import CxdeskError
from cxdesk.exchange import csvfile, signing
from cxdesk.exchange.csvfile import LINE_END
from cxdesk.exchange.tables import BY_NAME, TABLES, Exported
from cxdesk.store import tracking
from cxdesk.store.db import Database
from cxdesk.store.models import ExportLedger, Office, OfficeKey, Staff, Station

FORMAT = "cxdesk-exchange"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
# Rows a query brings at a time: an export's memory is a few copies of one chunk, so a small
# chunk keeps it flat whatever the database's size (20,000 rows came to 1.56x the memory of a
# 10,000-visit office on a million visits; 5,000 to about 1.0x, in the same time).
CHUNK_ROWS = 5_000
# Private to the person who exports: a bundle with --include-pii holds contact details.
FILE_MODE = 0o600
DIR_MODE = 0o700

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Selection:
    """What an export carries: ``changes`` since the last export (the default),
    ``all`` rows, or the rows of a ``period`` of office-local days (start..end inclusive)."""

    kind: str
    start: date | None = None
    end: date | None = None

    @property
    def advances(self) -> bool:
        """Whether the next incremental export starts after this one."""
        return self.kind in ("changes", "all")

    def describe(self) -> str:
        if self.kind == "period":
            return f"records of {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"
        return "every record" if self.kind == "all" else "changes since the last export"


@dataclass
class ExportResult:
    bundle_id: uuid.UUID
    path: Path
    office_code: str
    selection: Selection
    after_version: int
    through_version: int
    rows: dict[str, int] = field(default_factory=dict)
    complaint_ids: list[uuid.UUID] = field(default_factory=list)
    cleaned_cells: int = 0
    include_pii: bool = False

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- reading the office database in one snapshot ----------------------------------------


class _Snapshot:
    """One read-only transaction: every query sees the same moment."""

    def __init__(self, db: Database):
        self.dialect = db.engine.dialect.name
        self.db = db

    @contextmanager
    def open(self) -> Iterator[_Snapshot]:
        if self.dialect == "postgresql":
            with self.db.engine.connect() as conn:
                self.through = tracking.high_water(conn)
                conn.commit()
            with self.db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
                self.conn = conn
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                try:
                    yield self
                finally:
                    conn.rollback()
        else:
            raw = self.db.engine.raw_connection()
            try:
                self.sqlite = raw.driver_connection
                # WAL: the snapshot starts at the first read of this transaction.
                self.sqlite.execute("BEGIN")
                self.through = int(self.sqlite.execute("SELECT value FROM exchangeclock WHERE id = 1").fetchone()[0])
                try:
                    yield self
                finally:
                    self.sqlite.rollback()
            finally:
                raw.close()

    def chunks(self, sql: str, params: dict) -> Iterator[list[tuple]]:
        if self.dialect == "postgresql":
            used = {name: value for name, value in params.items() if f":{name}" in sql}
            result = self.conn.execute(sa.text(sql).execution_options(yield_per=CHUNK_ROWS), used)
            yield from (list(part) for part in result.partitions(CHUNK_ROWS))
        else:
            cursor = self.sqlite.execute(sql, params)
            while rows := cursor.fetchmany(CHUNK_ROWS):
                yield rows

    def line_chunks(self, table: str, line: str, where: str, params: dict,
                    order: Sequence[str] = ()) -> Iterator[tuple[str, int]]:
        """(lines joined by CRLF, how many) of ``table``'s rows, a chunk at a time.

        SQLite joins each chunk itself (group_concat over a rowid window), so a
        million rows never become a million Python strings. ``order``: columns
        to write the rows in (a table without a rowid; small ones only)."""
        if self.dialect == "postgresql" or order:
            by = f" ORDER BY {', '.join(f't.{name}' for name in order)}" if order else ""
            for rows in self.chunks(f"SELECT {line} FROM {table} t WHERE {where}{by}", params):
                yield LINE_END.join(row[0] for row in rows), len(rows)
            return
        sql = (f"SELECT group_concat(line, char(13, 10)), count(*), max(rid) FROM "
               f"(SELECT {line} AS line, t.rowid AS rid FROM {table} t WHERE ({where}) AND t.rowid > :after "
               f"ORDER BY t.rowid LIMIT {CHUNK_ROWS})")
        after = -(2**63)
        while True:
            text, count, last = self.sqlite.execute(sql, params | {"after": after}).fetchone()
            if not count:
                return
            yield text, count
            after = last

    def not_null(self, table: str) -> frozenset[str]:
        """The columns of ``table`` the database declares NOT NULL (SQLite; asked of
        the file, not the models: only a constraint the database enforces promises
        that no row holds a NULL there)."""
        if self.dialect == "postgresql":
            return frozenset()
        return frozenset(row[1] for row in self.sqlite.execute(f"PRAGMA table_info({table})") if row[3])

    def grouped(self, sql: str) -> list[tuple]:
        return [tuple(row) for rows in self.chunks(sql, {}) for row in rows]

    def scalar(self, sql: str, params: dict):
        for rows in self.chunks(sql, params):
            return rows[0][0] if rows else None
        return None


def _param(value, dialect: str):
    """A date or instant as the snapshot's driver compares it with stored values."""
    if dialect == "postgresql":
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def _where(entry: Exported, selection: Selection, alias: str = "t", released: Sequence[str] = ()) -> str:
    """Which rows of ``entry`` the selection takes; parameters :lo :hi :start :end :start_at :end_at.
    ``released``: the barrier survey periods whose answers this export carries (``_released``)."""
    if entry.anonymous is not None:
        column, parent = entry.anonymous
        # Codes checked by _released (digits, letters and a dash): safe to write into the SQL.
        codes = ", ".join(f"'{code}'" for code in released) or "NULL"
        if parent is None:
            return f"{alias}.{column} IN ({codes})"
        inner = alias + "p"
        return (f"{alias}.{column} IN (SELECT {inner}.{BY_NAME[parent].key[0]} FROM {parent} {inner} "
                f"WHERE {inner}.{BY_NAME[parent].anonymous[0]} IN ({codes}))")
    version = f"{alias}.{entry.changed_by}"
    if selection.kind == "changes":
        return f"{version} > :lo AND {version} <= :hi"
    if selection.kind == "all" or entry.period is None:
        return f"{version} <= :hi"
    period = entry.period
    if period.how == "day":
        return f"{version} <= :hi AND {alias}.{period.column} >= :start AND {alias}.{period.column} < :end"
    if period.how == "instant":
        return f"{version} <= :hi AND {alias}.{period.column} >= :start_at AND {alias}.{period.column} < :end_at"
    parent = BY_NAME[period.parent]
    inner = alias + "p"
    return (f"{version} <= :hi AND {alias}.{period.column} IN "
            f"(SELECT {inner}.{parent.key[0]} FROM {parent.name} {inner} WHERE {_where(parent, selection, inner)})")


def _released(snapshot: _Snapshot, selection: Selection, today: date, last_export: date | None) -> list[str]:
    """The barrier survey periods whose answers leave with this export (EO 12862 1(e),
    anonymous by design): periods that have closed (no answer can be added, so no
    later bundle tells which answer is new) and that at least MIN_GROUP people
    answered. A change export takes those closed since the last export's day (the
    earlier ones went then, whole); --all every one; a period export those ending in it."""
    released = []
    for code, answers in snapshot.grouped("SELECT period, count(*) FROM barrieranswer GROUP BY period"):
        try:
            period = parse_period(code)
        except CxdeskError:
            continue
        if period.code != code or answers < MIN_GROUP or period.end >= today:
            continue
        if selection.kind == "changes" and last_export is not None and period.end < last_export:
            continue
        if selection.kind == "period" and not selection.start <= period.end <= selection.end:
            continue
        released.append(code)
    return sorted(released)


# --- writing ------------------------------------------------------------------------------


class _Writer:
    """Files of a bundle into a folder or a zip, under a temporary name until complete."""

    def __init__(self, out: Path):
        self.out = out
        self.zip = out.suffix.lower() == ".zip"
        if out.exists():
            raise CxdeskError(f"{out} already exists: choose another --out (a bundle is never overwritten).")
        self.partial = out.with_name(out.name + ".partial")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            if self.partial.exists():
                _remove(self.partial)
            if self.zip:
                fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
                self.archive = zipfile.ZipFile(os.fdopen(fd, "wb"), "w", zipfile.ZIP_DEFLATED, compresslevel=6)
            else:
                self.partial.mkdir(mode=DIR_MODE)
        except OSError as exc:
            raise CxdeskError(f"Cannot write the bundle at {out}: {exc.strerror}.") from None

    @contextmanager
    def member(self, name: str):
        if self.zip:
            with self.archive.open(name, "w", force_zip64=True) as handle:
                yield handle
        else:
            fd = os.open(self.partial / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
                yield handle

    def finish(self) -> None:
        if self.zip:
            self.archive.close()
        os.replace(self.partial, self.out)

    def abandon(self) -> None:
        if self.zip:
            try:
                self.archive.close()
            except Exception:  # noqa: BLE001, S110 - already failing; the partial file goes anyway
                pass
        _remove(self.partial)


def _remove(path: Path) -> None:
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


def _write_table(snapshot: _Snapshot, writer: _Writer, entry: Exported, columns, where: str, params: dict,
                 progress: Progress | None) -> tuple[int, str, int]:
    """Stream one table into its CSV; returns (rows, sha256, cells cleaned)."""
    kinds = [kind for _name, kind in columns]
    line = csvfile.sql_line(columns, snapshot.dialect, not_null=snapshot.not_null(entry.name))
    digest, rows, cleaned = hashlib.sha256(), 0, 0
    with writer.member(entry.file) as handle:
        head = (csvfile.header_line([name for name, _kind in columns]) + LINE_END).encode()
        digest.update(head)
        handle.write(head)
        # Anonymous answers go out in the order of their random keys, never the order they were saved in.
        order = entry.key if entry.anonymous is not None else ()
        for text, count in snapshot.line_chunks(entry.name, line, where, params, order):
            data, changed = csvfile.chunk_bytes(text, count, kinds)
            cleaned += changed
            digest.update(data)
            handle.write(data)
            rows += count
            if progress is not None:
                progress(count)
    return rows, digest.hexdigest(), cleaned


def write_bundle(db: Database, out: Path, selection: Selection, *, now: datetime, include_pii: bool = False,
                 pii_by: Staff | None = None, progress: Progress | None = None,
                 on_total: Callable[[int], None] | None = None,
                 tables: Sequence[str] | None = None) -> ExportResult:
    """Write a signed bundle of ``selection`` at ``out`` (a folder, or a zip if it ends in .zip).

    The office must have its key already (``domain.office_key.office_key``).
    ``on_total`` hears the number of rows to write before writing starts.
    ``tables`` limits the bundle to some tables (the benchmark's one-table export).
    """
    from cxdesk.store.migrate import current_revision, stored_revisions

    if include_pii and pii_by is None:
        raise CxdeskError("Personal data leaves only with a supervisor's code and PIN.")
    # One stamp, read by plain SQL: importing Alembic to read it cost an export a quarter of a second.
    stamps = stored_revisions(db.engine)
    revision = stamps[0] if len(stamps) == 1 else current_revision(db.engine)
    with db.session() as session:
        office = session.exec(select(Office).order_by(Office.created_at)).first()
        if office is None:
            raise CxdeskError("This database has no office yet: nothing to export.")
        key = session.get(OfficeKey, office.id)
        if key is None:
            raise CxdeskError("This office has no signing key yet (run cxdesk export, which makes one).")
        stations = list(session.exec(select(Station).where(Station.office_id == office.id).order_by(Station.code)))
        after, last_at = session.execute(
            sa.select(sa.func.max(ExportLedger.through_version), sa.func.max(ExportLedger.created_at))
            .where(ExportLedger.office_id == office.id, ExportLedger.advances)).one()
        after = after or 0
        # The ledger's instants are UTC; SQLite's max() hands back the stored text.
        if isinstance(last_at, str):
            last_at = datetime.fromisoformat(last_at).replace(tzinfo=UTC)
        last_export = office.local_day(last_at) if last_at is not None else None
    if selection.kind != "changes":
        after = 0
    writer = _Writer(out)
    result = ExportResult(uuid.uuid4(), out, office.code, selection, after, 0, include_pii=include_pii)
    try:
        snapshot = _Snapshot(db)
        with snapshot.open():
            result.through_version = snapshot.through
            params = {"lo": after, "hi": snapshot.through}
            if selection.kind == "period":
                zone = office.zone
                start_at = datetime.combine(selection.start, time(0), zone)
                end_at = datetime.combine(selection.end + timedelta(days=1), time(0), zone)
                params |= {"start": _param(selection.start, snapshot.dialect),
                           "end": _param(selection.end + timedelta(days=1), snapshot.dialect),
                           "start_at": _param(start_at, snapshot.dialect),
                           "end_at": _param(end_at, snapshot.dialect)}
            travelling = [entry for entry in TABLES if entry.travels(include_pii)
                          and (tables is None or entry.name in tables)]
            released = _released(snapshot, selection, office.local_day(now), last_export)
            if on_total is not None:
                on_total(sum(int(snapshot.scalar(f"SELECT count(*) FROM {entry.name} t WHERE "
                                                 f"{_where(entry, selection, released=released)}", params) or 0)
                             for entry in travelling))
            listed = []
            for entry in travelling:
                columns = entry.columns(include_pii)
                where = _where(entry, selection, released=released)
                rows, digest, cleaned = _write_table(snapshot, writer, entry, columns, where, params, progress)
                result.rows[entry.name] = rows
                result.cleaned_cells += cleaned
                listed.append({"name": entry.name, "file": entry.file, "rows": rows, "sha256": digest,
                               "key": list(entry.key), "columns": [name for name, _kind in columns],
                               "kinds": [kind for _name, kind in columns],
                               "personal_included": include_pii and bool(entry.personal or entry.all_personal)})
            if include_pii:
                complaints = f"SELECT t.id FROM complaint t WHERE {_where(BY_NAME['complaint'], selection)}"
                for chunk in snapshot.chunks(complaints, params):
                    result.complaint_ids.extend(uuid.UUID(str(row[0])) for row in chunk)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "bundle_id": str(result.bundle_id),
            "schema_revision": revision,
            "created_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "office": {"id": office.id.hex, "code": office.code, "name": office.name, "timezone": office.timezone},
            "stations": [{"code": s.code, "name": s.name, "active": s.active} for s in stations],
            "range": {"kind": selection.kind, "after_version": after, "through_version": result.through_version,
                      "from": selection.start.isoformat() if selection.start else None,
                      "to": selection.end.isoformat() if selection.end else None},
            "include_pii": include_pii,
            "barrier_periods": released,
            "pii_released_by": pii_by.code if (include_pii and pii_by) else None,
            "encoding": {"text": "quoted; a leading apostrophe is added to cells starting with = + - @ '",
                         "null": "empty unquoted cell", "uuid": "32 hex digits",
                         "timestamp": "UTC YYYY-MM-DD HH:MM:SS.ffffff", "date": "YYYY-MM-DD", "bool": "1/0",
                         "float": "shortest exact decimal", "json": "its text, quoted like text"},
            "tables": listed,
        }
        body = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        with writer.member(MANIFEST) as handle:
            handle.write(body)
        with writer.member(SIGNATURE) as handle:
            handle.write((signing.sign(key.private_key, body) + "\n").encode())
        writer.finish()
    except BaseException:
        writer.abandon()
        raise
    return result



def record_export(db: Database, result: ExportResult, *, now: datetime, destination: str,
                  kind: str | None = None, by: Staff | None = None) -> None:
    """The export's line in the ledger: the one write an export makes."""
    with db.session() as session:
        office = session.exec(select(Office).where(Office.code == result.office_code)).one()
        session.add(ExportLedger(
            id=result.bundle_id, office_id=office.id, created_at=now, kind=kind or result.selection.kind,
            after_version=result.after_version, through_version=result.through_version,
            advances=result.selection.advances, period_start=result.selection.start,
            period_end=result.selection.end, rows=result.total_rows, include_pii=result.include_pii,
            by_staff_id=by.id if by else None, destination=destination[:500]))
        session.commit()
