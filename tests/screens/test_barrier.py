"""The barrier survey with Pilot: the prompt at sign-in and its deferral limit, answering
with number keys, the name warning, and the supervisors' results."""

from __future__ import annotations

from datetime import timedelta

from cxdesk.screens.barrier import BarrierPrompt, BarrierSurveyScreen
from cxdesk.screens.barrier_results import BarrierResultsScreen
from sqlmodel import select
from textual.widgets import DataTable, Input

from cxdesk.store.models import BarrierAnswer, BarrierDeferral, BarrierItemAnswer, BarrierPick, BarrierToken
from tests.factories import FIXED_NOW, answer_barrier, more_staff, start_barrier_survey
from tests.pilot import make_app, press, settle, sign_in

SIZE = (100, 32)


def typed(text: str) -> list[str]:
    return ["space" if c == " " else c for c in text]


def screen_name(app) -> str:
    return type(app.screen).__name__


def stored(db):
    with db.session() as session:
        return (session.exec(select(BarrierAnswer)).all(),
                {row.item: row.score for row in session.exec(select(BarrierItemAnswer))},
                {row.category for row in session.exec(select(BarrierPick))},
                session.exec(select(BarrierToken)).all())


async def test_the_prompt_after_sign_in_leads_to_the_survey_and_the_answers_are_kept(db, office, db_url, clock):
    start_barrier_survey(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, BarrierPrompt)
        assert app.screen_stack[-2].__class__.__name__ == "CounterScreen"
        await press(pilot, "enter")
        survey = app.screen
        assert isinstance(survey, BarrierSurveyScreen)
        await press(pilot, "4")  # information: agree
        await press(pilot, "6")  # tools: don't know
        await press(pilot, "0")  # workload: skipped
        await press(pilot, "1", "left")  # training: strongly disagree, then back to change it
        assert survey.step == 3
        await press(pilot, "5", "2", "3", "4", "5")
        assert survey.on_categories
        await press(pilot, "4", "2", "4", "8", "enter")  # staffing ticked and unticked again
        assert survey.on_idea and isinstance(app.focused, Input)
        await pilot.press(*typed("Print the card request at the counter"), "enter")
        await settle(pilot)
        assert survey.saved
        assert "saved without your name" in str(survey.query_one("#barrier-hint").render())
        await press(pilot, "enter")
        assert screen_name(app) == "CounterScreen"
    answers, items, picks, tokens = stored(db)
    assert len(answers) == 1 and len(tokens) == 1
    assert answers[0].idea == "Print the card request at the counter" and answers[0].period == "2026-11"
    assert items == {"information": 4, "tools": 0, "training": 5, "conditions": 2, "authority": 3,
                     "involvement": 4, "rules_forms": 5}
    assert picks == {"it_system", "coordination"}


async def test_the_prompt_can_be_put_off_only_as_often_as_the_office_allows(db, office, db_url, clock):
    start_barrier_survey(db, office, deferrals=2)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        for expected_count in (1, 2):
            await sign_in(pilot)
            assert isinstance(app.screen, BarrierPrompt)
            await press(pilot, "escape")
            assert screen_name(app) == "CounterScreen"
            with db.session() as session:
                assert session.exec(select(BarrierDeferral.count)).one() == expected_count
            await press(pilot, "f10")
        # The limit is reached: straight to the counter, and the survey is still one key away.
        await sign_in(pilot)
        assert screen_name(app) == "CounterScreen"
        await press(pilot, "ctrl+y")
        assert isinstance(app.screen, BarrierSurveyScreen) and not app.screen.from_prompt
        await press(pilot, "escape")  # nothing answered: leaves at once, and is no deferral
        assert screen_name(app) == "CounterScreen"
    with db.session() as session:
        assert session.exec(select(BarrierDeferral.count)).one() == 2


async def test_no_prompt_while_the_survey_is_off_or_after_answering(db, office, db_url, clock):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert screen_name(app) == "CounterScreen"
        await press(pilot, "ctrl+y")
        assert screen_name(app) == "CounterScreen"
        assert any("not running" in n.message for n in app._notifications)
    start_barrier_survey(db, office)
    answer_barrier(db, office, "CLK1")
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert screen_name(app) == "CounterScreen"
        await press(pilot, "ctrl+y")
        assert screen_name(app) == "CounterScreen"
        assert any("You have answered the barrier survey for November 2026" in n.message
                   for n in app._notifications)


