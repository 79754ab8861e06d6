"""Snapshots of the supervisor summary (a day with its chart, at 120×40 and 80×24), a
standard's history, and the sign-off dialog, on the demo office (fixed seed and clock)."""

from __future__ import annotations

import pytest

from cxdesk.demo.office import generate
from tests.factories import FIXED_NOW
from tests.pilot import after, make_app


@pytest.fixture
def demo_url(db, db_url):
    generate(db, days=10, now=FIXED_NOW)
    return db_url


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_summary_of_a_day_with_its_chart(snap_compare, demo_url, clock, size):
    run_before = after("f8", "left_square_bracket", code="SUP1", pin="24681357")
    assert snap_compare(make_app(demo_url, clock), terminal_size=size, run_before=run_before)


def test_summary_in_high_contrast(snap_compare, demo_url, clock):
    run_before = after("f8", "left_square_bracket", code="SUP1", pin="24681357")
    app = make_app(demo_url, clock, theme_name="cxdesk-high-contrast")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_a_standards_history_with_benchmarks(snap_compare, demo_url, clock):
    run_before = after("f3", "down", code="SUP1", pin="24681357")
    assert snap_compare(make_app(demo_url, clock), terminal_size=(120, 40), run_before=run_before)


def test_the_sign_off_dialog(snap_compare, demo_url, clock):
    run_before = after("f8", "o", code="SUP1", pin="24681357", typed="Lunch peak covered")
    assert snap_compare(make_app(demo_url, clock), terminal_size=(120, 40), run_before=run_before)
