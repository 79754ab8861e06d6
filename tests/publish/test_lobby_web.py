"""The lobby web page (`cxdesk board --serve`): rendered from the lobby figures, and served
for real to headless Chromium against a demo office."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from cxdesk.publish.lobby_page import calls_html, render_page
from cxdesk.reports.lobby import Call, LobbyFigures, WaitEstimate, WaitRange
from tests.publish.cdp import Browser, find_chromium

AT = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)


def test_the_page_is_semantic_bilingual_and_speaks_calls():
    figures = LobbyFigures(
        "Chicago Loop", AT, "09:30", (Call("A033", "W2", "Window 2", AT, True),),
        (WaitEstimate("line", "Walk-in line", "Fila sin cita", 6, 2, WaitRange(15, 25)),), (), 3)
    page = render_page(figures)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert 'aria-live="assertive"' in page and 'role="status"' in page
    assert '<span lang="es">Ventanilla 2</span>' in page
    assert "about 15–25 minutes" in page and '<span lang="es">unos 15–25 minutos</span>' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "<h1>" in page and page.count("<h2") == 3 and '<table class="standards">' in page
    assert '<ol class="calls">' in page


def test_names_from_the_database_are_text_not_markup():
    html = calls_html([Call("A001", "W1", "<script>alert(1)</script>", AT, False)])
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- in a real browser -------------------------------------------------------------------------


def chromium_or_say_why() -> str:
    """Chromium's path; without it, in CI (CI=true) the test fails, elsewhere it skips and says why."""
    found = find_chromium()
    if found is None:
        message = "Chromium is not installed (Debian: apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the lobby page must be checked in a browser)")
        pytest.skip(message)
    return found


@pytest.fixture
def chromium():
    return chromium_or_say_why()


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_without_chromium_ci_fails_and_elsewhere_skips(monkeypatch, ci, outcome):
    monkeypatch.setattr("tests.publish.test_lobby_web.find_chromium", lambda: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="Chromium is not installed"):
        chromium_or_say_why()


def _demo_hour(url: str, now: datetime):
    """The demo office, and an hour at Window 1 ending at ``now`` (real time: the server
    runs on the real clock): CLK1 served six customers and is calling the seventh."""
    from cxdesk.demo import office as demo
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.visits import Finish, call_next, check_in, finish, start_serving
    from cxdesk.store.db import open_database
    from cxdesk.store.models import Staff

    demo.build(url, days=3, seed=1, now=now)
    db = open_database(url)
    try:
        office = demo.office_in(db)
        # The line is the office day's: shortly after the office's midnight the hour is
        # squeezed into the minutes since, so that it all happens today.
        local = now.astimezone(ZoneInfo(office.timezone))
        since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
        squeeze = min(1.0, max(since_midnight - timedelta(seconds=5), timedelta(seconds=1)) / timedelta(minutes=81))

        def ago(**span) -> datetime:
            return now - timedelta(**span) * squeeze

        with db.session() as session:
            for i in range(12):
                check_in(session, office, segment="retiree", service="change_address", now=ago(minutes=80, seconds=-i))
            clerk = sign_in(session, office, code="CLK1", pin="1357", station=get_station(session, office, "W1"),
                            now=ago(minutes=70), take_over=True)
            for served in range(6):
                at = ago(minutes=65 - 8 * served)
                visit = call_next(session, office, clerk, at)
                start_serving(session, visit, clerk, ago(minutes=64 - 8 * served))
                finish(session, visit, Finish(service="change_address", outcome="resolved"), clerk,
                       ago(minutes=57 - 8 * served))
            calling = call_next(session, office, clerk, ago(minutes=2))
            names = [name for (name,) in session.execute(sa.select(Staff.name))]
        return db, office, clerk, calling, names
    except BaseException:
        db.dispose()
        raise


def _serve(url: str):
    """`cxdesk board --serve --port 0`, as a person runs it; its address, read from what it says."""
    command = [str(Path(sys.executable).with_name("cxdesk")), "board", "--db", url, "--serve", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in server.stderr:
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            return server, match.group(1)
    server.wait(timeout=10)
    raise AssertionError(f"the server did not start (exit {server.returncode})")


async def test_the_lobby_page_in_headless_chromium(chromium, tmp_path):
    from cxdesk.domain.visits import call_next, no_show

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    now = datetime.now(timezone.utc)
    db, office, clerk, calling, staff_names = _demo_hour(url, now)
    server, address = _serve(url)
    try:
        async with Browser(chromium, tmp_path / "profile") as browser:
            await browser.open(address)
            text = await browser.evaluate("document.body.innerText")
            # A standard's wording and this week's result, in both languages.
            assert "We will call you to a window within 20 minutes of your arrival." in text
            assert re.search(r"(✔ Met|✖ Not met)\n(✔ Cumplido|✖ No cumplido)", text)
            # The called ticket and its window; the wait estimate.
            assert re.search(rf"{calling.ticket}\s*→\s*(to\s*)?Window 1 · Ventanilla 1", text)
            assert re.search(r"about \d+–\d+ minutes|less than \d+ minutes", text), text
            assert await browser.evaluate("document.documentElement.lang") == "en"
            assert await browser.evaluate("document.querySelectorAll('[lang=es]').length") > 10
            assert await browser.evaluate(
                "document.querySelector('[aria-live]').getAttribute('aria-live')") == "assertive"
            for name in staff_names:
                assert name not in text
            await browser.screenshot(Path(os.environ.get("CXDESK_LOBBY_SCREENSHOT", tmp_path / "lobby.png")))

            # A call made at the counter after the page loaded appears without a reload.
            await browser.evaluate("window.loadedOnce = true")
            await browser.wait_for("document.body.dataset.version !== undefined")
            with db.session() as session:
                no_show(session, session.merge(calling), datetime.now(timezone.utc))
                called_at = datetime.now(timezone.utc)
                following = call_next(session, office, clerk, called_at)
            started = time.monotonic()
            await browser.wait_for(
                f"document.querySelector('#calls li.newest').innerText.includes({following.ticket!r})")
            seen_after = time.monotonic() - started
            assert await browser.evaluate("window.loadedOnce === true")  # the same page, not reloaded
            spoken = " ".join(following.ticket)
            assert spoken in await browser.evaluate("document.getElementById('announce').textContent")
            print(f"\nlobby page: a call at the counter showed on the page {seen_after:.2f} s later")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        db.dispose()
