"""The store: pragmas, schema upgrades, refusing foreign files, PostgreSQL."""

import sqlite3
from datetime import datetime

import pytest
import sqlalchemy as sa

from cxdesk.config import resolve_db_url, sqlite_url
from cxdesk.domain import visits
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in
from cxdesk.errors import CxdeskError
from cxdesk.reports import counter
from cxdesk.store import migrate
from cxdesk.store.db import open_database
from cxdesk.store.models import Office, Visit
from tests.factories import CLERK, FIXED_NOW, make_office


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_new_database_is_created_at_the_head_revision(db):
    assert db.created
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_older_database_is_upgraded_on_open_and_says_from_what(tmp_path):
    from alembic import command

    url = sqlite_url(tmp_path / "old.db")
    engine = sa.create_engine(url)
    command.upgrade(migrate.alembic_config(engine), "0001_foundation")
    engine.dispose()
    database = open_database(url)
    assert database.upgraded_from == "0001_foundation"
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    database.dispose()


def test_timestamps_come_back_timezone_aware_utc(db, office):
    with db.session() as session:
        stored = session.get(Office, office.id)
    assert stored.created_at == FIXED_NOW and stored.created_at.utcoffset().total_seconds() == 0


def test_naive_datetimes_are_refused(db, office):
    with db.session() as session:
        with pytest.raises(Exception, match="naive datetime"):
            visits.check_in(session, office, segment="retiree", service="change_address",
                            now=datetime(2026, 11, 24, 9, 30))


def test_a_file_that_is_not_sqlite_is_refused_with_its_name(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are not the tables you are looking for\n" * 10)
    with pytest.raises(CxdeskError, match=r"notes.db is not a database file"):
        open_database(sqlite_url(bogus))
    assert bogus.read_text().startswith("these are not")


def test_a_foreign_sqlite_database_is_left_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE payroll (id INTEGER)")
    with pytest.raises(CxdeskError, match="not cxdesk's"):
        open_database(sqlite_url(path))
    with sqlite3.connect(path) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"payroll"}


def test_a_database_url_that_does_not_connect_says_why():
    with pytest.raises(CxdeskError, match="Cannot open database"):
        open_database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")


def test_nonsense_url_is_refused():
    with pytest.raises(CxdeskError, match="Not a database URL|No driver"):
        open_database("nonsense://x")


def test_db_url_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("CXDESK_DB", "postgresql://u@h/db")
    assert resolve_db_url(None) == "postgresql+psycopg://u@h/db"
    assert resolve_db_url(str(tmp_path / "a.db")) == sqlite_url(tmp_path / "a.db")
    monkeypatch.delenv("CXDESK_DB")
    assert resolve_db_url(None).endswith("/data/cxdesk.db")


@pytest.mark.postgres
def test_the_counter_works_on_postgresql(pg_url):
    database = open_database(pg_url)
    try:
        office = make_office(database)
        with database.session() as session:
            who = sign_in(session, office, code=CLERK[0], pin=CLERK[2],
                          station=get_station(session, office, "W1"), now=FIXED_NOW)
            visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
            visit = visits.call_next(session, office, who, FIXED_NOW)
            visits.finish(session, visit, visits.Finish("change_address", "resolved"), who, FIXED_NOW)
            stored = session.get(Visit, visit.id)
            counts = counter.day_counts(session, office, FIXED_NOW)
        assert stored.state == "done" and stored.finished_at == FIXED_NOW
        assert counts.served == 1
        assert migrate.current_revision(database.engine) == migrate.head_revision()
    finally:
        database.dispose()


def test_the_change_marker_moves_only_when_someone_commits(db, db_url):
    """What the counter's timer asks before it reads: unchanged while nothing is committed,
    changed by another connection's commit and by the database's own engine's."""
    office = make_office(db)
    first = db.change_marker()
    assert first is not None and db.change_marker() == first
    with db.session() as session:  # a read commits nothing
        visits.waiting_line(session, office, FIXED_NOW)
    assert db.change_marker() == first
    other = open_database(db_url)
    try:
        with other.session() as session:  # another counter checks a customer in
            visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
    finally:
        other.dispose()
    second = db.change_marker()
    assert second != first and db.change_marker() == second
    with db.session() as session:  # this app's own step
        visits.check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
    assert db.change_marker() != second


