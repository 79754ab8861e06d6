"""One writer at a time on an SQLite file, handed on at once (issue 16).

SQLite lets one connection write at a time; a connection that finds the file
busy sleeps in its busy handler, in steps that grow to 100 ms, before it looks
again. With eight counters saving at once that makes a convoy: a save of 2 ms
waited 130 ms and more (the harness's "8 counters at once"). So cxdesk's own
connections first take an exclusive ``flock`` on a companion file beside the
database (``office.db-lock``) for the length of each write transaction: the
kernel hands it to the next waiter the moment it is released, and SQLite's
lock is then free when that waiter asks for it.

- Held from the statement that starts a write (an INSERT, UPDATE, DELETE or
  REPLACE outside a transaction, or ``BEGIN IMMEDIATE``/``EXCLUSIVE``) to the
  connection's commit, rollback or close; readers never take it (WAL readers
  do not stop a writer).
- A process that dies holding it releases it (the kernel drops a dead
  process's locks), and so does SQLite's own lock.
- Anything that does not take it (a migration's own connection, the sqlite3
  shell, another program) is still kept out by SQLite's own lock, and cxdesk's
  connections wait for that one in SQLite's busy handler as before.
- A wait longer than the busy timeout goes on without the lock, so the busy
  timeout still decides (a stopped process, say); a second write transaction
  on the same file in a thread that already holds the lock does not take it
  either (it could never be granted).
- The lock file takes the database file's mode (0600 for cxdesk's own), and is
  never removed: a new one would not exclude a connection holding the old. One
  that cannot be opened or created (a read-only folder) means no lock: SQLite's
  busy handler, as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import threading
from pathlib import Path

SUFFIX = "-lock"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")
_BEGINS_WRITE = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
# (lock file's device and inode, thread) for every lock this process holds: a thread's
# nested writer does not wait for itself.
_held: set[tuple[tuple[int, int], int]] = set()


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def starts_write(statement: str) -> bool:
    """Whether ``statement``, run outside a transaction, begins a write transaction
    (the sqlite3 module opens one before INSERT, UPDATE, DELETE and REPLACE)."""
    head = statement.lstrip()[:15].upper()
    return head.startswith(_WRITES) or head.startswith(_BEGINS_WRITE)


class WriteLock:
    """The flock one connection holds for its write transaction."""

    def __init__(self, database: Path, wait_seconds: float):
        self.path = lock_path(database)
        self.database = database
        self.wait_seconds = wait_seconds
        self._fd: int | None = None
        self._key: tuple[int, int] | None = None
        self._owner: tuple[tuple[int, int] | None, int] | None = None
        self.held = False

    def acquire(self) -> bool:
        """Take the lock (waiting for another writer to finish); False if it goes on without it."""
        if self.held:
            return True
        fd = self._descriptor()
        if fd is None:
            return False
        owner = (self._key, threading.get_ident())
        if owner in _held:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self._wait(fd):
                return False
        except OSError:
            return False
        self.held = True
        self._owner = owner
        _held.add(owner)
        return True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        _held.discard(self._owner)
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _descriptor(self) -> int | None:
        if self._fd is None:
            try:
                mode = stat.S_IMODE(self.database.stat().st_mode) & 0o666
                # Read-only is enough for flock; O_CREAT gives a new file the database's mode.
                fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, mode)
            except OSError:
                return None
            found = os.fstat(fd)
            if stat.S_IMODE(found.st_mode) != mode and found.st_uid == os.geteuid():
                try:
                    os.fchmod(fd, mode)  # the umask may have filtered os.open's mode
                except OSError:
                    pass
            self._fd, self._key = fd, (found.st_dev, found.st_ino)
        return self._fd

    def _wait(self, fd: int) -> bool:
        """Block in flock until the holder lets go, at most ``wait_seconds``.

        flock itself has no timeout, so a helper thread waits in it; if the time runs
        out, that thread keeps the descriptor, and lets go of the lock it may yet be
        given and closes it, and this connection opens a new one next time."""
        granted = threading.Event()
        gave_up = threading.Event()
        settle = threading.Lock()

        def wait() -> None:
            try:
                block(fd)
            except OSError:
                return
            with settle:
                if not gave_up.is_set():
                    granted.set()
                    return
            os.close(fd)  # abandoned: closing the descriptor releases the lock

        threading.Thread(target=wait, name="cxdesk-write-lock", daemon=True).start()
        if granted.wait(self.wait_seconds):
            return True
        with settle:
            if granted.is_set():
                return True
            gave_up.set()
        self._fd = None
        return False


def block(fd: int) -> None:
    """Wait in the kernel for the lock on ``fd`` (a helper thread of ``WriteLock._wait``)."""
    fcntl.flock(fd, fcntl.LOCK_EX)


class LockingConnection(sqlite3.Connection):
    """An sqlite3 connection that lets go of its write lock when its transaction ends."""

    write_lock: WriteLock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.write_lock is not None:
                self.write_lock.close()

    def _let_go(self) -> None:
        if self.write_lock is not None and not self.in_transaction:
            self.write_lock.release()

    def before_statement(self, statement: str) -> None:
        if self.write_lock is not None and not self.in_transaction and starts_write(statement):
            self.write_lock.acquire()

    def after_statement(self) -> None:
        """A write that ran outside a transaction, or a BEGIN that failed, holds nothing more."""
        self._let_go()
