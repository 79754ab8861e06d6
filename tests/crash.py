"""Killing work at a chosen moment, for tests of what survives a crash.

``run_in_child(work, kill_after=N)`` forks; the child runs ``work()`` and SIGKILLs
itself right after its N-th SQL statement (any engine), the way a power cut or
``kill -9`` would stop it. Shared by the upgrade tests and meant for the
reliability suite (issue 17): a child that saves visits and prints each
acknowledged id can use the same hook.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine

# `make reliability` (CXDESK_RELIABILITY=full) kills at every statement; `make test` at a
# spread of them, the first and last included (the suite must stay under ten minutes).
FULL = os.environ.get("CXDESK_RELIABILITY") == "full"
SHORT_FORM_KILLS = 12


def kill_points(total: int) -> list[int]:
    """After which statements (1..total) to kill: all of them in the full run; in the
    short form the first three, the last two and an even spread between."""
    if FULL or total <= SHORT_FORM_KILLS:
        return list(range(1, total + 1))
    spread = {1 + round(i * (total - 1) / (SHORT_FORM_KILLS - 1)) for i in range(SHORT_FORM_KILLS)}
    return sorted(spread | {1, 2, 3, total - 1, total})


def run_in_child(work: Callable[[], object], *, kill_after: int = 0) -> tuple[bool, str]:
    """Run ``work`` in a forked child, killed right after SQL statement ``kill_after``
    (0: never). Returns (killed, what the child said): "ok N" with N statements
    run, or "error Type: message"."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller (pytest)
        os.close(reading)
        try:
            count = 0

            def after_statement(*_args) -> None:
                nonlocal count
                count += 1
                if count == kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)

            event.listen(Engine, "after_cursor_execute", after_statement)
            work()
            os.write(writing, f"ok {count}".encode())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(writing, f"error {type(exc).__name__}: {exc}".encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        said = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status), said


def statements_run(work: Callable[[], object]) -> int:
    """How many SQL statements ``work`` runs (in a child, so nothing here changes)."""
    killed, said = run_in_child(work)
    if killed or not said.startswith("ok "):
        raise AssertionError(said)
    return int(said.split()[1])
