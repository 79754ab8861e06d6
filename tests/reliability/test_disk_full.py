"""A disk that fills while a counter saves: the save fails with an error the app turns
into a sentence, every write acknowledged before stays, the file stays whole, and
saving resumes once there is room again.

The child's file-size limit (RLIMIT_FSIZE) refuses its writes past a size the way a
full disk does (no root, no mount needed); SQLite reports it as "disk I/O error"
(its retry of the short write gets EFBIG rather than ENOSPC)."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing

from cxdesk.config import sqlite_url
from cxdesk.logs import unexpected_message
from cxdesk.store.db import open_database
from tests.reliability.conftest import report
from tests.reliability.writer import prepare_office, start_writer


def test_a_full_disk_loses_no_acknowledged_write_and_saving_resumes_after(tmp_path):
    path = tmp_path / "office.db"
    database = open_database(sqlite_url(path), create=True)
    prepare_office(database, stations=1)
    database.dispose()
    companions = [path, path.with_name(path.name + "-wal")]
    limit = max(p.stat().st_size for p in companions if p.exists()) + 600_000 + 2000  # not on a page boundary
    writer = start_writer(sqlite_url(path), seed=5, file_size_limit=limit)
    writer.finish()
    said = writer.acknowledged()
    assert said.get("crash") is None and said.get("error") is None, writer.lines[-3:]
    full = said.get("full", [])
    assert len(full) == 1, writer.lines[-3:]  # the counter saw "disk full", not a crash or a hang
    visits = said.get("visit", [])
    assert len(visits) >= 5
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM visit")}
    assert {uuid.UUID(v).hex for v in visits} <= stored
    assert "disk I/O error" in full[0] or "disk is full" in full[0]
    # What the clerk reads when SQLite says the disk is full.
    assert "The disk is full" in unexpected_message(sqlite3.OperationalError("database or disk is full"))
    # Room again: the next counter opens the file and saves.
    again = start_writer(sqlite_url(path), seed=6, iterations=5)
    again.finish()
    assert again.count("visit") >= 4 and "end" in again.acknowledged(), again.lines[-3:]
    report(f"disk full: {len(visits)} visits acknowledged before the disk filled, lost=0; "
           f"the clerk saw: {full[0][:60]}")
