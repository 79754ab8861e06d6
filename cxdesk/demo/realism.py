"""How real the simulated office looks: the counter at a moment of the day (``as_of``),
and the figures to set beside the SSA Inspector General's (``realism_stats``).

Pure, like the simulation: the standard library and the day's records only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from cxdesk.demo.day import (
    CALLED,
    DONE,
    HANDED_OVER,
    LEFT,
    NO_SHOW,
    ON_HOLD,
    SERVING,
    WAITING,
    VisitRecord,
)


def as_of(visits: Sequence[VisitRecord], now: datetime) -> list[VisitRecord]:
    """The visits as the counter saw them at ``now``: those who had arrived, each in its state
    then (waiting, on_hold, called, serving or final) with no time after ``now`` (but a
    booked ``appointment_at``). A window's spells never overlap: one customer per window."""
    seen = []
    for v in visits:
        if v.arrived_at > now:
            continue
        if v.finished_at is not None and v.finished_at <= now:
            seen.append(v)
            continue
        spells = tuple(s for s in v.spells if s.called_at <= now)
        last = spells[-1] if spells else None
        current = last if last is not None and (last.until is None or last.until > now) else None
        before = spells[:-1] if current else spells
        so_far = dict(service=None, finished_at=None, service_seconds=None, left_stage=None,
                      hold_count=sum(s.ended == ON_HOLD for s in before),
                      transferred_from=next((s.station for s in before[::-1] if s.ended == HANDED_OVER), None))
        if not spells:
            seen.append(replace(v, **so_far, state=WAITING, called_at=None, serving_at=None,
                                wait_seconds=None, station=None, staff=None, spells=()))
            continue
        first_serving = v.serving_at if v.serving_at is not None and v.serving_at <= now else None
        if current is None:  # between two calls: fetching a document, or back in line
            seen.append(replace(v, **so_far, state=ON_HOLD, serving_at=first_serving,
                                station=None, staff=None, spells=before))
            continue
        serving = current.serving_at is not None and current.serving_at <= now
        cut = replace(current, until=None, ended=None, serving_at=current.serving_at if serving else None)
        seen.append(replace(v, **so_far, state=SERVING if serving else CALLED, serving_at=first_serving,
                            station=current.station, staff=current.staff, spells=before + (cut,)))
    return seen


# What the SSA Inspector General reported (A-04-17-50216, Dec 2016; OIG, March 2018), to
# print beside realism_stats and the demo database's figures (``cxdesk demo --stats``).
SSA_FIGURES = {
    "visits_per_day": "about 140 (40+ million visitors a year, ~1,220 field offices)",
    "mean_wait_minutes": "19 (FY2010) to 26 (FY2015); about 25 in FY2017",
    "p90_wait_minutes": "about 60 (implied: ~11% wait over an hour)",
    "over_hour_share": "about 11% (4.5 million visitors in FY2015)",
    "left_share": "not published (\"a few percent\" leave unserved)",
    "no_show_share": "not published",
}
# Typical minutes at the counter, by service, where the SSA figures name one.
SSA_SERVICE_MINUTES = {
    "change_address": "about 6",
    "replacement_card": "about 17 (a Social Security card)",
    "new_card": "about 17 (a Social Security card)",
    "retirement_claim": "91-130 (a benefit claim)",
    "disability_claim": "91-130 (a benefit claim)",
}


def realism_stats(visits: Sequence[VisitRecord], days: int | None = None) -> dict:
    """Figures to set beside SSA_FIGURES; ``days`` defaults to the number of first tickets.

    Waits count everyone called (quick logs with 0 and no-shows too), as the app's reports
    do; service minutes leave quick logs out (their service time is 0).
    """
    visits = list(visits)
    days = days or max(1, sum(v.seq == 1 for v in visits))
    waits = sorted(v.wait_seconds / 60 for v in visits if v.wait_seconds is not None)
    count = max(1, len(visits))
    by_service: dict[str, list[float]] = {}
    for v in visits:
        if v.state == DONE and not v.quick_log:
            by_service.setdefault(v.service, []).append(v.service_seconds / 60)
    return {
        "days": days,
        "visits_per_day": len(visits) / days,
        "mean_wait_minutes": sum(waits) / len(waits) if waits else None,
        "p90_wait_minutes": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
        "over_hour_share": sum(w > 60 for w in waits) / len(waits) if waits else None,
        "left_share": sum(v.state == LEFT for v in visits) / count,
        "no_show_share": sum(v.state == NO_SHOW for v in visits) / count,
        "service_minutes": {code: sum(m) / len(m) for code, m in sorted(by_service.items())},
    }
