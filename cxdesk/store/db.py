"""Opening the store: checking an SQLite file before touching it, the engine and
its pragmas, schema upgrades through Alembic.

Every write is committed at once; there is no Save button and nothing is held
only in memory. Before any pragma that writes (WAL changes the file header),
an SQLite file is looked at read-only: it must be cxdesk's (or empty),
undamaged (``PRAGMA quick_check``) and writable. Only the counter app's
first-run setup and the demo create a database (``create=True``); everything
else refuses a missing file and names it. cxdesk's writers on one SQLite file
take turns on a lock file beside it (``cxdesk.store.writelock``).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import urllib.parse
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)
from sqlmodel import Session

from cxdesk.config import PRIVATE_FILE, data_dir, make_private_dir, tighten
from cxdesk.errors import CxdeskError

BUSY_TIMEOUT_MS = 5000
# How long a writer waits for cxdesk's write lock before it goes on without it (and
# SQLite's busy timeout decides): as long as SQLite itself would wait.
WRITE_LOCK_WAIT_S = BUSY_TIMEOUT_MS / 1000
SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite keeps these beside the database while it is open (WAL mode).
COMPANIONS = ("-wal", "-shm")


def _sqlite_write_lock(database: Path):
    """Connect-time hook: the connection's write lock on ``database`` (cxdesk.store.writelock)."""
    from cxdesk.store.writelock import WriteLock

    def attach(dbapi_connection, _record) -> None:
        dbapi_connection.write_lock = WriteLock(database, WRITE_LOCK_WAIT_S)

    return attach


