"""Exchange figures (issue 13), each beside the database's own bulk path measured in the same run:

- export of every visit as a bundle, against ``sqlite3 -csv`` dumping the same table;
- ingest of the whole bundle into PostgreSQL, against ``psql \\copy`` of the same CSV files;
- a national quarter: N office bundles (one demo quarter re-keyed per office) ingested,
  against ``psql \\copy`` of the same rows.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
import uuid
from pathlib import Path

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PSQL_URL = "postgresql://postgres@127.0.0.1:5432/{name}"


def _now():
    from cxdesk.clock import utcnow

    return utcnow()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- export -------------------------------------------------------------------------------


def sqlite_dump_seconds(db_path: Path, table: str, out: Path) -> tuple[float, str]:
    """``sqlite3 -csv -header`` of one table into a file; the Python module when the CLI is absent."""
    cli = shutil.which("sqlite3")
    if cli:
        def dump():
            with out.open("wb") as handle:
                subprocess.run([cli, "-csv", "-header", str(db_path), f"SELECT * FROM {table}"], stdout=handle,
                               check=True)
        return _timed(dump), "sqlite3 -csv (CLI)"
    import csv
    import sqlite3

    def dump_py():
        conn = sqlite3.connect(db_path)
        cursor = conn.execute(f"SELECT * FROM {table}")
        with out.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([column[0] for column in cursor.description])
            writer.writerows(cursor)
        conn.close()
    return _timed(dump_py), "Python sqlite3 + csv (no sqlite3 CLI)"


def measure_export(db_url: str, db_path: Path, work: Path, runs: int = 3) -> dict:
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import office_key
    from cxdesk.exchange.bundle import Selection, write_bundle
    from cxdesk.store.db import open_database

    database = open_database(db_url)
    with database.session() as session:
        office_key(session, require_office(session), _now())
    ours, base, whole = [], [], []
    label = ""
    for run in range(runs):
        seconds, label = sqlite_dump_seconds(db_path, "visit", work / f"dump-{run}.csv")
        base.append(seconds)
        (work / f"dump-{run}.csv").unlink()
        out = work / f"visits-{run}"
        ours.append(_timed(lambda: write_bundle(database, out, Selection("all"), now=_now(), tables=("visit",))))
        shutil.rmtree(out)
    full = work / "bundle"
    if full.exists():
        shutil.rmtree(full)
    whole.append(_timed(lambda: write_bundle(database, full, Selection("all"), now=_now())))
    manifest = json.loads((full / "manifest.json").read_text())
    rows = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    database.dispose()
    return {"baseline": label, "sqlite_s": statistics.median(base), "export_s": statistics.median(ours),
            "ratio": statistics.median(ours) / statistics.median(base), "full_bundle_s": whole[0],
            "bundle": str(full), "rows": rows}


# --- PostgreSQL: a fresh central database per measurement --------------------------------------------


def fresh_central(tag: str) -> str:
    import sqlalchemy as sa

    from cxdesk.store.db import open_database

    name = f"cxdesk_bench_{tag}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    open_database(PSQL_URL.format(name=name).replace("postgresql://", "postgresql+psycopg://")).dispose()
    return name


def drop_central(name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.dispose()


def psql_copy_seconds(name: str, files: list[tuple[str, list[str], Path]], header: bool = True) -> float:
    """One psql session running ``\\copy table (columns) FROM file CSV`` for each file, in order.
    Columns the bundle withholds get a default first, so the rows load as they are."""
    prepare = ("ALTER TABLE staff ALTER COLUMN name SET DEFAULT '', ALTER COLUMN pin_hash SET DEFAULT '', "
               "ALTER COLUMN must_change_pin SET DEFAULT false, ALTER COLUMN failed_pins SET DEFAULT 0;"
               "ALTER TABLE complaint ALTER COLUMN what_happened SET DEFAULT '', "
               "ALTER COLUMN wanted SET DEFAULT '';"
               "ALTER TABLE complaintevent ALTER COLUMN note SET DEFAULT '';"
               "ALTER TABLE standardversion ALTER COLUMN note SET DEFAULT '';"
               "ALTER TABLE benchmark ALTER COLUMN note SET DEFAULT '';"
               "ALTER TABLE signoff ALTER COLUMN note SET DEFAULT '';")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", PSQL_URL.format(name=name), "-c", prepare], check=True)
    script = "\n".join(
        f"\\copy {table} ({', '.join(columns)}) FROM '{path}' WITH (FORMAT csv{', HEADER true' if header else ''})"
        for table, columns, path in files)
    started = time.perf_counter()
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", PSQL_URL.format(name=name)], input=script.encode(),
                   check=True)
    return time.perf_counter() - started


def measure_ingest(bundle: Path, office_db_url: str, env: dict[str, str]) -> dict:
    """The bundle ingested by a child process of its own (benchmarks/memory.py ingest), timed
    there around ``ingest_bundle``; its peak RSS is the memory figure's for this database."""
    import memory

    manifest = json.loads((bundle / "manifest.json").read_text())
    ours_db = fresh_central("ingest")
    base_db = fresh_central("copy")
    try:
        url = PSQL_URL.format(name=ours_db).replace("postgresql://", "postgresql+psycopg://")
        ours, peak_mb = memory.timed_ingest(bundle, url, office_db_url, env)
        files = [(t["name"], t["columns"], bundle / t["file"]) for t in manifest["tables"]]
        base = psql_copy_seconds(base_db, files)
    finally:
        drop_central(ours_db)
        drop_central(base_db)
    rows = sum(t["rows"] for t in manifest["tables"])
    return {"rows": rows, "ingest_s": ours, "copy_s": base, "ratio": ours / base, "peak_mb": peak_mb}


