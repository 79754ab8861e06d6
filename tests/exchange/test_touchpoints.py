"""Touchpoints rows (A-11 Section 280 CX data collection): the columns and values of the CSV."""

from __future__ import annotations

from cxdesk.exchange import touchpoints
from tests.factories import FIXED_NOW, survey_many

DAY = FIXED_NOW.date()


def test_touchpoints_rows_have_the_csv_columns_and_values(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        rows = list(touchpoints.touchpoints_responses(session, office, DAY, DAY))
    assert len(rows) == 4
    expected_columns = ["external_id", "question_1",
                        *(f"positive_{d}" for d in touchpoints.TOUCHPOINTS_DRIVERS),
                        *(f"negative_{d}" for d in touchpoints.TOUCHPOINTS_DRIVERS), "question_4"]
    assert all(sorted(row) == sorted(expected_columns) for row in rows)
    assert sorted(row["question_1"] for row in rows) == [2, 4, 4, 5]
    assert all(row["positive_effectiveness"] == 1 and row["positive_ease"] == 0 for row in rows)
    assert [row["question_4"] for row in rows if row["question_4"]] == ["Too slow"]
