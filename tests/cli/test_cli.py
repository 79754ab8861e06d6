"""The command line: version, db upgrade, and clear errors without tracebacks."""

import subprocess
import sys

from click.testing import CliRunner

from cxdesk import __version__
from cxdesk.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_db_upgrade_creates_then_reports_up_to_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = run("db", "upgrade", "--db", url)
    assert first.exit_code == 0 and "Created" in first.output
    again = run("db", "upgrade", "--db", url)
    assert again.exit_code == 0 and "up to date" in again.output


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
