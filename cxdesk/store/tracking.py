"""Change tracking for the exchange with headquarters, kept by the database itself.

Every row of a tracked table carries ``version``: a number from one office-wide
counter, stamped by triggers on INSERT and on every UPDATE, so no domain
function has to remember it. An export takes the rows above the last export's
mark; headquarters keeps whichever copy of a row has the higher version.

- SQLite: an AFTER trigger bumps the one-row ``exchangeclock`` and writes the
  new value into the row. SQLite has one writer at a time, so versions are
  handed out in commit order and a reader's snapshot never misses a lower one.
- PostgreSQL: a BEFORE trigger takes ``nextval('exchange_version')`` (no row
  lock, so counters saving at once never queue on the counter) while holding a
  shared transaction-level advisory lock; the exporter takes that lock
  exclusively for a moment (``high_water``), which waits out every transaction
  that holds a version not yet committed.

A row written with a version already set (headquarters ingesting an office's
rows) keeps it: the triggers fire only when the version is absent (INSERT) or
unchanged (UPDATE). Migrations call ``track``/``untrack``; a migration that
rebuilds a tracked table on SQLite (batch mode drops triggers) must call
``track`` again for it (tests/store/test_tracking.py checks every table).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

VERSION = "version"
SEQUENCE = "exchange_version"
# pg_advisory_xact_lock key: "cxdesk" + exchange, any constant unique to us.
ADVISORY_KEY = 0x6378_6465_736B_0008
_PG_FUNCTION = "cxdesk_stamp_version"
_APPEND_ONLY_REFUSAL = "the complaint trail is append-only"


def _execute(bind, statement: str) -> None:
    # Works with an alembic ``op`` (op.execute) and with a Connection.
    if hasattr(bind, "exec_driver_sql"):
        bind.exec_driver_sql(statement)
    else:
        bind.execute(statement)


def install_counter(bind, dialect: str) -> None:
    """The office-wide counter: the clock row (SQLite) or a sequence and the
    stamping function (PostgreSQL)."""
    if dialect == "postgresql":
        _execute(bind, f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint")
        _execute(bind, (
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger AS $$ BEGIN "
            f"PERFORM pg_advisory_xact_lock_shared({ADVISORY_KEY}); "
            f"NEW.{VERSION} := nextval('{SEQUENCE}'); RETURN NEW; END; $$ LANGUAGE plpgsql"))
    else:
        _execute(bind, "INSERT OR IGNORE INTO exchangeclock (id, value) VALUES (1, 0)")


def remove_counter(bind, dialect: str) -> None:
    if dialect == "postgresql":
        _execute(bind, f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}() CASCADE")
        _execute(bind, f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


def trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_version_insert", f"{table}_version_update"


def track(bind, dialect: str, tables: Iterable[str]) -> None:
    """(Re)create the stamping triggers of ``tables``; idempotent."""
    for table in tables:
        on_insert, on_update = trigger_names(table)
        _execute(bind, f"DROP TRIGGER IF EXISTS {on_insert}" + (f" ON {table}" if dialect == "postgresql" else ""))
        _execute(bind, f"DROP TRIGGER IF EXISTS {on_update}" + (f" ON {table}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            _execute(bind, f"CREATE TRIGGER {on_insert} BEFORE INSERT ON {table} FOR EACH ROW "
                           f"WHEN (NEW.{VERSION} IS NULL) EXECUTE FUNCTION {_PG_FUNCTION}()")
            _execute(bind, f"CREATE TRIGGER {on_update} BEFORE UPDATE ON {table} FOR EACH ROW "
                           f"WHEN (NEW.{VERSION} IS NOT DISTINCT FROM OLD.{VERSION}) "
                           f"EXECUTE FUNCTION {_PG_FUNCTION}()")
        else:
            stamp = (
                "UPDATE exchangeclock SET value = value + 1 WHERE id = 1; "
                f"UPDATE {table} SET {VERSION} = (SELECT value FROM exchangeclock WHERE id = 1) "
                "WHERE rowid = NEW.rowid;"
            )
            _execute(bind, f"CREATE TRIGGER {on_insert} AFTER INSERT ON {table} "
                           f"WHEN NEW.{VERSION} IS NULL BEGIN {stamp} END")
            _execute(bind, f"CREATE TRIGGER {on_update} AFTER UPDATE ON {table} "
                           f"WHEN NEW.{VERSION} IS OLD.{VERSION} BEGIN {stamp} END")


def untrack(bind, dialect: str, tables: Iterable[str]) -> None:
    for table in tables:
        for name in trigger_names(table):
            _execute(bind, f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else ""))


def guard_trail(bind, dialect: str) -> None:
    """SQLite: the trail's append-only guard, letting through only the stamping
    trigger's own UPDATE (a row whose version is still unset, which exists only
    inside the INSERT that made it). PostgreSQL stamps before the row is
    written, so its guard (migration 0003) needs no exception."""
    if dialect == "postgresql":
        return
    _execute(bind, "DROP TRIGGER IF EXISTS complaintevent_no_update")
    _execute(bind, "CREATE TRIGGER complaintevent_no_update BEFORE UPDATE ON complaintevent "
                   f"WHEN OLD.{VERSION} IS NOT NULL "
                   f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_REFUSAL}'); END")


def unguard_trail(bind, dialect: str) -> None:
    """Back to migration 0003's guard (refuse every UPDATE)."""
    if dialect == "postgresql":
        return
    _execute(bind, "DROP TRIGGER IF EXISTS complaintevent_no_update")
    _execute(bind, "CREATE TRIGGER complaintevent_no_update BEFORE UPDATE ON complaintevent "
                   f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_REFUSAL}'); END")


def stamp_existing(bind, dialect: str, tables: Iterable[str]) -> None:
    """Give rows written before tracking began a version each (table by table), so the first export after the upgrade carries them."""
    for table in tables:
        if dialect == "postgresql":
            _execute(bind, f"UPDATE {table} SET {VERSION} = nextval('{SEQUENCE}') WHERE {VERSION} IS NULL")
        else:
            # rowid order is insertion order here: base + rowid is unique and rising.
            _execute(bind, f"UPDATE {table} SET {VERSION} = "
                           f"(SELECT value FROM exchangeclock WHERE id = 1) + rowid WHERE {VERSION} IS NULL")
            _execute(bind, f"UPDATE exchangeclock SET value = max(value, "
                           f"(SELECT coalesce(max({VERSION}), 0) FROM {table})) WHERE id = 1")


def high_water(conn: sa.Connection) -> int:
    """The highest version every row at or below which is committed and visible
    to a transaction that starts after this returns.

    PostgreSQL: waits (briefly) for writers holding a version, by taking the
    advisory lock exclusively, then releases it with the caller's transaction.
    Call it in a transaction of its own, before the snapshot that reads rows.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_KEY})")
        last, called = conn.exec_driver_sql(f"SELECT last_value, is_called FROM {SEQUENCE}").one()
        return int(last) if called else 0
    value = conn.exec_driver_sql("SELECT value FROM exchangeclock WHERE id = 1").scalar()
    return int(value or 0)
