"""The counter with a 200-person line: one refresh of the waiting times (issue 16).

200 customers are checked in through the domain, then the real counter screen
(``CxdeskApp``, run headless by Textual's Pilot in this process, 100x32) does what
its timer does every ``REFRESH_SECONDS``: ``refresh_view()`` reads the line on the
database thread and shows it. A refresh is timed from that call to the end of the
screen refresh that follows it (``call_after_refresh``), so it counts the read, the
table and the paint; the note gives the CPU time, the read and the showing (``_show``) alone.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

LINE = 200


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


async def _refreshes(url: str, runs: int, size: tuple[int, int]) -> dict[str, list[int]]:
    from cxdesk.screens.app import CxdeskApp
    from cxdesk.screens.counter import CounterScreen

    app = CxdeskApp(url)
    samples: dict[str, list[int]] = {"refresh": [], "cpu": [], "read": [], "show": [], "rows": []}
    asked = 0
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
        done = asyncio.Event()

        def timed_show(view) -> None:
            start = time.perf_counter_ns()
            samples["read"].append(start - asked)
            shown(view)
            samples["show"].append(time.perf_counter_ns() - start)
            samples["rows"].append(len(view.line))
            counter.call_after_refresh(done.set)

        counter._show = timed_show
        for _ in range(runs + 1):
            await pilot.pause(0.05)
            done.clear()
            start = asked = time.perf_counter_ns()
            cpu = time.process_time_ns()  # this process: the UI thread and the database thread
            counter.refresh_view()
            try:
                await asyncio.wait_for(done.wait(), 30)
            except TimeoutError:
                said = [notice.message for notice in app._notifications]
                raise RuntimeError(f"a refresh of the line never showed; the app said: {said}") from None
            samples["refresh"].append(time.perf_counter_ns() - start)
            samples["cpu"].append(time.process_time_ns() - cpu)
        counter._show = shown
        await app.action_quit()
    for values in samples.values():
        del values[0]  # the first: caches warming
    return samples


def measure_line_refresh(url: str, runs: int, size: tuple[int, int]) -> dict[str, list[int]]:
    """``runs`` timer refreshes of the counter with ``LINE`` customers waiting."""
    from keystrokes import _remove_rows_since

    since = _fill_line(url, LINE)
    saved = {key: os.environ.get(key) for key in ("CXDESK_BENCH_READY", "CXDESK_BENCH_SIGNIN", "CXDESK_HOME")}
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["CXDESK_BENCH_READY"] = str(Path(folder) / "ready")
            os.environ["CXDESK_BENCH_SIGNIN"] = "CLK1:1357:W1"
            os.environ["CXDESK_HOME"] = str(Path(tempfile.gettempdir()) / "cxdesk-bench-home")  # as the children
            return asyncio.run(_refreshes(url, runs, size))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _remove_rows_since(url, since)


def median_ms(samples: list[int]) -> float:
    return statistics.median(samples) / 1e6
