"""The demo office: deterministic for a seed, shaped like a real field office, safe to run."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cxdesk.cli import main
from cxdesk.demo import office as demo
from cxdesk.store.db import open_database
from cxdesk.store.models import Shift, Visit, VisitChannelOffer
from tests.factories import make_office

CHICAGO = ZoneInfo("America/Chicago")
# Tuesday 24 November 2026, 11:30 in Chicago: the late-morning rush is on.
RUSH_NOW = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)
DAYS = 20


def _fill(url: str, *, days: int = DAYS, seed: int = 7, now: datetime = RUSH_NOW, extenders=()):
    db = open_database(url)
    try:
        return demo.generate(db, days=days, seed=seed, now=now, extenders=extenders)
    finally:
        db.dispose()


def _visits(url: str, limit: int | None = None) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(Visit.__table__).order_by(Visit.day, Visit.seq).limit(limit)
            return [dict(row._mapping) for row in conn.execute(query)]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """One demo database for the shape tests (filling takes about a second)."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXDESK_HOME", str(folder / "home"))
        url = f"sqlite:///{folder / 'demo.db'}"
        summary = _fill(url)
    return url, summary, _visits(url)


def test_same_seed_gives_the_same_office(tmp_path, filled):
    url, summary, rows = filled
    again = _fill(f"sqlite:///{tmp_path / 'again.db'}")
    assert (again.visits, again.by_state) == (summary.visits, summary.by_state)
    assert _visits(f"sqlite:///{tmp_path / 'again.db'}", limit=50) == rows[:50]


def test_another_seed_gives_another_office(tmp_path, filled):
    _url, _summary, rows = filled
    _fill(f"sqlite:///{tmp_path / 'other.db'}", seed=8)
    assert _visits(f"sqlite:///{tmp_path / 'other.db'}", limit=50) != rows[:50]


def test_about_140_visits_a_working_day(filled):
    _url, summary, rows = filled
    full_days = Counter(row["day"] for row in rows if row["day"] != date(2026, 11, 24))
    average = sum(full_days.values()) / len(full_days)
    assert 115 <= average <= 170
    assert summary.working_days == DAYS == len(full_days) + 1


def test_no_visits_on_weekends_or_federal_holidays(filled):
    _url, summary, rows = filled
    days = {row["day"] for row in rows}
    assert all(day.weekday() < 5 for day in days)
    assert date(2026, 11, 11) not in days  # Veterans Day, a Wednesday
    assert date(2026, 11, 10) in days and date(2026, 11, 12) in days
    assert summary.last_day == date(2026, 11, 24)


def test_arrivals_peak_in_the_late_morning_within_opening_hours(filled):
    _url, _summary, rows = filled
    hours = Counter(row["arrived_at"].astimezone(CHICAGO).hour for row in rows)
    assert hours.most_common(1)[0][0] in (10, 11)
    assert set(hours) <= set(range(9, 16))


def test_waits_average_20_to_40_minutes_with_a_long_tail(filled):
    _url, _summary, rows = filled
    waits = [row["wait_seconds"] for row in rows if row["wait_seconds"]]
    assert 20 * 60 <= sum(waits) / len(waits) <= 40 * 60
    over_an_hour = sum(1 for wait in waits if wait > 3600) / len(waits)
    assert 0.04 <= over_an_hour <= 0.2


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


def test_some_no_shows_people_who_left_and_appointments(filled):
    _url, summary, rows = filled
    assert summary.by_state["no_show"] > 0 and summary.by_state["left"] > 0
    assert any(row["appointment"] and row["appointment_at"] for row in rows)
    assert Counter(row["language"] for row in rows)["es"] > 0


def test_channel_offers_and_preferences_are_recorded(filled):
    url, _summary, rows = filled
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        offers = conn.execute(sa.select(VisitChannelOffer.__table__)).all()
    engine.dispose()
    offered: dict = {}
    for visit_id, channel in offers:
        offered.setdefault(visit_id, set()).add(channel)
    steps = Counter(row["channel_step"] for row in rows if row["state"] == "done")
    assert steps["done"] > steps["skipped"] > 0
    for row in rows:
        if row["preferred_channel"]:
            assert row["preferred_channel"] in offered[row["id"]]


def test_today_has_a_live_line_the_counter_can_serve(filled):
    """Window 1 is free for whoever runs the demo; the others are busy; people wait."""
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.visits import call_next, waiting_line

    url, summary, rows = filled
    today = [row for row in rows if row["day"] == date(2026, 11, 24)]
    assert all(row["arrived_at"] <= RUSH_NOW for row in today)
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
            line = waiting_line(session, office, RUSH_NOW)
            assert len(line) == summary.waiting_now
            clerk = sign_in(session, office, code="CLK1", pin="1357", station=window_1, now=RUSH_NOW)
            called = call_next(session, office, clerk, RUSH_NOW + timedelta(seconds=5))
            assert called.id == line[0].id
    finally:
        db.dispose()


def test_before_opening_today_has_no_visits_yet(tmp_path):
    summary = _fill(f"sqlite:///{tmp_path / 'early.db'}", days=2,
                    now=datetime(2026, 11, 24, 13, 0, tzinfo=timezone.utc))  # 07:00 in Chicago
    rows = _visits(f"sqlite:///{tmp_path / 'early.db'}")
    assert {row["day"] for row in rows} == {date(2026, 11, 23)}
    assert summary.waiting_now == summary.at_counters_now == 0


