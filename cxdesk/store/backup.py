"""Backups of an office's SQLite database, and putting one back.

A backup is taken from the live file with SQLite's online backup API while the
counters keep working (in WAL mode a reader never blocks a writer): one read
transaction, so the copy is the database as it was at one moment. It is written
to a private temporary file beside the target, switched out of WAL mode so it is
one self-contained file, checked (``PRAGMA integrity_check``, cxdesk's schema),
flushed to disk, and only then given its name: a backup that exists is whole.

A restore checks the backup first (ours, a schema this cxdesk knows, undamaged,
the same office), keeps a verified copy of the current database aside, then
writes the backup into the live file through the same backup API: one write
transaction, so a crash or a kill half-way leaves the database as it was, never
half of each.
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cxdesk.config import PRIVATE_FILE, data_dir, make_private_dir
from cxdesk.errors import CxdeskError
from cxdesk.store.db import BUSY_TIMEOUT_MS, SQLITE_HEADER, inspect_sqlite_file, sqlite_file

BACKUP_FOLDER = "backups"
# Backups taken without --to are kept in the data folder, the newest this many.
DEFAULT_KEEP = 7
_STAMPED = re.compile(r"-\d{8}-\d{6}(-\d+)?\.db$")
# Tables counted to say what a backup holds (and to check a restore brought it all back).
COUNTED = ("visit", "complaint", "surveyresponse", "staff")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    revision: str
    office_code: str | None
    counts: dict[str, int]
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    database: Path
    kept_aside: Path | None
    revision: str
    counts: dict[str, int]


def backup_folder() -> Path:
    return data_dir() / BACKUP_FOLDER


def _live_file(url: str) -> Path:
    path = sqlite_file(url)
    if path is None:
        raise CxdeskError(
            "cxdesk backs up SQLite databases itself. For PostgreSQL use its own tool, e.g. "
            "pg_dump --format=custom --file=cxdesk.dump DBNAME (and pg_restore to put it back); "
            "run it from cron with the office's other backups."
        )
    return path.expanduser()


def _read_only(path: Path) -> sqlite3.Connection:
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def describe(connection: sqlite3.Connection) -> tuple[str, str | None, dict[str, int]]:
    """(schema revision, office code, row counts) of an open cxdesk database."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    office = connection.execute("SELECT code FROM office LIMIT 1").fetchone() if "office" in tables else None
    counts = {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
              for table in COUNTED if table in tables}
    return revision, office[0] if office else None, counts


def _full_check(connection: sqlite3.Connection, path: Path) -> None:
    verdict = [row[0] for row in connection.execute("PRAGMA integrity_check(3)")]
    if verdict != ["ok"]:
        raise CxdeskError(f"{path} failed SQLite's integrity check ({verdict[0]}).")
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise CxdeskError(f"{path} has records whose links are broken (table {broken[0][0]}).")


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _private_temporary(beside: Path) -> Path:
    """A new empty 0600 file in ``beside``'s folder (so the final rename is atomic)."""
    for attempt in range(100):
        candidate = beside.with_name(f".{beside.name}.part{os.getpid()}-{attempt}")
        try:
            descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            continue
        os.fchmod(descriptor, PRIVATE_FILE)
        os.close(descriptor)
        return candidate
    raise CxdeskError(f"Cannot make a temporary file beside {beside}.")


def copy_database(source: Path, target: Path, *, overwrite: bool = False) -> BackupResult:
    """A consistent, verified, private copy of the SQLite database ``source`` at ``target``."""
    if target.exists() and not overwrite:
        raise CxdeskError(f"{target} already exists; choose another name, or add --overwrite to replace it.")
    if target.is_dir():
        raise CxdeskError(f"{target} is a folder.")
    try:
        make_private_dir(target.parent)
        part = _private_temporary(target)
    except OSError as exc:
        raise CxdeskError(f"Cannot write in {target.parent}: {exc.strerror}.") from None
    try:
        try:
            with closing(_read_only(source)) as live, closing(sqlite3.connect(part)) as copy:
                # One step (-1): the whole file inside one read transaction, a single moment.
                live.backup(copy)
                # A backup is one file: out of WAL mode, so nothing it needs lives in a -wal beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                _full_check(copy, target)
                revision, office, counts = describe(copy)
            with open(part, "rb+") as handle:
                os.fsync(handle.fileno())
        except sqlite3.Error as exc:
            from cxdesk.logs import is_disk_full

            if is_disk_full(exc):
                raise CxdeskError(f"The disk is full: no backup was written to {target}. Free some space, "
                                  "then try again.") from None
            raise CxdeskError(f"Cannot back up {source}: {exc}.") from None
        except OSError as exc:
            raise CxdeskError(f"Cannot write the backup {target}: {exc.strerror}.") from None
        os.replace(part, target)
        _fsync_folder(target.parent)
    finally:
        part.unlink(missing_ok=True)
    return BackupResult(path=target, size=target.stat().st_size, revision=revision, office_code=office,
                        counts=counts)


