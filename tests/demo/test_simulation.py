"""The simulated office day: one customer per window, times in order, calls only on duty,
the same day for the same seed, and waits in the range of the SSA Inspector General audits."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import fields
from datetime import datetime, timedelta, timezone

import pytest

from cxdesk.demo.day import (
    CALLED,
    DONE,
    LAST_CALL,
    LEFT,
    NO_SHOW,
    ON_HOLD,
    SERVING,
    WAITING,
    Behaviour,
    DayPlan,
    Duty,
    Service,
    SimulatedDay,
    duties_for,
)
from cxdesk.demo.realism import as_of, realism_stats
from cxdesk.demo.simulation import simulate_day

# The built-in catalog (data/services.toml): code, typical minutes, weight.
SERVICES = tuple(Service(code, minutes, weight) for code, minutes, weight in (
    ("general_info", 5, 16), ("replacement_card", 17, 14), ("change_address", 6, 12),
    ("verification_letter", 8, 10), ("direct_deposit", 7, 8), ("new_card", 20, 7),
    ("retirement_claim", 95, 6), ("name_change", 18, 6), ("payment_problem", 20, 5),
    ("ssi_question", 30, 4), ("overpayment", 25, 4), ("disability_claim", 130, 3),
    ("appeal", 40, 2), ("report_death", 22, 2),
))
TYPICAL = {service.code: service.minutes for service in SERVICES}
CLAIMS = frozenset({"retirement_claim", "disability_claim", "ssi_question", "appeal"})
# Busier on Mondays, quieter on Fridays: the volumes the demo generator asks for.
WEEKDAY_VOLUME = (1.15, 1.0, 0.95, 1.0, 0.9)
# Monday 2 March 2026, 09:00 in Chicago.
FIRST_OPENING = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


def plan(day: int, **changes) -> DayPlan:
    """Working day number ``day`` (Monday to Friday, week after week) of the default office."""
    opens = FIRST_OPENING + timedelta(weeks=day // 5, days=day % 5)
    return DayPlan(**{"opens": opens, "closes": opens + timedelta(hours=7),
                      "duties": duties_for(opens), "services": SERVICES,
                      "expected_arrivals": 140 * WEEKDAY_VOLUME[day % 5], "claims": CLAIMS,
                      **changes})


def odd_plan(seed: int) -> DayPlan:
    """A strange day: few windows, shift changes at one window, a clerk on two windows
    at once on paper, and many holds, transfers and no-shows."""
    rng = random.Random(1000 + seed)
    base = plan(seed)

    def at(minutes: int) -> datetime:
        return base.opens + timedelta(minutes=minutes)

    duties = []
    for n in range(1, rng.randint(2, 5)):
        handover = rng.randint(60, 360)
        duties.append(Duty(f"AM{n}", f"W{n}", at(rng.randint(-10, 60)), at(handover + rng.randint(-20, 20))))
        duties.append(Duty(f"PM{n}", f"W{n}", at(handover), at(rng.randint(handover + 30, 480))))
    duties.append(Duty("FLOAT", "W1", at(120), at(240)))
    duties.append(Duty("FLOAT", "W9", at(180), at(300), backup=rng.random() < 0.5))
    odd = Behaviour(no_show=0.15, hold=0.2, transfer=0.2, quick_log=0.1, hold_no_return=0.3)
    return plan(seed, duties=tuple(duties), behaviour=odd,
                expected_arrivals=rng.choice((40, 90, 160, 220)))


@pytest.fixture(scope="module")
def days() -> list[tuple[DayPlan, SimulatedDay]]:
    """100 working days of the default office (Monday to Friday volumes), and 40 strange ones."""
    plans = [plan(n) for n in range(100)] + [odd_plan(n) for n in range(40)]
    return [(p, simulate_day(p, random.Random(n))) for n, p in enumerate(plans)]


def test_a_window_serves_one_customer_at_a_time(days):
    for _, day in days:
        by_station, by_staff = defaultdict(list), defaultdict(list)
        for visit in day.visits:
            for spell in visit.spells:
                by_station[spell.station].append((spell.called_at, spell.until))
                by_staff[spell.staff].append((spell.called_at, spell.until))
            if len(visit.spells) == 1 and visit.state != LEFT:  # one stretch, call to finish
                assert (visit.spells[0].called_at, visit.spells[0].until) == (visit.called_at, visit.finished_at)
        for stretches in (*by_station.values(), *by_staff.values()):
            stretches.sort()
            for (_, until), (called, _) in zip(stretches, stretches[1:]):
                assert called >= until


def test_times_are_in_order(days):
    for p, day in days:
        last_call = p.closes + LAST_CALL
        assert [v.seq for v in day.visits] == list(range(1, len(day.visits) + 1))
        assert all(a.arrived_at <= b.arrived_at for a, b in zip(day.visits, day.visits[1:]))
        for v in day.visits:
            assert p.opens <= v.arrived_at <= p.closes
            assert v.state in (DONE, NO_SHOW, LEFT)
            if v.state == LEFT:
                assert v.station is v.staff is v.service is v.service_seconds is None
                assert v.arrived_at <= v.finished_at <= last_call
                if v.left_stage == WAITING:
                    assert v.called_at is v.serving_at is v.wait_seconds is None and not v.spells
                else:
                    assert v.left_stage == ON_HOLD and v.hold_count == 1
                continue
            assert v.arrived_at <= v.called_at <= v.finished_at and v.called_at <= last_call
            assert v.wait_seconds == int((v.called_at - v.arrived_at).total_seconds())
            if v.state == NO_SHOW:
                assert v.serving_at is None and v.service is None
                continue
            assert v.called_at <= v.serving_at <= v.finished_at and v.service is not None
            assert v.service_seconds == int((v.finished_at - v.serving_at).total_seconds())
            if v.quick_log:
                assert v.wait_seconds == v.service_seconds == 0 and not v.spells
            else:
                assert v.spells[-1].station == v.station and v.spells[-1].until == v.finished_at
            if v.transferred_from is not None:
                assert v.transferred_from != v.station
            for spell in v.spells:
                assert spell.called_at <= (spell.serving_at or spell.called_at) <= spell.until


def test_nobody_is_called_off_duty(days):
    for p, day in days:
        def on_duty(staff, station, moment):
            return any(d.staff == staff and d.station == station and d.starts <= moment <= d.ends
                       for d in p.duties)

        for v in day.visits:
            for spell in v.spells:
                assert on_duty(spell.staff, spell.station, spell.called_at)
            if v.quick_log:
                assert on_duty(v.staff, v.station, v.arrived_at)
        for record in day.duties:
            assert record.off_at() >= record.duty.ends


def test_the_same_seed_gives_the_same_day():
    again = simulate_day(plan(3), random.Random(7))
    assert again == simulate_day(plan(3), random.Random(7))
    assert again.visits != simulate_day(plan(3), random.Random(8)).visits


def test_the_default_office_matches_the_ssa_figures(days):
    """SSA OIG (A-04-17-50216): ~140 visitors a day, 19-26 minutes average wait, ~11% over an hour."""
    stats = realism_stats([v for _, day in days[:100] for v in day.visits])
    assert stats["days"] == 100
    assert 130 <= stats["visits_per_day"] <= 150
    assert 19 <= stats["mean_wait_minutes"] <= 26
    assert 0.06 <= stats["over_hour_share"] <= 0.16
    assert stats["p90_wait_minutes"] > stats["mean_wait_minutes"]
    assert 0.01 <= stats["left_share"] <= 0.06
    assert 0.015 <= stats["no_show_share"] <= 0.045
    for code, minutes in stats["service_minutes"].items():
        assert 0.75 <= minutes / TYPICAL[code] <= 1.15, code


def test_as_of_is_the_counter_at_that_moment(days):
    for p, day in days[::7]:
        for minutes in range(-5, 480, 13):
            now = p.opens + timedelta(minutes=minutes)
            seen = as_of(day.visits, now)
            assert [v.seq for v in seen] == [v.seq for v in day.visits if v.arrived_at <= now]
            at_windows = [v.station for v in seen if v.state in (CALLED, SERVING)]
            assert len(at_windows) == len(set(at_windows))
            for v in seen:
                moments = [getattr(v, f.name) for f in fields(v) if f.name != "appointment_at"
                           and isinstance(getattr(v, f.name), datetime)]  # a booking may be later
                moments += [m for s in v.spells for m in (s.called_at, s.serving_at, s.until) if m]
                assert all(m <= now for m in moments)
                if v.state in (WAITING, ON_HOLD):
                    assert v.station is None and v.finished_at is None
                if v.state in (CALLED, SERVING):
                    assert v.station == v.spells[-1].station and v.spells[-1].until is None
                    assert (v.state == SERVING) == (v.spells[-1].serving_at is not None)
        assert as_of(day.visits, p.closes + timedelta(hours=3)) == list(day.visits)
    p, day = days[5]
    now = p.opens + timedelta(hours=3)
    assert simulate_day(p, random.Random(5), until=now).visits == tuple(as_of(day.visits, now))
