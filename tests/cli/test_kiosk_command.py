"""`cxdesk kiosk`: refuses a station the office does not have, with a sentence and exit 1."""

from __future__ import annotations


def test_kiosk_command_refuses_an_unknown_station(db, office, db_url):
    from click.testing import CliRunner

    from cxdesk.cli import main

    result = CliRunner().invoke(main, ["kiosk", "--station", "W9", "--db", db_url])
    assert result.exit_code == 1
    assert "No station 'W9' in this office." in result.output
