"""The lobby's wait estimate against the simulated office: how often the actual wait of
a walk-in fell inside the range the board would have shown when they arrived."""

from __future__ import annotations

from datetime import date

from cxdesk.demo import office as demo
from cxdesk.reports.lobby import CALLS_SHOWN, lobby_figures, queue_now, replay_accuracy
from cxdesk.store.db import open_database
from tests.factories import DEMO_NOW


def test_most_actual_waits_of_a_demo_month_fall_inside_the_estimated_range(month, capsys):
    db = open_database(month)
    try:
        with db.session() as session:
            office = demo.office_in(db)
            accuracy = replay_accuracy(session, office, date(2026, 2, 27), date(2026, 3, 27))
    finally:
        db.dispose()
    with capsys.disabled():
        print(f"\nlobby estimate on the demo month: {accuracy.inside}/{accuracy.judged} "
              f"({accuracy.share_inside}%) inside, {accuracy.shorter} shorter, {accuracy.longer} longer, "
              f"{accuracy.no_estimate} shown '—', mean width {accuracy.mean_width} min")
    assert accuracy.judged > 1000
    assert accuracy.share_inside >= 65
    # A board that shows '—' all day would never be wrong: most arrivals get a figure.
    assert accuracy.no_estimate < 0.25 * (accuracy.judged + accuracy.no_estimate)
    # Not a range so wide it says nothing.
    assert accuracy.mean_width < 60


def test_the_live_demo_line_gets_an_estimate_and_calls(filled):
    url, summary, _rows = filled
    db = open_database(url)
    try:
        with db.session() as session:
            office = demo.office_in(db)
            state = queue_now(session, office, DEMO_NOW)
            figures = lobby_figures(session, office, DEMO_NOW)
    finally:
        db.dispose()
    assert state.ahead == summary.waiting_now
    assert figures.waits[0].range is not None
    assert len(figures.calls) == CALLS_SHOWN <= summary.at_counters_now + summary.by_state["done"]
    assert all(call.ticket[0] in "AP" for call in figures.calls)
