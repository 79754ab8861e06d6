"""Snapshots of the barrier survey: the prompt, an item (80x24 and 120x40, English and
Spanish), the barriers, the name warning, and the supervisors' results, shown and withheld."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in as domain_sign_in
from tests.factories import EXTRA_PIN, FIXED_NOW, answer_barrier, more_staff, start_barrier_survey
from tests.pilot import after, make_app, press, settle, sign_in, steady

SMALL = (80, 24)
LARGE = (120, 40)
OCTOBER = FIXED_NOW - timedelta(days=30)


@pytest.fixture
def surveying(db, office):
    start_barrier_survey(db, office)
    return office


def a_month_of_answers(db, office):
    """Four clerks signed in and answered in November, three in October."""
    codes = ["CLK1", *more_staff(db, office, 3)]
    with db.session() as session:
        station = get_station(session, office, "W2")
        # In time order: each sign-in takes the station over from the one before.
        for when, who in ((OCTOBER, codes[:3]), (FIXED_NOW - timedelta(hours=2), codes)):
            for code in who:
                domain_sign_in(session, office, code=code, pin="1357" if code == "CLK1" else EXTRA_PIN,
                               station=station, now=when, take_over=True)
    november = [
        ({"information": 4, "tools": 2, "workload": 1, "training": 4, "conditions": 5, "authority": 2,
          "involvement": 2, "rules_forms": 3}, {"staffing", "it_system", "forms"}, "Text the list of documents to bring."),
        ({"information": 5, "tools": 1, "workload": 2, "training": 4, "conditions": 4, "authority": 0,
          "involvement": 3, "rules_forms": 2}, {"staffing", "it_system"}, None),
        ({"information": 4, "tools": 2, "workload": 2, "training": 5, "conditions": 4, "authority": 4,
          "involvement": 0, "rules_forms": 2}, {"staffing", "forms"}, "A second window open at lunchtime."),
        ({"information": 2, "tools": 4, "workload": 4, "training": 3, "conditions": 4, "authority": 0,
          "rules_forms": 1}, {"policy_rule"}, "Shorter replacement card form."),
    ]
    for code, (items, picks, idea) in zip(codes, november):
        answer_barrier(db, office, code, items=items, categories=picks, idea=idea)
    for code, score in zip(codes[:3], (2, 4, 2)):
        answer_barrier(db, office, code, items={key: score for key in november[0][0]},
                       categories={"staffing", "training"}, now=OCTOBER)


def test_the_prompt_after_sign_in(snap_compare, db, surveying, db_url, clock):
    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=after())


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_an_item_answered(snap_compare, db, surveying, db_url, clock, size):
    """Item 1 answered "agree", seen again after going on and coming back."""
    assert snap_compare(make_app(db_url, clock), terminal_size=size, run_before=after("enter", "4", "left"))


def test_an_item_in_spanish(snap_compare, db, surveying, db_url, clock):
    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=after("enter", "4", "l"))


def test_barriers_picked_up_to_three(snap_compare, db, surveying, db_url, clock):
    keys = ("enter", *["0"] * 8, "2", "3", "4", "5")  # the fourth pick is refused
    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=after(*keys))


def test_an_idea_naming_a_colleague_is_warned_about(snap_compare, db, surveying, db_url, clock):
    async def run_before(pilot) -> None:
        await sign_in(pilot, "SUP1", "24681357")
        await press(pilot, "enter", *["0"] * 8, "enter")
        await pilot.press(*["space" if c == " " else c for c in "Ask Okafor how he keeps the line short"])
        await press(pilot, "enter")
        steady(pilot.app)

    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_results_for_supervisors(snap_compare, db, surveying, db_url, clock, size):
    a_month_of_answers(db, surveying)
    run_before = after("escape", "f5", "b", code="SUP1", pin="24681357")
    assert snap_compare(make_app(db_url, clock), terminal_size=size, run_before=run_before)


def test_results_withheld_below_three_answers(snap_compare, db, surveying, db_url, clock):
    with db.session() as session:
        domain_sign_in(session, surveying, code="CLK1", pin="1357", station=get_station(session, surveying, "W2"),
                       now=FIXED_NOW - timedelta(hours=1))
    answer_barrier(db, surveying, "CLK1", items={"workload": 2}, idea="Not shown to anyone yet.")
    answer_barrier(db, surveying, "SUP1", items={"workload": 5})

    async def run_before(pilot) -> None:
        await sign_in(pilot, "SUP1", "24681357")
        await press(pilot, "f5", "b")
        await settle(pilot)
        steady(pilot.app)

    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=run_before)