async def test_leaving_with_answers_asks_twice_and_counts_as_a_put_off(db, office, db_url, clock):
    start_barrier_survey(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "enter", "3", "escape")
        assert isinstance(app.screen, BarrierSurveyScreen)
        assert "Esc again" in str(app.screen.query_one("#barrier-message").render())
        await press(pilot, "escape")
        assert screen_name(app) == "CounterScreen"
    answers, *_ = stored(db)
    assert answers == []
    with db.session() as session:
        assert session.exec(select(BarrierDeferral.count)).one() == 1


async def test_an_idea_naming_a_colleague_is_warned_about_and_saved_on_a_second_enter(db, office, db_url, clock):
    start_barrier_survey(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "SUP1", "24681357")
        await press(pilot, "enter", *["0"] * 8, "enter")
        await pilot.press(*typed("Ben Okafor should train the others"), "enter")
        await settle(pilot)
        survey = app.screen
        message = str(survey.query_one("#barrier-message").render())
        assert "names someone in this office (Ben, Okafor)" in message and not survey.saved
        assert stored(db)[0] == []
        await pilot.press("enter")
        await settle(pilot)
        assert survey.saved
    answers, *_ = stored(db)
    assert answers[0].idea == "Ben Okafor should train the others"


async def test_the_survey_switches_to_spanish(db, office, db_url, clock):
    start_barrier_survey(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "enter", "l")
        survey = app.screen
        assert "Tengo suficiente información" in str(survey.query_one("#barrier-question").render())
        assert "noviembre de 2026" in str(survey.query_one("#barrier-title").render())
        await press(pilot, "4", "l")
        assert "I have the tools and systems" in str(survey.query_one("#barrier-question").render())


async def test_a_supervisor_reads_the_results_and_changes_the_settings(db, office, db_url, clock):
    start_barrier_survey(db, office)
    more_staff(db, office, 2)
    for code, score in (("CLK1", 4), ("CLK2", 5)):
        answer_barrier(db, office, code, items={"workload": score}, idea=f"Idea {score}")
    app = make_app(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "SUP1", "24681357")
        await press(pilot, "escape")  # the supervisor puts their own survey off
        await press(pilot, "f5", "b")
        results = app.screen
        assert isinstance(results, BarrierResultsScreen)
        assert results.report.withheld
        assert "not enough answers to show without identifying anyone" in str(
            results.query_one("#barrier-withheld").render())
        assert not results.query_one("#barrier-items").display
        answer_barrier(db, office, "CLK3", items={"workload": 1})
        await press(pilot, "ctrl+r")
        assert not results.report.withheld
        table = results.query_one("#barrier-items", DataTable)
        workload = table.get_row("workload")
        assert workload[:3] == ["Reasonable workload", "66.7%", "3"]
        ideas = str(results.query_one("#barrier-ideas").render())
        assert "Idea 4" in ideas and "Idea 5" in ideas
        await press(pilot, "s", "2")  # a quarter; the pick moves on to the put-offs
        await pilot.press("backspace", "1", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BarrierResultsScreen)
        assert "fiscal quarter" in str(results.query_one("#barrier-settings-line").render())
    from cxdesk.domain.barrier import barrier_settings

    with db.session() as session:
        settings = barrier_settings(session, office)
    assert (settings.period, settings.deferrals) == ("quarter", 1)


async def test_a_clerk_gets_no_results(db, office, db_url, clock):
    from cxdesk.screens.barrier_results import open_results

    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        open_results(app)
        await settle(pilot)
        assert screen_name(app) == "CounterScreen"
        assert any("for supervisors" in n.message for n in app._notifications)


async def test_a_new_period_asks_again(db, office, db_url):
    from cxdesk.clock import fixed_clock

    start_barrier_survey(db, office)
    answer_barrier(db, office, "CLK1")
    app = make_app(db_url, fixed_clock(FIXED_NOW + timedelta(days=10)))  # 4 December
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, BarrierPrompt)
        assert "December 2026" in str(app.screen.query_one(".form-title").render())
