"""The demo's own database: open it for filling, refuse one that holds another office,
rebuild its SQLite file on request."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from cxdesk.errors import CxdeskError
from cxdesk.store.db import Database, describe_url, open_database
from cxdesk.store.models import Office

OFFICE_CODE = "DEMO1"


def office_in(db: Database) -> Office | None:
    with db.session() as session:
        return session.exec(select(Office).order_by(Office.created_at)).first()


def check_fillable(db: Database) -> str:
    """"empty" or "demo"; any other office is refused with a clear message."""
    office = office_in(db)
    if office is None:
        return "empty"
    if office.code == OFFICE_CODE:
        return "demo"
    raise CxdeskError(
        f"{describe_url(db.url)} holds the office {office.code} ({office.name}), not the demo office. "
        "cxdesk demo fills only an empty database or its own demo file; nothing was changed."
    )


def sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def remove_sqlite_file(path: Path) -> None:
    """Delete an SQLite file with its WAL and shared-memory companions."""
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            companion.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CxdeskError(f"Cannot remove {companion}: {exc.strerror}.") from None


def open_for_demo(url: str, *, reset: bool = False) -> tuple[Database, str]:
    """Open ``url`` for the demo: ("empty" | "demo"). ``reset`` rebuilds a demo SQLite file.

    Refuses (CxdeskError) a database holding another office, and a reset of
    anything but the demo's own SQLite file.
    """
    db = open_database(url, create=True)
    try:
        state = check_fillable(db)
    except CxdeskError:
        db.dispose()
        raise
    if reset and state == "demo":
        path = sqlite_path(url)
        if path is None:
            db.dispose()
            raise CxdeskError(
                f"--reset rebuilds only an SQLite demo file; drop and recreate {describe_url(url)} yourself."
            )
        db.dispose()
        remove_sqlite_file(path)
        db = open_database(url, create=True)
        state = "empty"
    return db, state
