"""`cxdesk complaints list`: text with deadline words, CSV without contact details unless a
supervisor signs for them, exit 1 with a sentence for bad input, 2 for usage errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdesk.domain import complaints as cx
from cxdesk.exchange import complaint_csv
from tests.factories import (
    CLERK,
    EMAIL,
    FIXED_NOW,
    PHONE,
    SUPERVISOR,
    complaint_intake,
    complaint_step,
    complaint_with_contact,
)


@pytest.fixture
def filed(db, db_url, office, people):
    """Three complaints: one overdue by 1 December, one with contact details, one closed."""
    supervisor, clerk, _ = people
    with db.session() as session:
        old = cx.open_complaint(session, office, clerk, complaint_intake(category="privacy"),
                                FIXED_NOW - timedelta(days=8))
        fresh = cx.open_complaint(session, office, clerk, complaint_with_contact(), FIXED_NOW)
        done = cx.open_complaint(session, office, clerk, complaint_intake(), FIXED_NOW)
        for action in ("acknowledge", "start", "resolve", "close"):
            complaint_step(session, action, done, clerk)
    return old, fresh, done


def run_cli(db_url, *args, input=None):
    from click.testing import CliRunner

    from cxdesk.cli import main

    return CliRunner().invoke(main, ["--db", db_url, "complaints", "list", *args], input=input)


def test_cli_lists_open_complaints_as_text_with_deadline_words(db_url, filed):
    old, fresh, done = filed
    result = run_cli(db_url, "--as-of", "2026-11-24")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("REFERENCE")
    assert old.reference in lines[1] and "▲ OVERDUE 3 working days" in lines[1]
    assert fresh.reference in lines[2] and "due Mon 30 Nov" in lines[2]
    assert done.reference not in result.output
    assert lines[-1] == "2 complaints as of Tue 24 Nov 2026: 1 overdue, 0 due today."
    assert PHONE not in result.output and "Maria" not in result.output


def test_cli_overdue_only(db_url, filed):
    old, fresh, _ = filed
    result = run_cli(db_url, "--overdue", "--as-of", "2026-11-24")
    assert result.exit_code == 0 and old.reference in result.output and fresh.reference not in result.output
    result = run_cli(db_url, "--overdue", "--as-of", "2026-11-10")
    assert result.exit_code == 0 and result.output.strip() == "No complaints match."


def test_cli_csv_leaves_out_contact_details(db_url, filed):
    import csv
    import io

    old, fresh, done = filed
    result = run_cli(db_url, "--format", "csv", "--as-of", "2026-11-30", "--state", "received",
                     "--state", "closed")
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(result.output)))
    assert tuple(records[0]) == complaint_csv.CSV_COLUMNS
    assert [(r["reference"], r["due_status"]) for r in records] == [
        (old.reference, "overdue"), (fresh.reference, "due_today"), (done.reference, "none")]
    assert records[2]["customer_accepted"] == "no" and records[2]["state"] == "closed"
    assert PHONE not in result.output and EMAIL not in result.output


def test_cli_csv_with_contact_for_a_supervisor(db_url, filed):
    import csv
    import io

    result = run_cli(db_url, "--format", "csv", "--with-contact", "--staff", SUPERVISOR[0],
                     input=SUPERVISOR[2] + "\n")
    assert result.exit_code == 0, result.output
    body = result.output[result.output.index("reference,"):]
    records = {r["reference"]: r for r in csv.DictReader(io.StringIO(body))}
    assert records[filed[1].reference]["contact_phone"] == PHONE
    assert records[filed[0].reference]["contact_phone"] == ""


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (["--state", "lost"], None, "Unknown state 'lost'"),
        (["--category", "noise"], None, "Unknown complaint category 'noise'"),
        (["--as-of", "yesterday"], None, "--as-of wants a date like 2026-11-24"),
        (["--with-contact"], None, "--with-contact is for --format csv only"),
        (["--format", "csv", "--with-contact"], None, "needs --staff CODE"),
        (["--format", "csv", "--with-contact", "--staff", CLERK[0]], CLERK[2] + "\n",
         "Only a supervisor can export contact details"),
        (["--format", "csv", "--with-contact", "--staff", SUPERVISOR[0]], "0000\n", "Staff code or PIN is not right"),
    ],
)
def test_cli_bad_input_exits_1_with_a_message(db_url, filed, args, input, message):
    result = run_cli(db_url, *args, input=input)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_usage_error_exits_2_as_click_says(db_url, filed):
    result = run_cli(db_url, "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output
    assert PHONE not in result.output


def test_cli_on_a_database_without_office(db_url, db):
    result = run_cli(db_url)
    assert result.exit_code == 1 and "has no office yet" in result.output