def test_the_change_marker_is_closed_with_the_store_and_new_after(db_url):
    database = open_database(db_url, create=True)
    before = database.change_marker()
    database.dispose()
    assert database._watcher is None
    again = open_database(db_url)
    try:
        assert again.change_marker() != before  # another store's markers never match
    finally:
        again.dispose()


@pytest.mark.postgres
def test_postgresql_has_no_change_marker_so_the_counter_reads(pg_url):
    database = open_database(pg_url)
    try:
        assert database.change_marker() is None
    finally:
        database.dispose()


# --- files: private modes, foreign and damaged files untouched, read-only, full disk ---


def _mode(path) -> int:
    import stat

    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_wal_and_shm_and_its_folders_are_private(tmp_path, cxdesk_home):
    import os

    from cxdesk.config import data_dir

    previous = os.umask(0o022)  # the usual umask, which made 0644 files before
    try:
        path = data_dir() / "nested" / "cxdesk.db"
        database = open_database(sqlite_url(path), create=True)
        make_office(database)
        with database.engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM visit").scalar()
            wal, shm = path.with_name("cxdesk.db-wal"), path.with_name("cxdesk.db-shm")
            assert wal.exists() and shm.exists()
            assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
        database.dispose()
    finally:
        os.umask(previous)
    assert _mode(data_dir() / "nested") == 0o700 and _mode(data_dir()) == 0o700
    assert _mode(cxdesk_home) == 0o700  # made by cxdesk too


def test_the_log_and_its_folder_are_private(cxdesk_home):
    import os

    from cxdesk.logs import log_unexpected

    previous = os.umask(0o022)
    try:
        written = log_unexpected(RuntimeError("boom"), "a test")
    finally:
        os.umask(previous)
    assert written is not None and "boom" in written.read_text()
    assert _mode(written) == 0o600 and _mode(written.parent) == 0o700


def test_a_database_an_older_cxdesk_left_readable_is_tightened_on_open(cxdesk_home):
    from cxdesk.config import data_dir

    path = data_dir() / "cxdesk.db"
    open_database(sqlite_url(path), create=True).dispose()
    path.chmod(0o644)
    data_dir().chmod(0o755)
    open_database(sqlite_url(path)).dispose()
    assert _mode(path) == 0o600 and _mode(data_dir()) == 0o700


def _fingerprint(path) -> tuple[bytes, list[str]]:
    import hashlib

    return hashlib.sha256(path.read_bytes()).digest(), sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_applications_database_is_refused_before_anything_is_written(tmp_path, journal):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA journal_mode={journal}")
        conn.execute("CREATE TABLE payroll (id INTEGER, salary INTEGER)")
        conn.execute("INSERT INTO payroll VALUES (1, 50000)")
    conn.close()
    header = path.read_bytes()[18:20]
    before = _fingerprint(path)
    with pytest.raises(CxdeskError, match=r"other.db holds tables that are not cxdesk's"):
        open_database(sqlite_url(path))
    # Header bytes 18-19 are the journal mode: cxdesk used to switch the file to WAL first.
    assert path.read_bytes()[18:20] == header
    assert _fingerprint(path) == before


def test_another_alembic_applications_database_is_refused_unchanged(tmp_path):
    path = tmp_path / "alembic_app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    before = _fingerprint(path)
    with pytest.raises(CxdeskError, match="schema ae1027a6acf, which this cxdesk does not know"):
        open_database(sqlite_url(path))
    assert _fingerprint(path) == before


