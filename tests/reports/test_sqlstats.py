"""The SQL pieces behind the summary: percentile_cont in Python, and the office-local hour
SQLite computes from the stored UTC text, checked against zoneinfo across offset changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from cxdesk.reports.sqlstats import local_hour, median_and_p90, percentile_cont
from cxdesk.store.models import UTCDateTime


def test_percentile_cont_interpolates_between_neighbours():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([7], 0.5) == 7.0
    assert percentile_cont([7], 0.9) == 7.0
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont([10, 20, 30, 40, 50], 0.5) == 30.0
    # position 0.9 * 3 = 2.7: 30 + 0.7 * (100 - 30)
    assert percentile_cont([10, 20, 30, 100], 0.9) == pytest.approx(79.0)


def test_median_and_p90_sort_the_values_and_round_to_a_tenth():
    values = [100, 3, 50, 7]
    assert median_and_p90(values) == (28.5, 85.0)
    assert values == [3, 7, 50, 100]
    assert median_and_p90([]) == (None, None)
    assert median_and_p90([1, 2, 3]) == (2.0, 2.8)


ZONES = [
    # (zone, a range of days around an offset change)
    ("America/Chicago", date(2026, 3, 7), date(2026, 3, 9)),  # DST starts
    ("America/Chicago", date(2026, 10, 31), date(2026, 11, 2)),  # DST ends
    ("Asia/Kolkata", date(2026, 6, 1), date(2026, 6, 2)),  # +05:30
    ("America/St_Johns", date(2026, 11, 1), date(2026, 11, 2)),  # -03:30 / -02:30
    ("Australia/Lord_Howe", date(2026, 4, 4), date(2026, 4, 6)),  # a half-hour DST
    ("Pacific/Chatham", date(2026, 9, 26), date(2026, 9, 28)),  # +12:45 / +13:45
]


@pytest.mark.parametrize(("zone_name", "first", "last"), ZONES)
def test_local_hour_on_sqlite_is_the_hour_on_the_office_clock(zone_name, first, last):
    zone = ZoneInfo(zone_name)
    metadata = sa.MetaData()
    moments = sa.Table("moment", metadata, sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("at", UTCDateTime))
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    instants = []
    at = start
    while at < end:
        instants.append(at)
        at += timedelta(minutes=7, seconds=13)
    with Session(engine) as session:
        session.execute(moments.insert(), [{"id": i, "at": t} for i, t in enumerate(instants)])
        hours = dict(session.execute(
            sa.select(moments.c.id, local_hour(session, moments.c.at, zone, first, last))).all())
        nothing = session.execute(sa.select(local_hour(session, sa.null(), zone, first, last))).scalar_one()
    assert {i: t.astimezone(zone).hour for i, t in enumerate(instants)} == hours
    assert nothing is None