def backup(url: str, to: Path | None = None, *, overwrite: bool = False, keep: int = DEFAULT_KEEP,
           now: datetime | None = None) -> BackupResult:
    """Back up the live database named by ``url``.

    ``to``: a file, or a folder to put a dated file in. Without it the backup goes
    to the data folder's backups/ and only the newest ``keep`` dated backups of
    this database are kept there.
    """
    source = _live_file(url)
    inspect_sqlite_file(source)  # ours, undamaged: a backup of a broken file helps nobody
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    dated = f"{source.stem}-{stamp}.db"
    pruning = to is None
    if to is None:
        target = backup_folder() / dated
    elif to.is_dir():
        target = to / dated
    else:
        target = to
    if target.expanduser().resolve() == source.resolve():
        raise CxdeskError("The backup cannot be the database itself; choose another file.")
    if pruning and target.exists():
        # Two backups in the same second: the second gets a suffix rather than replacing the first.
        for number in range(2, 100):
            target = target.with_name(f"{source.stem}-{stamp}-{number}.db")
            if not target.exists():
                break
    result = copy_database(source, target, overwrite=overwrite)
    removed: tuple[Path, ...] = ()
    if pruning and keep > 0:
        removed = prune(target.parent, source.stem, keep)
    return BackupResult(**{**result.__dict__, "removed": removed})


def prune(folder: Path, stem: str, keep: int) -> tuple[Path, ...]:
    """Remove all but the newest ``keep`` dated backups of database ``stem`` in ``folder``."""
    dated = sorted((p for p in folder.glob(f"{stem}-*.db")
                    if _STAMPED.search(p.name) and p.name[len(stem) + 1:][:8].isdigit()),
                   key=lambda p: p.name)
    old = dated[:-keep] if keep else dated
    for path in old:
        path.unlink(missing_ok=True)
    return tuple(old)


def check_backup(path: Path) -> tuple[str, str | None, dict[str, int]]:
    """Refuse a missing, foreign or damaged backup; (revision, office code, counts) otherwise."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise CxdeskError(f"There is no backup file at {path}.")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise CxdeskError(f"{path} is not a cxdesk backup (it is not an SQLite database).")
    inspect_sqlite_file(path)  # cxdesk's, a schema this cxdesk knows, quick_check
    try:
        with closing(_read_only(path)) as connection:
            tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                raise CxdeskError(f"{path} is an empty database, not a cxdesk backup.")
            _full_check(connection, path)
            return describe(connection)
    except sqlite3.DatabaseError as exc:
        raise CxdeskError(f"{path} is damaged ({exc}); it was not restored.") from None


def restore(url: str, backup_path: Path, *, other_office: bool = False,
            now: datetime | None = None) -> RestoreResult:
    """Put the backup at ``backup_path`` back as the database named by ``url``.

    Refuses a damaged or foreign backup, or another office's (unless
    ``other_office``). The current database is first copied aside (verified) as
    ``<name>.before-restore-<time>.db``; the backup is then written into the live
    file in one transaction.
    """
    live = _live_file(url)
    backup_path = Path(backup_path).expanduser()
    if backup_path.resolve() == live.resolve():
        raise CxdeskError("That is the live database itself, not a backup.")
    revision, office, counts = check_backup(backup_path)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    kept: Path | None = None
    if live.exists() and live.stat().st_size > 0:
        inspect_sqlite_file(live)  # a damaged live file: say so (restoring over it is done by hand)
        with closing(_read_only(live)) as connection:
            _, live_office, _ = describe(connection) if _has_schema(connection) else (None, None, {})
        if live_office and office and live_office != office and not other_office:
            raise CxdeskError(
                f"{backup_path} is office {office}'s backup; this database is office {live_office}'s. "
                "Nothing was changed. Add --other-office to replace this office's data with it."
            )
        kept = live.with_name(f"{live.stem}.before-restore-{stamp}.db")
        copy_database(live, kept)
        _write_into(backup_path, live)
    else:
        copy_database(backup_path, live, overwrite=True)
    with closing(_read_only(live)) as connection:
        _full_check(connection, live)
        after = describe(connection)
    if after != (revision, office, counts):
        raise CxdeskError(f"The restored database does not match {backup_path}; the previous one is at {kept}.")
    return RestoreResult(restored_from=backup_path, database=live, kept_aside=kept, revision=revision,
                         counts=counts)


def _has_schema(connection: sqlite3.Connection) -> bool:
    return connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()[0] > 0


def _write_into(backup_path: Path, live: Path) -> None:
    """The backup's pages into the live file: SQLite does it in one write transaction on
    the live database (journalled in its WAL, or in a rollback journal when a restore left
    it out of WAL mode), so it is all or nothing: a kill leaves the old database."""
    try:
        with closing(_read_only(backup_path)) as source, \
                closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)) as target:
            target.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            target.execute("PRAGMA synchronous=FULL")
            source.backup(target)
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise CxdeskError(f"{live} is in use (a counter is saving); close the counters and try again. "
                              "Nothing was changed.") from None
        raise CxdeskError(f"Cannot restore into {live}: {exc}. Nothing was changed.") from None
