"""Pilot tests of the supervisor summary (F8) and the standards screen (F3): keys in,
database out."""

from __future__ import annotations

from datetime import timedelta

from cxdesk.screens.counter import CounterScreen
from cxdesk.screens.standards import StandardDialog, StandardsScreen
from cxdesk.screens.summary import SummaryScreen
from rich.console import Console
from sqlmodel import select
from textual.widgets import Input, Static

from cxdesk.domain import visits
from cxdesk.store.models import SignOff, StandardVersion
from tests.factories import FIXED_NOW, serve
from tests.pilot import make_app, press, settle, sign_in

SIZE = (120, 40)


def text_of(app, widget_id: str) -> str:
    """What a Static shows, as plain text (Rich tables and groups rendered)."""
    content = app.screen.query_one(widget_id, Static).content
    if isinstance(content, str):
        return content
    console = Console(width=200, record=True, color_system=None)
    console.print(content)
    return console.export_text()


async def test_a_clerk_is_refused_the_summary(db_url, clock, office, signed_in):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await press(pilot, "f8")
        assert isinstance(app.screen, CounterScreen)
        # Even pushed past the key, the domain refuses and the screen says so.
        app.push_screen(SummaryScreen())
        await settle(pilot)
        assert "Only a supervisor can read the supervisor summary" in text_of(app, "#summary-message")
        assert text_of(app, "#summary-standards") == ""


async def test_a_supervisor_signs_off_the_day_and_a_late_change_reopens_it(db, db_url, clock, office, signed_in):
    serve(db, office, signed_in)
    with db.session() as session:
        waiting = visits.check_in(session, office, segment="retiree", service="change_address",
                                  now=FIXED_NOW - timedelta(minutes=5))
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "SUP1", "24681357", station="W2")
        await press(pilot, "f8")
        assert isinstance(app.screen, SummaryScreen)
        assert "not signed off" in text_of(app, "#summary-title")
        assert "Arrived 2 · served 1" in text_of(app, "#summary-headline")
        await press(pilot, "o")
        await pilot.press(*"Lunch peak covered.")
        await press(pilot, "enter")
        assert "✔ SIGNED OFF" in text_of(app, "#summary-title")

        with db.session() as session:
            signed = session.exec(select(SignOff)).one()
        assert (signed.kind, signed.note, signed.signed_at) == ("day", "Lunch peak covered.", FIXED_NOW)

        # The customer still waiting at sign-off leaves: the day's figures move.
        with db.session() as session:
            visits.left_line(session, visits.get_visit(session, waiting.id), FIXED_NOW + timedelta(minutes=2))
        await press(pilot, "ctrl+r")
        assert "⚠ REOPENED" in text_of(app, "#summary-title")
        assert "visits left: 0 → 1" in text_of(app, "#summary-signoff")


async def test_the_summary_moves_between_periods(db_url, clock, office, signed_in):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "SUP1", "24681357", station="W2")
        await press(pilot, "f8", "q")
        assert "FY2027 Q1" in text_of(app, "#summary-title")
        await press(pilot, "w")
        assert "Week of 23 Nov 2026" in text_of(app, "#summary-title")
        await press(pilot, "d", "left_square_bracket")
        assert "Mon 23 Nov 2026" in text_of(app, "#summary-title")
        await press(pilot, "s")
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, CounterScreen)


async def test_a_supervisor_changes_a_standard_from_the_standards_screen(db, db_url, clock, office):
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "SUP1", "24681357", station="W2")
        await press(pilot, "f3")
        assert isinstance(app.screen, StandardsScreen)
        await press(pilot, "e")
        dialog = app.screen
        assert isinstance(dialog, StandardDialog)
        dialog.query_one("#std-threshold", Input).value = "15"
        dialog.query_one("#std-wording-en", Input).value = "We will call you within 15 minutes."
        dialog.query_one("#std-wording-es", Input).value = "Le llamaremos dentro de 15 minutos."
        dialog.query_one("#std-note", Input).value = "Two more windows."
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, StandardsScreen)
        assert "History of wait_20" in text_of(app, "#standard-history")
    with db.session() as session:
        thresholds = [v.threshold for v in session.exec(
            select(StandardVersion).order_by(StandardVersion.created_at)) if v.wording_en.startswith("We will call")]
    assert thresholds[-1] == 15 and 20 in thresholds
