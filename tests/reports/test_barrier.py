"""Barrier survey results: the rule of three, percent positive recomputed by another
route, barriers ranked, ideas, response rate and the change since the previous period."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in
from cxdesk.errors import CxdeskError
from cxdesk.reports.barrier import WITHHELD, barrier_report, idea_order, periods_with_answers, report_for_days
from cxdesk.reports.barrier_format import as_data, csv_records, text_lines
from tests.factories import (
    EXTRA_PIN,
    FIXED_NOW,
    answer_barrier,
    clerk_of,
    more_staff,
    start_barrier_survey,
    supervisor_of,
)

OCTOBER = FIXED_NOW - timedelta(days=30)


@pytest.fixture
def six(db, office):
    """Six staff (SUP1, CLK1..CLK5) and the survey running by month."""
    start_barrier_survey(db, office)
    return ["SUP1", "CLK1", *more_staff(db, office, 4)]


def report(db, office, period="2026-11", viewer=None):
    with db.session() as session:
        return barrier_report(session, office, period, viewer=viewer)


def test_two_answers_are_withheld_and_three_are_shown(db, office, six):
    for number, code in enumerate(six[:2]):
        answer_barrier(db, office, code, items={"workload": 5}, categories={"staffing"}, idea=f"Idea {number}")
    withheld = report(db, office)
    assert withheld.withheld and withheld.respondents == 2
    assert (withheld.items, withheld.categories, withheld.ideas, withheld.roles) == ((), (), (), ())
    lines = "\n".join(text_lines(withheld))
    assert "not enough answers to show without identifying anyone" in lines and "Idea 0" not in lines
    assert [record["note"] for record in csv_records(withheld) if record["section"] == "results"] == [WITHHELD]
    assert as_data(withheld)["items"] == [] and as_data(withheld)["withheld_reason"] == WITHHELD

    answer_barrier(db, office, six[2], items={"workload": 2}, categories={"staffing", "forms"})
    shown = report(db, office)
    assert not shown.withheld and shown.respondents == 3
    workload = next(item for item in shown.items if item.item == "workload")
    assert (workload.answered, workload.positive, workload.percent_positive) == (3, 2, Decimal("66.7"))
    assert sorted(shown.ideas) == ["Idea 0", "Idea 1"]


def test_an_item_that_fewer_than_three_answered_on_the_scale_is_withheld(db, office, six):
    answer_barrier(db, office, six[0], items={"tools": 5, "training": 0})
    answer_barrier(db, office, six[1], items={"tools": 4, "training": 0})
    answer_barrier(db, office, six[2], items={"tools": 1, "training": 4})
    result = report(db, office)
    tools, training = (next(i for i in result.items if i.item == code) for code in ("tools", "training"))
    assert tools.percent_positive == Decimal("66.7") and not tools.withheld
    assert training.withheld and training.percent_positive is None and training.dont_know == 2
    untouched = next(i for i in result.items if i.item == "authority")
    assert untouched.withheld and untouched.answered == 0


def test_percent_positive_recomputed_from_the_raw_rows_agrees(db, office, six):
    """Twenty-odd answers over two months, drawn at random; every figure is recomputed
    from the stored rows with plain SQL and Python."""
    more = more_staff(db, office, 14, first=6)
    rng = random.Random(11)
    from cxdesk.domain.barrier import load_barrier_survey

    survey = load_barrier_survey()
    for when in (OCTOBER, FIXED_NOW):
        for code in [*six, *more]:
            if rng.random() < 0.15:
                continue
            items = {item.code: rng.choice((0, 1, 2, 3, 4, 5, 5, 4)) for item in survey.items if rng.random() > 0.1}
            picks = set(rng.sample([c.code for c in survey.categories], rng.randint(0, 3)))
            answer_barrier(db, office, code, items=items, categories=picks, now=when)

    with db.engine.connect() as conn:
        raw = conn.execute(sa.text(
            "SELECT a.period, i.item, i.score FROM barrieritemanswer i "
            "JOIN barrieranswer a ON a.id = i.answer_id")).all()
        picks = conn.execute(sa.text(
            "SELECT a.period, p.category FROM barrierpick p JOIN barrieranswer a ON a.id = p.answer_id")).all()
        counts = dict(conn.execute(sa.text("SELECT period, count(*) FROM barrieranswer GROUP BY period")).all())

    def expected(period, item):
        scores = [score for p, code, score in raw if p == period and code == item]
        on_scale = [score for score in scores if 1 <= score <= 5]
        if len(on_scale) < 3:
            return None
        value = Decimal(100 * sum(1 for s in on_scale if s >= 4)) / Decimal(len(on_scale))
        return value.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")

    november = report(db, office)
    assert november.respondents == counts["2026-11"] and not november.withheld
    for item in november.items:
        assert item.percent_positive == expected("2026-11", item.item), item.item
        assert item.previous_percent == expected("2026-10", item.item), item.item
        if item.percent_positive is not None and item.previous_percent is not None:
            assert item.change == item.percent_positive - item.previous_percent
    for category in november.categories:
        assert category.picks == sum(1 for p, c in picks if p == "2026-11" and c == category.category)
        assert category.previous_picks == sum(1 for p, c in picks if p == "2026-10" and c == category.category)
    ranked = [category.picks for category in november.categories]
    assert ranked == sorted(ranked, reverse=True)


def test_barriers_are_ranked_with_ties_sharing_a_rank(db, office, six):
    answer_barrier(db, office, six[0], categories={"staffing", "it_system", "forms"})
    answer_barrier(db, office, six[1], categories={"staffing", "it_system"})
    answer_barrier(db, office, six[2], categories={"staffing"})
    ranks = {c.category: (c.rank, c.picks) for c in report(db, office).categories}
    assert ranks["staffing"] == (1, 3) and ranks["it_system"] == (2, 2) and ranks["forms"] == (3, 1)
    assert ranks["training"] == ranks["other"] == (4, 0)


def test_role_groups_follow_the_rule_of_three(db, office, six):
    more_staff(db, office, 2, role="supervisor", prefix="SUP")  # 3 supervisors, 5 clerks: roles are kept
    for code in ("CLK1", "CLK2", "CLK3"):
        answer_barrier(db, office, code, items={"workload": 4})
    for code in ("SUP1", "SUP2"):
        answer_barrier(db, office, code, items={"workload": 1})
    result = report(db, office)
    groups = {group.group: group for group in result.roles}
    assert not groups["clerk"].withheld and groups["clerk"].respondents == 3
    assert next(i for i in groups["clerk"].items if i.item == "workload").percent_positive == Decimal("100.0")
    assert groups["supervisor"].withheld and groups["supervisor"].items == ()
    assert next(i for i in result.items if i.item == "workload").percent_positive == Decimal("60.0")
    text = "\n".join(text_lines(result))
    assert "Supervisors: 2 answers" in text and "not enough answers to show without identifying anyone" in text


def test_response_rate_is_answers_over_staff_who_signed_in_and_changes_are_shown(db, office, six):
    pins = {"SUP1": "24681357", "CLK1": "1357"}
    with db.session() as session:
        station = get_station(session, office, "W1")
        # In time order: a sign-in takes the station over from whoever signed in before.
        for code in six[:3]:
            sign_in(session, office, code=code, pin=pins.get(code, EXTRA_PIN), station=station, now=OCTOBER,
                    take_over=True)
        for number, code in enumerate(six[:5]):
            sign_in(session, office, code=code, pin=pins.get(code, EXTRA_PIN), station=station,
                    now=FIXED_NOW + timedelta(minutes=number), take_over=True)
    for code in six[:4]:
        answer_barrier(db, office, code, items={"tools": 4})
    for code in six[:3]:
        answer_barrier(db, office, code, items={"tools": 2}, now=OCTOBER)
    result = report(db, office)
    assert (result.respondents, result.active_staff, result.response_rate) == (4, 5, Decimal("80.0"))
    assert (result.previous_respondents, result.previous_active_staff) == (3, 3)
    assert (result.previous_response_rate, result.response_rate_change) == (Decimal("100.0"), Decimal("-20.0"))
    tools = next(i for i in result.items if i.item == "tools")
    assert (tools.percent_positive, tools.previous_percent, tools.change) == (
        Decimal("100.0"), Decimal("0.0"), Decimal("100.0"))
    assert "response rate 80.0% (previous period 100.0%, -20.0 points)" in "\n".join(text_lines(result))


def test_no_change_is_shown_against_a_withheld_previous_period(db, office, six):
    for code in six[:2]:
        answer_barrier(db, office, code, items={"tools": 4}, categories={"forms"}, now=OCTOBER)
    for code in six[:3]:
        answer_barrier(db, office, code, items={"tools": 4}, categories={"forms"})
    result = report(db, office)
    assert result.previous_withheld and result.previous_respondents == 2
    assert all(item.change is None for item in result.items)
    assert all(category.previous_picks is None for category in result.categories)


def test_ideas_are_listed_in_an_order_unrelated_to_when_they_were_written(db, office, six):
    for number, code in enumerate(six):
        answer_barrier(db, office, code, idea=f"Idea {number}: something better")
    ideas = report(db, office).ideas
    assert sorted(ideas) == sorted(f"Idea {n}: something better" for n in range(6))
    assert list(ideas) == sorted(ideas, key=lambda text: idea_order("2026-11", text))


def test_a_clerk_is_refused_the_results(db, office, six):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Only a supervisor can read the barrier survey results"):
            barrier_report(session, office, "2026-11", viewer=clerk_of(session, office))
        assert barrier_report(session, office, "2026-11", viewer=supervisor_of(session, office)).withheld


def test_the_summary_gets_the_period_holding_its_last_day(db, office, six):
    for code in six[:3]:
        answer_barrier(db, office, code, now=OCTOBER)
    with db.session() as session:
        result = report_for_days(session, office, OCTOBER.date() - timedelta(days=3), OCTOBER.date())
        assert result.period.code == "2026-10" and result.respondents == 3
        assert [p.code for p in periods_with_answers(session, office)] == ["2026-10"]
    start_barrier_survey(db, office, period="quarter")
    with db.session() as session:
        assert report_for_days(session, office, OCTOBER.date(), OCTOBER.date()).period.code == "FY2027Q1"