def _damage_a_page(path, table: str) -> None:
    """Overwrite the b-tree page header of ``table``'s root page (not the file header)."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 12)


def test_a_damaged_database_is_refused_with_its_name_and_the_way_to_recover(tmp_path):
    path = tmp_path / "office.db"
    database = open_database(sqlite_url(path), create=True)
    make_office(database)
    database.dispose()
    _damage_a_page(path, "station")
    before = _fingerprint(path)
    with pytest.raises(CxdeskError) as refused:
        open_database(sqlite_url(path))
    message = str(refused.value)
    assert f"{path} is damaged" in message
    assert "backup" in message and f"sqlite3 {path} .recover" in message
    assert _fingerprint(path) == before


def test_quick_check_runs_on_open(tmp_path, monkeypatch):
    """The damage above is found by SQLite's quick check, read-only, before any pragma."""
    seen = []
    real_connect = sqlite3.connect

    def spying_connect(target, *args, **kwargs):
        connection = real_connect(target, *args, **kwargs)
        if "mode=ro" in str(target):
            connection.set_trace_callback(seen.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", spying_connect)
    path = tmp_path / "office.db"
    open_database(sqlite_url(path), create=True).dispose()
    open_database(sqlite_url(path)).dispose()
    assert any(statement.startswith("PRAGMA quick_check") for statement in seen)
    assert not any("journal_mode" in statement for statement in seen)


def _open_as_nobody(path) -> str:
    """Open ``path`` in a child running as user nobody; returns what the child was told."""
    import os

    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reading)
        try:
            os.setgid(65534)
            os.setuid(65534)
            open_database(sqlite_url(path)).dispose()
            os.write(writing, b"opened")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(writing, f"{type(exc).__name__}: {exc}".encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        said = pipe.read()
    os.waitpid(pid, 0)
    return said


def test_a_read_only_database_says_so_before_anyone_signs_in(tmp_path):
    import os
    import shutil
    import tempfile

    source = tmp_path / "office.db"
    database = open_database(sqlite_url(source), create=True)
    make_office(database)
    database.dispose()
    if os.geteuid() == 0:
        # root writes anything: the check is made as user nobody, in a folder it can read.
        folder = tempfile.mkdtemp(prefix="cxdesk-ro-", dir="/tmp")
        try:
            os.chmod(folder, 0o755)
            path = shutil.copy(source, folder)
            os.chmod(path, 0o644)
            said = _open_as_nobody(path)
        finally:
            shutil.rmtree(folder)
    else:
        source.chmod(0o444)
        path = source
        try:
            open_database(sqlite_url(path))
            said = "opened"
        except CxdeskError as exc:
            said = f"CxdeskError: {exc}"
    assert said == f"CxdeskError: {path} is read-only for this account, and cxdesk saves every change at " \
                   "once. Make the file writable (or open a writable copy of it with --db)."


def test_a_full_disk_is_called_a_full_disk_and_no_unwritten_log_is_claimed(tmp_path, monkeypatch):
    """SQLite's 'database or disk is full' from a real write, and a log on a full device
    (/dev/full refuses every write with ENOSPC)."""
    from pathlib import Path

    from cxdesk import logs

    database = open_database(sqlite_url(tmp_path / "full.db"), create=True)
    office = make_office(database)
    try:
        with database.engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        with pytest.raises(sa.exc.OperationalError) as full:
            with database.session() as session:
                session.connection().exec_driver_sql(f"PRAGMA max_page_count={pages + 1}")
                for _ in range(500):
                    visits.check_in(session, office, segment="retiree", service="change_address",
                                    now=FIXED_NOW)
    finally:
        database.dispose()
    assert logs.is_disk_full(full.value)
    monkeypatch.setattr(logs, "log_path", lambda: Path("/dev/full"))
    message = logs.unexpected_message(full.value, "saving a visit")
    assert message.startswith("The disk is full")
    assert "could not be written" in message and "were written" not in message
    assert logs.log_unexpected(full.value) is None


def test_a_disk_that_refuses_writes_is_said_in_words_not_as_something_went_wrong():
    """A file grown past the size limit, a failing disk: SQLite says "disk I/O error"."""
    import sqlite3

    from cxdesk import logs

    refused = sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))
    assert logs.is_disk_error(refused) and not logs.is_disk_full(refused)
    message = logs.unexpected_message(refused, "saving a visit")
    assert message.startswith("Could not save: the computer could not write to its disk")
    assert not logs.is_disk_error(ValueError("odd")) and not logs.is_disk_error(OSError(2, "missing"))


def test_an_unexpected_error_names_the_log_only_when_its_line_was_written():
    from cxdesk import logs

    message = logs.unexpected_message(ValueError("odd"), "a test")
    assert message == f"Something went wrong (ValueError). Details were written to {logs.log_path()}."
    assert not logs.is_disk_full(ValueError("odd"))


