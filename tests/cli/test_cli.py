"""The command line: version, db upgrade, staff unlock, and clear errors without tracebacks."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from cxdesk import __version__
from cxdesk.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_db_upgrade_reports_up_to_date(tmp_path):
    from cxdesk.store.db import open_database

    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_database(url, create=True).dispose()
    again = run("db", "upgrade", "--db", url)
    assert again.exit_code == 0 and "up to date" in again.output


@pytest.mark.parametrize("command", [
    ["db", "upgrade"],
    ["complaints", "list"],
    ["complaints", "list", "--format", "csv"],
    ["kiosk", "--station", "W1"],
    ["staff", "unlock", "SUP1"],
])
def test_a_mistyped_db_path_is_refused_by_name_and_nothing_is_created(tmp_path, command):
    missing = tmp_path / "typo" / "folder" / "cxdesk.db"
    result = run("--db", str(missing), *command)
    assert result.exit_code == 1
    assert f"There is no database at {missing}" in result.output
    assert "first-run setup" in result.output
    assert not (tmp_path / "typo").exists()


def test_staff_unlock_clears_a_supervisor_delay_without_a_pin(db_url, db, office):
    from cxdesk.domain.signin_delays import waiting_codes
    from cxdesk.domain.staff import check_pin
    from cxdesk.errors import CxdeskError
    from tests.factories import FIXED_NOW, SUPERVISOR

    with db.session() as session:
        for _ in range(5):
            with pytest.raises(CxdeskError):
                check_pin(session, office, SUPERVISOR[0], "0000", FIXED_NOW, place="W1")
        assert SUPERVISOR[0] in waiting_codes(session, office, FIXED_NOW)
    result = run("--db", db_url, "staff", "unlock", "sup1")
    assert result.exit_code == 0, result.output
    assert "Cleared the sign-in delay of SUP1 (1 station)" in result.output
    with db.session() as session:
        assert waiting_codes(session, office, FIXED_NOW) == {}
    again = run("--db", db_url, "staff", "unlock", "SUP1")
    assert "has no sign-in delay" in again.output
    unknown = run("--db", db_url, "staff", "unlock", "NOBODY")
    assert unknown.exit_code == 1 and "No staff member NOBODY" in unknown.output


def test_unreadable_database_gives_message_and_exit_1(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"\x00garbage" * 100)
    result = subprocess.run([sys.executable, "-m", "cxdesk", "--db", str(bogus), "db", "upgrade"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "bogus.db is not a database file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_gives_message_and_exit_1():
    result = subprocess.run(
        [sys.executable, "-m", "cxdesk", "--db", "postgresql://postgres@127.0.0.1:1/x", "db", "upgrade"],
        capture_output=True, text=True)
    assert result.returncode == 1
    assert "Cannot open database" in result.stderr and "Traceback" not in result.stderr


def test_kiosk_demo_opens_the_demo_database_and_names_a_wrong_one(tmp_path, monkeypatch):
    """`cxdesk kiosk --demo` finds the file `cxdesk demo --open` uses; a kiosk on a database
    without the office says which database it looked in."""
    import cxdesk.cli.kiosk as kiosk_cli
    from cxdesk.config import demo_db_url
    from cxdesk.store.db import open_database

    from tests.factories import make_office

    opened = []
    monkeypatch.setattr(kiosk_cli, "run_kiosk", lambda url, station, theme=None: opened.append((url, station)))
    database = open_database(demo_db_url(), create=True)
    make_office(database)
    database.dispose()
    result = run("kiosk", "--demo", "--station", "w1")
    assert result.exit_code == 0 and opened == [(demo_db_url(), "w1")]
    empty = tmp_path / "other.db"
    open_database(f"sqlite:///{empty}", create=True).dispose()
    refused = run("kiosk", "--db", str(empty), "--station", "W1")
    assert refused.exit_code == 1 and "other.db" in refused.output and "no office yet" in refused.output
    both = run("kiosk", "--demo", "--db", str(empty), "--station", "W1")
    assert both.exit_code == 1 and "not both" in both.output


def test_demo_open_counts_the_line_it_opens_on_and_names_its_kiosk(tmp_path, monkeypatch):
    """The demo used to print "0 waiting" and then open on a line of eight."""
    import re

    import cxdesk.cli.demo as demo_cli
    from cxdesk.config import demo_db_url
    from cxdesk.domain.visits import waiting_line
    from cxdesk.store.db import open_database
    from cxdesk.store.models import Office

    opened = {}
    monkeypatch.setattr(demo_cli, "run_app", lambda url, **kwargs: opened.update(url=url, **kwargs))
    result = run("demo", "--days", "2", "--open")
    assert result.exit_code == 0, result.output
    said = int(re.search(r"(\d+) waiting", result.output).group(1))
    database = open_database(demo_db_url())
    try:
        with database.session() as session:
            from datetime import datetime, timezone

            from sqlmodel import select

            office = session.exec(select(Office)).one()
            line = waiting_line(session, office, datetime.now(timezone.utc))
    finally:
        database.dispose()
    assert said == len(line) > 0
    # The sign-in shows the hint with this command filled in for W1.
    assert opened["url"] == demo_db_url() and opened["kiosk_command"] == "cxdesk kiosk --demo --station {station}"
