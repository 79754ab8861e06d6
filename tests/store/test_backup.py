"""Backups of the live database and putting one back: consistent while counters write,
verified, private, never over a file unless asked; a restore refuses damaged, foreign
and other offices' backups, keeps the current database aside and is all or nothing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from cxdesk.config import sqlite_url
from cxdesk.errors import CxdeskError
from cxdesk.store import backup as backups
from cxdesk.store.db import open_database
from tests.factories import make_office, serve
from tests.reliability.writer import prepare_office, start_writer, wait_for


def rows_of(path: Path) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture
def live(tmp_path):
    path = tmp_path / "office.db"
    database = open_database(sqlite_url(path), create=True)
    prepare_office(database, stations=2)
    database.dispose()
    return path


def test_a_backup_taken_while_a_counter_writes_restores_every_row(live, tmp_path):
    writer = start_writer(sqlite_url(live), seed=3)
    try:
        wait_for(writer, "visit", 40)
        result = backups.backup(sqlite_url(live), tmp_path / "under-load.db")
        wait_for(writer, "visit", writer.count("visit") + 20)  # still saving after the backup
    finally:
        writer.kill()
        writer.finish()
    assert writer.killed
    assert integrity(result.path) == "ok"
    assert result.counts["visit"] >= 40
    with closing(sqlite3.connect(result.path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    copied = rows_of(result.path)
    # Restored as a new database, then over the live one: every row of the backup, nothing else.
    fresh = tmp_path / "fresh.db"
    backups.restore(sqlite_url(fresh), result.path)
    assert rows_of(fresh) == copied
    before = rows_of(live)
    restored = backups.restore(sqlite_url(live), result.path)
    assert rows_of(live) == copied
    assert rows_of(restored.kept_aside) == before
    assert len(before["visit"]) > len(copied["visit"])  # the live one had more: now kept aside
    # The restored database opens and takes new visits.
    database = open_database(sqlite_url(live))
    database.dispose()


def test_a_backup_is_private_and_refuses_to_replace_a_file_unless_asked(live, tmp_path):
    target = tmp_path / "copy.db"
    result = backups.backup(sqlite_url(live), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert result.revision and result.office_code == "CHI01"
    first = target.read_bytes()
    with pytest.raises(CxdeskError, match="already exists"):
        backups.backup(sqlite_url(live), target)
    assert target.read_bytes() == first
    assert backups.backup(sqlite_url(live), target, overwrite=True).path == target
    assert not list(tmp_path.glob(".copy.db.part*"))


def test_backups_without_a_target_go_to_the_data_folder_and_only_the_newest_are_kept(live):
    from datetime import datetime, timedelta

    start = datetime(2026, 11, 24, 17, 0, 0)
    made = [backups.backup(sqlite_url(live), keep=3, now=start + timedelta(days=day)).path for day in range(5)]
    kept = sorted(backups.backup_folder().glob("office-*.db"))
    assert kept == made[2:]
    assert all(integrity(path) == "ok" for path in kept)


def test_a_backup_into_a_folder_gets_a_dated_name(live, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    result = backups.backup(sqlite_url(live), folder)
    assert result.path.parent == folder and result.path.name.startswith("office-")


def test_postgresql_is_pointed_to_pg_dump():
    with pytest.raises(CxdeskError, match="pg_dump"):
        backups.backup("postgresql+psycopg://postgres@127.0.0.1/cxdesk")


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, min(len(data), 4096 * 6), 97):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["damaged", "text", "other application", "empty", "missing", "truncated"])
def test_a_restore_refuses_a_bad_backup_and_changes_nothing(live, tmp_path, kind):
    bad = tmp_path / "bad.db"
    if kind in ("damaged", "truncated"):
        backups.backup(sqlite_url(live), bad)
        if kind == "damaged":
            _damage(bad)
        else:
            bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    elif kind == "text":
        bad.write_text("visits,complaints\n1,2\n")
    elif kind == "other application":
        with closing(sqlite3.connect(bad)) as conn:
            conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
            conn.commit()
    elif kind == "empty":
        bad.write_bytes(b"")
    before = live.read_bytes()
    with pytest.raises(CxdeskError):
        backups.restore(sqlite_url(live), bad)
    assert live.read_bytes() == before
    assert not list(tmp_path.glob("office.before-restore-*"))


def test_a_restore_refuses_another_offices_backup_unless_asked(live, tmp_path):
    other_path = tmp_path / "other.db"
    other = open_database(sqlite_url(other_path), create=True)
    with other.session() as session:
        from cxdesk.domain.office import setup_office
        from tests.factories import FIXED_NOW

        setup_office(session, code="NYC02", name="New York", timezone="America/New_York",
                     station_names=["Window 1"], supervisor_code="SUP9", supervisor_name="Sam Lee",
                     supervisor_pin="97531864", now=FIXED_NOW)
    other.dispose()
    before = live.read_bytes()
    with pytest.raises(CxdeskError, match="NYC02"):
        backups.restore(sqlite_url(live), other_path)
    assert live.read_bytes() == before
    backups.restore(sqlite_url(live), other_path, other_office=True)
    with closing(sqlite3.connect(live)) as conn:
        assert conn.execute("SELECT code FROM office").fetchall() == [("NYC02",)]


def test_a_kill_at_any_moment_of_a_restore_leaves_the_old_database_or_the_backup(tmp_path):
    """SIGKILL the restoring process at random moments: the live file is always either
    the database it was or the backup, whole (integrity_check ok), never a mix."""
    live = tmp_path / "office.db"
    database = open_database(sqlite_url(live), create=True)
    office = make_office(database)
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in
    from tests.factories import CLERK, FIXED_NOW

    with database.session() as session:
        who = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=get_station(session, office, "W1"),
                      now=FIXED_NOW)
    for _ in range(30):
        serve(database, office, who)
    snapshot = backups.backup(sqlite_url(live), tmp_path / "snapshot.db").path
    for _ in range(300):
        serve(database, office, who, service="replacement_card")
    database.dispose()
    old, new = rows_of(live), rows_of(snapshot)
    pristine = tmp_path / "pristine.db"
    backups.copy_database(live, pristine)
    rng = random.Random(17)
    outcomes = {"old": 0, "new": 0}
    for _ in range(12):
        for leftover in tmp_path.glob("office*"):
            leftover.unlink()
        backups.copy_database(pristine, live)
        pid = os.fork()
        if pid == 0:
            try:
                backups.restore(sqlite_url(live), snapshot)
            finally:
                os._exit(0)
        # A random moment: the point of the test is where the kill lands.
        import time

        time.sleep(rng.uniform(0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        database = open_database(sqlite_url(live))  # the next start: checks and opens it
        database.dispose()
        assert integrity(live) == "ok"
        now = rows_of(live)
        now.pop("alembic_version")
        expected = {k: v for k, v in old.items() if k != "alembic_version"}
        fresh = {k: v for k, v in new.items() if k != "alembic_version"}
        assert now in (expected, fresh)
        outcomes["old" if now == expected else "new"] += 1
    assert sum(outcomes.values()) == 12