# --- a national quarter ----------------------------------------------------------------------------


def build_national(work: Path, offices: int, seed: int = 12862) -> tuple[list[Path], float]:
    """One demo quarter (64 working days, about 9,000 visits), re-keyed ``offices`` times."""
    from cxdesk.demo.office import build
    from cxdesk.demo.rekey import rekey_bundle
    from cxdesk.domain.office import require_office
    from cxdesk.domain.office_key import make_key_pair, office_key
    from cxdesk.exchange.bundle import Selection, write_bundle
    from cxdesk.store.db import open_database

    started = time.perf_counter()
    quarter_db = work / "quarter.db"
    url = f"sqlite:///{quarter_db}"
    source = work / "quarter-bundle"
    if not source.exists():
        build(url, days=64, seed=seed, now=_now())
        database = open_database(url)
        with database.session() as session:
            office_key(session, require_office(session), _now())
        write_bundle(database, source, Selection("all"), now=_now())
        database.dispose()
    target = work / "offices"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    bundles = []
    for number in range(1, offices + 1):
        public, private = make_key_pair()
        folder = target / f"N{number:04d}"
        rekey_bundle(source, folder, number=number, code=f"N{number:04d}", name=f"Field Office {number:04d}",
                     private_key=private)
        (folder / "public.key").write_text(public)  # for the register; not part of the bundle
        bundles.append(folder)
    return bundles, time.perf_counter() - started


def measure_national(work: Path, offices: int, jobs: int) -> dict:
    from cxdesk.exchange.ingest import ingest_bundles
    from cxdesk.exchange.tables import TABLES
    from cxdesk.store.db import open_database

    bundles, build_s = build_national(work, offices)
    # public.key sits beside the bundle files only for this harness: move it out of the way of the checks.
    keys = {}
    for bundle in bundles:
        keys[bundle] = (bundle / "public.key").read_text().strip()
        (bundle / "public.key").unlink()
    ours_db = fresh_central("national")
    base_db = fresh_central("national_copy")
    try:
        url = PSQL_URL.format(name=ours_db).replace("postgresql://", "postgresql+psycopg://")
        central = open_database(url)
        from cxdesk.store.models import HqOffice

        with central.session() as session:
            for bundle in bundles:
                office = json.loads((bundle / "manifest.json").read_text())["office"]
                session.add(HqOffice(code=office["code"], name=office["name"], public_key=keys[bundle],
                                     registered_at=_now()))
            session.commit()
        progress = {"done": 0}

        def tick(_report):
            progress["done"] += 1
            if progress["done"] % 100 == 0:
                print(f"  {progress['done']} bundles ingested", flush=True)
        started, load_before = time.perf_counter(), os.getloadavg()[0]
        reports = ingest_bundles(central, bundles, now=_now(), jobs=jobs, on_done=tick)
        ours, load_after = time.perf_counter() - started, os.getloadavg()[0]
        refused = [report for report in reports if report.status != "ingested"]
        with central.engine.connect() as conn:
            visits = conn.exec_driver_sql("SELECT count(*) FROM visit").scalar()
            total = sum(conn.exec_driver_sql(f"SELECT count(*) FROM {entry.name}").scalar() for entry in TABLES)
        central.dispose()
        # The baseline: the same rows, one file per table (headers dropped), one \copy each.
        merged = work / "merged"
        if merged.exists():
            shutil.rmtree(merged)
        merged.mkdir()
        manifest = json.loads((bundles[0] / "manifest.json").read_text())
        files = []
        for table in manifest["tables"]:
            path = merged / table["file"]
            with path.open("wb") as out:
                for bundle in bundles:
                    with (bundle / table["file"]).open("rb") as handle:
                        handle.readline()
                        shutil.copyfileobj(handle, out, 1 << 20)
            files.append((table["name"], table["columns"], path))
        base = psql_copy_seconds(base_db, files, header=False)
        shutil.rmtree(merged)
    finally:
        drop_central(ours_db)
        drop_central(base_db)
    return {"offices": offices, "jobs": jobs, "build_s": build_s, "visits": visits, "rows": total,
            "ingest_s": ours, "copy_s": base, "ratio": ours / base, "refused": len(refused),
            "load_1min_before_after": [load_before, load_after],
            "first_refusal": refused[0].reason if refused else ""}


def postgres_answers() -> bool:
    """True if the PostgreSQL server the figures use is there (and psql with it)."""
    import socket

    if not shutil.which("psql"):
        return False
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False
