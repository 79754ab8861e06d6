"""Touchpoints rows (A-11 Section 280 CX data collection): the columns and values of the CSV."""

from __future__ import annotations

from cxdesk.domain.surveys.questions import load_question_set
from cxdesk.exchange import touchpoints
from tests.factories import FIXED_NOW, survey_many

DAY = FIXED_NOW.date()


def test_touchpoints_rows_have_the_csv_columns_and_values(db, office, signed_in):
    survey_many(db, office, signed_in)
    question_set = load_question_set("a11_v2_radio")
    with db.session() as session:
        rows = [row for service in ("change_address", "replacement_card")
                for row in touchpoints.response_rows(session, question_set, [office.id], DAY, DAY, service)]
    assert len(rows) == 4
    assert len(touchpoints.COLUMNS) == 17
    assert all(sorted(row) == sorted(touchpoints.COLUMNS) for row in rows)
    assert sorted(row["question_1"] for row in rows) == ["2", "4", "4", "5"]
    positive = [row for row in rows if row["question_1"] != "2"]
    negative = [row for row in rows if row["question_1"] == "2"]
    # The branch picked: 1; the form's other options, on either branch: 0 (never null here).
    assert all(row["positive_effectiveness"] == "1" and row["negative_effectiveness"] == "0" for row in positive)
    assert all(row["negative_effectiveness"] == "1" and row["positive_effectiveness"] == "0" for row in negative)
    assert all(row[column] in ("0", "1") for row in rows for column in touchpoints.DRIVER_COLUMNS)
    assert [row["question_4"] for row in rows if row["question_4"]] == ["Too slow"]


def test_a_form_without_driver_lists_writes_null_cells():
    cells = touchpoints.form_cells(load_question_set("likert"))
    assert set(cells.values()) == {"null"}
    assert set(touchpoints.form_cells(load_question_set("a11_v2_radio")).values()) == {"0"}
