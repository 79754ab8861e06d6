"""Several counters on one database at once (2, 4 and 8 processes; SQLite and
PostgreSQL), checking customers in and calling the next one from one shared line: no
write lost or doubled, no customer called twice, and no error reaching a clerk."""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from cxdesk.config import sqlite_url
from cxdesk.store.db import open_database
from tests.reliability.conftest import FULL, report
from tests.reliability.writer import RACE, prepare_office, start_writer

COUNTERS = (2, 4, 8) if FULL else (2,)


def _race(url: str, counters: int, writes: int, engine_name: str) -> None:
    database = open_database(url, create=True)
    prepare_office(database, stations=counters)
    go_read, go_write = os.pipe()
    writers = [start_writer(url, station=n, mode=RACE, iterations=writes, seed=n, start_fd=go_read)
               for n in range(1, counters + 1)]
    os.write(go_write, b"x" * counters)
    for writer in writers:
        writer.finish()
    os.close(go_read)
    os.close(go_write)
    said = [writer.acknowledged() for writer in writers]
    errors = [line for s in said for line in s.get("error", []) + s.get("crash", [])]
    assert errors == []
    assert all("end" in s for s in said), [w.lines[-2:] for w in writers]
    checked_in = [uuid.UUID(i) for s in said for i in s.get("visit", [])]
    called = [uuid.UUID(i) for s in said for i in s.get("called", [])]
    assert len(checked_in) == counters * writes
    assert [v for v, n in Counter(called).items() if n > 1] == []  # nobody called twice
    with database.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, station_id, state, day, seq FROM visit")).all()
        stations = dict(conn.execute(sa.text("SELECT id, code FROM station")).all())
    database.dispose()
    as_uuid = {uuid.UUID(str(row.id)): row for row in rows}
    assert set(as_uuid) == set(checked_in)  # every acknowledged write, and no other (none doubled)
    assert len({(row.day, row.seq) for row in rows}) == len(rows)  # one ticket number each
    for number, s in enumerate(said, start=1):
        for visit_id in s.get("called", []):
            row = as_uuid[uuid.UUID(visit_id)]
            assert row.state == "done" and stations[row.station_id] == f"W{number}"
    idle = sum(len(s.get("idle", [])) for s in said)
    report(f"{engine_name} counters={counters} check-ins={len(checked_in)} calls={len(called)} "
           f"(nobody waiting {idle}) lost=0 doubled=0 called twice=0 errors=0")


@pytest.mark.parametrize("counters", COUNTERS)
def test_counters_on_one_sqlite_file_lose_nothing_and_call_nobody_twice(tmp_path, counters, scale):
    _race(sqlite_url(tmp_path / "office.db"), counters, scale[1], "sqlite")


@pytest.mark.parametrize("counters", COUNTERS)
def test_counters_on_one_postgresql_database_lose_nothing_and_call_nobody_twice(pg_url, counters, scale):
    _race(pg_url, counters, scale[1], "postgresql")
