"""The lobby board's web server (`cxdesk board --serve`): Starlette on uvicorn.

One task reads the lobby figures about once a second (the standards once a minute) and
every open page gets what changed through server-sent events (``/events``); a page
without scripts reloads itself. Read-only: it only ever runs SELECTs. It binds to
127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from cxdesk.clock import Clock, utcnow
from cxdesk.publish.lobby_page import announcement, calls_html, render_page, standards_html, wait_html

POLL_SECONDS = 1.0
STANDARDS_EVERY_SECONDS = 60.0
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Frame:
    """What the pages show, as HTML fragments; ``version`` counts the changes."""

    version: int
    time: str
    calls: str
    wait: str
    standards: str
    announce: str  # the newest new call, spoken; "" when nobody new was called

    def event(self, with_standards: bool) -> str:
        body = {"version": self.version, "time": self.time, "calls": self.calls, "wait": self.wait,
                "announce": self.announce}
        if with_standards:
            body["standards"] = self.standards
        return f"event: board\nid: {self.version}\ndata: {json.dumps(body)}\n\n"


class LobbyFeed:
    """Reads the figures and tells every waiting page when they change."""

    def __init__(self, db_url: str, *, clock: Clock = utcnow, poll_seconds: float = POLL_SECONDS,
                 standards_seconds: float = STANDARDS_EVERY_SECONDS) -> None:
        self.db_url = db_url
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.standards_seconds = standards_seconds
        self.db = None
        self.office = None
        self.figures = None
        self.frame: Frame | None = None
        self._calling: set[tuple[str, str]] | None = None
        self._standards_read: datetime | None = None
        self._standards = None
        self._changed = asyncio.Event()
        self.error: str = ""

    # --- on the database (a worker thread) -----------------------------------------

    def open(self) -> None:
        from cxdesk.reports.lobby import lobby_office
        from cxdesk.store.db import open_database

        self.db = open_database(self.db_url)
        with self.db.session() as session:
            self.office = lobby_office(session)

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()

    def read(self):
        """The figures now (the standards kept for a minute)."""
        from cxdesk.reports.lobby import LobbyFigures, now_calling, posted_standards, wait_estimates
        from cxdesk.domain.complaints.settings import load_settings

        office, now = self.office, self.clock()
        with self.db.session() as session:
            if self._standards is None or (now - self._standards_read).total_seconds() >= self.standards_seconds:
                self._standards = (tuple(posted_standards(session, office, office.local_day(now))),
                                   load_settings().acknowledge)
                self._standards_read = now
            standards, days = self._standards
            return LobbyFigures(office.name, now, f"{now.astimezone(office.zone):%H:%M}",
                                tuple(now_calling(session, office, now)), tuple(wait_estimates(session, office, now)),
                                standards, days)

    # --- in the event loop -----------------------------------------------------------

    def take(self, figures) -> None:
        """Turn new figures into a frame; wake the pages if anything they show changed."""
        self.figures = figures
        calling = {(c.ticket, c.window_code) for c in figures.calls if c.calling}
        new = [c for c in figures.calls if c.calling and self._calling is not None
               and (c.ticket, c.window_code) not in self._calling]
        self._calling = calling
        parts = (figures.local_time, calls_html(figures.calls), wait_html(figures.waits),
                 standards_html(figures.standards, figures.complain_days))
        previous = self.frame
        if previous is not None and not new and parts == (previous.time, previous.calls, previous.wait,
                                                          previous.standards):
            return
        self.frame = Frame((previous.version + 1) if previous else 1, *parts,
                           announcement(new[0]) if new else "")
        self._changed.set()
        self._changed = asyncio.Event()

    async def run(self) -> None:
        while True:
            try:
                self.take(await run_in_threadpool(self.read))
                self.error = ""
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a failed read never stops the next
                from cxdesk.logs import log_unexpected

                log_unexpected(exc, "read the lobby figures")
                self.error = f"{type(exc).__name__}"
            await asyncio.sleep(self.poll_seconds)

    async def frames(self) -> AsyncIterator[Frame | None]:
        """The current frame, then each new one (None: nothing new for a while, keep alive)."""
        if self.frame is not None:
            yield self.frame
        while True:
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                yield None
                continue
            yield self.frame


def create_app(db_url: str, *, clock: Clock = utcnow, poll_seconds: float = POLL_SECONDS,
               on_ready: Callable[[], None] | None = None) -> Starlette:
    """The web app; ``on_ready`` is called once the first figures are read."""
    feed = LobbyFeed(db_url, clock=clock, poll_seconds=poll_seconds)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await run_in_threadpool(feed.open)
        feed.take(await run_in_threadpool(feed.read))
        task = asyncio.create_task(feed.run())
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            task.cancel()
            await run_in_threadpool(feed.close)

    async def page(request: Request) -> Response:
        return HTMLResponse(render_page(feed.figures), headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        async def stream():
            standards = None
            yield "retry: 2000\n\n"
            async for frame in feed.frames():
                if frame is None:
                    yield ": still here\n\n"
                    continue
                yield frame.event(with_standards=frame.standards != standards)
                standards = frame.standards

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def health(request: Request) -> Response:
        return PlainTextResponse("reading fails: " + feed.error if feed.error else "ok",
                                 status_code=503 if feed.error else 200)

    app = Starlette(routes=[Route("/", page), Route("/events", events), Route("/health", health)],
                    lifespan=lifespan)
    app.state.feed = feed
    return app


def serve_board(db_url: str, *, host: str = "127.0.0.1", port: int = 8080,
                announce: Callable[[str], None] = print) -> None:
    """Serve until interrupted; says where (the real port when 0 was asked for)."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        from cxdesk.errors import CxdeskError

        sock.close()
        raise CxdeskError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    sock.listen(128)  # a browser that comes early waits in the queue
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host

    def ready() -> None:
        announce(f"Lobby board at http://{shown}:{bound}/ (Ctrl+C stops it)")

    config = uvicorn.Config(create_app(db_url, on_ready=ready), log_level="warning",
                            timeout_graceful_shutdown=2, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
