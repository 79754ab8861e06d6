"""The demo office: deterministic for a seed, shaped like a real field office, safe to run.

(That it is a queue, one customer per window, is tests/demo/test_queue.py; the command,
tests/cli/test_demo_command.py.)"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from cxdesk.demo import office as demo
from cxdesk.errors import CxdeskError
from cxdesk.store.db import open_database
from cxdesk.store.models import Shift, Visit, VisitChannelOffer
from tests.factories import DEMO_DAYS, DEMO_NOW, fill_demo, visit_rows

CHICAGO = ZoneInfo("America/Chicago")


def test_same_seed_gives_the_same_office(tmp_path, filled):
    url, summary, rows = filled
    again = fill_demo(f"sqlite:///{tmp_path / 'again.db'}")
    assert (again.visits, again.by_state) == (summary.visits, summary.by_state)
    assert visit_rows(f"sqlite:///{tmp_path / 'again.db'}", limit=50) == rows[:50]


def test_another_seed_gives_another_office(tmp_path, filled):
    _url, _summary, rows = filled
    fill_demo(f"sqlite:///{tmp_path / 'other.db'}", seed=8)
    assert visit_rows(f"sqlite:///{tmp_path / 'other.db'}", limit=50) != rows[:50]


def test_the_same_seed_gives_the_same_days_whatever_the_length(tmp_path, filled):
    _url, _summary, rows = filled
    short = f"sqlite:///{tmp_path / 'short.db'}"
    fill_demo(short, days=4)
    last_days = {date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 24)}
    assert visit_rows(short) == [row for row in rows if row["day"] in last_days]


# A month of the demo office with the default seed, the last day over: the realism figures
# in the ranges of the SSA Inspector General audits. One month varies (a November with a
# holiday and four early-month days reaches 26 minutes); the simulation's own test checks 100 days.


def test_about_140_visits_a_working_day(filled):
    _url, summary, rows = filled
    full_days = Counter(row["day"] for row in rows if row["day"] != date(2026, 11, 24))
    average = sum(full_days.values()) / len(full_days)
    assert 115 <= average <= 170
    assert summary.working_days == DEMO_DAYS == len(full_days) + 1


def test_no_visits_on_weekends_or_federal_holidays(filled):
    _url, summary, rows = filled
    days = {row["day"] for row in rows}
    assert all(day.weekday() < 5 for day in days)
    assert date(2026, 11, 11) not in days  # Veterans Day, a Wednesday
    assert date(2026, 11, 10) in days and date(2026, 11, 12) in days
    assert summary.last_day == date(2026, 11, 24)


def test_a_queue_at_the_door_then_a_late_morning_peak_within_opening_hours(filled):
    _url, _summary, rows = filled
    local = [row["arrived_at"].astimezone(CHICAGO) for row in rows]
    assert {moment.hour for moment in local} <= set(range(9, 16))
    minutes = [(moment.hour - 9) * 60 + moment.minute for moment in local]
    assert 0.05 <= sum(minute < 10 for minute in minutes) / len(minutes) <= 0.2
    half_hours = Counter(minute // 30 for minute in minutes if minute >= 30)
    assert half_hours.most_common(1)[0][0] in (2, 3, 4, 5)  # 10:00-11:59


def test_every_finished_visit_has_service_outcome_and_what_the_outcome_needs(filled):
    _url, _summary, rows = filled
    done = [row for row in rows if row["state"] == "done"]
    assert done
    for row in done:
        assert row["service"] and row["outcome"] and row["staff_id"] and row["shift_id"]
        assert row["arrived_at"] <= row["called_at"] <= row["serving_at"] <= row["finished_at"]
        assert (row["referral"] is not None) == (row["outcome"] == "referred")
        assert (row["not_served_reason"] is not None) == (row["outcome"] == "not_served")
    outcomes = Counter(row["outcome"] for row in done)
    assert outcomes["resolved"] > outcomes["referred"] > 0 and outcomes["not_served"] > 0


def test_service_times_follow_the_catalog_minutes(filled):
    _url, _summary, rows = filled
    by_service: dict[str, list[int]] = {}
    for row in rows:
        if row["state"] == "done" and row["service_seconds"]:
            by_service.setdefault(row["service"], []).append(row["service_seconds"])
    short = sorted(by_service["change_address"])[len(by_service["change_address"]) // 2]
    long = sorted(by_service["retirement_claim"])[len(by_service["retirement_claim"]) // 2]
    assert 3 * 60 <= short <= 10 * 60
    assert 60 * 60 <= long <= 130 * 60


def test_some_no_shows_people_who_left_holds_transfers_and_appointments(filled):
    _url, summary, rows = filled
    assert summary.by_state["no_show"] > 0 and summary.by_state["left"] > 0
    assert any(row["appointment"] and row["appointment_at"] for row in rows)
    assert any(row["hold_count"] and row["state"] == "done" for row in rows)
    assert any(row["transferred_from"] and row["state"] == "done" for row in rows)
    assert Counter(row["language"] for row in rows)["es"] > 0
    stages = Counter(row["left_stage"] for row in rows if row["state"] == "left")
    assert stages["waiting"] > 0 and set(stages) <= {"waiting", "on_hold"}
    assert all(row["left_stage"] is None for row in rows if row["state"] != "left")


def test_channel_offers_and_preferences_are_recorded(filled):
    url, _summary, rows = filled
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        offers = conn.execute(sa.select(VisitChannelOffer.visit_id, VisitChannelOffer.channel)).all()
    engine.dispose()
    offered: dict = {}
    for visit_id, channel in offers:
        offered.setdefault(visit_id, set()).add(channel)
    steps = Counter(row["channel_step"] for row in rows if row["state"] == "done")
    assert steps["done"] > steps["skipped"] > 0
    for row in rows:
        if row["preferred_channel"]:
            assert row["preferred_channel"] in offered[row["id"]]


def test_today_has_a_live_line_the_counter_can_serve(filled, tmp_path):
    """Window 1 is free for whoever runs the demo; the others are busy; people wait."""
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.visits import call_next, waiting_line

    shared, summary, rows = filled
    url = f"sqlite:///{tmp_path / 'served.db'}"  # a copy: the other tests see the demo as built
    shutil.copyfile(sa.engine.make_url(shared).database, sa.engine.make_url(url).database)
    today = [row for row in rows if row["day"] == date(2026, 11, 24)]
    assert all(row["arrived_at"] <= DEMO_NOW for row in today)
    at_counters = [row for row in today if row["state"] in ("called", "serving")]
    assert summary.at_counters_now == len(at_counters) >= 1
    assert len({row["station_id"] for row in at_counters}) == len(at_counters)
    assert summary.waiting_now >= 1

    db = open_database(url)
    try:
        with db.session() as session:
            office = demo.office_in(db)
            window_1 = get_station(session, office, "W1")
            assert window_1.id not in {row["station_id"] for row in at_counters}
            for row in at_counters:
                assert session.get(Shift, row["shift_id"]).ended_at is None
            line = waiting_line(session, office, DEMO_NOW)
            assert len(line) == summary.waiting_now
            clerk = sign_in(session, office, code="CLK1", pin="1357", station=window_1, now=DEMO_NOW)
            called = call_next(session, office, clerk, DEMO_NOW + timedelta(seconds=5))
            assert called.id == line[0].id
    finally:
        db.dispose()


def test_before_opening_today_has_no_visits_yet(tmp_path):
    summary = fill_demo(f"sqlite:///{tmp_path / 'early.db'}", days=2,
                    now=datetime(2026, 11, 24, 13, 0, tzinfo=timezone.utc))  # 07:00 in Chicago
    rows = visit_rows(f"sqlite:///{tmp_path / 'early.db'}")
    assert {row["day"] for row in rows} == {date(2026, 11, 23)}
    assert summary.waiting_now == summary.at_counters_now == 0


def test_opening_the_demo_at_night_still_shows_a_live_line(tmp_path):
    """`make run` at any hour is demo-ready: the line is topped up with the head of a simulated
    line at its busiest, moved to now (the same waits, services and appointments)."""
    night = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)  # 02:30 in Springfield

    def topped_up(name):
        url = f"sqlite:///{tmp_path / name}"
        demo.build(url, days=3, seed=1, now=night)
        assert demo.top_up_line(url, now=night) == demo.LIVE_LINE
        assert demo.top_up_line(url, now=night) == 0  # already full: nothing more
        database = open_database(url)
        with database.session() as session:
            from cxdesk.domain import visits

            office = demo.office_in(database)
            line = visits.waiting_line(session, office, night)
            seqs = {visit.id: visit.seq for visit in session.exec(sa.select(Visit)).scalars()}
        database.dispose()
        return line, seqs

    line, seqs = topped_up("night.db")
    assert len(line) == demo.LIVE_LINE
    assert all(entry.arrived_at <= night for entry in line)
    waits = sorted(entry.waited(night) for entry in line)
    assert waits[-1] <= timedelta(hours=3) and len(set(waits)) == len(waits)
    by_arrival = sorted(line, key=lambda entry: entry.arrived_at)
    assert [seqs[entry.id] for entry in by_arrival] == sorted(seqs[entry.id] for entry in line)
    again, _ = topped_up("night2.db")
    assert [(e.service_wanted, e.arrived_at, e.appointment_at) for e in again] == [
        (e.service_wanted, e.arrived_at, e.appointment_at) for e in line]


def test_extenders_run_per_day_and_at_the_end_without_changing_thevisit_rows(tmp_path, filled):
    _url, _summary, rows = filled
    seen_days, seen_visits, ends, draws = [], [], [], []

    def on_day(session, demo_day, rng):
        seen_days.append(demo_day.day)
        seen_visits.append(len(demo_day.visits))
        # The day's visits are already in the transaction: an extender can refer to them.
        first = demo_day.visits[0]["id"]
        assert session.get(Visit, first) is not None
        draws.append(rng.random())

    def on_end(session, demo_end, rng):
        ends.append((len(demo_end.days), set(demo_end.office.station_ids)))

    extender = demo.DemoExtender("probe", day=on_day, end=on_end)
    url = f"sqlite:///{tmp_path / 'extended.db'}"
    fill_demo(url, extenders=[extender])
    assert len(seen_days) == DEMO_DAYS and seen_days == sorted(seen_days)
    assert sum(seen_visits) == len(rows)
    assert ends == [(DEMO_DAYS, {f"W{n}" for n in range(1, 10)})]
    assert visit_rows(url, limit=50) == rows[:50]
    draws_again = list(draws)
    draws.clear()
    seen_days.clear()
    fill_demo(f"sqlite:///{tmp_path / 'extended2.db'}", extenders=[extender])
    assert draws == draws_again


def test_registered_extenders_load():
    assert all(isinstance(extender, demo.DemoExtender) for extender in demo.load_extenders())


def test_working_days_skip_weekends_and_thanksgiving():
    days = demo.working_days(date(2026, 11, 30), 5)
    assert days == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25),
                    date(2026, 11, 27), date(2026, 11, 30)]


@pytest.mark.postgres
def test_demo_on_postgresql_matches_sqlite(pg_url, tmp_path, filled):
    _url, summary, rows = filled
    on_pg = fill_demo(pg_url, days=DEMO_DAYS)
    assert (on_pg.visits, on_pg.by_state) == (summary.visits, summary.by_state)
    assert visit_rows(pg_url, limit=20) == rows[:20]
    with pytest.raises(CxdeskError, match="only an SQLite demo file"):
        demo.build(pg_url, now=DEMO_NOW, reset=True)
