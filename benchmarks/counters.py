"""Eight counters saving at once on one office database, SQLite and PostgreSQL (issue 16).

Eight processes (this file run as ``counters.py worker ...``), each signed in as one
of the demo office's clerks at its own window, check a customer in, call the next
and finish, through the domain functions the counter's database thread calls,
all at the same time against one database. Every save is timed; every exception
is an error a clerk would have been shown. The baseline: eight processes doing a
bare INSERT + COMMIT of one row, at the same time, on the same database.

Two ways of going at once:

- ``rounds`` (the figure with the target): the eight press the same key at the same
  instant. The harness releases all eight for one save (every check in, then every call,
  then every finish), waits until each has committed, and releases the next round. A save
  is timed from its release, so the wait for a core and for the other seven counters'
  commits is in it: the worst moment of a real office, every round.
- ``flood`` (for scale): each of the eight saves its visits back to back, with no pause at
  all, a thousand times a real counter's pace; every save waits behind the others' queue.

SQLite: a copy of the bench database (the cached file stays as built). PostgreSQL
(127.0.0.1:5432, user postgres): a scratch database filled by ``cxdesk demo --days 5``,
dropped after.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNTERS = 8
# The demo office's clerks (cxdesk/demo/office.py) and the windows they sit at here.
CLERKS = [("CLK1", "1357", "W1"), ("CLK2", "4826", "W2"), ("CLK3", "5937", "W3"), ("CLK4", "6149", "W4"),
          ("CLK5", "7284", "W5"), ("CLK6", "8395", "W6"), ("CLK7", "9416", "W7"), ("CLK8", "3527", "W9")]
LINE_AHEAD = 3 * COUNTERS  # customers waiting before the start, so a call always finds one
GO_TIMEOUT_S = 120.0


# --- in each worker process -----------------------------------------------------------------------


def _wait_for_go(go: Path) -> None:
    print("ready", flush=True)
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.005)


def _rounds():
    """In ``rounds``: each save waits for the harness's ``go <release ns>`` line; yields the
    release instant (``time.perf_counter_ns``, one clock for every process on Linux)."""
    print("ready", flush=True)
    while True:
        line = sys.stdin.readline().split()
        if not line or line[0] != "go":
            return
        yield int(line[1])


def domain_worker(url: str, clerk: int, visits: int, go: Path, rounds: bool = False) -> dict:
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.visits import Finish, call_next, check_in, finish
    from cxdesk.store.db import open_database

    code, pin, window = CLERKS[clerk]
    db = open_database(url)
    with db.session() as session:
        office = require_office(session)
        station = get_station(session, office, window)
        who = sign_in(session, office, code=code, pin=pin, station=station, now=utcnow(), take_over=True)
    samples: dict[str, list[int]] = {"check_in": [], "call_next": [], "finish": []}
    errors: list[str] = []
    services = ("change_address", "replacement_card", "general_info")
    releases = _rounds() if rounds else None
    if not rounds:
        _wait_for_go(go)

    def timed(name: str, step):
        started = next(releases, None) if releases else time.perf_counter_ns()
        if started is None:
            raise SystemExit("the harness stopped the rounds early")
        result = None
        try:
            if step is not None:
                with db.session() as session:
                    result = step(session)
                samples[name].append(time.perf_counter_ns() - started)
        except Exception as exc:  # noqa: BLE001 - every failure is one a clerk would see
            errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200])
        finally:
            if releases:
                print("done", flush=True)
        return result

    for number in range(visits):
        service = services[(number + clerk) % 3]
        timed("check_in", lambda s, service=service: check_in(s, office, segment="worker", service=service,
                                                              now=utcnow()))
        visit = timed("call_next", lambda s: call_next(s, office, who, utcnow()))
        if visit is not None or rounds:  # in rounds, a counter with nobody called still answers the round
            timed("finish", None if visit is None else lambda s, visit=visit, service=service: finish(
                s, visit, Finish(service=service, outcome="resolved"), who, utcnow()))
    db.dispose()
    return {"samples": samples, "errors": errors}


def bare_worker(url: str, saves: int, go: Path, rounds: bool = False) -> dict:
    """One row INSERT + COMMIT, ``saves`` times: SQLite with cxdesk's pragmas, or psycopg."""
    samples: list[int] = []
    errors: list[str] = []
    if url.startswith("sqlite"):
        from cxdesk.store.db import BUSY_TIMEOUT_MS

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}", "synchronous=FULL"):
            conn.execute(f"PRAGMA {pragma}")

        def insert(row):
            conn.execute("BEGIN")
            conn.execute("INSERT INTO bench_baseline VALUES (?, ?, ?)", row)
            conn.execute("COMMIT")
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

        def insert(row):
            conn.execute("INSERT INTO bench_baseline VALUES (%s, %s, %s)", row)
            conn.commit()
    releases = _rounds() if rounds else None
    if not rounds:
        _wait_for_go(go)
    for _ in range(saves):
        row = (uuid.uuid4().hex, time.strftime("%Y-%m-%d %H:%M:%S"), "resolved")
        started = next(releases, None) if releases else time.perf_counter_ns()
        if started is None:
            raise SystemExit("the harness stopped the rounds early")
        try:
            insert(row)
            samples.append(time.perf_counter_ns() - started)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
        finally:
            if releases:
                print("done", flush=True)
    conn.close()
    return {"samples": {"insert": samples}, "errors": errors}


