"""A counter that saves through the domain and says what was acknowledged, for the
reliability suite (issue 17) and the backup tests.

``start_writer(...)`` forks a child that opens the database itself and writes in a
loop; after each commit returns it writes one line to a pipe: ``visit <id>``,
``complaint <id>``, ``survey <invitation id>``, ``called <id>`` (a customer this
counter called), ``idle`` (nobody was waiting), ``error <message>`` (anything a
clerk would have seen as an error). What the pipe says was acknowledged is what
a screen would have shown as saved.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass, field

from tests.factories import CLERK

MIXED = "mixed"  # visits, complaints, survey answers from one counter
RACE = "race"  # check-ins and call-next on one line shared by every counter

WRITER_PIN = CLERK[2]


def clerk_code(number: int) -> str:
    return f"CLK{number}"


def prepare_office(database, stations: int) -> None:
    """The test office with stations W1..Wn and clerks CLK1..CLKn (PIN WRITER_PIN)."""
    from cxdesk.domain.office import add_station, get_station
    from cxdesk.domain.staff import add_staff
    from tests.factories import make_office, supervisor_of

    office = make_office(database)
    with database.session() as session:
        supervisor = supervisor_of(session, office)
        for number in range(2, stations + 1):
            try:
                get_station(session, office, f"W{number}")
            except Exception:  # noqa: BLE001 - not there yet
                add_station(session, office, supervisor, f"Window {number}", code=f"W{number}")
            add_staff(session, office, supervisor, code=clerk_code(number), name=f"Clerk {number}",
                      role="clerk", pin=WRITER_PIN, now=_now())


def _now():
    from cxdesk.clock import utcnow

    return utcnow()


def _work(url: str, station_number: int, mode: str, iterations: int, seed: int, out: int,
          start_fd: int | None) -> None:
    from cxdesk.domain import complaints as cx
    from cxdesk.domain import pins
    from cxdesk.domain.office import get_station, require_office
    from cxdesk.domain.staff import sign_in
    from cxdesk.domain.surveys import invitations
    from cxdesk.domain.visits import Finish, call_next, check_in, finish, quick_log, start_serving
    from cxdesk.errors import CxdeskError
    from cxdesk.store.db import open_database
    from cxdesk.vocab import HANDOVER
    from tests.factories import answer_all

    pins.CURRENT = pins.ScryptCost(n=2**10, r=8, p=1)
    rng = random.Random(seed)

    def say(line: str) -> None:
        os.write(out, (line + "\n").encode())

    database = open_database(url)
    with database.session() as session:
        office = require_office(session)
        station = get_station(session, office, f"W{station_number}")
        who = sign_in(session, office, code=clerk_code(station_number), pin=WRITER_PIN, station=station,
                      now=_now(), take_over=True)
    if start_fd is not None:
        os.read(start_fd, 1)  # every counter starts at once
    served = Finish(service="change_address", outcome="resolved")
    count = 0
    while iterations <= 0 or count < iterations:
        count += 1
        try:
            with database.session() as session:
                if mode == RACE:
                    visit = check_in(session, office, segment="retiree", service="change_address", now=_now())
                    say(f"visit {visit.id}")
                    try:
                        called = call_next(session, office, who, _now())
                    except CxdeskError as exc:
                        if "Nobody is waiting" not in str(exc):
                            raise
                        say("idle")
                        continue
                    say(f"called {called.id}")
                    start_serving(session, called, who, _now())
                    finish(session, called, served, who, _now())
                    continue
                roll = rng.random()
                if roll < 0.15:
                    intake = cx.ComplaintIntake(received_via="counter", category="wait_time",
                                                what_happened=f"Waited too long ({count}).")
                    complaint = cx.open_complaint(session, office, who.staff, intake, _now())
                    say(f"complaint {complaint.id}")
                else:
                    visit = quick_log(session, office, who, segment="retiree", details=served, now=_now())
                    say(f"visit {visit.id}")
                    if roll > 0.7:
                        run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=_now())
                        invitations.finish(session, run.invitation_id, answer_all(run, 4), language="en",
                                           ended_early=False, now=_now())
                        say(f"survey {run.invitation_id}")
        except CxdeskError as exc:
            say(f"error {exc}")
        except Exception as exc:  # noqa: BLE001 - what would reach a clerk as "something went wrong"
            from cxdesk.logs import is_disk_full

            first_line = str(exc).splitlines()[0] if str(exc) else ""
            refused = is_disk_full(exc) or "disk i/o error" in first_line.lower()
            say(f"{'full' if refused else 'error'} {type(exc).__name__}: {first_line}")
            if refused:
                break  # a disk that refuses writes: the counter stops, as a clerk would
    database.dispose()
    say("end")


@dataclass
class Writer:
    pid: int
    pipe: int
    text: str = ""
    status: int | None = None
    lines: list[str] = field(default_factory=list)

    def read_some(self) -> bool:
        """Read what is there (blocking for at least one chunk); False at end of pipe."""
        chunk = os.read(self.pipe, 65536)
        if not chunk:
            return False
        self.text += chunk.decode()
        *whole, self.text = self.text.split("\n")
        self.lines += whole
        return True

    def count(self, kind: str) -> int:
        return sum(1 for line in self.lines if line.startswith(kind + " "))

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def finish(self) -> None:
        while self.read_some():
            pass
        os.close(self.pipe)
        _, self.status = os.waitpid(self.pid, 0)

    @property
    def killed(self) -> bool:
        return self.status is not None and os.WIFSIGNALED(self.status)

    def acknowledged(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for line in self.lines:
            kind, _, rest = line.partition(" ")
            found.setdefault(kind, []).append(rest)
        return found


def start_writer(url: str, *, station: int = 1, mode: str = MIXED, iterations: int = 0, seed: int = 0,
                 start_fd: int | None = None, file_size_limit: int | None = None) -> Writer:
    """Fork a counter writing to ``url`` (0 iterations: until killed)."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reading)
        try:
            if file_size_limit is not None:
                import resource

                # A disk that fills: writes past the limit come back short, as on a full disk.
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
            _work(url, station, mode, iterations, seed, writing, start_fd)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(writing, f"\ncrash {type(exc).__name__}: {exc}\n".encode())
        finally:
            os._exit(0)
    os.close(writing)
    return Writer(pid=pid, pipe=reading)


def wait_for(writer: Writer, kind: str, count: int) -> None:
    """Read until the writer acknowledged ``count`` lines of ``kind`` (or ended)."""
    while writer.count(kind) < count and writer.read_some():
        if any(line.startswith(("crash", "end")) for line in writer.lines[-3:]):
            break


def pause(seconds: float) -> None:
    """The random moment a kill lands at (the point of the test, not a wait for a result)."""
    time.sleep(seconds)
