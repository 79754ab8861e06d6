"""A simulated office day as database rows: shifts, visits and channel offers as plain
dicts, ready for the generator's chunked core inserts (and for the extenders to read).

What the simulation leaves open is drawn here from the day's own ``random.Random``:
each visitor's segment and language, the outcome the clerk records, the channels offered.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date, datetime

from cxdesk.demo.day import DutyRecord, Service, SimulatedDay, VisitRecord
from cxdesk.demo.hooks import DemoOffice
from cxdesk.store.catalogs import office_catalog as catalog
from cxdesk.store.models import Visit
from cxdesk.vocab import VisitState

SPANISH_SHARE = 0.15
CHANNEL_STEP_SHARE = 0.65  # clerks who pass through the channel step (EO 12862 1(f))
PREFERS_A_CHANNEL = 0.7  # of the customers offered channels, those who pick one

# Weights for catalog codes the demo knows; entries of an overridden catalog
# that it does not know get weight 1.
OUTCOME_WEIGHTS = {"resolved": 76, "follow_up": 10, "referred": 9, "not_served": 5}
REFERRAL_WEIGHTS = {"agency_website": 5, "other_field_office": 3, "state_medicaid": 3, "irs": 2,
                    "uscis": 2, "veterans_affairs": 2, "hearing_office": 2, "legal_aid": 1,
                    "state_unemployment": 1, "other": 1}
REASON_WEIGHTS = {"missing_documents": 8, "needs_specialist": 3, "system_outage": 1,
                  "outside_jurisdiction": 2, "language_unavailable": 1, "customer_left": 1,
                  "other": 1}
CHANNEL_WEIGHTS = {"online": 8, "phone": 5, "appointment": 4, "mobile_app": 3, "mail": 2,
                   "email": 2, "video": 1, "partner_office": 1, "kiosk": 1}


class Choice:
    """A weighted pick from a catalog, cumulative weights computed once."""

    def __init__(self, codes: Sequence[str], weights: Sequence[float]):
        self.codes = list(codes)
        self.cum: list[float] = []
        total = 0.0
        for weight in weights:
            total += weight
            self.cum.append(total)

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.codes, cum_weights=self.cum)[0]


def _known_weights(name: str, weights: dict[str, float]) -> Choice:
    codes = catalog(name).codes()
    return Choice(codes, [weights.get(code, 1) for code in codes])


class Catalogs:
    """The office's catalogs, read once per run, as weighted picks."""

    def __init__(self):
        services = catalog("services")
        self.services = tuple(Service(item.code, float(item.extra["minutes"]), float(item.extra["weight"]))
                              for item in services)
        segments = catalog("segments")
        self.segments = Choice(segments.codes(), [item.extra["weight"] for item in segments])
        self.outcomes = _known_weights("outcomes", OUTCOME_WEIGHTS)
        self.requires = {item.code: item.extra.get("requires") for item in catalog("outcomes")}
        self.referrals = _known_weights("referrals", REFERRAL_WEIGHTS)
        self.reasons = _known_weights("not_served_reasons", REASON_WEIGHTS)
        self.channels = _known_weights("channels", CHANNEL_WEIGHTS)


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# Every row carries every column, so one executemany covers a whole chunk.
_VISIT_TEMPLATE = {column.name: None for column in Visit.__table__.columns}