# --- in the harness ---------------------------------------------------------------------------------


def _wait_until_ready(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"a counter did not start: {line!r} (exit {process.poll()})")


def _results(processes: list[subprocess.Popen], timeout: float) -> list[dict]:
    """Each process's last line (its JSON), once it has ended (its stdin, if any, closed first)."""
    results = []
    for process in processes:
        if process.stdin is not None:
            process.stdin.close()  # no more rounds
        out = process.stdout.read()  # what readline already buffered, then the rest
        process.wait(timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"a counter failed (exit {process.returncode})")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _kill_the_rest(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()


def _run_at_once(commands: list[list[str]], env: dict[str, str]) -> list[dict]:
    """Start every command, wait until each says it is ready, then let them all go at once."""
    with tempfile.TemporaryDirectory() as folder:
        go = Path(folder) / "go"
        processes = [subprocess.Popen([*command, str(go)], stdout=subprocess.PIPE, text=True, env=env)
                     for command in commands]
        try:
            _wait_until_ready(processes)
            go.touch()
            return _results(processes, timeout=900)
        finally:
            _kill_the_rest(processes)


def _run_in_rounds(commands: list[list[str]], env: dict[str, str] | None, rounds: int) -> list[dict]:
    """Start every command; ``rounds`` times release them all at once for one save each and
    wait until every one has saved."""
    processes = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
                 for command in commands]
    try:
        _wait_until_ready(processes)
        for _ in range(rounds):
            time.sleep(0.02)  # the eight are idle again, as between two real keys
            release = f"go {time.perf_counter_ns()}\n"
            for process in processes:
                process.stdin.write(release)
                process.stdin.flush()
            for process in processes:
                line = process.stdout.readline()
                if line.strip() != "done":
                    raise RuntimeError(f"a counter stopped: {line!r} (exit {process.poll()})")
        return _results(processes, timeout=120)
    finally:
        _kill_the_rest(processes)


def _prepare(url: str) -> object:
    """Customers waiting, and a scratch table for the baseline; returns the moment before."""
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.domain.visits import at_station, check_in, send_back_to_line
    from cxdesk.store.db import open_database

    since = utcnow()
    db = open_database(url)
    try:
        with db.session() as session:
            office = require_office(session)
            for _code, _pin, window in CLERKS:  # the demo's customers still at these windows: back in line
                current = at_station(session, office, get_station(session, office, window))
                if current is not None:
                    send_back_to_line(session, current, utcnow())
            for _ in range(LINE_AHEAD):
                check_in(session, office, segment="retiree", service="change_address", now=utcnow())
            session.connection().exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS bench_baseline (id TEXT PRIMARY KEY, at TEXT, note TEXT)")
            session.commit()
    finally:
        db.dispose()
    return since


