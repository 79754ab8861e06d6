"""cxdesk performance harness (`make bench`): each figure beside a baseline measured in the same run.

Not a test: it prints a table of figures and ratios. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import resource
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PYTHON = sys.executable
CXDESK = Path(PYTHON).parent / "cxdesk"
TERMINAL_SIZE = (32, 100)  # rows, columns
START_TIMEOUT = 60.0
# Working-day visits the demo generator makes on average (~7,140 days ~ 1,000,000 visits;
# measured: 979,625 visits over 7,000 working days with the default seed).
VISITS_PER_DAY = 140.0
DEMO_CLERK = ("CLK1", "1357", "W1")

TARGET_START_RATIO = 1.5
TARGET_SAVE_P99_MS = 20.0
TARGET_DAY_SUMMARY_MS = 50.0
TARGET_QUARTER_SUMMARY_MS = 500.0


# --- numbers ------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    median_ms: float
    p99_ms: float | None = None
    baseline: Figure | None = None
    note: str = ""

    def ratio(self) -> str:
        if self.baseline is None or not self.baseline.median_ms:
            return ""
        return f"{self.median_ms / self.baseline.median_ms:.2f}×"


def summarise(name: str, samples_ns: list[int], baseline: Figure | None = None, note: str = "") -> Figure:
    ms = [sample / 1e6 for sample in samples_ns]
    p99 = statistics.quantiles(ms, n=100)[98] if len(ms) >= 20 else None
    return Figure(name, statistics.median(ms), p99, baseline, note)


def print_table(title: str, figures: list[Figure]) -> None:
    print(f"\n{title}")
    print(f"  {'figure':<44} {'median ms':>10} {'p99 ms':>9} {'ratio':>7}  baseline / note")
    print(f"  {'-' * 44} {'-' * 10} {'-' * 9} {'-' * 7}  {'-' * 30}")
    for figure in figures:
        p99 = f"{figure.p99_ms:9.2f}" if figure.p99_ms is not None else f"{'':9}"
        against = figure.baseline.name if figure.baseline else ""
        note = " · ".join(part for part in (against, figure.note) if part)
        print(f"  {figure.name:<44} {figure.median_ms:10.2f} {p99} {figure.ratio():>7}  {note}")


def peak_rss_mb(usage) -> float:
    # ru_maxrss is kilobytes on Linux, bytes on macOS.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


# --- the database with a million visits ----------------------------------------------------


def bench_database(visits: int, seed: int) -> tuple[str, Path]:
    """Built once by the demo generator (in a child process), cached by size and seed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{visits}-seed{seed}.db"
    done = path.with_name(path.name + ".done")
    url = f"sqlite:///{path}"
    if path.exists() and done.exists():
        print(f"Using the cached database {path.name} ({done.read_text().strip()}).")
        return url, path
    for stale in (path, done, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    days = max(1, round(visits / VISITS_PER_DAY))
    print(f"Building {path.name}: {days} working days of the demo office (once; cached)...", flush=True)
    started = time.perf_counter()
    subprocess.run([str(CXDESK), "demo", "--db", url, "--days", str(days), "--seed", str(seed),
                    "--no-ui"], check=True, env=_child_env())
    done.write_text(f"built in {time.perf_counter() - started:.0f} s")
    return url, path


def _child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CXDESK_DB", None)
    # Children keep their logs and settings out of the user's folders.
    env["CXDESK_HOME"] = str(Path(tempfile.gettempdir()) / "cxdesk-bench-home")
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


# --- start-up in a pseudo-terminal -----------------------------------------------------------


@dataclass
class StartRun:
    ready_ms: float | None
    peak_rss_mb: float


def start_once(command: list[str], exit_on: str, *, wait_for: str | None = None,
               extra_env: dict[str, str] | None = None) -> StartRun:
    """Launch ``command`` in a pty; return ms from launch to the ``wait_for`` ready line."""
    wait_for = wait_for or exit_on
    with tempfile.TemporaryDirectory() as folder:
        ready_file = Path(folder) / "ready"
        env = _child_env(CXDESK_BENCH_READY=str(ready_file), CXDESK_BENCH_EXIT_ON=exit_on,
                         **(extra_env or {}))
        primary, secondary = os.openpty()
        rows, columns = TERMINAL_SIZE
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        launched = time.time_ns()
        process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary,
                                   env=env, start_new_session=True, close_fds=True)
        os.close(secondary)
        usage = _drain_until_exit(process, primary)
        os.close(primary)
        ready_ms = None
        if ready_file.exists():
            for line in ready_file.read_text().splitlines():
                name, _, stamp = line.partition(" ")
                if name == wait_for:
                    ready_ms = (int(stamp) - launched) / 1e6
        return StartRun(ready_ms, peak_rss_mb(usage) if usage else 0.0)


