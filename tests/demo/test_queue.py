"""The demo office is a queue: a window and a clerk serve one customer at a time, every
visit's times are in order and inside its clerk's shift, absences are covered, and a month
of it looks like the SSA Inspector General's figures (``cxdesk demo --stats``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from cxdesk.demo import office as demo
from cxdesk.demo.day import DEFAULT_STAFFING
from cxdesk.store.catalogs import office_catalog
from cxdesk.store.models import Shift, Staff
from tests.factories import DEMO_NOW, demo_stats_of, table_rows, visit_rows

CHICAGO = ZoneInfo("America/Chicago")
FOREVER = datetime.max.replace(tzinfo=timezone.utc)


def test_no_window_or_clerk_ever_serves_two_customers_at_once(filled):
    """A visit without a hold or a transfer is at its window from its call to its finish (or
    still there, today). After a hold or a transfer the stored times keep only the first call
    and the last finish, so for those: the first call and the finish fall in no one else's stretch."""
    _url, _summary, rows = filled
    by_station, by_staff = defaultdict(list), defaultdict(list)
    edges = []  # (station, moment): a held or transferred visit was at this window then
    for row in rows:
        if row["station_id"] is None or row["called_at"] is None:
            continue
        if row["hold_count"] == 0 and row["transferred_from"] is None:
            stretch = (row["called_at"], row["finished_at"] or FOREVER)
            if stretch[1] > stretch[0]:  # a quick log takes no time at the window
                by_station[row["station_id"]].append(stretch)
                by_staff[row["staff_id"]].append(stretch)
        else:
            if row["finished_at"] is not None:
                edges.append((row["station_id"], row["finished_at"]))
            if row["transferred_from"] is not None and row["hold_count"] == 0:
                edges.append((row["transferred_from"], row["called_at"]))
    assert len(by_station) == 9 and sum(map(len, by_station.values())) > 0.8 * len(rows)
    for stretches in (*by_station.values(), *by_staff.values()):
        stretches.sort()
        for (_, until), (called, _) in zip(stretches, stretches[1:]):
            assert called >= until
    assert edges
    for station, moment in edges:
        assert not any(called < moment < until for called, until in by_station[station])


def test_every_visits_times_are_in_order_and_within_its_shift(filled):
    url, _summary, rows = filled
    shifts = {shift["id"]: shift for shift in table_rows(url, Shift)}
    for row in rows:
        state, arrived, called = row["state"], row["arrived_at"], row["called_at"]
        serving, finished = row["serving_at"], row["finished_at"]
        local = arrived.astimezone(CHICAGO)
        assert (9, 0) <= (local.hour, local.minute) < (16, 0)
        assert row["appointment"] == (row["appointment_at"] is not None)
        assert (row["left_stage"] is not None) == (state == "left")
        if called is not None:
            assert arrived <= called and row["wait_seconds"] == int((called - arrived).total_seconds())
        if state == "done":
            assert called <= serving <= finished
            assert row["service_seconds"] == int((finished - serving).total_seconds())
        elif state == "no_show":
            assert serving is None and called <= finished and row["station_id"]
        elif state == "left":
            assert arrived <= finished and row["station_id"] is None
            assert (called is None) == (row["left_stage"] == "waiting")
        elif state in ("waiting", "on_hold"):
            assert finished is None and row["station_id"] is None
            assert (state == "on_hold") == (row["hold_count"] > 0) == (called is not None)
        else:
            assert state in ("called", "serving") and row["day"] == DEMO_NOW.date()
            assert finished is None and (serving is not None) == (state == "serving")
        if row["shift_id"] is not None:
            shift = shifts[row["shift_id"]]
            assert (shift["station_id"], shift["staff_id"]) == (row["station_id"], row["staff_id"])
            assert shift["started_at"] <= (finished or DEMO_NOW)
            assert shift["ended_at"] is None or (finished is not None and finished <= shift["ended_at"])
            if row["hold_count"] == 0 and row["transferred_from"] is None:
                assert shift["started_at"] <= called
        else:
            assert row["station_id"] is None


