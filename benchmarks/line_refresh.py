"""The counter with a 200-person line: one refresh of the waiting times (issue 16).

200 customers are checked in through the domain, then the real counter screen
(``CxdeskApp``, run headless by Textual's Pilot in this process, 100x32) does what
its timer does every ``REFRESH_SECONDS``: ``refresh_on_timer()``. The app's clock moves
on ``REFRESH_SECONDS`` before each tick, as between two real ticks, so the waits that
cross a minute change on screen. Two kinds of tick, interleaved:

- ``tick``: nobody committed since the last read. The screen asks the store's change
  marker on the database thread and moves the waits on from the clock, without a read.
- ``reread``: another connection (another counter) has just committed (one customer
  checked in, the first in line marked as left, so every position moves): the marker
  changed and the tick reads everything again, as every tick did before.

A refresh is timed from that call to the end of the screen refresh that follows it
(``call_after_refresh``), so it counts the database thread, the table and the paint;
the samples also give the CPU time (both threads), the wait for the database thread
(``read``) and the showing (``_show``) alone.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

LINE = 200
KINDS = ("tick", "reread")


def _fill_line(url: str, people: int):
    """``people`` customers in today's line; returns the moment before (their rows are removed after)."""
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.visits import check_in
    from cxdesk.store.db import open_database

    since = utcnow()
    db = open_database(url)
    services = ("change_address", "replacement_card", "general_info")
    try:
        with db.session() as session:
            office = require_office(session)
            for number in range(people):
                check_in(session, office, segment="worker", service=services[number % 3], now=utcnow())
    finally:
        db.dispose()
    return since


def _another_counter(db, since, now):
    """What another counter commits between two ticks: a customer checked in, and the
    first of this run's customers in line marked as left (the whole line moves up)."""
    from cxdesk.domain.office import require_office
    from cxdesk.domain.visits import check_in, get_visit, left_line, waiting_line
    from cxdesk.errors import CxdeskError

    with db.session() as session:
        office = require_office(session)
        check_in(session, office, segment="worker", service="general_info", now=now)
        for entry in waiting_line(session, office, now):
            if entry.arrived_at >= since:
                try:
                    left_line(session, get_visit(session, entry.id), now)
                    return
                except CxdeskError:  # called meanwhile by another run on the same database
                    session.rollback()


async def _refreshes(url: str, runs: int, size: tuple[int, int], since) -> dict[str, dict[str, list[int]]]:
    from cxdesk.clock import utcnow
    from cxdesk.screens.app import CxdeskApp
    from cxdesk.screens.counter import REFRESH_SECONDS, CounterScreen
    from cxdesk.store.db import open_database

    moved = [timedelta(0)]
    app = CxdeskApp(url, clock=lambda: utcnow() + moved[0])
    other = open_database(url)
    samples = {kind: {"refresh": [], "cpu": [], "read": [], "show": [], "rows": []} for kind in KINDS}
    kind, asked = KINDS[0], 0
    try:
        async with app.run_test(size=(size[1], size[0])) as pilot:
            counter = None
            for _ in range(600):  # sign-in by CXDESK_BENCH_SIGNIN, then the counter's first read
                counter = next((s for s in app.screen_stack if isinstance(s, CounterScreen)), None)
                if counter is not None and counter.view is not None:
                    break
                await pilot.pause(0.1)
            if counter is None or counter.view is None:
                raise RuntimeError("the counter never showed its line")
            while app.screen is not counter:  # a prompt over the counter (the barrier survey): put it off
                await pilot.press("escape")
                await pilot.pause(0.2)
            shown = counter._show
            # What the timer calls (before the change marker, the timer called refresh_view).
            tick = getattr(counter, "refresh_on_timer", counter.refresh_view)
            done = asyncio.Event()

            def timed_show(view) -> None:
                start = time.perf_counter_ns()
                samples[kind]["read"].append(start - asked)
                shown(view)
                samples[kind]["show"].append(time.perf_counter_ns() - start)
                samples[kind]["rows"].append(len(view.line))
                counter.call_after_refresh(done.set)

            counter._show = timed_show
            for run in range(2 * (runs + 1)):
                kind = KINDS[run % 2]
                await pilot.pause(0.05)
                moved[0] += timedelta(seconds=REFRESH_SECONDS)
                if kind == "reread":
                    _another_counter(other, since, app.now())
                done.clear()
                start = asked = time.perf_counter_ns()
                cpu = time.process_time_ns()  # this process: the UI thread and the database thread
                tick()
                try:
                    await asyncio.wait_for(done.wait(), 30)
                except TimeoutError:
                    said = [notice.message for notice in app._notifications]
                    raise RuntimeError(f"a refresh of the line never showed; the app said: {said}") from None
                samples[kind]["refresh"].append(time.perf_counter_ns() - start)
                samples[kind]["cpu"].append(time.process_time_ns() - cpu)
            counter._show = shown
            await app.action_quit()
    finally:
        other.dispose()
    for kind_samples in samples.values():
        for values in kind_samples.values():
            del values[0]  # the first: caches warming
    return samples


def measure_line_refresh(url: str, runs: int, size: tuple[int, int]) -> dict[str, dict[str, list[int]]]:
    """``runs`` timer ticks of each kind (``KINDS``) at the counter with ``LINE`` customers waiting."""
    from keystrokes import _remove_rows_since

    since = _fill_line(url, LINE)  # each reread adds one and takes one away
    saved = {key: os.environ.get(key) for key in ("CXDESK_BENCH_READY", "CXDESK_BENCH_SIGNIN", "CXDESK_HOME")}
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["CXDESK_BENCH_READY"] = str(Path(folder) / "ready")
            os.environ["CXDESK_BENCH_SIGNIN"] = "CLK1:1357:W1"
            os.environ["CXDESK_HOME"] = str(Path(tempfile.gettempdir()) / "cxdesk-bench-home")  # as the children
            return asyncio.run(_refreshes(url, runs, size, since))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _remove_rows_since(url, since)


def median_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6
