"""`cxdesk board`: bad input gets a sentence on stderr, exit 1, and nothing created."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from cxdesk.cli import main


def _run(*args: str):
    return CliRunner().invoke(main, ["board", *args])


def test_board_refuses_a_missing_database_and_creates_none(tmp_path):
    missing = tmp_path / "typo.db"
    result = _run("--db", str(missing))
    assert result.exit_code == 1
    assert "typo.db" in result.output and "Traceback" not in result.output
    assert not missing.exists()


def test_board_refuses_a_database_without_an_office(tmp_path):
    from cxdesk.store.db import open_database

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_database(url, create=True).dispose()
    result = _run("--db", url, "--serve")
    assert result.exit_code == 1
    assert "no office yet" in result.output


def test_host_and_port_go_with_serve(db, office, db_url):
    result = _run("--db", db_url, "--port", "9000")
    assert result.exit_code == 1
    assert "--host and --port go with --serve." in result.output


def test_demo_and_db_are_one_or_the_other(db, office, db_url):
    result = _run("--db", db_url, "--demo")
    assert result.exit_code == 1
    assert "Give --demo or --db, not both." in result.output


def test_a_port_already_taken_is_said_in_a_sentence(db, office, db_url):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        result = _run("--db", db_url, "--serve", "--port", str(port))
    finally:
        taken.close()
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output


def test_a_port_out_of_range_is_a_usage_error(db, office, db_url):
    result = _run("--db", db_url, "--serve", "--port", "70000")
    assert result.exit_code == 2


def test_report_estimates_says_how_many_waits_fell_inside(db, office, db_url):
    from cxdesk.domain.lobby import record_estimate
    from tests.factories import FIXED_NOW

    with db.session() as session:
        record_estimate(session, office, line="line", waiting=0, windows_open=1, low=0, high=5, now=FIXED_NOW)
    result = CliRunner().invoke(main, ["report", "estimates", "--db", db_url, "--since", "2026-11-23",
                                       "--until", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert "Mon 23 Nov 2026 – Tue 24 Nov 2026" in result.output
    assert "As shown on the board: no walk-in with an estimate to judge." in result.output
    assert "Replayed from the visits" in result.output


def test_report_estimates_refuses_a_bad_date(db, office, db_url):
    result = CliRunner().invoke(main, ["report", "estimates", "--db", db_url, "--since", "24/11/2026"])
    assert result.exit_code == 1
    assert "--since: a date as YYYY-MM-DD" in result.output