def _drain_until_exit(process: subprocess.Popen, primary: int):
    """Read the terminal output (so the app never blocks on it) until the app exits."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        readable, _, _ = select.select([primary], [], [], 0.05)
        if readable:
            try:
                os.read(primary, 65536)
            except OSError:
                pass
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
    os.killpg(process.pid, signal.SIGKILL)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    print(f"  (timed out after {START_TIMEOUT:.0f} s: {' '.join(process.args)})", file=sys.stderr)
    return usage


def measure_start(url: str, runs: int) -> tuple[list[Figure], dict[str, float]]:
    bare_cmd = [PYTHON, str(HERE / "bare_app.py")]
    app_cmd = [str(CXDESK), "--db", url]
    sign_in = {"CXDESK_BENCH_SIGNIN": ":".join(DEMO_CLERK)}
    kinds = {
        "bare": (bare_cmd, "bare", None),
        "signin": (app_cmd, "signin", None),
        "signin-ready": (app_cmd, "signin-ready", None),
        "counter": (app_cmd, "counter", sign_in),
    }
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    rss: dict[str, float] = {kind: 0.0 for kind in kinds}
    # One warm-up each (page cache, .pyc files), then interleaved runs so drift hits all alike.
    for kind, (command, exit_on, extra) in kinds.items():
        start_once(command, exit_on, extra_env=extra)
    for _round in range(runs):
        for kind, (command, exit_on, extra) in kinds.items():
            run = start_once(command, exit_on, extra_env=extra)
            if run.ready_ms is not None:
                samples[kind].append(run.ready_ms)
            rss[kind] = max(rss[kind], run.peak_rss_mb)
            print(".", end="", flush=True)
    print()
    missing = [kind for kind, values in samples.items() if not values]
    if missing:
        raise SystemExit(f"No ready signal from: {', '.join(missing)} (are the benchmark hooks in screens/app.py?)")
    bare = Figure("bare Textual app (Header+Footer) painted", statistics.median(samples["bare"]))
    figures = [
        bare,
        Figure("cxdesk sign-in screen painted", statistics.median(samples["signin"]), None, bare,
               f"target ≤ {TARGET_START_RATIO}×"),
        Figure("cxdesk sign-in ready (database open)", statistics.median(samples["signin-ready"]), None, bare),
        Figure("cxdesk counter ready (signed in, line shown)", statistics.median(samples["counter"]), None,
               bare, "includes the PIN check"),
    ]
    return figures, rss


# --- saving a visit ------------------------------------------------------------------------------


def measure_saves(url: str, path: Path, saves: int) -> tuple[list[Figure], int]:
    import sqlalchemy as sa

    from cxdesk.clock import utcnow
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.visits import Finish, at_station, call_next, check_in, finish, waiting_line
    from cxdesk.reports.counter import day_counts, recent_finished
    from cxdesk.store.db import open_database
    from cxdesk.store.models import Shift, Visit

    started_at = utcnow()
    db = open_database(url)
    with db.session() as session:
        total = session.execute(sa.select(sa.func.count()).select_from(Visit)).scalar_one()
        office = require_office(session)
        station = get_station(session, office, DEMO_CLERK[2])
        who = sign_in(session, office, code=DEMO_CLERK[0], pin=DEMO_CLERK[1], station=station,
                      now=utcnow())

    def counter_read(session, now):
        # What the counter screen reads after every change (screens/counter.py).
        waiting_line(session, office, now)
        at_station(session, office, station)
        recent_finished(session, office, station, now, limit=1)
        day_counts(session, office, now)

    steps = {name: [] for name in ("check_in", "call_next", "finish", "visit", "read", "save_see")}
    baseline = _baseline_inserts(path, saves)
    try:
        with db.session() as session:
            for _ in range(12):  # a line of customers to call from
                check_in(session, office, segment="retiree", service="change_address", now=utcnow())
        for number in range(saves):
            service = ("change_address", "replacement_card", "general_info")[number % 3]
            with db.session() as session:
                t0 = time.perf_counter_ns()
                check_in(session, office, segment="worker", service=service, now=utcnow())
            with db.session() as session:
                t1 = time.perf_counter_ns()
                visit = call_next(session, office, who, utcnow())
            with db.session() as session:
                t2 = time.perf_counter_ns()
                finish(session, visit, Finish(service=service, outcome="resolved"), who, utcnow())
                t3 = time.perf_counter_ns()
            with db.session() as session:
                counter_read(session, utcnow())
                t4 = time.perf_counter_ns()
            steps["check_in"].append(t1 - t0)
            steps["call_next"].append(t2 - t1)
            steps["finish"].append(t3 - t2)
            steps["visit"].append(t3 - t0)
            steps["read"].append(t4 - t3)
            steps["save_see"].append(t4 - t2)
    finally:
        # Leave the cached database as it was built.
        with db.session() as session:
            session.execute(sa.delete(Visit).where(Visit.arrived_at >= started_at))
            session.execute(sa.delete(Shift).where(Shift.started_at >= started_at))
            session.commit()
        db.dispose()

    base = summarise("bare sqlite3 INSERT+COMMIT (same file/pragmas)", baseline)
    figures = [
        base,
        summarise("check in (save)", steps["check_in"], base),
        summarise("call next (save)", steps["call_next"], base),
        summarise("finish (save)", steps["finish"], base),
        summarise("check in + call next + finish", steps["visit"], base, "three commits"),
        summarise("counter read (line, counter, counts)", steps["read"], base),
        summarise("finish + see it on screen", steps["save_see"], base),
    ]
    return figures, total


def _baseline_inserts(path: Path, count: int) -> list[int]:
    """One row INSERT + COMMIT in plain sqlite3, the pragmas of cxdesk.store.db, on the same file."""
    from cxdesk.store.db import BUSY_TIMEOUT_MS

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id TEXT PRIMARY KEY, at TEXT, note TEXT)")
    samples = []
    try:
        for _ in range(count):
            row = (uuid.uuid4().hex, time.strftime("%Y-%m-%d %H:%M:%S"), "resolved")
            t0 = time.perf_counter_ns()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO bench_baseline VALUES (?, ?, ?)", row)
            conn.execute("COMMIT")
            samples.append(time.perf_counter_ns() - t0)
    finally:
        conn.execute("DROP TABLE IF EXISTS bench_baseline")
        conn.close()
    return samples


# --- the supervisor summary ---------------------------------------------------------------------


def measure_summaries(url: str, runs: int) -> list[Figure]:
    """Open the day and the quarter summary (reports.summary.office_summary, as F8 and
    `cxdesk report summary` do), each beside one SQL COUNT(*) over that period's visits,
    interleaved in the same run."""
    import sqlalchemy as sa

    from cxdesk.clock import fiscal_quarter
    from cxdesk.domain.office import require_office
    from cxdesk.domain.staff import get_staff
    from cxdesk.reports.periods import quarter_days
    from cxdesk.reports.scope import resolve_scope
    from cxdesk.reports.summary import office_summary
    from cxdesk.store.db import open_database
    from cxdesk.store.models import Visit

    db = open_database(url)
    with db.session() as session:
        office = require_office(session)
        supervisor = get_staff(session, office, "SUP1")
        last = session.execute(sa.select(sa.func.max(Visit.day)).where(Visit.office_id == office.id)).scalar_one()
        # The last complete day and the last complete fiscal quarter before it.
        day = session.execute(sa.select(sa.func.max(Visit.day))
                              .where(Visit.office_id == office.id, Visit.day < last)).scalar_one()
        fy, q = fiscal_quarter(day)
        fy, q = (fy, q - 1) if q > 1 else (fy - 1, 4)
        q_start, q_end = quarter_days(fy, q)
    periods = {"day": ("day", {"day": day}, day, day),
               "quarter": ("quarter", {"quarter": f"FY{fy}Q{q}"}, q_start, q_end)}
    samples: dict[str, list[int]] = {f"{name}{part}": [] for name in periods for part in ("", "-count", "-cpu")}
    sizes: dict[str, int] = {}

    def summary(kind, kwargs):
        with db.session() as session:
            scope = resolve_scope(session, office, kind, last, **kwargs)
            return office_summary(session, office, scope, supervisor, last)

    def count(start, end):
        with db.session() as session:
            return session.execute(sa.select(sa.func.count()).select_from(Visit).where(
                Visit.office_id == office.id, Visit.day >= start, Visit.day <= end)).scalar_one()

    for name, (kind, kwargs, start, end) in periods.items():  # warm-up: caches, statements
        summary(kind, kwargs)
        sizes[name] = count(start, end)
    for _round in range(runs):
        for name, (kind, kwargs, start, end) in periods.items():
            t0 = time.perf_counter_ns()
            count(start, end)
            t1 = time.perf_counter_ns()
            c1 = time.process_time_ns()
            summary(kind, kwargs)
            t2 = time.perf_counter_ns()
            samples[f"{name}-cpu"].append(time.process_time_ns() - c1)
            samples[f"{name}-count"].append(t1 - t0)
            samples[name].append(t2 - t1)
    db.dispose()
    figures = []
    for name, target in (("day", TARGET_DAY_SUMMARY_MS), ("quarter", TARGET_QUARTER_SUMMARY_MS)):
        _kind, _kwargs, start, end = periods[name]
        base = summarise(f"SQL COUNT(*) of the {name}'s visits ({sizes[name]:,})", samples[f"{name}-count"])
        # CPU time beside the wall clock: on a shared machine the wall clock includes waiting for a core.
        cpu = statistics.median(samples[f"{name}-cpu"]) / 1e6
        figures += [base, summarise(f"{name} summary opened ({start} – {end})", samples[name], base,
                                    f"target ≤ {target:g} ms; CPU {cpu:.1f} ms")]
    return figures


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=1_000_000, help="visits in the database (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100,000 visits, fewer repetitions")
    parser.add_argument("--runs", type=int, default=None, help="start-up runs per figure (default 7; quick 5)")
    parser.add_argument("--saves", type=int, default=None, help="visits saved for the latency figures (default 1000; quick 300)")
    parser.add_argument("--seed", type=int, default=12862)
    parser.add_argument("--skip-start", action="store_true", help="leave out the start-up figures")
    parser.add_argument("--skip-saves", action="store_true", help="leave out the save figures")
    parser.add_argument("--summary-runs", type=int, default=None,
                        help="openings of each summary (default 40; quick 20)")
    parser.add_argument("--exchange", action="store_true",
                        help="only the exchange figures: export and ingest of the bench database")
    parser.add_argument("--skip-ingest", action="store_true", help="with --exchange: only the export figures")
    parser.add_argument("--national", type=int, default=0, metavar="OFFICES",
                        help="only the national quarter: OFFICES re-keyed demo quarters ingested (1220 for the issue)")
    parser.add_argument("--jobs", type=int, default=2, help="bundles ingested at once in --national (default 2)")
    args = parser.parse_args()
    if args.national:
        return run_national(args.national, args.jobs)
    visits = 100_000 if args.quick else args.visits
    runs = args.runs or (5 if args.quick else 7)
    saves = args.saves or (300 if args.quick else 1000)

    url, path = bench_database(visits, args.seed)
    if args.exchange:
        return run_exchange(url, path, ingest=not args.skip_ingest)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, terminal {TERMINAL_SIZE[1]}x{TERMINAL_SIZE[0]}")

    report: dict = {"visits_requested": visits}
    if not args.skip_start:
        print(f"Start-up: {runs} runs of each, in a pseudo-terminal", end="", flush=True)
        start, app_rss = measure_start(url, runs)
        print_table("Start-up (process launch to screen ready; median)", start)
        report["start"] = [figure.__dict__ | {"baseline": None} for figure in start]
        report["start_rss_mb"] = app_rss

    save = []
    if not args.skip_saves:
        save, total = measure_saves(url, path, saves)
        print_table(f"Saving a visit ({saves} visits, database of {total:,} visits)", save)
        report["save"] = [figure.__dict__ | {"baseline": None} for figure in save]
        report["visits_in_database"] = total

    summary_runs = args.summary_runs or (20 if args.quick else 40)
    summaries = measure_summaries(url, summary_runs)
    print_table(f"Supervisor summary ({summary_runs} openings each)", summaries)
    report["summary"] = [figure.__dict__ | {"baseline": None} for figure in summaries]

    own = peak_rss_mb(resource.getrusage(resource.RUSAGE_SELF))
    print("\nMemory (peak RSS)")
    print(f"  this process (domain saves and reads)         {own:8.1f} MB")
    if not args.skip_start:
        print(f"  bare Textual app                              {app_rss['bare']:8.1f} MB")
        print(f"  cxdesk at its counter screen                  {app_rss['counter']:8.1f} MB")
    report["rss_mb"] = own

    verdicts = []
    if not args.skip_start:
        ratio = start[1].median_ms / start[0].median_ms
        verdicts.append(f"start ratio {ratio:.2f} (target ≤ {TARGET_START_RATIO}): "
                        f"{'met' if ratio <= TARGET_START_RATIO else 'MISSED'}")
    if save:
        slowest = max(save[1:4], key=lambda figure: figure.p99_ms or 0)
        p99 = slowest.p99_ms
        verdicts.append(f"save p99 {p99:.2f} ms, worst step {slowest.name} (target ≤ {TARGET_SAVE_P99_MS:g} ms): "
                        f"{'met' if p99 <= TARGET_SAVE_P99_MS else 'MISSED'}")
    load = os.getloadavg()[0]
    verdicts.append(f"load average {load:.1f} on {os.cpu_count()} CPUs while measuring")
    for figure, target in ((summaries[1], TARGET_DAY_SUMMARY_MS), (summaries[3], TARGET_QUARTER_SUMMARY_MS)):
        verdicts.append(f"{figure.name.split(' (')[0]}: median {figure.median_ms:.1f} ms, p99 {figure.p99_ms:.1f} ms, "
                        f"{figure.ratio()} a COUNT(*) (target ≤ {target:g} ms): "
                        f"{'met' if figure.p99_ms <= target else 'MISSED'}")
    print("\nTargets")
    for verdict in verdicts:
        print(f"  {verdict}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "last.json").write_text(json.dumps(report, indent=2, default=str))
    return 0


def run_exchange(url: str, path: Path, ingest: bool = True) -> int:
    """Export against sqlite3 -csv, ingest against psql \\copy (issue 13's targets: ≤ 1.5×, ≤ 2×)."""
    import exchange

    work = RESULTS / "exchange"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    print("Export (visit table, median of 3)...", flush=True)
    export = exchange.measure_export(url, path, work)
    print(f"  {export['rows']['visit']:,} visits: bundle {export['export_s']:.2f} s, {export['baseline']} "
          f"{export['sqlite_s']:.2f} s: {export['ratio']:.2f}× (target ≤ 1.5×)")
    print(f"  whole bundle ({sum(export['rows'].values()):,} rows in {len(export['rows'])} tables): "
          f"{export['full_bundle_s']:.2f} s", flush=True)
    figures = {"export": export}
    if ingest:
        print("Ingest of the whole bundle into PostgreSQL...", flush=True)
        figures["ingest"] = loaded = exchange.measure_ingest(Path(export["bundle"]), url)
        print(f"  {loaded['rows']:,} rows: ingest {loaded['ingest_s']:.2f} s, psql \\copy {loaded['copy_s']:.2f} s: "
              f"{loaded['ratio']:.2f}× (target ≤ 2×)")
    figures["load_average"] = os.getloadavg()
    print(f"  load average {figures['load_average']} on {os.cpu_count()} CPUs")
    (RESULTS / ("exchange.json" if ingest else "exchange-export.json")).write_text(json.dumps(figures, indent=2))
    shutil.rmtree(work)
    return 0


def run_national(offices: int, jobs: int) -> int:
    """A national quarter: ``offices`` bundles of one re-keyed demo quarter (target ≤ 10 min for 1,220)."""
    import exchange

    work = RESULTS / "national"
    work.mkdir(parents=True, exist_ok=True)
    print(f"National quarter: {offices} offices, {jobs} bundles at once", flush=True)
    figures = exchange.measure_national(work, offices, jobs)
    print(f"  built {offices} bundles in {figures['build_s']:.0f} s")
    print(f"  ingested {figures['visits']:,} visits ({figures['rows']:,} rows) in {figures['ingest_s']:.0f} s "
          f"({figures['ingest_s'] / 60:.1f} min; target ≤ 10 min), refused {figures['refused']} "
          f"{figures['first_refusal']}")
    print(f"  psql \\copy of the same rows: {figures['copy_s']:.0f} s: ratio {figures['ratio']:.2f}×")
    print(f"  load average (1 min) before/after the ingest: {figures['load_1min_before_after']}; "
          f"now {os.getloadavg()} on {os.cpu_count()} CPUs")
    (RESULTS / f"national-{offices}.json").write_text(json.dumps(figures, indent=2))
    shutil.rmtree(work / "offices", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
