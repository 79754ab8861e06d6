"""A counter saving visits, complaints and survey answers is SIGKILLed at random moments,
round after round on one database: every write it acknowledged is there, and the file
passes SQLite's integrity check and opens at the next start."""

from __future__ import annotations

import random
import sqlite3
import uuid
from contextlib import closing

from cxdesk.config import sqlite_url
from cxdesk.store.db import open_database
from tests.reliability.conftest import report
from tests.reliability.writer import pause, prepare_office, start_writer, wait_for

CHECKS = {  # what a line acknowledges -> where it must be
    "visit": "SELECT count(*) FROM visit WHERE id = ?",
    "complaint": "SELECT count(*) FROM complaint WHERE id = ?",
    "survey": "SELECT count(*) FROM surveyresponse WHERE invitation_id = ?",
}


def _key(text: str) -> str:
    return uuid.UUID(text).hex  # SQLModel stores UUIDs as 32 hex digits on SQLite


def test_every_acknowledged_write_survives_sigkill_at_random_moments(tmp_path, scale):
    rounds, _ = scale
    path = tmp_path / "office.db"
    database = open_database(sqlite_url(path), create=True)
    prepare_office(database, stations=1)
    database.dispose()
    rng = random.Random(12862)
    acknowledged: dict[str, list[str]] = {kind: [] for kind in CHECKS}
    errors: list[str] = []
    for number in range(rounds):
        writer = start_writer(sqlite_url(path), seed=number)
        # Let it save a random number of visits, then kill it at a random moment after that.
        wait_for(writer, "visit", rng.randint(1, 40))
        pause(rng.uniform(0, 0.02))
        writer.kill()
        writer.finish()
        assert writer.killed, writer.lines[-3:]
        said = writer.acknowledged()
        for kind in CHECKS:
            acknowledged[kind] += said.get(kind, [])
        errors += said.get("error", []) + said.get("crash", [])
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", number
            for kind, query in CHECKS.items():
                missing = [i for i in said.get(kind, []) if conn.execute(query, (_key(i),)).fetchone()[0] != 1]
                assert not missing, (number, kind, missing[:3])
        open_database(sqlite_url(path)).dispose()  # the next start opens it (quick_check, schema)
    assert errors == []
    with closing(sqlite3.connect(path)) as conn:
        for kind, query in CHECKS.items():
            assert all(conn.execute(query, (_key(i),)).fetchone()[0] == 1 for i in acknowledged[kind])
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    total = sum(len(ids) for ids in acknowledged.values())
    assert len(acknowledged["visit"]) >= rounds
    report(f"kill rounds={rounds} acknowledged writes={total} (visits {len(acknowledged['visit'])}, "
           f"complaints {len(acknowledged['complaint'])}, survey answers {len(acknowledged['survey'])}) lost=0")