def test_the_migrations_make_exactly_the_tables_of_the_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from cxdesk.store.models import SQLModel

    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                       SQLModel.metadata)
    assert differences == []


# --- the quick check: at the first open of the day, and after anything but a clean close ---


def _spy_quick_checks(monkeypatch) -> list[str]:
    seen = []
    real_connect = sqlite3.connect

    def spying_connect(target, *args, **kwargs):
        connection = real_connect(target, *args, **kwargs)
        if "mode=ro" in str(target):
            connection.set_trace_callback(seen.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", spying_connect)
    return seen


def _quick_checks(seen) -> int:
    return sum(statement.startswith("PRAGMA quick_check") for statement in seen)


def _checked_office(tmp_path):
    path = tmp_path / "office.db"
    database = open_database(sqlite_url(path), create=True)
    make_office(database)
    database.dispose()
    open_database(sqlite_url(path)).dispose()  # checked, then closed cleanly
    return path


def test_a_file_checked_today_and_closed_cleanly_opens_without_the_quick_check(tmp_path, monkeypatch):
    path = _checked_office(tmp_path)
    seen = _spy_quick_checks(monkeypatch)
    database = open_database(sqlite_url(path))
    with database.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Office)).scalar_one() == 1
    database.dispose()
    assert _quick_checks(seen) == 0
    # Ours and at a known revision is still looked at, read-only, every time.
    assert any("alembic_version" in statement for statement in seen)


def test_the_first_open_of_a_new_day_checks_again(tmp_path, monkeypatch):
    from datetime import date

    from cxdesk.store import db as store_db

    path = _checked_office(tmp_path)
    seen = _spy_quick_checks(monkeypatch)
    monkeypatch.setattr(store_db, "_today", lambda: date(2099, 1, 2))
    open_database(sqlite_url(path)).dispose()
    assert _quick_checks(seen) == 1
    open_database(sqlite_url(path)).dispose()
    assert _quick_checks(seen) == 1  # once that day


def test_damage_after_a_clean_close_is_still_refused_the_same_day(tmp_path):
    path = _checked_office(tmp_path)
    _damage_a_page(path, "station")
    before = _fingerprint(path)
    with pytest.raises(CxdeskError, match="is damaged"):
        open_database(sqlite_url(path))
    assert _fingerprint(path) == before


def test_after_a_session_that_did_not_close_cleanly_the_file_is_checked(tmp_path, monkeypatch):
    path = _checked_office(tmp_path)
    crashed = open_database(sqlite_url(path))  # never disposed: as if the app was killed
    with crashed.session() as session:
        session.add(Visit(office_id=session.execute(sa.select(Office.id)).scalar_one(), day=FIXED_NOW.date(),
                          seq=1, segment="retiree", service_wanted="change_address", state="waiting",
                          arrived_at=FIXED_NOW))
        session.commit()
    seen = _spy_quick_checks(monkeypatch)
    open_database(sqlite_url(path)).dispose()
    assert _quick_checks(seen) == 1
    crashed.engine.dispose()


def test_a_write_cut_off_part_way_is_rolled_back_at_the_next_open(tmp_path):
    """A file out of WAL mode (as a restore from a backup leaves it) whose writer was
    killed mid-transaction has a hot rollback journal, which a read-only look cannot
    roll back: the next start rolls it back and opens the database as it was."""
    import os
    import signal

    path = tmp_path / "office.db"
    database = open_database(sqlite_url(path), create=True)
    make_office(database)
    database.dispose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    before = _office_rows(path)
    pid = os.fork()
    if pid == 0:
        try:
            writer = sqlite3.connect(path, isolation_level=None)
            writer.execute("PRAGMA cache_size=2")  # spill: the file itself is written mid-transaction
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("UPDATE office SET name = 'half written'")
            writer.execute("CREATE TABLE junk(a)")
            writer.executemany("INSERT INTO junk VALUES (?)", [("x" * 500,) for _ in range(2000)])
            os.kill(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)
    os.waitpid(pid, 0)
    assert (tmp_path / "office.db-journal").stat().st_size > 0
    open_database(sqlite_url(path)).dispose()
    assert not (tmp_path / "office.db-journal").exists()
    assert _office_rows(path) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'junk'").fetchone() == (0,)


def _office_rows(path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT * FROM office").fetchall()
