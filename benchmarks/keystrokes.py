"""Key to updated screen, in the real app in a pseudo-terminal (issue 16).

``cxdesk --db <bench db>`` runs in a pty, signed in as the demo clerk at Window 1
(``CXDESK_BENCH_SIGNIN``). The harness writes each key of a visit to the pty the
way a terminal does (``n``, a digit, ``\\r`` for Enter, ``\\x1b`` for Escape) and
reads what the app writes back. A key's figure is the time from writing it to
the moment the terminal output holds what that key should show: the ticket
called, the form opened, the pick ticked, the visit saved. The output is read as
text (escape sequences taken out), so nothing inside the app is trusted to say
when the screen changed.

Between the call and the finish the harness waits ``SERVICE_S`` (the service
itself); every other key follows the last one's screen after ``QUIET_S``.

The same session counts the keys of a common visit and checks that the keys
typed as one burst leave the same rows in the database as typed one by one.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

# CSI (with private and intermediate bytes), OSC/DCS/APC strings, two-byte escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P_^X].*?(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f]",
                      re.DOTALL)
ENTER, ESCAPE, QUIT = b"\r", b"\x1b", b"\x11"
# After a key's change is on screen: this long without output before the next key, so
# each key is measured alone (the slower follow-ups of a key, a re-read, land first).
QUIET_S = 0.06
KEY_TIMEOUT_S = 10.0
# Between the call and the finish a clerk serves the customer (minutes, at a real counter):
# this long here. The app runs its full garbage-collection pass in such a pause
# (screens/heap.py); a session typed without one would force it onto a key every 20 s.
SERVICE_S = 1.5


def screen_text(raw: str) -> str:
    """What a terminal would print of ``raw``, in order, without its escape sequences."""
    return _ESCAPES.sub("", raw)


@dataclass
class Key:
    """One key written to the terminal, what it should bring on screen, and how long that took."""

    action: str  # "call next", "finish", "check in"
    name: str
    data: bytes
    expect: str | re.Pattern
    ms: float | None = None
    found: str = ""


class PtyApp:
    """A program in a pseudo-terminal, whose output is read with the time each chunk arrived."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.primary, secondary = os.openpty()
        rows, columns = size
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(secondary)
        self._decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
        self.raw = ""  # output since the last mark()
        self.usage = None

    def mark(self) -> None:
        self.raw = ""

    def _read(self, timeout: float) -> int | None:
        """One chunk of output (appended to ``raw``); the time_ns it arrived, or None."""
        readable, _, _ = select.select([self.primary], [], [], max(timeout, 0))
        if not readable:
            return None
        try:
            data = os.read(self.primary, 65536)
        except OSError:
            return None
        stamp = time.perf_counter_ns()
        self.raw += self._decode(data)
        return stamp

    def wait_for(self, expect: str | re.Pattern, timeout: float = KEY_TIMEOUT_S) -> tuple[int, str] | None:
        """Read until the screen text since the last mark() holds ``expect``: (arrival time_ns of
        the chunk that completed it, the text found), or None at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stamp = self._read(deadline - time.monotonic())
            if stamp is None:
                if self.process.poll() is not None:
                    return None
                continue
            text = screen_text(self.raw)
            if isinstance(expect, str):
                if expect in text:
                    return stamp, expect
            else:
                found = expect.search(text)
                if found:
                    return stamp, found.group(0)
        return None

    def quiet(self, quiet_s: float = QUIET_S, longest_s: float = 1.0) -> None:
        """Read until the app has written nothing for ``quiet_s`` (at most ``longest_s``)."""
        deadline = time.monotonic() + longest_s
        while time.monotonic() < deadline:
            if self._read(quiet_s) is None:
                return

    def press(self, key: Key) -> bool:
        """Write one key; wait for what it should show. False if it never showed."""
        self.quiet()
        self.mark()
        sent = time.perf_counter_ns()
        os.write(self.primary, key.data)
        seen = self.wait_for(key.expect)
        if seen is None:
            return False
        key.ms = (seen[0] - sent) / 1e6
        key.found = seen[1]
        return True

    def burst(self, data: bytes, expect: str | re.Pattern) -> float | None:
        """Write several keys at once; ms until ``expect`` shows."""
        self.quiet()
        self.mark()
        sent = time.perf_counter_ns()
        os.write(self.primary, data)
        seen = self.wait_for(expect)
        return None if seen is None else (seen[0] - sent) / 1e6

    def close(self, timeout: float = 20.0):
        """Ctrl+Q (the shift is closed), then wait for the exit; returns the rusage (peak RSS)."""
        try:
            os.write(self.primary, QUIT)
        except OSError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.05)
            pid, _status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.usage = usage
                break
        else:
            os.killpg(self.process.pid, signal.SIGKILL)
            _pid, _status, self.usage = os.wait4(self.process.pid, 0)
        os.close(self.primary)
        return self.usage


@dataclass
class KeySession:
    """What one session in the pty measured."""

    keys: list[Key] = field(default_factory=list)
    visits_done: int = 0
    common_visit_keys: list[str] = field(default_factory=list)
    check_in_keys: list[str] = field(default_factory=list)
    burst_same: bool | None = None
    burst_note: str = ""
    failures: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    def samples_ns(self, action: str) -> list[int]:
        return [int(key.ms * 1e6) for key in self.keys if key.action == action and key.ms is not None]

    def per_key_medians(self, action: str) -> str:
        names: dict[str, list[float]] = {}
        for key in self.keys:
            if key.action == action and key.ms is not None:
                names.setdefault(key.name, []).append(key.ms)
        return ", ".join(f"{name} {statistics.median(values):.0f}" for name, values in names.items())


def _labels():
    from cxdesk.store.catalogs import office_catalog
    from cxdesk.vocab import LANGUAGE_CHOICES, VISIT_STATE_LABELS, VisitState

    def first(name: str) -> str:
        return next(iter(office_catalog(name))).label()

    return {"segment": first("segments"), "service": first("services"), "outcome": first("outcomes"),
            "language": LANGUAGE_CHOICES[0][1], "called": VISIT_STATE_LABELS[VisitState.CALLED],
            "done": VISIT_STATE_LABELS[VisitState.DONE]}


def _ticked(label: str) -> str:
    # NumberedChoice shows a pick as "✔ 1  Label" (screens/widgets/choices.py); long labels are cut.
    return f"✔ 1  {label[:12]}"


def check_in_keys(labels: dict, line_before: int) -> list[Key]:
    """i, segment 1, service 1, language 1 (English), Enter (no appointment: saves)."""
    return [
        Key("check in", "i", b"i", "Check in a customer"),
        Key("check in", "segment", b"1", _ticked(labels["segment"])),
        Key("check in", "service", b"1", _ticked(labels["service"])),
        Key("check in", "language", b"1", _ticked(labels["language"])),
        Key("check in", "Enter", ENTER, f"Waiting line ({line_before + 1})"),
    ]


def visit_keys(labels: dict) -> tuple[Key, callable]:
    """n first (its ticket is read off the screen), then the finish keys for that ticket."""
    call = Key("call next", "n", b"n", f"{labels['called']} since")

    def finish(ticket: str) -> list[Key]:
        return [
            Key("finish", "f", b"f", f"Finish {ticket}"),
            Key("finish", "service", b"1", _ticked(labels["service"])),
            Key("finish", "outcome", b"1", _ticked(labels["outcome"])),
            Key("finish", "Enter", ENTER, f"Other ways to be served — {ticket}"),
            # The counter's "last finished here" pane, re-read after the channel step. Wrapped:
            # "channel step" ends one line of the pane, "skipped" begins the next, and what
            # comes between depends on how much of the screen is painted (the pane alone, or
            # whole lines of the screen, the line's pane beside it).
            Key("finish", "Esc", ESCAPE, re.compile(r"channel step.*?skipped", re.DOTALL)),
        ]

    return call, finish


def _visit_rows(url: str, since):
    """What the database holds of the visits that arrived since ``since`` (slow and burst compared)."""
    import sqlalchemy as sa

    from cxdesk.store.db import open_database
    from cxdesk.store.models import Visit

    db = open_database(url)
    try:
        with db.session() as session:
            rows = session.execute(sa.select(Visit.state, Visit.segment, Visit.service_wanted, Visit.service,
                                             Visit.outcome, Visit.channel_step, Visit.language, Visit.appointment)
                                   .where(Visit.arrived_at >= since).order_by(Visit.arrived_at)).all()
    finally:
        db.dispose()
    return [tuple(row) for row in rows]


def run_session(command: list[str], env: dict[str, str], size: tuple[int, int], url: str, visits: int,
                ready_file: Path) -> KeySession:
    """Sign in, then ``visits`` times: check a customer in by keys, call, finish, skip the channels;
    then one visit typed as a burst, compared with the slow ones in the database."""
    from cxdesk.clock import utcnow

    result = KeySession()
    labels = _labels()
    started_at = utcnow()
    from cxdesk.store.db import open_database

    app = PtyApp(command, env, size)
    lookup = None
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not _ready(ready_file, "counter"):
            app._read(0.1)
        if not _ready(ready_file, "counter"):
            result.failures.append("the counter never became ready")
            return result
        lookup = open_database(url)  # for the tickets called, once the app is up
        app.quiet(0.5, 5.0)
        if "barrier" in screen_text(app.raw).lower():  # the barrier-survey prompt: put it off
            app.press(Key("setup", "Esc", ESCAPE, "Waiting line"))
        sizes = re.findall(r"Waiting line \((\d+)\)", screen_text(app.raw))
        line = int(sizes[-1]) if sizes else 0
        call, finish = visit_keys(labels)
        slow_rows_from = utcnow()
        for number in range(visits):
            keys = check_in_keys(labels, line)
            if not all(app.press(key) for key in keys):
                result.failures.append(f"visit {number + 1}: {keys[-1].name} of check in never showed")
                break
            result.keys += keys
            this_call = Key(call.action, call.name, call.data, call.expect)
            if not app.press(this_call):
                result.failures.append(f"visit {number + 1}: the call never showed")
                break
            result.keys.append(this_call)
            called_at = time.monotonic()
            ticket = _ticket_at_window(lookup, "W1")
            # The service itself, counted from the call: the app is left alone meanwhile.
            service_left = max(QUIET_S, SERVICE_S - (time.monotonic() - called_at))
            app.quiet(service_left, service_left + 1.0)
            done = finish(ticket)
            for key in done:
                if not app.press(key):
                    result.failures.append(f"visit {number + 1}: {key.name} of finish never showed ({key.expect})")
                    break
                result.keys.append(key)
            else:
                result.visits_done += 1
                if number == 0:
                    result.check_in_keys = [key.name for key in keys]
                    result.common_visit_keys = [this_call.name, *[key.name for key in done]]
                continue
            break
        if result.visits_done:
            # The six keys of a visit typed as one burst (call, finish, skip the channels),
            # then compared in the database with the first visit typed key by key.
            burst_from = utcnow()
            if not all(app.press(key) for key in check_in_keys(labels, line)):
                result.failures.append("the burst's check in never showed")
            burst = b"nf11" + ENTER + ESCAPE
            app.quiet()
            sent = time.perf_counter()
            os.write(app.primary, burst)
            fast: list = []
            while time.perf_counter() - sent < 30:
                app.quiet(0.1, 0.5)
                fast = _visit_rows(url, burst_from)
                if fast and fast[-1][0] == "done" and fast[-1][5]:
                    break
            waited = time.perf_counter() - sent
            slow = _visit_rows(url, slow_rows_from)
            result.burst_same = len(fast) == 1 and bool(slow) and slow[0] == fast[0]
            result.burst_note = (f"the burst ({len(burst)} bytes in one write) saved in {waited:.1f} s or less"
                                 if result.burst_same else f"slow {slow[:1]}, burst {fast}")
    finally:
        if result.failures:  # back out of whatever dialog the failure left open
            for _ in range(3):
                os.write(app.primary, ESCAPE)
                app.quiet(0.2, 1.0)
        if lookup is not None:
            lookup.dispose()
        usage = app.close()
        if usage is not None:
            from run import peak_rss_mb

            result.peak_rss_mb = peak_rss_mb(usage)
        _remove_rows_since(url, started_at)
    return result


def _ticket_at_window(db, window: str) -> str:
    """The ticket of the customer just called (asked after the figure's time was taken)."""
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.domain.visits import at_station, ticket

    with db.session() as session:
        office = require_office(session)
        visit = at_station(session, office, get_station(session, office, window))
        return ticket(visit) if visit is not None else "?"


def _ready(ready_file: Path, name: str) -> bool:
    if not ready_file.exists():
        return False
    return any(line.partition(" ")[0] == name for line in ready_file.read_text().splitlines())


def _remove_rows_since(url: str, since) -> None:
    """Leave the cached database as it was built: the visits, shifts and deferrals this session made."""
    import sqlalchemy as sa

    from cxdesk.store.db import open_database
    from cxdesk.store.models import Shift, Visit

    db = open_database(url)
    try:
        with db.session() as session:
            visit_ids = sa.select(Visit.id).where(Visit.arrived_at >= since)
            from cxdesk.store.models import VisitChannelOffer

            session.execute(sa.delete(VisitChannelOffer).where(VisitChannelOffer.visit_id.in_(visit_ids)))
            session.execute(sa.delete(Visit).where(Visit.arrived_at >= since))
            session.execute(sa.delete(Shift).where(Shift.started_at >= since))
            session.commit()
    finally:
        db.dispose()


def measure_keys(url: str, visits: int, command: list[str], child_env, size: tuple[int, int]):
    """The figures: key to screen for check in, call next and finish; keys per visit; the burst."""
    with tempfile.TemporaryDirectory() as folder:
        ready_file = Path(folder) / "ready"
        env = child_env(CXDESK_BENCH_READY=str(ready_file), CXDESK_BENCH_SIGNIN="CLK1:1357:W1")
        return run_session(command, env, size, url, visits, ready_file)