def test_shifts_follow_the_duties_split_by_lunch(filled):
    url, _summary, _rows = filled
    staff = {row["id"]: row["code"] for row in table_rows(url, Staff)}
    by_person_day = defaultdict(list)
    for shift in table_rows(url, Shift):
        by_person_day[(staff[shift["staff_id"]], shift["started_at"].astimezone(CHICAGO).date())].append(shift)
    for (code, day), shifts in by_person_day.items():
        shifts.sort(key=lambda shift: shift["started_at"])
        if day != DEMO_NOW.date():
            assert len(shifts) == 2, (code, day)  # morning and afternoon, lunch between
            assert shifts[0]["ended_at"] <= shifts[1]["started_at"]  # = : a claim ran over lunch
    relief_days = {day for code, day in by_person_day if code == demo.RELIEF_STAFF}
    assert DEMO_NOW.date() in relief_days  # CLK1 is off today: the relief clerk covers
    assert (demo.VISITOR_STAFF, DEMO_NOW.date()) not in by_person_day


def test_the_demo_staff_are_the_simulations_staffing():
    codes = {member.code: member.station for member in demo.DEMO_STAFF}
    assert {slot.staff: slot.station for slot in DEFAULT_STAFFING}.items() <= codes.items()
    assert codes[demo.RELIEF_STAFF] == demo.RELIEF_WINDOW
    assert sorted(codes.values()) == [f"W{n}" for n in range(1, 10)] == sorted(
        f"W{n}" for n, _ in enumerate(demo.STATION_NAMES, start=1))


class _Draws:
    """A stand-in random source: who is off is decided by the list of draws."""

    def __init__(self, draws):
        self.draws = iter(draws)

    def random(self):
        return next(self.draws)


def test_absent_clerks_are_covered_so_every_window_stays_staffed():
    everyone = demo.staffing_for(_Draws([0.9] * 7))
    assert everyone == DEFAULT_STAFFING
    one_off = demo.staffing_for(_Draws([0.9, 0.01] + [0.9] * 5))  # CLK2 is off
    assert "CLK2" not in {slot.staff for slot in one_off}
    relief = next(slot for slot in one_off if slot.staff == demo.RELIEF_STAFF)
    assert (relief.station, relief.lunch_at) == (demo.RELIEF_WINDOW, DEFAULT_STAFFING[1].lunch_at)
    assert any(slot.backup for slot in one_off)
    two_off = demo.staffing_for(_Draws([0.01, 0.01] + [0.9] * 5))
    assert len([slot for slot in two_off if not slot.backup]) == 7  # the supervisor works W8 all day
    today = demo.staffing_for(_Draws([0.9] * 7), visitor_off=True)
    assert "W1" not in {slot.station for slot in today} and len(today) == len(DEFAULT_STAFFING)


def test_a_month_matches_the_ssa_figures(month):
    stats = demo_stats_of(month)
    assert stats.days == 21
    assert 130 <= stats.visits_per_day <= 150
    assert 19 <= stats.mean_wait_minutes <= 26
    assert 0.06 <= stats.over_hour_share <= 0.16
    assert stats.mean_wait_minutes < stats.p90_wait_minutes <= 90
    assert 0.01 <= stats.left_share <= 0.06 and stats.left_waiting_share > stats.left_on_hold_share
    assert 0.015 <= stats.no_show_share <= 0.045
    typical = {item.code: item.extra["minutes"] for item in office_catalog("services")}
    for service in stats.service_minutes:
        assert 0.7 <= service.mean_minutes / typical[service.service] <= 1.2, service


def test_the_stats_sql_agrees_with_the_rows(month):
    stats = demo_stats_of(month)
    rows = visit_rows(month)
    waits = sorted(row["wait_seconds"] for row in rows if row["wait_seconds"] is not None)
    assert stats.visits == len(rows)
    assert stats.mean_wait_minutes == pytest.approx(sum(waits) / len(waits) / 60)
    assert stats.p90_wait_minutes == waits[-(-9 * len(waits) // 10) - 1] / 60
    assert stats.over_hour_share == pytest.approx(sum(wait > 3600 for wait in waits) / len(waits))
    assert stats.left_share == pytest.approx(sum(row["state"] == "left" for row in rows) / len(rows))
    claims = [row["service_seconds"] for row in rows if row["service"] == "retirement_claim"
              and row["state"] == "done" and row["service_seconds"]]
    by_service = {service.service: service for service in stats.service_minutes}
    assert by_service["retirement_claim"].visits == len(claims)
    assert by_service["retirement_claim"].mean_minutes == pytest.approx(sum(claims) / len(claims) / 60)
