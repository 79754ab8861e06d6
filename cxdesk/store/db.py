"""Opening the store: engine, SQLite pragmas, schema upgrades through Alembic.

Every write is committed at once; there is no Save button and nothing is held
only in memory.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
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

from cxdesk.errors import CxdeskError

BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # FULL: a visit the screen showed as saved survives a power cut too.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; bad URLs and missing drivers become CxdeskError."""
    try:
        parsed = sa.engine.make_url(url)
    except ArgumentError:
        raise CxdeskError(f"Not a database URL: {url!r}.") from None
    # hide_parameters: SQL errors never carry names, PINs or contact details
    # into messages or the log.
    kwargs: dict = {"hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:":
            _check_sqlite_file(Path(path))
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
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
    return engine


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before SQLAlchemy touches it."""
    if path.is_dir():
        raise CxdeskError(f"{path} is a folder, not a database file.")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(16)
        except OSError as exc:
            raise CxdeskError(f"Cannot read {path}: {exc.strerror}.") from None
        if header and header != b"SQLite format 3\x00":
            raise CxdeskError(f"{path} is not a database file (it is not SQLite).")
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CxdeskError(f"Cannot create the folder for {path}: {exc.strerror}.") from None


def describe_url(url: str) -> str:
    """The URL without its password, safe for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(invalid URL)"


@dataclass
class Database:
    """An open store: the engine, and what the last upgrade did."""

    url: str
    engine: Engine
    upgraded_from: str | None = None
    created: bool = False
    notes: list[str] = field(default_factory=list)

    @contextmanager
    def session(self):
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, upgrade: bool = True) -> Database:
    """Connect, check the file is ours, and bring the schema up to date.

    Errors come back as CxdeskError naming the database and the reason.
    """
    from cxdesk.store import migrate

    engine = make_engine(url)
    shown = describe_url(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise CxdeskError(f"Cannot open database {shown}: {_reason(exc)}") from None
    db = Database(url=url, engine=engine)
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


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.DatabaseError) and "not a database" in str(orig):
        return "the file is not a database."
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return text.rstrip(".") + "."
