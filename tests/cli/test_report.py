"""`cxdesk report summary`: the summary from the shell as text, CSV and JSON; supervisors only."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from cxdesk.cli import main
from tests.factories import serve


def report(db_url, *args, pin="24681357", staff="SUP1"):
    return CliRunner().invoke(main, ["report", "summary", "--db", db_url, "--staff", staff, *args],
                              input=f"{pin}\n")


@pytest.fixture
def served(db, office, signed_in):
    for service in ("change_address", "replacement_card", "change_address"):
        serve(db, office, signed_in, service=service)
    return office


def test_text_shows_volumes_standards_and_the_hour_table(db_url, served):
    result = report(db_url, "--period", "day", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    assert "Arrived 3 · served 3" in result.output
    assert "✔ MET" in result.output and "Waiting time within 20 minutes: 100.0%" in result.output
    assert "09:00        3       3" in result.output
    assert "SIGN-OFF: not signed off yet" in result.output


def test_csv_goes_through_the_safe_writer_one_figure_a_row(db_url, served):
    result = report(db_url, "--period", "week", "--date", "2026-11-24", "--format", "csv")
    assert result.exit_code == 0, result.output
    body = result.output[result.output.index("section,"):]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {"section", "item", "figure", "value"} == set(rows[0])
    figure = {(r["section"], r["item"], r["figure"]): r["value"] for r in rows}
    assert figure[("volumes", "served", "count")] == "3"
    assert figure[("standards", "first_visit", "status")] == "✔ MET"
    assert figure[("period", "week", "start")] == "2026-11-23"


def test_json_carries_every_section_and_each_standards_verdict(db_url, served):
    result = report(db_url, "--period", "quarter", "--quarter", "FY2027Q1", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert (data["start"], data["end"]) == ("2026-10-01", "2026-12-31")
    assert data["volumes"]["served"] == 3
    assert {s["code"]: s["status"] for s in data["standards"]}["wait_20"] == "met"
    assert data["service"]["median"] == 0.0


def test_station_filter_and_shift(db_url, served):
    station = report(db_url, "--date", "2026-11-24", "--station", "W2")
    assert station.exit_code == 0 and "Arrived 0" in station.output
    shift = report(db_url, "--period", "shift", "--date", "2026-11-24", "--station", "W1")
    assert shift.exit_code == 0, shift.output
    assert "Shift of CLK1 Ben Okafor at W1" in shift.output and "served 3" in shift.output


@pytest.mark.parametrize("args, pin, staff, message", [
    (["--date", "2026-11-24"], "1357", "CLK1", "Only a supervisor can read the supervisor summary"),
    (["--period", "quarter", "--quarter", "2027-Q5"], "24681357", "SUP1", "looks like FY2027Q1"),
    (["--quarter", "FY2027Q1"], "24681357", "SUP1", "--quarter goes with --period quarter"),
    (["--date", "24/11/2026"], "24681357", "SUP1", "--date wants a date like"),
    (["--period", "shift", "--date", "2026-11-20"], "24681357", "SUP1", "No shift started"),
])
def test_refusals_are_a_sentence_and_exit_1(db_url, served, args, pin, staff, message):
    result = report(db_url, *args, pin=pin, staff=staff)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