def _before_statement(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    conn.connection.dbapi_connection.before_statement(statement)


def _after_statement(conn, *_args) -> None:
    conn.connection.dbapi_connection.after_statement()


def _after_error(context) -> None:
    """A statement that failed outside a transaction (or whose failure ended it) holds no write lock."""
    try:
        dbapi_connection = context.connection.connection.dbapi_connection
    except Exception:  # noqa: BLE001 - a failed connect, or a connection already closed: nothing held
        return
    if hasattr(dbapi_connection, "after_statement"):
        dbapi_connection.after_statement()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # FULL: a visit the screen showed as saved survives a power cut too.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _parse_url(url: str) -> sa.engine.URL:
    try:
        return sa.engine.make_url(url)
    except ArgumentError:
        raise CxdeskError(f"Not a database URL: {url!r}.") from None


def sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names (None for other databases and in-memory ones)."""
    parsed = _parse_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; bad URLs and missing drivers become CxdeskError.

    It does not look at the file: ``open_database`` does that first.
    """
    parsed = _parse_url(url)
    # hide_parameters: SQL errors never carry names, PINs or contact details
    # into messages or the log.
    kwargs: dict = {"hide_parameters": True}
    database = sqlite_file(url)
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        if database is not None:
            from cxdesk.store.writelock import LockingConnection

            kwargs["connect_args"]["factory"] = LockingConnection
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise CxdeskError(
            f"No driver for {parsed.drivername!r} ({exc}). For PostgreSQL install "
            "cxdesk[postgres] and use postgresql+psycopg://..."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if database is not None:
            # cxdesk's writers on one file queue on a lock the kernel hands on at once
            # (cxdesk.store.writelock), not in SQLite's busy handler.
            event.listen(engine, "connect", _sqlite_write_lock(database.expanduser()))
            event.listen(engine, "before_cursor_execute", _before_statement)
            event.listen(engine, "after_cursor_execute", _after_statement)
            event.listen(engine, "handle_error", _after_error)
    return engine


# --- the SQLite file, before anything writes to it ------------------------------


def prepare_sqlite_file(path: Path, *, create: bool, quick_check: bool = True) -> bool:
    """Check (or create) the database file; returns True if it was created.

    Refuses, naming the file: a folder, a missing file (unless ``create``), a
    file that is not SQLite, another application's database, a damaged one and
    a read-only one. Nothing is written to a file that is refused. ``quick_check``
    False leaves out SQLite's page-by-page check (see ``needs_quick_check``).
    """
    path = Path(path)
    if path.is_dir():
        raise CxdeskError(f"{path} is a folder, not a database file.")
    if not path.exists():
        if not create:
            raise CxdeskError(
                f"There is no database at {path} (nothing was created). Check the --db path or "
                "CXDESK_DB; a new office database is made by the counter app's first-run setup "
                f"(cxdesk --db {path})."
            )
        _create_private_file(path)
        return True
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise CxdeskError(f"Cannot read {path}: {exc.strerror}.") from None
    if header and header != SQLITE_HEADER:
        raise CxdeskError(f"{path} is not a database file (it is not SQLite).")
    _check_writable(path)
    if header:
        inspect_sqlite_file(path, quick_check=quick_check)
    if path.parent == data_dir():
        # A database an older cxdesk left readable by others in its own folder.
        make_private_dir(path.parent)
        for name in ("", *COMPANIONS):
            tighten(path.with_name(path.name + name))
    return False


def _create_private_file(path: Path) -> None:
    try:
        make_private_dir(path.parent)
    except OSError as exc:
        raise CxdeskError(f"Cannot create the folder for {path}: {exc.strerror}.") from None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return  # another counter created it a moment ago; it is checked on its next open
    except OSError as exc:
        raise CxdeskError(f"Cannot create {path}: {exc.strerror}.") from None
    os.fchmod(descriptor, PRIVATE_FILE)  # the umask may have filtered os.open's mode
    os.close(descriptor)
    # An empty file is an empty SQLite database; SQLite gives its -wal and -shm
    # the same mode as the database file.


def _check_writable(path: Path) -> None:
    """cxdesk writes every change at once: a database it cannot write is refused
    before anyone signs in, with the reason."""
    if not os.access(path, os.W_OK):
        raise CxdeskError(
            f"{path} is read-only for this account, and cxdesk saves every change at once. "
            "Make the file writable (or open a writable copy of it with --db)."
        )
    folder = path.parent
    companions = [path.with_name(path.name + suffix) for suffix in COMPANIONS]
    companions_ready = all(c.exists() and os.access(c, os.W_OK) for c in companions)
    if not os.access(folder, os.W_OK | os.X_OK) and not companions_ready:
        raise CxdeskError(
            f"The folder {folder} is read-only for this account, and SQLite keeps its "
            f"{path.name}-wal and {path.name}-shm files there. Make the folder writable "
            "(or open a copy of the database in a writable folder with --db)."
        )


def inspect_sqlite_file(path: Path, *, quick_check: bool = True) -> None:
    """Read-only look at an existing SQLite file: ours (or empty), and undamaged.
    Raises CxdeskError naming the file otherwise. (A restore can ask the same of a
    backup before it replaces anything.)

    A refused file is left as it was: a WAL-mode file gets -wal and -shm files
    even from a read-only connection, and those are removed again if this look
    made them and nothing else wrote to them. The one write is SQLite's own: a
    write that was cut off part-way (a kill mid-restore, a power cut) is rolled
    back first, as any program that may write the file would at its first read.
    """
    companions = [path.with_name(path.name + suffix) for suffix in COMPANIONS]
    existed = [companion.exists() for companion in companions]
    try:
        _look_read_only(path, quick_check=quick_check)
    except CxdeskError:
        wal, shm = companions
        if not any(existed) and wal.exists() and wal.stat().st_size == 0:
            for made in companions:
                made.unlink(missing_ok=True)
        raise


# A read-only connection cannot finish what a killed writer left: a hot rollback
# journal, or a WAL index to rebuild. SQLite says so with these (extended) codes.
_CUT_OFF = frozenset({"SQLITE_READONLY_ROLLBACK", "SQLITE_READONLY_RECOVERY", "SQLITE_READONLY_CANTINIT"})


class _CutOffWrite(Exception):
    """The file holds a write that was cut off part-way; a writable connection rolls it back."""


def _look_read_only(path: Path, *, quick_check: bool = True) -> None:
    try:
        _look(path, quick_check=quick_check)
    except _CutOffWrite:
        _roll_back_cut_off_write(path)
        _look(path, quick_check=quick_check)


def _roll_back_cut_off_write(path: Path) -> None:
    try:
        with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as connection:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise CxdeskError(
            f"{path} holds a change that was cut off part-way (the program writing it was stopped), "
            f"and SQLite could not roll it back: {_sqlite_reason(exc)} Open it once with write access "
            "to this file and its folder, and it is rolled back."
        ) from None


def _look(path: Path, *, quick_check: bool) -> None:
    from cxdesk.store.head import HEAD_REVISION

    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise CxdeskError(f"Cannot open database {path}: {_sqlite_reason(exc)}") from None
    try:
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        if tables:
            revisions = set()
            if "alembic_version" in tables:
                revisions = {rev for (rev,) in connection.execute("SELECT version_num FROM alembic_version")}
            if not revisions:
                others = sorted(tables - {"alembic_version"})
                raise CxdeskError(
                    f"{path} holds tables that are not cxdesk's ({', '.join(others[:3])}...); "
                    "refusing to touch it."
                )
            # Alembic's scripts are read only for a stamp other than the head this cxdesk knows.
            unknown = [] if revisions == {HEAD_REVISION} else _unknown(revisions)
            if unknown:
                raise CxdeskError(
                    f"{path} is at schema {unknown[0]}, which this cxdesk does not know (a newer "
                    "cxdesk made it, or another application); upgrade cxdesk or check --db."
                )
        # Reads every page once: about 0.1 s for a year of an office's visits, 2.5 s for
        # a million; at most once a day for a file cxdesk closed cleanly (needs_quick_check).
        verdict = [row[0] for row in connection.execute("PRAGMA quick_check(3)")] if quick_check else ["ok"]
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise CxdeskError(_damaged(path, str(exc))) from None
        if getattr(exc, "sqlite_errorname", None) in _CUT_OFF:
            raise _CutOffWrite from None
        raise CxdeskError(f"Cannot open database {path}: {_sqlite_reason(exc)}") from None
    finally:
        connection.close()
    if verdict != ["ok"]:
        raise CxdeskError(_damaged(path, verdict[0]))


def _unknown(revisions: set[str]) -> list[str]:
    from cxdesk.store.migrate import known_revisions

    return sorted(revisions - known_revisions())


# --- the quick check: once a day, and after anything but a clean close ------------------
#
# PRAGMA quick_check reads every page of the file. It runs at the first open of each
# day, and at any open where the file may have changed since a cxdesk that had checked
# it closed it cleanly: a record (data folder, "checked/") keeps the day of the last
# check and the file's size, modification time and inode as that clean close left them.
# A crash or kill leaves no new record and usually a -wal file; damage written by
# anything else changes the modification time: both bring the check back at once.


def _today():
    from datetime import date

    return date.today()


def _check_record(path: Path) -> Path:
    import hashlib

    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32]
    return data_dir() / "checked" / f"{key}.json"


def _fingerprint(path: Path) -> dict[str, int]:
    found = path.stat()
    return {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino, "device": found.st_dev}


def needs_quick_check(path: Path) -> bool:
    """False only if cxdesk checked ``path`` today and closed it cleanly, and nothing has
    touched it since (no -wal left over, the same size, time and inode)."""
    import json

    try:
        record = json.loads(_check_record(path).read_text(encoding="utf-8"))
        if record.get("checked_on") != _today().isoformat() or record.get("path") != str(path.resolve()):
            return True
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return True  # a session that did not close cleanly (or one still open elsewhere)
        return record.get("file") != _fingerprint(path)
    except (OSError, ValueError, AttributeError):
        return True


def _record_clean_close(path: Path, checked_on: str) -> None:
    import json

    try:
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return  # still open elsewhere: the next open checks
        record = _check_record(path)
        make_private_dir(record.parent)
        text = json.dumps({"path": str(path.resolve()), "checked_on": checked_on, "file": _fingerprint(path)})
        temporary = record.with_name(record.name + f".{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, record)
    except OSError:
        pass  # no record: the next open checks the file, as before


def _is_damage(exc: sqlite3.Error) -> bool:
    words = str(exc).lower()
    return "malformed" in words or "not a database" in words or "corrupt" in words


def _damaged(path: Path, finding: str) -> str:
    return (
        f"{path} is damaged (SQLite's check found: {finding.strip().splitlines()[0]}). "
        "cxdesk does not open it, so nothing more is lost. Restore the latest backup, or rescue "
        f"what is left with: sqlite3 {path} .recover | sqlite3 recovered.db (then start cxdesk "
        "with --db recovered.db)."
    )


def _sqlite_reason(exc: sqlite3.Error) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip(".") + "."


def describe_url(url: str) -> str:
    """The URL without its password, safe for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(invalid URL)"


# Each watcher connection's markers are its own (Database.change_marker).
_WATCHERS = itertools.count(1)


@dataclass
class Database:
    """An open store: the engine, and what the last upgrade did."""

    url: str
    engine: Engine
    upgraded_from: str | None = None
    created: bool = False
    notes: list[str] = field(default_factory=list)
    # The SQLite file and the day its quick check passed (or a clean close vouched for it).
    checked_file: Path | None = field(default=None, repr=False)
    checked_on: str | None = field(default=None, repr=False)

    # A connection of its own that only asks SQLite whether anything was committed (change_marker).
    _watcher: sqlite3.Connection | None = field(default=None, init=False, repr=False, compare=False)
    _watcher_serial: int = field(default=0, init=False, repr=False, compare=False)

    @contextmanager
    def session(self):
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def change_marker(self) -> tuple[int, int] | None:
        """A value that stays the same while nobody commits to the database, for a screen
        that re-reads on a timer and can skip the read when nothing changed; None when this
        store cannot tell cheaply (then read again).

        SQLite: ``PRAGMA data_version`` changes when another connection commits. It is
        asked on a connection of its own that never writes, so every commit counts, this
        app's own engine's included. PostgreSQL: None. Its cheap markers (the WAL insert
        position) can stand still while a commit already written to the WAL is not yet
        visible, so a read in between would miss it for good. Markers compare equal only
        for the same open store. Call it on the database thread.
        """
        path = sqlite_file(self.url)
        if path is None:
            return None
        try:
            if self._watcher is None:
                uri = f"file:{urllib.parse.quote(str(path.expanduser()))}?mode=rw"
                self._watcher = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                                isolation_level=None, check_same_thread=False)
                self._watcher_serial = next(_WATCHERS)
            # fetchall: the statement runs to its end, so no read transaction stays open.
            [(version,)] = self._watcher.execute("PRAGMA data_version").fetchall()
        except sqlite3.Error:
            self._close_watcher()
            return None
        return self._watcher_serial, version

    def _close_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.close()

    def dispose(self) -> None:
        """Close every connection; a checked SQLite file is recorded as closed cleanly."""
        self._close_watcher()
        self.engine.dispose()
        if self.checked_file is not None and self.checked_on is not None:
            _record_clean_close(self.checked_file, self.checked_on)
            self.checked_file = None


def open_database(url: str, *, create: bool = False, upgrade: bool = True) -> Database:
    """Check the database is ours, connect, and bring the schema up to date.

    ``create``: make a new SQLite file if there is none (the counter app's
    first-run setup and the demo only). Errors come back as CxdeskError naming
    the database and the reason.
    """
    from cxdesk.store import migrate

    path = sqlite_file(url)
    checked_on = None
    if path is not None:
        path = path.expanduser()
        had_pages = path.is_file() and path.stat().st_size > 0
        full_check = needs_quick_check(path) if had_pages else True
        prepare_sqlite_file(path, create=create, quick_check=full_check)
        checked_on = _today().isoformat() if had_pages else None
    engine = make_engine(url)
    shown = describe_url(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise CxdeskError(f"Cannot open database {shown}: {_reason(exc)}") from None
    db = Database(url=url, engine=engine, checked_file=path if checked_on else None, checked_on=checked_on)
    if upgrade:
        try:
            db.upgraded_from, db.created = migrate.upgrade(engine)
        except (OperationalError, DBAPIError) as exc:
            engine.dispose()
            raise CxdeskError(f"Cannot open database {shown}: {_reason(exc)}") from None
        except CxdeskError as exc:
            engine.dispose()
            raise CxdeskError(f"{shown}: {exc}") from None
    return db


def begin_write(session: Session) -> bool:
    """SQLite: BEGIN IMMEDIATE, so what is read next is read under the write lock and
    stays true until the commit; True if it began. Not if this session's transaction
    is already open (it may have written: the caller's own checks still hold), and not
    on other databases. It waits for another writer as any write does (the write lock,
    then up to the busy timeout; a timeout raises OperationalError "database is locked")."""
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.connection.dbapi_connection.in_transaction:
        return False
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    return True


def _reason(exc: Exception) -> str:
    from cxdesk.logs import is_disk_full

    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.DatabaseError) and "not a database" in str(orig):
        return "the file is not a database."
    if is_disk_full(exc):
        return "the disk is full; free some space, then try again."
    if "readonly database" in str(orig).lower() or "read-only" in str(orig).lower():
        return "the database is read-only for this account."
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text.rstrip(".") + "."
