"""The lobby board's figures: the tickets called, the wait estimate, the posted standards."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

from cxdesk.domain.office import get_station
from cxdesk.domain.visits import Finish, call_next, check_in, finish, no_show, start_serving
from cxdesk.reports.lobby import (
    MIN_CYCLES,
    QueueState,
    WaitEstimate,
    WaitRange,
    estimate,
    lobby_figures,
    now_calling,
    posted_standards,
    queue_now,
    window_name,
)
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, serve

CYCLES = (600,) * MIN_CYCLES  # ten minutes a customer


def test_no_estimate_without_enough_served_or_with_no_window_open():
    assert estimate(QueueState(ahead=3, windows_open=2, windows_free=0, cycles=CYCLES[:-1])) is None
    assert estimate(QueueState(ahead=3, windows_open=0, windows_free=0, cycles=CYCLES)) is None
    missing = WaitEstimate("line", "Walk-in line", "Fila sin cita", 3, 0, None)
    assert missing.text("en") == missing.text("es") == "—"
    assert missing.why_missing("es") == "No hay ventanillas abiertas ahora."


def test_a_free_window_and_nobody_ahead_is_less_than_five_minutes():
    found = estimate(QueueState(ahead=0, windows_open=2, windows_free=1, cycles=CYCLES))
    assert found == WaitRange(0, 5)
    shown = WaitEstimate("line", "Walk-in line", "Fila sin cita", 0, 2, found)
    assert shown.text("en") == "less than 5 minutes"
    assert shown.text("es") == "menos de 5 minutos"


def test_the_range_holds_the_expected_wait_and_grows_with_the_line():
    # Ten people ahead, two busy windows, ten minutes each: about 10.5 turns of 5 minutes.
    found = estimate(QueueState(ahead=10, windows_open=2, windows_free=0, cycles=CYCLES, calls=18, window_minutes=180))
    assert found.low <= 52 <= found.high
    assert found.low % 5 == 0 and found.high % 5 == 0
    longer = estimate(QueueState(ahead=20, windows_open=2, windows_free=0, cycles=CYCLES, calls=18, window_minutes=180))
    more_windows = estimate(QueueState(ahead=10, windows_open=4, windows_free=0, cycles=CYCLES, calls=36, window_minutes=360))
    assert longer.low > found.low and longer.high > found.high
    assert more_windows.high < found.high
    text = WaitEstimate("line", "Walk-in line", "Fila sin cita", 10, 2, found).text("en")
    assert text == f"about {found.low}–{found.high} minutes"


def test_a_slow_pace_of_calls_lengthens_the_estimate():
    """Windows that call fewer people than their counter times allow (paperwork, breaks)."""
    brisk = estimate(QueueState(ahead=10, windows_open=2, windows_free=0, cycles=CYCLES, calls=18, window_minutes=180))
    slow = estimate(QueueState(ahead=10, windows_open=2, windows_free=0, cycles=CYCLES, calls=6, window_minutes=180))
    assert slow.low > brisk.low


def test_window_names_read_in_spanish():
    assert window_name("Window 2", "es") == "Ventanilla 2"
    assert window_name("Window 2", "en") == "Window 2"
    assert window_name("Front desk", "es") == "Front desk"


def _line(db, office, count, now):
    with db.session() as session:
        return [check_in(session, office, segment="retiree", service="change_address",
                         now=now + timedelta(seconds=i)) for i in range(count)]


def test_calls_are_newest_first_with_their_window_and_nothing_about_the_person(db, office, signed_in):
    serve(db, office, signed_in)  # a walk-up logged at the window: never called
    _line(db, office, 3, FIXED_NOW - timedelta(minutes=30))
    with db.session() as session:
        first = call_next(session, office, signed_in, FIXED_NOW - timedelta(minutes=20))
        start_serving(session, first, signed_in, FIXED_NOW - timedelta(minutes=19))
        finish(session, first, Finish(service="change_address", outcome="resolved"), signed_in,
               FIXED_NOW - timedelta(minutes=10))
        second = call_next(session, office, signed_in, FIXED_NOW - timedelta(minutes=2))
        calls = now_calling(session, office, FIXED_NOW)
    assert [(c.ticket, c.window_name, c.calling) for c in calls] == [
        (second.ticket, "Window 1", True), (first.ticket, "Window 1", False)]
    assert calls[0].spoken("en") == f"Ticket {' '.join(second.ticket)}, please go to Window 1."
    assert calls[0].spoken("es") == f"Turno {' '.join(second.ticket)}, pase a Ventanilla 1."
    assert {f.name for f in fields(calls[0])} == {"ticket", "window_code", "window_name", "called_at", "calling"}


def test_queue_now_counts_the_line_and_the_open_and_free_windows(db, office, signed_in):
    _line(db, office, 4, FIXED_NOW - timedelta(minutes=30))
    with db.session() as session:
        state = queue_now(session, office, FIXED_NOW)
        assert (state.ahead, state.windows_open, state.windows_free) == (4, 1, 1)
        call_next(session, office, signed_in, FIXED_NOW)
        state = queue_now(session, office, FIXED_NOW + timedelta(seconds=1))
        assert (state.ahead, state.windows_open, state.windows_free, state.calls) == (3, 1, 0, 1)


def test_the_estimate_needs_served_customers_then_appears(db, office, signed_in):
    now = FIXED_NOW  # the clerk signed in at W1 now
    _line(db, office, 12, now - timedelta(minutes=10))
    with db.session() as session:
        waits = lobby_figures(session, office, now + timedelta(minutes=1)).waits
        assert waits[0].range is None and "Not enough" in waits[0].why_missing("en")
        at = now + timedelta(minutes=2)
        for _ in range(MIN_CYCLES):
            visit = call_next(session, office, signed_in, at)
            start_serving(session, visit, signed_in, at + timedelta(minutes=1))
            at += timedelta(minutes=8)
            finish(session, visit, Finish(service="change_address", outcome="resolved"), signed_in, at)
        waits = lobby_figures(session, office, at + timedelta(minutes=1)).waits
    shown = waits[0]
    assert shown.waiting == 12 - MIN_CYCLES and shown.windows_open == 1
    # Seven ahead, one window, eight minutes each: about 7.5 × 8 = 60 minutes.
    assert shown.range.low <= 60 <= shown.range.high
    assert shown.people("es") == "7 personas en espera · 1 ventanilla abierta"


def test_posted_standards_carry_this_weeks_result_in_words_and_a_symbol(db, office, signed_in):
    _line(db, office, 2, FIXED_NOW - timedelta(minutes=40))
    with db.session() as session:
        visit = call_next(session, office, signed_in, FIXED_NOW - timedelta(minutes=35))  # waited 5
        start_serving(session, visit, signed_in, FIXED_NOW - timedelta(minutes=34))
        finish(session, visit, Finish(service="change_address", outcome="resolved"), signed_in,
               FIXED_NOW - timedelta(minutes=30))
        call_next(session, office, signed_in, FIXED_NOW)  # waited 40: over 20
        posted = {p.code: p for p in posted_standards(session, office, office.local_day(FIXED_NOW))}
    wait = posted["wait_20"]
    assert wait.wording("en").startswith("We will call you to a window within 20 minutes")
    assert wait.wording("es").startswith("Le llamaremos")
    assert wait.result.value == 50.0 and wait.status == "missed"
    assert wait.mark("en") == "✖ Not met" and wait.mark("es") == "✖ No cumplido"
    assert wait.figure("en") == "50% (goal: at least 90%)"
    assert wait.figure("es") == "50 % (meta: al menos 90 %)"
    assert posted["first_visit"].mark("en") == "✔ Met"
    unmeasured = posted["card_20"]
    assert unmeasured.mark("es") == "– Aún sin medir" and unmeasured.figure("en") == "—"


def test_nothing_on_the_board_names_staff(db, office, signed_in):
    _line(db, office, 2, FIXED_NOW - timedelta(minutes=10))
    with db.session() as session:
        call_next(session, office, signed_in, FIXED_NOW)
        figures = lobby_figures(session, office, FIXED_NOW)
    text = repr(figures)
    for name in (CLERK[0], CLERK[1], SUPERVISOR[0], SUPERVISOR[1]):
        assert name not in text
    with db.session() as session:
        assert get_station(session, office, "W1").name in text  # the window is named


def test_recorded_estimates_are_judged_against_the_waits_that_followed(db, office, signed_in):
    from cxdesk.domain.lobby import RECORD_EVERY, record_estimate
    from cxdesk.reports.lobby import recorded_accuracy

    day = office.local_day(FIXED_NOW)
    with db.session() as session:
        assert record_estimate(session, office, line="line", waiting=0, windows_open=1, low=0, high=5,
                               now=FIXED_NOW - timedelta(minutes=30))
        assert not record_estimate(session, office, line="line", waiting=0, windows_open=1, low=0, high=5,
                                   now=FIXED_NOW - timedelta(minutes=29))  # unchanged: not again
        assert record_estimate(session, office, line="line", waiting=0, windows_open=1, low=0, high=5,
                               now=FIXED_NOW - timedelta(minutes=29) + RECORD_EVERY)
        assert record_estimate(session, office, line="line", waiting=1, windows_open=1, low=10, high=20,
                               now=FIXED_NOW - timedelta(minutes=20))
    _line(db, office, 1, FIXED_NOW - timedelta(hours=2))  # before any estimate: unrecorded
    _line(db, office, 1, FIXED_NOW - timedelta(minutes=28))  # told 0-5, waits 28: longer
    _line(db, office, 1, FIXED_NOW - timedelta(minutes=15))  # told 10-20, waits 15: inside
    with db.session() as session:
        for at in (FIXED_NOW - timedelta(minutes=14), FIXED_NOW, FIXED_NOW + timedelta(seconds=2)):
            visit = call_next(session, office, signed_in, at)
            no_show(session, visit, at + timedelta(seconds=1))
        found = recorded_accuracy(session, office, day, day)
    assert (found.judged, found.inside, found.longer, found.shorter, found.no_estimate, found.unrecorded) == (
        2, 1, 1, 0, 0, 1)
    assert found.share_inside == 50.0