class _Shifts:
    """One Shift row per duty (a lunch break splits a day in two), and which shift a
    window's call at a given moment belongs to."""

    def __init__(self, office: DemoOffice, duties: Sequence[DutyRecord], rng: random.Random,
                 now: datetime, is_today: bool):
        self.rows: list[dict] = []
        self._by_seat: dict[tuple[str, str], list[tuple[datetime, uuid.UUID]]] = {}
        off_at: dict[str, datetime] = {}
        for record in duties:
            duty, shift_id = record.duty, new_uuid(rng)
            # After a customer kept the clerk past the end of the morning, the afternoon
            # starts when they were free again.
            started = max(duty.starts, off_at.get(duty.staff, duty.starts))
            ended = off_at[duty.staff] = record.off_at()
            self._by_seat.setdefault((duty.staff, duty.station), []).append((started, shift_id))
            if is_today and started > now:
                continue  # not signed in yet
            self.rows.append({"id": shift_id, "staff_id": office.staff_ids[duty.staff],
                              "station_id": office.station_ids[duty.station], "started_at": started,
                              "ended_at": None if is_today and ended > now else ended})
        for shifts in self._by_seat.values():
            shifts.sort()

    def at(self, staff: str, station: str, moment: datetime) -> uuid.UUID:
        """The shift of ``staff`` at ``station`` that had begun by ``moment``."""
        shifts = self._by_seat[(staff, station)]
        return next((shift for started, shift in reversed(shifts) if started <= moment), shifts[0][1])


def day_rows(simulated: SimulatedDay, *, office: DemoOffice, day: date, catalogs: Catalogs,
             rng: random.Random, now: datetime, is_today: bool) -> tuple[list[dict], list[dict], list[dict]]:
    """The day's visit, channel-offer and shift rows (in that order) for a simulated day.

    ``simulated`` is already cut at ``now`` for today (``simulate_day(..., until=now)``).
    """
    shifts = _Shifts(office, simulated.duties, rng, now, is_today)
    visits, offers = [], []
    for record in simulated.visits:
        row = _visit_row(record, office, day, catalogs, rng, shifts)
        visits.append(row)
        if row["state"] == VisitState.DONE:
            offers += _channels(row, catalogs, rng)
    return visits, offers, shifts.rows


def _visit_row(v: VisitRecord, office: DemoOffice, day: date, catalogs: Catalogs, rng: random.Random,
               shifts: _Shifts) -> dict:
    stations = office.station_ids
    row = _VISIT_TEMPLATE | {
        "id": new_uuid(rng), "office_id": office.office_id, "day": day, "seq": v.seq,
        "segment": catalogs.segments.pick(rng), "service_wanted": v.service_wanted,
        "appointment": v.appointment, "appointment_at": v.appointment_at,
        "language": "es" if rng.random() < SPANISH_SHARE else "en", "state": v.state,
        "arrived_at": v.arrived_at, "called_at": v.called_at, "serving_at": v.serving_at,
        "finished_at": v.finished_at, "wait_seconds": v.wait_seconds,
        "service_seconds": v.service_seconds, "hold_count": v.hold_count,
        "transferred_from": stations[v.transferred_from] if v.transferred_from else None,
        "left_stage": v.left_stage,
    }
    if v.station is not None:
        # The window that has the customer now (or had them last): its last call, or
        # for a quick log the moment it was logged.
        since = v.spells[-1].called_at if v.spells else v.arrived_at
        row.update(station_id=stations[v.station], staff_id=office.staff_ids[v.staff],
                   shift_id=shifts.at(v.staff, v.station, since))
    if v.state == VisitState.DONE:
        outcome = catalogs.outcomes.pick(rng)
        row["service"], row["outcome"] = v.service, outcome
        needs = catalogs.requires.get(outcome)
        if needs == "referral":
            row["referral"] = catalogs.referrals.pick(rng)
        elif needs == "reason":
            row["not_served_reason"] = catalogs.reasons.pick(rng)
    return row


def _channels(row: dict, catalogs: Catalogs, rng: random.Random) -> list[dict]:
    """EO 12862 1(f): most clerks offer other channels; some customers pick one."""
    if rng.random() >= CHANNEL_STEP_SHARE:
        row["channel_step"] = "skipped"
        return []
    row["channel_step"] = "done"
    offered = sorted({catalogs.channels.pick(rng) for _ in range(rng.randint(1, 3))})
    if rng.random() < PREFERS_A_CHANNEL:
        row["preferred_channel"] = rng.choice(offered)
    return [{"visit_id": row["id"], "channel": code} for code in offered]