def test_extenders_run_per_day_and_at_the_end_without_changing_the_visits(tmp_path, filled):
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
    _fill(url, extenders=[extender])
    assert len(seen_days) == DAYS and seen_days == sorted(seen_days)
    assert sum(seen_visits) == len(rows)
    assert ends == [(DAYS, {"W1", "W2", "W3", "W4", "W5"})]
    assert _visits(url, limit=50) == rows[:50]
    draws_again = list(draws)
    draws.clear()
    seen_days.clear()
    _fill(f"sqlite:///{tmp_path / 'extended2.db'}", extenders=[extender])
    assert draws == draws_again


def test_working_days_skip_weekends_and_thanksgiving():
    days = demo.working_days(date(2026, 11, 30), 5)
    assert days == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25),
                    date(2026, 11, 27), date(2026, 11, 30)]


# --- the command -------------------------------------------------------------------------


def _run(*args):
    return CliRunner().invoke(main, ["demo", *args])


def _count_visits(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(Visit.__table__)).scalar_one()
    engine.dispose()
    return count


def test_demo_no_ui_fills_and_exits_0(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = _run("--db", url, "--days", "3", "--no-ui")
    assert result.exit_code == 0, result.output
    assert "Filled" in result.output and "DEMO1" in result.output
    assert _count_visits(url) > 100


def test_demo_default_file_is_kept_apart_and_filled_once(cxdesk_home):
    first = _run("--days", "2", "--no-ui")
    assert first.exit_code == 0, first.output
    assert (cxdesk_home / "data" / "demo.db").exists()
    assert not (cxdesk_home / "data" / "cxdesk.db").exists()
    again = _run("--days", "2", "--no-ui")
    assert again.exit_code == 0
    assert "already holds the demo office" in again.output


def test_demo_refuses_a_database_with_another_office(tmp_path, db, db_url):
    make_office(db)
    result = _run("--db", db_url, "--days", "2", "--no-ui")
    assert result.exit_code == 1
    assert "CHI01" in result.output and "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert _count_visits(db_url) == 0
    reset = _run("--db", db_url, "--days", "2", "--no-ui", "--reset")
    assert reset.exit_code == 1 and _count_visits(db_url) == 0


def test_demo_refuses_the_real_database(cxdesk_home):
    from cxdesk.config import default_db_url

    result = _run("--db", default_db_url(), "--days", "2", "--no-ui")
    assert result.exit_code == 1
    assert "real work" in result.output
    assert not (cxdesk_home / "data" / "cxdesk.db").exists()


def test_demo_reset_rebuilds_the_demo_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'reset.db'}"
    assert _run("--db", url, "--days", "2", "--no-ui").exit_code == 0
    small = _count_visits(url)
    result = _run("--db", url, "--days", "4", "--no-ui", "--reset")
    assert result.exit_code == 0, result.output
    assert _count_visits(url) > small


def test_demo_open_fills_then_opens_with_the_sign_in_hint(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("cxdesk.cli.demo.run_app",
                        lambda url, demo_hint=None, **_kiosk: opened.append((url, demo_hint)))
    url = f"sqlite:///{tmp_path / 'open.db'}"
    assert _run("--db", url, "--days", "2", "--open").exit_code == 0
    assert _run("--db", url, "--days", "2", "--open").exit_code == 0
    assert opened == [(url, demo.DEMO_HINT)] * 2
    assert "SUP1" in demo.DEMO_HINT and "CLK1" in demo.DEMO_HINT
    assert _run("--db", url, "--no-ui", "--open").exit_code == 0
    assert len(opened) == 2


def test_demo_refuses_a_foreign_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    result = _run("--db", str(path), "--no-ui")
    assert result.exit_code == 1
    assert "not a database" in result.output
    assert path.read_text().startswith("these are my notes")


@pytest.mark.postgres
def test_demo_on_postgresql_matches_sqlite(pg_url, tmp_path, filled):
    _url, summary, rows = filled
    on_pg = _fill(pg_url, days=DAYS)
    assert (on_pg.visits, on_pg.by_state) == (summary.visits, summary.by_state)
    assert _visits(pg_url, limit=20) == rows[:20]
    assert _run("--db", pg_url, "--no-ui", "--reset").exit_code == 1  # reset is for SQLite files only


@pytest.mark.postgres
def test_demo_command_fills_postgresql(pg_url):
    result = _run("--db", pg_url, "--days", "2", "--no-ui")
    assert result.exit_code == 0, result.output
    assert _count_visits(pg_url) > 50


def test_registered_extenders_load():
    assert all(isinstance(extender, demo.DemoExtender) for extender in demo.load_extenders())


def test_opening_the_demo_at_night_still_shows_a_live_line(tmp_path):
    """`make run` at any hour is demo-ready: the line is topped up as if the office were open."""
    url = f"sqlite:///{tmp_path / 'night.db'}"
    night = datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc)  # 02:30 in Springfield
    demo.build(url, days=3, seed=1, now=night)
    assert demo.top_up_line(url, now=night) == demo.LIVE_LINE
    assert demo.top_up_line(url, now=night) == 0  # already full: nothing more
    database = open_database(url)
    with database.session() as session:
        from cxdesk.domain import visits

        office = demo.office_in(database)
        line = visits.waiting_line(session, office, night)
    database.dispose()
    assert len(line) == demo.LIVE_LINE
    assert line[0].appointment_at is not None  # an appointment due heads the line
    assert all(entry.arrived_at <= night for entry in line)
