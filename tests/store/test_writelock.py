"""cxdesk's writers on one SQLite file take turns on a lock file beside it
(cxdesk.store.writelock): held for a write transaction only, let go at its commit,
its rollback and its failure, and never left behind by a process that died."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from cxdesk.store import db as store_db
from cxdesk.store import writelock
from cxdesk.store.db import open_database, sqlite_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(db_url):
    database = open_database(db_url, create=True)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE scratch (id INTEGER PRIMARY KEY, note TEXT)")
    yield database
    database.dispose()


def lock_file(database) -> Path:
    return writelock.lock_path(sqlite_file(database.url))


def held_by_someone(path: Path) -> bool:
    """Whether another descriptor holds the lock (asked without waiting)."""
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also lets go of a lock this probe took
    return False


def insert(session, number: int) -> None:
    session.execute(sa.text("INSERT INTO scratch (id, note) VALUES (:id, 'x')"), {"id": number})


def test_a_write_transaction_holds_the_lock_from_its_first_write_to_its_commit(database):
    with database.session() as session:
        session.execute(sa.text("SELECT count(*) FROM scratch")).one()
        assert not held_by_someone(lock_file(database))  # reading takes no turn
        insert(session, 1)
        assert held_by_someone(lock_file(database))
        session.commit()
        assert not held_by_someone(lock_file(database))
        store_db.begin_write(session)  # BEGIN IMMEDIATE takes it too
        assert held_by_someone(lock_file(database))
        session.rollback()
        assert not held_by_someone(lock_file(database))


def test_the_lock_file_has_the_database_file_mode(database):
    path = sqlite_file(database.url)
    with database.session() as session:
        insert(session, 1)
        session.commit()
    assert stat.S_IMODE(lock_file(database).stat().st_mode) == stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_lets_go_of_the_lock(database):
    with database.session() as session:
        insert(session, 1)
        session.commit()
        insert(session, 2)
        with pytest.raises(IntegrityError):
            insert(session, 1)
        assert held_by_someone(lock_file(database))  # the transaction is still open
        session.rollback()
        assert not held_by_someone(lock_file(database))
    with pytest.raises(RuntimeError), database.session() as session:
        insert(session, 3)
        assert held_by_someone(lock_file(database))
        raise RuntimeError("a step that failed half-way")
    assert not held_by_someone(lock_file(database))
    with database.session() as session:
        assert session.execute(sa.text("SELECT id FROM scratch")).scalars().all() == [1]


def test_a_second_writer_waits_for_the_lock_not_in_sqlite_busy_handler(database, monkeypatch):
    """SQLite's busy timeout cut to 1 ms: a writer that reached SQLite while the other
    held its write lock would fail ("database is locked"). It waits in the write lock
    instead, and goes on the moment the first commits."""
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 1)
    first = open_database(database.url)
    waiting = threading.Event()
    real_block = writelock.block

    def block(fd):
        waiting.set()
        real_block(fd)

    monkeypatch.setattr(writelock, "block", block)
    outcome = []

    def second_writer():
        try:
            with first.session() as session:
                insert(session, 2)
                session.commit()
            outcome.append("saved")
        except Exception as exc:  # noqa: BLE001 - the failure is the finding
            outcome.append(repr(exc))

    try:
        with database.session() as session:
            insert(session, 1)
            writer = threading.Thread(target=second_writer)
            writer.start()
            assert waiting.wait(30)
            session.commit()
        writer.join(30)
    finally:
        first.dispose()
    assert outcome == ["saved"]
    with database.session() as session:
        assert session.execute(sa.text("SELECT id FROM scratch ORDER BY id")).scalars().all() == [1, 2]


def test_a_writer_goes_on_without_the_lock_after_the_wait_and_sqlite_decides(database, monkeypatch):
    """A holder that does not let go (a stopped process, say): after the wait, SQLite's busy
    timeout gives the usual "database is locked"; once the holder commits, writing works
    again and nothing is left holding the lock."""
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 1)
    monkeypatch.setattr(store_db, "WRITE_LOCK_WAIT_S", 0.05)
    other = open_database(database.url)
    held, done = threading.Event(), threading.Event()

    def holder():
        with database.session() as session:
            insert(session, 1)
            held.set()
            done.wait(30)
            session.commit()

    holding = threading.Thread(target=holder)
    holding.start()
    try:
        assert held.wait(30)
        with pytest.raises(OperationalError, match="locked"), other.session() as session:
            insert(session, 2)
    finally:
        done.set()
        holding.join(30)
    try:
        with other.session() as session:
            insert(session, 3)
            session.commit()
    finally:
        other.dispose()
    for thread in threading.enumerate():
        if thread.name == "cxdesk-write-lock":
            thread.join(30)  # the waiter that was given up on: it lets go once it gets the lock
    assert not held_by_someone(lock_file(database))
    with database.session() as session:
        assert session.execute(sa.text("SELECT id FROM scratch ORDER BY id")).scalars().all() == [1, 3]


def test_a_second_write_in_the_same_thread_does_not_wait_for_itself(database, monkeypatch):
    """Two sessions of one thread: the second cannot be given the lock while the first
    holds it, so it goes straight to SQLite, whose busy timeout answers."""
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 1)
    other = open_database(database.url)
    try:
        with database.session() as holding:
            insert(holding, 1)
            with pytest.raises(OperationalError, match="locked"), other.session() as session:
                insert(session, 2)
            assert held_by_someone(lock_file(database))
            holding.commit()
    finally:
        other.dispose()
    assert not held_by_someone(lock_file(database))


HOLDER = """
import sys
import sqlalchemy as sa
from cxdesk.store.db import open_database

database = open_database(sys.argv[1])
with database.session() as session:
    session.execute(sa.text("INSERT INTO scratch (id, note) VALUES (7, 'never committed')"))
    print("holding", flush=True)
    sys.stdin.read()
"""


def test_a_killed_holder_does_not_block_the_others(database):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, database.url], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert held_by_someone(lock_file(database))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        holder.stdin.close()
        holder.stdout.close()
    assert not held_by_someone(lock_file(database))
    with database.session() as session:
        insert(session, 8)
        session.commit()
        assert session.execute(sa.text("SELECT id FROM scratch")).scalars().all() == [8]


def test_other_programs_and_in_memory_databases_are_left_to_sqlite(database, tmp_path):
    """A plain sqlite3 connection (the shell, a migration's own) takes no turn, and an
    in-memory database has no file to put a lock beside."""
    with database.session() as session:
        insert(session, 1)
        session.commit()
    assert lock_file(database).exists()
    plain = sqlite3.connect(sqlite_file(database.url), isolation_level=None)
    plain.execute("BEGIN IMMEDIATE")
    assert not held_by_someone(lock_file(database))
    plain.execute("ROLLBACK")
    plain.close()
    memory = store_db.make_engine("sqlite://")
    with memory.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    memory.dispose()
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.endswith(writelock.SUFFIX)) == [
        lock_file(database).name]
