"""The demo's barrier survey: a year of monthly answers from the demo staff."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlmodel import select

from cxdesk.demo import barrier as demo_barrier
from cxdesk.demo import office as demo
from cxdesk.demo.office import DEMO_STAFF
from cxdesk.domain.barrier import ask_status, names_in_idea
from cxdesk.domain.office import require_office
from cxdesk.domain.staff import get_staff
from cxdesk.reports.barrier import barrier_report, periods_with_answers
from cxdesk.store.db import open_database
from cxdesk.store.models import BarrierAnswer

NOW = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("barrier-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXDESK_HOME", str(folder / "home"))
        database = open_database(f"sqlite:///{folder / 'demo.db'}", create=True)
        demo.generate(database, days=5, seed=3, now=NOW, extenders=[demo_barrier.EXTENDER])
        yield database
        database.dispose()


def test_the_demo_extender_is_loaded_by_the_generator():
    assert "barrier" in [extender.name for extender in demo.load_extenders()]


def test_a_year_of_monthly_answers(demo_db):
    with demo_db.session() as session:
        office = require_office(session)
        periods = periods_with_answers(session, office)
        assert [p.code for p in periods][:2] == ["2026-11", "2026-10"] and len(periods) == 12
        reports = [barrier_report(session, office, period) for period in periods]
    assert reports[0].respondents == 3 and not reports[0].withheld
    thin = reports[demo_barrier.THIN_MONTH]
    assert thin.respondents == 2 and thin.withheld
    assert sum(not r.withheld for r in reports) >= 9
    assert all(r.respondents <= len(DEMO_STAFF) for r in reports)


def test_this_month_clk2_is_asked_clk1_is_not_and_clk4_put_it_off_once(demo_db):
    with demo_db.session() as session:
        office = require_office(session)
        status = {code: ask_status(session, office, get_staff(session, office, code), NOW)
                  for code in ("SUP1", "CLK1", "CLK2", "CLK3", "CLK4")}
    assert [code for code, s in status.items() if s.should_prompt] == ["CLK2", "CLK4"]
    assert status["CLK4"].deferrals_left == 1 and status["CLK2"].deferrals_left == 2
    assert status["CLK1"].answered and status["SUP1"].answered


def test_demo_answers_carry_no_role_and_ideas_name_nobody(demo_db):
    with demo_db.session() as session:
        office = require_office(session)
        answers = session.exec(select(BarrierAnswer)).all()
        assert {answer.role for answer in answers} == {None}  # one supervisor: a role would name her
        ideas = [answer.idea for answer in answers if answer.idea]
        assert ideas and not any(names_in_idea(session, office, idea) for idea in ideas)
