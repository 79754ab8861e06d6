"""A first look at an office database with plain sqlite3, before the database layer loads.

Loading SQLAlchemy, SQLModel and the models takes longer than painting the whole
sign-in screen. So the counter app first reads, read-only and with the standard
library alone, what sign-in shows: the office and its open stations. That look is
taken only when it can stand for the real open: an SQLite file that is cxdesk's,
already at the schema head this cxdesk knows, with an office. In every other case
(another database, a file to create or upgrade, no office yet, anything unexpected)
it returns None and the real open, which follows at once in any case, says what
there is to say. The real open still checks the file (``store.db.open_database``)
before anything is written to it: nothing reaches the database on the strength of a
glance.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from cxdesk.store.head import HEAD_REVISION

SQLITE_PREFIX = "sqlite:///"
# The look waits this long for a writer's lock, then leaves the work to the real open.
GLANCE_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class Glance:
    """The office and its open stations as (code, name), in code order."""

    office_name: str
    office_code: str
    stations: tuple[tuple[str, str], ...]


def sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL; None for anything else (other
    databases, in-memory ones, URLs with options: those wait for SQLAlchemy)."""
    if not url.startswith(SQLITE_PREFIX) or "?" in url:
        return None
    database = url[len(SQLITE_PREFIX):]
    if database in ("", ":memory:"):
        return None
    return Path(database).expanduser()


def glance(url: str) -> Glance | None:
    """What sign-in shows, read-only; None unless the file can be trusted to open as is."""
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    existed = [companion.exists() for companion in companions]
    found = _read(path)
    if found is None and not any(existed):
        # A WAL-mode file gets -wal and -shm even from a read-only look: a file this
        # look does not vouch for is left as it was found.
        wal, _shm = companions
        if wal.exists() and wal.stat().st_size == 0:
            for made in companions:
                made.unlink(missing_ok=True)
    return found


def _read(path: Path) -> Glance | None:
    uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=GLANCE_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        stamps = {stamp for (stamp,) in connection.execute("SELECT version_num FROM alembic_version")}
        if stamps != {HEAD_REVISION}:
            return None
        office = connection.execute("SELECT id, name, code FROM office ORDER BY created_at LIMIT 1").fetchone()
        if office is None:
            return None
        stations = connection.execute(
            "SELECT code, name FROM station WHERE office_id = ? AND active ORDER BY code", (office[0],)
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return Glance(office_name=office[1], office_code=office[2],
                  stations=tuple((code, name) for code, name in stations))
