"""Snapshots of the accessibility states (issue 15): the colour-blind-safe theme, and
screen-reader mode with its status line, at the counter and on a customer's survey."""

from __future__ import annotations

import pytest

from tests.pilot import after, make_app
from tests.tour import STOPS, a_line, app_for, go_to


@pytest.fixture
def line(db, office):
    a_line(db, office)
    return office


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_counter_in_the_colour_blind_theme(snap_compare, db_url, clock, line, size):
    app = make_app(db_url, clock, theme_name="cxdesk-colour-blind")
    assert snap_compare(app, terminal_size=size, run_before=after("n"))


def test_channel_step_in_the_colour_blind_theme(snap_compare, db_url, clock, line):
    app = make_app(db_url, clock, theme_name="cxdesk-colour-blind")
    assert snap_compare(app, terminal_size=(120, 40), run_before=after("n", "f", "1", "1", "enter", "1", "3"))


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_counter_in_screen_reader_mode_says_the_call(snap_compare, db_url, clock, line, size):
    app = make_app(db_url, clock, screen_reader=True)
    assert snap_compare(app, terminal_size=size, run_before=after("n"))


def test_finish_dialog_in_screen_reader_mode(snap_compare, db_url, clock, line):
    app = make_app(db_url, clock, screen_reader=True, theme_name="cxdesk-high-contrast")
    assert snap_compare(app, terminal_size=(120, 40), run_before=after("n", "f", "1"))


def test_kiosk_survey_in_screen_reader_mode_in_spanish(snap_compare, db, office, db_url, clock):
    stop = next(stop for stop in STOPS if stop.name == "kiosk-survey")
    app = app_for(stop, db, office, db_url, clock, screen_reader=True)

    async def run_before(pilot):
        await go_to(pilot, stop)

    assert snap_compare(app, terminal_size=(100, 32), run_before=run_before)
