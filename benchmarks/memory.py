"""Peak memory on the big bench database against a 10,000-visit one (issue 16: ≤ 1.3×).

Each figure is the peak resident set (``wait4``'s ``ru_maxrss``) of a process of its
own: the app signed in at its counter (launched in a pty as for start-up), and this
file run as a child for the quarter summary, the export of every record and the
ingest of that bundle into a fresh PostgreSQL central database.

Every one is started by a small launcher (``memory.py peak FILE command...``), not by
the harness: Linux hands a child the peak RSS of the process it was started from
(``exec`` keeps the high-water mark of the memory it replaces, and ``subprocess`` uses
``vfork``), so a child of a harness that has grown to 160 MB never reports less.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


# --- in the child ------------------------------------------------------------------------------------


def quarter_summary(url: str) -> None:
    """The last complete fiscal quarter's summary, as F8 opens it (reports.summary.office_summary)."""
    import sqlalchemy as sa

    from cxdesk.clock import fiscal_quarter
    from cxdesk.domain.office import require_office
    from cxdesk.domain.staff import get_staff
    from cxdesk.reports.scope import resolve_scope
    from cxdesk.reports.summary import office_summary
    from cxdesk.store.db import open_database
    from cxdesk.store.models import Visit

    db = open_database(url)
    with db.session() as session:
        office = require_office(session)
        supervisor = get_staff(session, office, "SUP1")
        last = session.execute(sa.select(sa.func.max(Visit.day)).where(Visit.office_id == office.id)).scalar_one()
        fy, q = fiscal_quarter(last)
        fy, q = (fy, q - 1) if q > 1 else (fy - 1, 4)
        scope = resolve_scope(session, office, "quarter", last, quarter=f"FY{fy}Q{q}")
        office_summary(session, office, scope, supervisor, last)
    db.dispose()


def export_all(url: str, out: str) -> None:
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import office_key
    from cxdesk.exchange.bundle import Selection, write_bundle
    from cxdesk.store.db import open_database

    db = open_database(url)
    with db.session() as session:
        office_key(session, require_office(session), utcnow())
    write_bundle(db, Path(out), Selection("all"), now=utcnow())
    db.dispose()


def ingest(bundle: str, central_url: str, office_url: str, seconds_out: str | None = None) -> None:
    """The bundle into a central database; ``seconds_out`` gets the seconds ``ingest_bundle`` took
    (the exchange's ingest figure, timed in this child so its peak RSS is this one)."""
    import json
    import time
    import uuid

    from cxdesk.clock import utcnow
    from cxdesk.exchange.ingest import ingest_bundle, register_office
    from cxdesk.store.db import open_database
    from cxdesk.store.models import OfficeKey

    manifest = json.loads((Path(bundle) / "manifest.json").read_text())
    office = open_database(office_url)
    with office.session() as session:
        public = session.get(OfficeKey, uuid.UUID(manifest["office"]["id"])).public_key
    office.dispose()
    central = open_database(central_url)
    register_office(central, manifest["office"]["code"], manifest["office"]["name"], public, utcnow())
    started = time.perf_counter()
    report = ingest_bundle(central, Path(bundle), now=utcnow())
    took = time.perf_counter() - started
    central.dispose()
    if report.status != "ingested":
        raise SystemExit(f"ingest refused: {report.reason}")
    if seconds_out:
        Path(seconds_out).write_text(repr(took))


# --- in the harness ----------------------------------------------------------------------------------


def launch_and_measure(out: str, command: list[str]) -> int:
    """(In the small launcher) run ``command`` with this process's terminal; write its peak RSS
    in kilobytes (bytes on macOS) to ``out``; exit as it exited."""
    process = subprocess.Popen(command)
    _pid, status, usage = os.wait4(process.pid, 0)
    Path(out).write_text(str(usage.ru_maxrss))
    return os.waitstatus_to_exitcode(status)


def measured(command: list[str], out: Path) -> list[str]:
    """``command`` started through the launcher, which writes its peak RSS to ``out``."""
    return [sys.executable, str(Path(__file__).resolve()), "peak", str(out), *command]


def read_peak_mb(out: Path) -> float:
    kilobytes = int(out.read_text())
    return kilobytes / (1024 * 1024 if sys.platform == "darwin" else 1024)


def child_peak_mb(args: list[str], env: dict[str, str]) -> float:
    """Run this file as a child with ``args`` (through the launcher); its peak RSS in MB."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "peak"
        done = subprocess.run(measured([sys.executable, str(Path(__file__).resolve()), *args], out), env=env,
                              stdout=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed in its child process")
        return read_peak_mb(out)


def timed_ingest(bundle: Path, central_url: str, office_url: str, env: dict[str, str]) -> tuple[float, float]:
    """The ingest in a child of its own: (seconds ``ingest_bundle`` took, the child's peak RSS in MB)."""
    with tempfile.TemporaryDirectory() as folder:
        seconds = Path(folder) / "seconds"
        peak = child_peak_mb(["ingest", str(bundle), central_url, office_url, str(seconds)], env)
        return float(seconds.read_text()), peak


def measure_memory(databases: dict[str, str], app_peak_mb, env: dict[str, str], ingest_too: bool,
                   known: dict[str, dict[str, float]] | None = None) -> dict:
    """Peak RSS in MB per database size: {"small"/"big": {"counter": ., "summary": ., "export": ., "ingest": .}}.
    ``known``: peaks measured already, the same way (the exchange's ingest of the big database's bundle)."""
    import exchange

    peaks: dict[str, dict[str, float]] = {}
    for size, url in databases.items():
        peaks[size] = figures = {"counter": app_peak_mb(url), "summary": child_peak_mb(["summary", url], env)}
        with tempfile.TemporaryDirectory(prefix="cxdesk-bench-memory-") as folder:
            bundle = Path(folder) / "bundle"
            figures["export"] = child_peak_mb(["export", url, str(bundle)], env)
            if ingest_too and "ingest" in (known or {}).get(size, {}):
                figures["ingest"] = known[size]["ingest"]
            elif ingest_too:
                name = exchange.fresh_central("memory")
                try:
                    central = exchange.PSQL_URL.format(name=name).replace("postgresql://", "postgresql+psycopg://")
                    figures["ingest"] = child_peak_mb(["ingest", str(bundle), central, url], env)
                finally:
                    exchange.drop_central(name)
        print(".", end="", flush=True)
    return peaks


if __name__ == "__main__":
    kind, *rest = sys.argv[1:]
    if kind == "peak":
        sys.exit(launch_and_measure(rest[0], rest[1:]))
    sys.path.insert(0, str(HERE))
    {"summary": quarter_summary, "export": export_all, "ingest": ingest}[kind](*rest)
