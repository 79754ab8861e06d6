"""Schema upgrades with Alembic, run by the application itself, all or nothing.

The migration scripts ship inside the package (``cxdesk/store/migrations``); no
``alembic.ini`` is needed at run time. The whole upgrade (creating a new
database included) runs in ONE transaction, so a crash or a kill at any
statement leaves the schema it started from, never half of the next one:

- SQLite: the sqlite3 driver's legacy transaction handling runs DDL
  (CREATE TABLE ...) outside any transaction, each statement committed on its
  own. The upgrade therefore uses its own connection with the driver's
  transaction handling off (``isolation_level=None``) and an explicit
  ``BEGIN IMMEDIATE`` (SQLAlchemy's documented pysqlite recipe): SQLite's DDL
  is transactional once it is inside a transaction. Foreign keys are off while
  batch migrations copy tables (SQLite cannot switch them inside a
  transaction) and checked before COMMIT.
- PostgreSQL: DDL is transactional; an advisory lock keeps two counters
  starting at once from upgrading side by side.

The revision is read again inside the transaction, so a second process that
waited for the first finds nothing left to do.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (its config, script directory and migration scripts) is imported only when
# an upgrade is due: a database already at HEAD_REVISION opens without it.

from cxdesk.errors import CxdeskError

# The newest revision of cxdesk/store/migrations/versions (kept in cxdesk/store/head.py,
# checked against Alembic by tests/store/test_migrate_head.py). Start-up compares the stored
# stamp with it and loads Alembic's script machinery only when they differ (an upgrade is
# due, or a stranger's file).
from cxdesk.store.head import HEAD_REVISION  # re-exported
# Any number, the same in every cxdesk: the PostgreSQL advisory lock of upgrades.
UPGRADE_LOCK = 12862
# Triggers that keep the complaint trail append-only (migration 0003). A batch
# migration that rebuilds complaintevent drops them; it must make them again.
TRAIL_GUARDS = {
    "sqlite": {"complaintevent_no_update", "complaintevent_no_delete"},
    "postgresql": {"complaintevent_append_only"},
}


def alembic_config(engine: Engine | None = None, connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cxdesk.store:migrations")
    if engine is not None:
        config.attributes["engine"] = engine
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The head of the migration scripts, read by Alembic (HEAD_REVISION is its constant)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@cache
def known_revisions() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions())


def current_revision(engine_or_connection: Engine | Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    if isinstance(engine_or_connection, Connection):
        return MigrationContext.configure(engine_or_connection).get_current_revision()
    with engine_or_connection.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, bool]:
    """Bring the schema to head. Returns (revision upgraded from, created?).

    A database with tables but no Alembic stamp is someone else's: refused.
    """
    if stored_revisions(engine) == [HEAD_REVISION]:
        return None, False  # the usual start: no Alembic at all
    from alembic import command

    head = head_revision()
    if current_revision(engine) == head:
        return None, False
    with upgrade_transaction(engine) as conn:
        current = current_revision(conn)
        if current == head:
            return None, False  # another counter upgraded it while this one waited
        _check_ours(conn, current)
        command.upgrade(alembic_config(connection=conn), "head")
        check_after_upgrade(conn)
    return current, current is None


def stored_revisions(engine: Engine) -> list[str]:
    """The stamp(s) in alembic_version by plain SQL ([] if there is no such table)."""
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except DBAPIError:
        return []  # no table yet (a new database): Alembic decides what to do


def _check_ours(conn: Connection, current: str | None) -> None:
    if current is None:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
        if tables:
            raise CxdeskError(
                "this database holds tables that are not cxdesk's "
                f"({', '.join(sorted(tables)[:3])}...); refusing to touch it."
            )
    elif current not in known_revisions():
        raise CxdeskError(
            f"the database is at schema {current}, newer than this cxdesk knows; upgrade cxdesk."
        )


@contextmanager
def upgrade_transaction(engine: Engine):
    """A connection inside the one transaction an upgrade runs in; committed at the end,
    rolled back on any error (and by SQLite itself if the process dies)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK})")
            yield conn
        return
    migrating = sa.create_engine(engine.url, poolclass=NullPool, hide_parameters=True,
                                 connect_args={"check_same_thread": False})

    @event.listens_for(migrating, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # The driver's own BEGIN handling off: it would leave DDL outside the transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.close()

    @event.listens_for(migrating, "begin")
    def _begin(conn: Connection) -> None:
        # IMMEDIATE: take the write lock now, so the revision read next is the last word.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with migrating.begin() as conn:
            yield conn
    finally:
        migrating.dispose()


def check_after_upgrade(conn: Connection) -> None:
    """Before COMMIT: every link between records still holds, and the complaint
    trail is still append-only. Either failing rolls the whole upgrade back."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise CxdeskError(
                f"the schema upgrade would break links between records (table {broken[0][0]}); "
                "nothing was changed."
            )
    if "complaintevent" in inspect(conn).get_table_names() and dialect in TRAIL_GUARDS:
        if dialect == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'complaintevent'"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'complaintevent'::regclass"
        present = {name for (name,) in conn.exec_driver_sql(query)}
        missing = TRAIL_GUARDS[dialect] - present
        if missing:
            raise CxdeskError(
                f"the schema upgrade lost the complaint trail's guard ({', '.join(sorted(missing))}); "
                "nothing was changed."
            )