def measure_counters(url: str, visits: int, env: dict[str, str], mode: str = "rounds") -> dict:
    """Eight counters through the domain, then eight bare INSERT+COMMIT writers, on ``url``,
    in ``rounds`` or as a ``flood`` (see the module's text)."""
    _prepare(url)
    me = [sys.executable, str(Path(__file__).resolve()), "worker", url]
    if mode == "rounds":
        domain = _run_in_rounds([[*me, "domain-rounds", str(clerk), str(visits), "-"] for clerk in range(COUNTERS)],
                                env, visits * 3)
        bare = _run_in_rounds([[*me, "bare-rounds", str(clerk), str(visits * 3), "-"] for clerk in range(COUNTERS)],
                              env, visits * 3)
    else:
        domain = _run_at_once([[*me, "domain", str(clerk), str(visits)] for clerk in range(COUNTERS)], env)
        bare = _run_at_once([[*me, "bare", str(clerk), str(visits * 3)] for clerk in range(COUNTERS)], env)
    merged: dict[str, list[int]] = {}
    for result in domain + bare:
        for name, values in result["samples"].items():
            merged.setdefault(name, []).extend(values)
    return {"samples": merged, "errors": [error for result in domain for error in result["errors"]],
            "bare_errors": [error for result in bare for error in result["errors"]]}


def sqlite_copy(path: Path, folder: Path) -> str:
    """A copy of the bench database (sqlite3's backup: consistent even with a -wal beside it)."""
    target = folder / "office.db"
    source = sqlite3.connect(path)
    copy = sqlite3.connect(target)
    source.backup(copy)
    copy.close()
    source.close()
    return f"sqlite:///{target}"


# The five-day demo office the PostgreSQL half runs on, built once a day per schema and
# copied for each run (PostgreSQL's CREATE DATABASE ... TEMPLATE), as the bench database is
# cached: building it took 5-6 s of every --quick.
TEMPLATE_PREFIX = "cxdesk_bench_counters_tpl_"


def postgres_office(cxdesk: Path, env: dict[str, str]) -> tuple[str, str]:
    """A scratch office database on PostgreSQL, a copy of a five-day demo: (URL, name)."""
    import datetime

    import sqlalchemy as sa
    from exchange import PG_ADMIN

    from cxdesk.store.migrate import HEAD_REVISION

    template = f"{TEMPLATE_PREFIX}{HEAD_REVISION}_{datetime.date.today():%Y%m%d}".lower()
    name = f"cxdesk_bench_counters_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            kept = set(conn.exec_driver_sql(
                "SELECT datname FROM pg_database WHERE datname LIKE %(prefix)s",
                {"prefix": TEMPLATE_PREFIX + "%"}).scalars())
            if template not in kept:
                for old in kept:  # another day's or schema's, or one whose build was cut off
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{old}"')
                building = f"{TEMPLATE_PREFIX}building_{uuid.uuid4().hex[:8]}"
                conn.exec_driver_sql(f'CREATE DATABASE "{building}"')
                subprocess.run([str(cxdesk), "demo", "--db", f"postgresql+psycopg://postgres@127.0.0.1:5432/{building}",
                                "--days", "5", "--no-ui"], check=True, env=env, stdout=subprocess.DEVNULL)
                # Named as the template only once whole: a build cut off is never copied.
                conn.exec_driver_sql(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        admin.dispose()
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def cleanup_sqlite(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    _kind, url, mode, clerk, count, go = sys.argv[1:7]
    sys.path.insert(0, str(HERE))
    in_rounds = mode.endswith("-rounds")
    if mode.startswith("domain"):
        outcome = domain_worker(url, int(clerk), int(count), Path(go), rounds=in_rounds)
    else:
        outcome = bare_worker(url, int(count), Path(go), rounds=in_rounds)
    print(json.dumps(outcome), flush=True)
