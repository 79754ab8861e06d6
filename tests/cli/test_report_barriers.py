"""`cxdesk report barriers`: text, CSV and JSON, with the same rule of three as the screen."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from cxdesk.cli import main
from tests.factories import answer_barrier, more_staff, start_barrier_survey


def run(db_url, *args):
    return CliRunner().invoke(main, ["--db", db_url, "report", "barriers", *args])


def three_answers(db, office):
    start_barrier_survey(db, office)
    more_staff(db, office, 1)
    answer_barrier(db, office, "SUP1", items={"workload": 5, "tools": 1}, categories={"staffing"},
                   idea="=HYPERLINK(\"http://x\") open a second window at lunch")
    answer_barrier(db, office, "CLK1", items={"workload": 4, "tools": 2}, categories={"staffing", "forms"})
    answer_barrier(db, office, "CLK2", items={"workload": 1, "tools": 0}, categories={"it_system"})


def test_text_report_shows_percent_positive_barriers_and_ideas(db, office, db_url):
    three_answers(db, office)
    result = run(db_url, "--period", "2026-11")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Barrier survey · CHI01 · November 2026 (2026-11)" in out
    assert "My workload is reasonable." in out and "66.7%" in out
    assert "⚠ withheld (2 answered 1-5)" in out  # tools: one said don't know
    assert "1. Staffing" in out
    assert "open a second window at lunch" in out


def test_csv_report_is_long_format_and_neutralises_formulas(db, office, db_url):
    three_answers(db, office)
    result = run(db_url, "--period", "2026-11", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    workload = next(row for row in rows if row["section"] == "item" and row["code"] == "workload")
    assert (workload["value"], workload["answered"], workload["group"]) == ("66.7", "3", "all")
    respondents = next(row for row in rows if row["code"] == "respondents")
    assert respondents["value"] == "3"
    [idea] = [row for row in rows if row["section"] == "idea"]
    assert idea["label"].startswith("'=HYPERLINK")


def test_json_report_withholds_a_period_of_two(db, office, db_url):
    start_barrier_survey(db, office)
    answer_barrier(db, office, "SUP1", idea="Shorter forms")
    answer_barrier(db, office, "CLK1")
    result = run(db_url, "--period", "2026-11", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["withheld"] and data["respondents"] == 2
    assert data["withheld_reason"] == "not enough answers to show without identifying anyone"
    assert data["items"] == [] and data["ideas"] == [] and data["minimum_group"] == 3
    assert "Shorter forms" not in result.output


def test_a_quarter_and_the_current_period_are_accepted(db, office, db_url):
    start_barrier_survey(db, office, period="quarter")
    result = run(db_url, "--period", "fy2027q1")
    assert result.exit_code == 0 and "FY2027 Q1 (Oct–Dec 2026)" in result.output
    current = run(db_url)
    assert current.exit_code == 0 and "Barrier survey · CHI01 · FY" in current.output


def test_a_bad_period_is_a_sentence_and_exit_1(db, office, db_url):
    result = run(db_url, "--period", "November")
    assert result.exit_code == 1
    assert "a month like 2026-11 or a fiscal quarter like FY2027Q1" in result.output
