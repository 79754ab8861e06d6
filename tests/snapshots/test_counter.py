"""Snapshots of the counter's screen states that matter (fixed clock, fixed size)."""

from datetime import timedelta

import pytest

from cxdesk.domain import visits
from tests.factories import FIXED_NOW
from tests.pilot import after, make_app

SIZE = (110, 34)


@pytest.fixture
def line(db, office):
    """Four customers waiting, one of them with an appointment, one waiting over an hour."""
    with db.session() as session:
        visits.check_in(session, office, segment="retiree", service="replacement_card",
                        now=FIXED_NOW - timedelta(minutes=72))
        visits.check_in(session, office, segment="worker", service="change_address", language="es",
                        now=FIXED_NOW - timedelta(minutes=25))
        visits.check_in(session, office, segment="disability", service="disability_claim",
                        appointment_at=FIXED_NOW + timedelta(minutes=5),
                        now=FIXED_NOW - timedelta(minutes=10))
        visits.check_in(session, office, segment="parent_guardian", service="new_card",
                        now=FIXED_NOW - timedelta(minutes=3))
    return office


def test_setup_screen(snap_compare, db_url, clock):
    run_before = after(sign_in_first=False)

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_sign_in_screen_with_demo_hint(snap_compare, db_url, clock, office):
    run_before = after(sign_in_first=False)

    app = make_app(db_url, clock, demo_hint="Demo office: supervisor SUP1 / PIN 24681357, clerk CLK1 / PIN 1357")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_counter_empty(snap_compare, db_url, clock, office):
    run_before = after()

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_counter_with_a_line(snap_compare, db_url, clock, line):
    run_before = after()

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_counter_serving(snap_compare, db_url, clock, line):
    run_before = after("n", "s")

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_finish_dialog(snap_compare, db_url, clock, line):
    run_before = after("n", "f", "3", "2")

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_channel_step(snap_compare, db_url, clock, line):
    run_before = after("n", "f", "1", "1", "enter", "1", "3")

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, db_url, clock, office):
    run_before = after("f1")

    assert snap_compare(make_app(db_url, clock), terminal_size=SIZE, run_before=run_before)


def test_counter_in_high_contrast(snap_compare, db_url, clock, line):
    run_before = after("n")

    app = make_app(db_url, clock, theme_name="cxdesk-high-contrast")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# --- 80x24: every screen works on a small terminal (issue 8) -------------------------------

SMALL = (80, 24)


def test_counter_at_80x24(snap_compare, db_url, clock, line):
    """F1 Help and F2 Complaint stay in the key bar; the line keeps room for what it shows."""
    run_before = after("n", "s")

    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=run_before)


def test_finish_dialog_at_80x24(snap_compare, db_url, clock, line):
    """The outcome picked, the focus on the note: the note field is on screen."""
    run_before = after("n", "f", "3", "1")

    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=run_before)


def test_staff_screen_at_80x24(snap_compare, db_url, clock, office):
    run_before = after("f5", code="SUP1", pin="2468")

    assert snap_compare(make_app(db_url, clock), terminal_size=SMALL, run_before=run_before)


def test_sign_in_at_80x24(snap_compare, db_url, clock, office):
    run_before = after(sign_in_first=False)

    app = make_app(db_url, clock, demo_hint="Demo office: supervisor SUP1 / PIN 2468, clerk CLK1 / PIN 1357")
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
