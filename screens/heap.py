"""Full garbage-collection passes when the clerk pauses, not in the middle of a key (issue 16).

CPython's full pass walks every object the process holds. At the counter that was
about 170,000 objects and 90 ms, and the app's churn (sessions, events, rendered
lines) set one off every second or two: a key that met one took 100-250 ms instead
of 15-40 (the p99 of "key to screen"). So, once the counter has shown:

- what is alive then (modules, the database layer, the screen) is frozen
  (``gc.freeze``): later passes walk only what came after;
- the automatic full pass is off; the young generations stay automatic (a few ms);
- ``tick`` (every second) runs the full pass once nothing was typed for ``QUIET_S``,
  at most every ``LEAST_S``, and at the latest ``MOST_S`` after the last one, typing
  or not, so garbage never piles up for long.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

QUIET_S = 1.0
LEAST_S = 5.0
MOST_S = 20.0
# A full pass after this many passes of the middle generation: never, in practice.
NEVER = 10**9


class QuietCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_input = self.last_pass = clock()
        self.started = False

    def start(self) -> None:
        """Freeze what is alive and take over the full passes. Again at a later sign-in,
        after a full pass: what the last counter left is garbage, not to be kept frozen."""
        if self.started:
            gc.collect()
        gc.freeze()
        if not self.started:
            young, middle, _full = gc.get_threshold()
            gc.set_threshold(young, middle, NEVER)
            self.started = True

    def input(self) -> None:
        """A key (or a click) came in."""
        self.last_input = self._clock()

    def tick(self) -> bool:
        """Run a full pass if it is time; True if it ran."""
        now = self._clock()
        since_pass = now - self.last_pass
        if since_pass < LEAST_S:
            return False
        if now - self.last_input < QUIET_S and since_pass < MOST_S:
            return False
        gc.collect()
        self.last_pass = self._clock()
        return True
