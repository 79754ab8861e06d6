"""Schema upgrades: every past revision upgrades with every row intact, and a kill at
any statement of creation or of a migration leaves a file the next start opens.

The fixture databases (tests/store/fixtures/<revision>.db, built by
tools/make_fixture_db.py) hold a few rows in every table of their revision.
"""

from __future__ import annotations

import shutil
from contextlib import closing
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxdesk.config import sqlite_url
from cxdesk.errors import CxdeskError
from cxdesk.store import migrate
from cxdesk.store.db import open_database
from tests.crash import kill_points, run_in_child, statements_run

FIXTURES = Path(__file__).parent / "fixtures"
PAST = ("0001_foundation", "0002_surveys", "0003_complaints")
# Columns a migration changes on purpose: 0004_signin clears the old lock columns.
CHANGED_ON_PURPOSE = {("staff", "failed_pins"), ("staff", "locked_until")}


def rows_of(path: Path) -> dict[str, list[dict]]:
    """Every row of every table (but Alembic's), as plain dicts in primary-key order
    (WITHOUT ROWID tables, such as the barrier survey's, have no rowid to sort by)."""
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'alembic_version' ORDER BY name")]

        def order(table: str) -> str:
            keys = sorted((row["pk"], row["name"]) for row in conn.execute(f'PRAGMA table_info("{table}")')
                          if row["pk"])
            return ", ".join(f'"{name}"' for _, name in keys) or "rowid"

        return {table: [dict(row) for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {order(table)}')]
                for table in tables}


def assert_intact(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> None:
    for table, rows in before.items():
        kept = [{column: row[column] for column in old if (table, column) not in CHANGED_ON_PURPOSE}
                for row, old in zip(after[table], rows)]
        expected = [{c: v for c, v in row.items() if (table, c) not in CHANGED_ON_PURPOSE} for row in rows]
        assert len(after[table]) == len(rows), table
        assert kept == expected, table


def assert_healthy_at_head(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrate.head_revision(),)]
        triggers = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert migrate.TRAIL_GUARDS["sqlite"] <= triggers


def fixture_copy(revision: str, folder: Path) -> Path:
    target = folder / f"{revision}.db"
    shutil.copyfile(FIXTURES / f"{revision}.db", target)
    return target


def test_every_past_revision_has_a_fixture_with_rows_in_every_table():
    for revision in PAST:
        tables = rows_of(FIXTURES / f"{revision}.db")
        assert tables and all(tables.values()), revision
    assert {p.stem for p in FIXTURES.glob("*.db")} <= migrate.known_revisions()


@pytest.mark.parametrize("revision", PAST)
def test_a_past_revision_upgrades_with_every_row_intact(tmp_path, revision):
    path = fixture_copy(revision, tmp_path)
    before = rows_of(path)
    database = open_database(sqlite_url(path))
    database.dispose()
    assert database.upgraded_from == revision
    assert_intact(before, rows_of(path))
    assert_healthy_at_head(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT failed_pins, locked_until FROM staff WHERE code = 'CLK1'").fetchone() == (0, None)
        if "complaintevent" in before:
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute("UPDATE complaintevent SET note = 'rewritten'")


def test_staff_of_an_old_database_sign_in_with_their_old_pins(tmp_path):
    from datetime import datetime, timezone

    from cxdesk.domain.office import require_office
    from cxdesk.domain.staff import check_pin

    database = open_database(sqlite_url(fixture_copy("0001_foundation", tmp_path)))
    now = datetime(2026, 11, 24, 16, tzinfo=timezone.utc)
    try:
        with database.session() as session:
            office = require_office(session)
            # PINs hashed at the cost before issue 9 (scrypt 2^14) still sign in, and are rehashed.
            clerk = check_pin(session, office, "CLK1", "1357", now, place="W1")
            assert not clerk.pin_hash.startswith("scrypt$16384$")
            # A supervisor's 4-digit PIN from before the 8-digit rule: in, then asked for a longer one.
            assert check_pin(session, office, "SUP1", "2468", now, place="W1").must_change_pin
    finally:
        database.dispose()


# --- killed mid-upgrade ------------------------------------------------------------


@pytest.mark.parametrize("start", ["new database", *PAST])
def test_a_kill_at_any_statement_of_an_upgrade_leaves_a_file_the_next_start_upgrades(tmp_path, start):
    """For N = 1, 2, ... every statement: a child upgrading the file is SIGKILLed right
    after statement N; the next open must upgrade it to head with every row intact."""

    def fresh() -> Path:
        for leftover in tmp_path.glob("round.db*"):
            leftover.unlink(missing_ok=True)
        target = tmp_path / "round.db"
        if start != "new database":
            shutil.copyfile(FIXTURES / f"{start}.db", target)
        return target

    creating = start == "new database"
    before = rows_of(fresh()) if not creating else {}

    def upgrade() -> None:
        open_database(sqlite_url(tmp_path / "round.db"), create=creating).dispose()

    total = statements_run(upgrade)
    assert total > 3
    for kill_after in kill_points(total):
        path = fresh()
        killed, said = run_in_child(upgrade, kill_after=kill_after)
        assert killed, (kill_after, said)
        database = open_database(sqlite_url(path))
        database.dispose()
        assert_healthy_at_head(path)
        assert_intact(before, rows_of(path))


def test_a_batch_migration_that_copies_a_table_is_all_or_nothing(tmp_path):
    """A batch migration rebuilds a table (create a copy, copy the rows, drop, rename):
    killed at any of those statements, the table and its rows are as they were."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    source = fixture_copy("0003_complaints", tmp_path)
    open_database(sqlite_url(source)).dispose()
    before = rows_of(source)

    def rebuild_visit(path: Path) -> None:
        engine = sa.create_engine(sqlite_url(path))
        with migrate.upgrade_transaction(engine) as conn:
            operations = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
            with operations.batch_alter_table("visit", recreate="always") as batch:
                batch.alter_column("note", existing_type=sa.String(500), type_=sa.String(600))
            migrate.check_after_upgrade(conn)
        engine.dispose()

    probe = tmp_path / "probe.db"
    shutil.copyfile(source, probe)
    total = statements_run(lambda: rebuild_visit(probe))
    assert total >= 4  # create the copy, copy the rows, drop, rename
    for kill_after in kill_points(total):
        target = tmp_path / "round.db"
        for leftover in tmp_path.glob("round.db*"):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(source, target)
        killed, said = run_in_child(lambda: rebuild_visit(target), kill_after=kill_after)
        assert killed, said
        open_database(sqlite_url(target)).dispose()
        assert_intact(before, rows_of(target))
        assert_healthy_at_head(target)


def test_an_upgrade_that_loses_the_trail_guard_is_rolled_back(tmp_path):
    """Rebuilding complaintevent in a batch migration drops its append-only triggers;
    the upgrade refuses to commit that, and nothing of it stays."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    path = fixture_copy("0003_complaints", tmp_path)
    open_database(sqlite_url(path)).dispose()
    before = rows_of(path)
    engine = sa.create_engine(sqlite_url(path))
    with pytest.raises(CxdeskError, match="lost the complaint trail's guard"):
        with migrate.upgrade_transaction(engine) as conn:
            operations = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
            with operations.batch_alter_table("complaintevent", recreate="always") as batch:
                batch.add_column(sa.Column("extra", sa.Integer(), nullable=True))
            migrate.check_after_upgrade(conn)
    engine.dispose()
    assert rows_of(path) == before
    assert_healthy_at_head(path)
