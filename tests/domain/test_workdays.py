"""Working days: weekends and federal holidays, for complaint deadlines and the demo calendar."""

from __future__ import annotations

from datetime import date

import pytest

from cxdesk.domain import workdays
from tests.factories import (
    TODAY,
)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 24), 0, date(2026, 11, 24)),
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday -> Monday, over the weekend
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # received on a Saturday
        (date(2026, 11, 24), 3, date(2026, 11, 30)),  # Thanksgiving 26 Nov does not count
        (date(2026, 11, 24), 5, date(2026, 12, 2)),
        (date(2026, 11, 24), 20, date(2026, 12, 23)),
        (date(2026, 12, 23), 3, date(2026, 12, 29)),  # Christmas Friday 25 Dec
        (date(2026, 12, 30), 2, date(2027, 1, 4)),  # New Year's Day Friday 1 Jan
        (date(2026, 7, 2), 1, date(2026, 7, 6)),  # July 4 is a Saturday: observed Friday 3 July
        (date(2027, 12, 30), 1, date(2028, 1, 3)),  # New Year 2028 observed Friday 31 Dec 2027
        (date(2026, 1, 16), 1, date(2026, 1, 20)),  # Martin Luther King Jr. Day
    ],
)
def test_add_working_days_skips_weekends_and_federal_holidays(start, days, expected):
    assert workdays.add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 12, 25), False),  # Christmas
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 7, 3), False),  # Independence Day observed
        (date(2026, 6, 19), False),  # Juneteenth
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 27), True),  # the Friday after Thanksgiving is not a federal holiday
        (date(2026, 11, 24), True),
    ],
)
def test_is_working_day(day, working):
    assert workdays.is_working_day(day) is working


def test_working_days_between_counts_both_ways():
    assert workdays.working_days_between(date(2026, 11, 24), date(2026, 11, 30)) == 3
    assert workdays.working_days_between(date(2026, 11, 30), date(2026, 11, 24)) == -3
    assert workdays.working_days_between(TODAY, TODAY) == 0


def test_negative_working_days_are_a_bug():
    with pytest.raises(ValueError):
        workdays.add_working_days(TODAY, -1)
