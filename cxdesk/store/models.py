"""The tables of cxdesk, in one place.

Records that leave the office (visits, shifts, surveys, complaints) carry a UUID
made at the office so exports merge idempotently anywhere. Every timestamp is a
timezone-aware UTC instant (``UTCDateTime`` refuses naive ones); days are the
office-local calendar day, stored beside the instant for fast grouping.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from cxdesk.clock import local_day, office_zone

# Constraint names are stable across SQLite and PostgreSQL, so Alembic batch
# migrations can find them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Table(SQLModel):
    """What every table model stands on. Pydantic builds a model's validator only when one
    is first needed (``defer_build``): table models are made from rows, not validated, so
    start-up no longer builds 33 validators nobody calls (~70 ms of CPU)."""

    model_config = {"defer_build": True}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC instant; naive datetimes are a bug and are refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: cxdesk stores UTC instants only")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            # SQLite has no timezone type: store UTC without an offset so that
            # text order is time order and julianday() works in reports.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _utc_field(nullable: bool = False, index: bool = False):
    return Field(
        default=None if nullable else ...,
        sa_column_kwargs={},
        sa_type=UTCDateTime,
        nullable=nullable,
        index=index,
    )


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def bound(name: str, column) -> sa.BindParameter:
    """A bind parameter called ``name``, converted as ``column`` (a model's attribute) is: for
    a statement built once and run with its values (issue 16: the counter's reads)."""
    return sa.bindparam(name, type_=column.type)


# --- office, stations, staff -------------------------------------------------


class Office(Table, table=True):
    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=64)
    # Which OMB A-11 Section 280 question set the office hands out.
    survey_set: str = Field(default="a11_v2_radio", max_length=32)
    survey_idle_seconds: int = Field(default=120)
    created_at: datetime = _utc_field()

    @property
    def zone(self) -> ZoneInfo:
        return office_zone(self.timezone)

    def local_day(self, at: datetime) -> date:
        """The office-local calendar day of a UTC instant: what "today" means here."""
        return local_day(at, self.zone)


class Station(Table, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "code", name="uq_station_office_code"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    code: str = Field(max_length=12)
    name: str = Field(max_length=60)
    active: bool = Field(default=True)


class Staff(Table, table=True):
    __table_args__ = (sa.UniqueConstraint("office_id", "code", name="uq_staff_office_code"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    code: str = Field(max_length=16)
    name: str = Field(max_length=80)
    role: str = Field(max_length=16)  # "clerk" | "supervisor"
    pin_hash: str = Field(max_length=200)
    # Set by a supervisor's reset: the staff member chooses a new PIN at sign-in.
    must_change_pin: bool = Field(default=False)
    active: bool = Field(default=True)
    # Unused since 0004_signin (wrong PINs are counted per code and station in
    # SignInDelay); kept so older databases need no table rebuild.
    failed_pins: int = Field(default=0)
    locked_until: Optional[datetime] = _utc_field(nullable=True)
    created_at: datetime = _utc_field()


class Shift(Table, table=True):
    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    staff_id: uuid.UUID = Field(foreign_key="staff.id", index=True)
    station_id: uuid.UUID = Field(foreign_key="station.id")
    started_at: datetime = _utc_field()
    ended_at: Optional[datetime] = _utc_field(nullable=True)


# --- the waiting line and visits ----------------------------------------------


class Visit(Table, table=True):
    """One customer's visit: checked in (or logged at once), served, finished.

    States: waiting → called → serving → done, with on_hold (back in line after
    a hold), no_show and left (left before service).
    """

    __table_args__ = (
        sa.UniqueConstraint("office_id", "day", "seq", name="uq_visit_office_day_seq"),
        sa.Index("ix_visit_office_day_state", "office_id", "day", "state"),
        sa.Index("ix_visit_office_finished", "office_id", "finished_at"),
        # "Who is at this counter" and "last finished here": every counter refresh.
        sa.Index("ix_visit_station_state_day", "station_id", "state", "day"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    day: date  # office-local day of arrival
    seq: int  # ticket number within the day
    segment: str = Field(max_length=40)
    service_wanted: str = Field(max_length=40)
    appointment: bool = Field(default=False)
    appointment_at: Optional[datetime] = _utc_field(nullable=True)
    language: str = Field(default="en", max_length=8)
    state: str = Field(max_length=16)
    station_id: Optional[uuid.UUID] = Field(default=None, foreign_key="station.id")
    staff_id: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")
    shift_id: Optional[uuid.UUID] = Field(default=None, foreign_key="shift.id")
    arrived_at: datetime = _utc_field()
    called_at: Optional[datetime] = _utc_field(nullable=True)
    serving_at: Optional[datetime] = _utc_field(nullable=True)
    finished_at: Optional[datetime] = _utc_field(nullable=True)
    # Kept at finish so summaries are plain SQL aggregates.
    wait_seconds: Optional[int] = None
    service_seconds: Optional[int] = None
    hold_count: int = Field(default=0)
    transferred_from: Optional[uuid.UUID] = Field(default=None, foreign_key="station.id")
    service: Optional[str] = Field(default=None, max_length=40)
    outcome: Optional[str] = Field(default=None, max_length=40)
    referral: Optional[str] = Field(default=None, max_length=40)
    not_served_reason: Optional[str] = Field(default=None, max_length=40)
    note: Optional[str] = Field(default=None, max_length=500)
    # EO 12862 1(f): which other channel the customer prefers next time;
    # channel_step is "done" or "skipped" once the clerk has passed it.
    preferred_channel: Optional[str] = Field(default=None, max_length=40)
    channel_step: Optional[str] = Field(default=None, max_length=8)
    # For a visit that left before service: "waiting" or "on_hold", the state it left
    # from (people who give up in the line and people who never came back with a document).
    left_stage: Optional[str] = Field(default=None, max_length=16)
    # at the end of the visit the counter records whether the survey was offered
    # ("offered", "declined", "not_offered") and, if not, why (vocab.NOT_OFFERED_REASONS).
    survey_offer: Optional[str] = Field(default=None, max_length=12)
    survey_not_offered_reason: Optional[str] = Field(default=None, max_length=16)

    @property
    def ticket(self) -> str:
        return ticket_number(self.appointment, self.seq)


def ticket_number(appointment: bool, seq: int) -> str:
    """What the customer hears called: P for appointments, A for walk-ins (A033)."""
    return f"{'P' if appointment else 'A'}{seq:03d}"


class VisitChannelOffer(Table, table=True):
    """A delivery channel the clerk offered at the end of a visit."""

    visit_id: uuid.UUID = Field(foreign_key="visit.id", primary_key=True)
    channel: str = Field(max_length=40, primary_key=True)


# --- customer surveys (A-11 Section 280) --------------------------------------


class SurveyInvitation(Table, table=True):
    """One offer of the survey after a visit: handed over, or sent to a kiosk.

    Status: pending (kiosk, not yet on screen) → shown → completed | partial |
    skipped; a kiosk invitation nobody picked up becomes expired. The count of
    invitations is the A-11 "offered the survey" volume.
    """

    __table_args__ = (
        sa.Index("ix_surveyinvitation_station_status", "station_id", "status"),
        sa.Index("ix_surveyinvitation_office_offered", "office_id", "offered_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    survey_set: str = Field(max_length=32)
    mode: str = Field(max_length=12)  # "handover" | "kiosk"
    language: str = Field(max_length=8)
    # Where a kiosk survey is to appear; None for a handover.
    station_id: Optional[uuid.UUID] = Field(default=None, foreign_key="station.id")
    status: str = Field(max_length=12)
    offered_at: datetime = _utc_field()
    shown_at: Optional[datetime] = _utc_field(nullable=True)
    closed_at: Optional[datetime] = _utc_field(nullable=True)


class SurveyResponse(Table, table=True):
    """What one customer answered. Deliberately no staff column: answers are anonymous
    to the clerk; the visit link lets results be cut by service and segment."""

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    invitation_id: uuid.UUID = Field(foreign_key="surveyinvitation.id", unique=True)
    visit_id: uuid.UUID = Field(foreign_key="visit.id", index=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    survey_set: str = Field(max_length=32)
    language: str = Field(max_length=8)
    completed: bool  # False: partly answered (the customer ended early)
    comment: Optional[str] = Field(default=None, max_length=1000)
    answered_at: datetime = _utc_field()


class SurveyAnswer(Table, table=True):
    """One answer: a 1-5 score (choice ""), a driver toggle (choice = driver,
    score 1 picked / 0 offered and not picked), a picked option (score None),
    or typed words (text)."""

    response_id: uuid.UUID = Field(foreign_key="surveyresponse.id", primary_key=True)
    question: str = Field(max_length=32, primary_key=True)
    choice: str = Field(default="", max_length=40, primary_key=True)
    score: Optional[int] = None
    text: Optional[str] = Field(default=None, max_length=1000)


# --- complaints ---------------------------------------------------------------


class Complaint(Table, table=True):
    """A customer complaint (EO 12862 1(h)), tracked from intake to closure.

    States: received → acknowledged → in_progress (track frontline or
    investigation) → resolved → closed; escalated at any point; reopened.
    Deadlines are office-local days; ``next_due`` is the one that matters now,
    kept on every change so the queue is an indexed sort.
    """

    __table_args__ = (
        sa.UniqueConstraint("office_id", "day", "seq", name="uq_complaint_office_day_seq"),
        sa.Index("ix_complaint_office_state_due", "office_id", "state", "next_due"),
        sa.Index("ix_complaint_assigned_due", "assigned_to", "next_due"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    # Office code + local date + sequence, e.g. CHI01-20261124-007.
    reference: str = Field(max_length=40, unique=True)
    day: date  # office-local day of receipt
    seq: int
    received_at: datetime = _utc_field()
    received_via: str = Field(max_length=24)
    category: str = Field(max_length=40)
    urgency: str = Field(max_length=16)
    what_happened: str = Field(max_length=2000)
    wanted: str = Field(default="", max_length=1000)
    visit_id: Optional[uuid.UUID] = Field(default=None, foreign_key="visit.id")
    service: Optional[str] = Field(default=None, max_length=40)
    segment: Optional[str] = Field(default=None, max_length=40)
    state: str = Field(max_length=16)
    track: Optional[str] = Field(default=None, max_length=16)  # frontline | investigation
    opened_by: uuid.UUID = Field(foreign_key="staff.id")
    assigned_to: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")
    acknowledge_due: date
    resolution_due: date
    next_due: Optional[date] = Field(default=None)
    acknowledged_at: Optional[datetime] = _utc_field(nullable=True)
    resolved_at: Optional[datetime] = _utc_field(nullable=True)
    closed_at: Optional[datetime] = _utc_field(nullable=True)
    extensions: int = Field(default=0)
    resolution: Optional[str] = Field(default=None, max_length=2000)
    customer_accepted: Optional[bool] = None
    has_contact: bool = Field(default=False)


class ComplaintContact(Table, table=True):
    """How to reach the complainant: kept only with their recorded consent.

    A table of its own so that who may see it is one join away, and so it can
    be erased without touching the complaint or its trail.
    """

    complaint_id: uuid.UUID = Field(foreign_key="complaint.id", primary_key=True)
    name: str = Field(default="", max_length=80)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=120)
    language: str = Field(default="en", max_length=8)
    consent_at: datetime = _utc_field()
    consent_by: uuid.UUID = Field(foreign_key="staff.id")

    def __repr__(self) -> str:
        # Contact details never reach a log or a traceback through repr().
        return f"ComplaintContact(complaint_id={self.complaint_id}, <withheld>)"

    __str__ = __repr__


class ComplaintEvent(Table, table=True):
    """One line of a complaint's audit trail. Append-only: a database trigger
    refuses UPDATE and DELETE (see migration 0003_complaints)."""

    __table_args__ = (
        sa.UniqueConstraint("complaint_id", "seq", name="uq_complaint_event_complaint_seq"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    complaint_id: uuid.UUID = Field(foreign_key="complaint.id")
    seq: int
    at: datetime = _utc_field()
    staff_id: uuid.UUID = Field(foreign_key="staff.id")
    kind: str = Field(max_length=16)  # opened | state | assign | note | extend | resolution | contact
    from_value: Optional[str] = Field(default=None, max_length=60)
    to_value: Optional[str] = Field(default=None, max_length=60)
    note: str = Field(default="", max_length=2000)


# --- barrier survey -------------------------------------------------------------
# EO 12862 1(e): front-line staff say what stops them, anonymously. The answer
# tables name no staff member, station or shift and hold no time at all (the
# period is the finest grain); their keys are random UUIDs and on SQLite they
# are WITHOUT ROWID tables, so no hidden row number keeps the order people
# answered in. The token and deferral tables say who answered or deferred, but
# share no id and no time with the answers, so they cannot be joined to them.


class BarrierSurveySettings(Table, table=True):
    """The office's barrier survey: its period (None until a supervisor starts it)
    and how many times a staff member may put off the sign-in prompt in a period."""

    office_id: uuid.UUID = Field(foreign_key="office.id", primary_key=True)
    period: Optional[str] = Field(default=None, max_length=8)  # "month" | "quarter" | None (off)
    deferrals: int = Field(default=2)
    changed_at: datetime = _utc_field()
    changed_by: uuid.UUID = Field(foreign_key="staff.id")


class BarrierKey(Table, table=True):
    """The secret of the one-way answered-tokens, made at first use. It never leaves
    the office database: exports and syncs must leave this table out."""

    office_id: uuid.UUID = Field(foreign_key="office.id", primary_key=True)
    secret: str = Field(max_length=128)

    def __repr__(self) -> str:
        return f"BarrierKey(office_id={self.office_id}, <withheld>)"

    __str__ = __repr__


class BarrierToken(Table, table=True):
    """"Someone with this keyed hash of (staff, period) has answered": refuses a second
    answer without saying which answer was theirs."""

    __table_args__ = {"sqlite_with_rowid": False}

    token: str = Field(max_length=64, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    period: str = Field(max_length=10)


class BarrierDeferral(Table, table=True):
    """How many times a staff member put off the prompt in a period (a count, no times)."""

    __table_args__ = {"sqlite_with_rowid": False}

    staff_id: uuid.UUID = Field(foreign_key="staff.id", primary_key=True)
    period: str = Field(max_length=10, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    count: int = Field(default=0)


class BarrierAnswer(Table, table=True):
    """One staff member's answer for a period: office, period, role (only where every
    role has at least 3 active staff) and the idea. Nothing else, by design."""

    __table_args__ = (
        sa.Index("ix_barrieranswer_office_period", "office_id", "period"),
        {"sqlite_with_rowid": False},
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    period: str = Field(max_length=10)  # "2026-11" or "FY2027Q1"
    role: Optional[str] = Field(default=None, max_length=16)
    idea: Optional[str] = Field(default=None, max_length=1000)


class BarrierItemAnswer(Table, table=True):
    """One agree-scale item: 1 strongly disagree .. 5 strongly agree, 0 don't know.
    A skipped item has no row."""

    __table_args__ = {"sqlite_with_rowid": False}

    answer_id: uuid.UUID = Field(foreign_key="barrieranswer.id", primary_key=True)
    item: str = Field(max_length=32, primary_key=True)
    score: int


class BarrierPick(Table, table=True):
    """A barrier category picked (up to three per answer)."""

    __table_args__ = {"sqlite_with_rowid": False}

    answer_id: uuid.UUID = Field(foreign_key="barrieranswer.id", primary_key=True)
    category: str = Field(max_length=32, primary_key=True)


# --- sign-in delays -------------------------------------------------------------


class SignInDelay(Table, table=True):
    """Wrong PINs in a row for one staff code at one place (a station code, or ""
    for the command line and a kiosk's staff key), and until when the next try
    must wait. Keyed by the code as typed, so an unknown code is slowed exactly
    like a known one. Never leaves the office."""

    office_id: uuid.UUID = Field(foreign_key="office.id", primary_key=True)
    staff_code: str = Field(max_length=16, primary_key=True)
    place: str = Field(default="", max_length=12, primary_key=True)
    failures: int = Field(default=0)
    last_failure_at: datetime = _utc_field()
    wait_until: Optional[datetime] = _utc_field(nullable=True)


# --- service standards, benchmarks, sign-offs ------------------------------------


class ServiceStandard(Table, table=True):
    """A posted service standard (EO 12862 1(c)): what is measured. What it
    promises (threshold, target, wording) lives in its versions, so a past
    period is measured against the version in force then."""

    __table_args__ = (sa.UniqueConstraint("office_id", "code", name="uq_servicestandard_office_code"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    code: str = Field(max_length=40)
    measure: str = Field(max_length=24)
    position: int = Field(default=0)
    created_at: datetime = _utc_field()


class StandardVersion(Table, table=True):
    """One version of a standard, in force from ``effective_from`` (office-local day)
    until the next version; a ``retired`` version ends the standard. Never edited:
    a change is a new version."""

    __table_args__ = (
        sa.Index("ix_standardversion_standard_effective", "standard_id", "effective_from"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    standard_id: uuid.UUID = Field(foreign_key="servicestandard.id")
    effective_from: date
    retired: bool = Field(default=False)
    threshold: Optional[int] = None  # minutes, or working days for complaint measures
    service: Optional[str] = Field(default=None, max_length=40)
    question: Optional[str] = Field(default=None, max_length=32)  # survey question code
    scale: Optional[str] = Field(default=None, max_length=8)  # "agree" | "points"
    target: float = Field(default=0.0)  # percent, or points on the 1-5 scale
    wording_en: str = Field(default="", max_length=300)
    wording_es: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=500)
    created_at: datetime = _utc_field()
    created_by: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")


class Benchmark(Table, table=True):
    """What the best do on a standard's measure (EO 12862 1(d)), in the same unit
    as the standard's result, with where the figure comes from."""

    __table_args__ = (sa.Index("ix_benchmark_standard_as_of", "standard_id", "as_of"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    standard_id: uuid.UUID = Field(foreign_key="servicestandard.id")
    value: float
    source: str = Field(max_length=200)
    as_of: date
    note: str = Field(default="", max_length=500)
    retired_at: Optional[datetime] = _utc_field(nullable=True)
    created_at: datetime = _utc_field()
    created_by: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")


class SignOff(Table, table=True):
    """A supervisor's sign-off of a shift or a day, with the period's figures as
    they stood: a later change to the period's visits or complaints shows as
    reopened, with what changed."""

    __table_args__ = (sa.Index("ix_signoff_office_day", "office_id", "day"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    kind: str = Field(max_length=8)  # "shift" | "day"
    day: date
    shift_id: Optional[uuid.UUID] = Field(default=None, foreign_key="shift.id")
    note: str = Field(default="", max_length=1000)
    signed_by: uuid.UUID = Field(foreign_key="staff.id")
    signed_at: datetime = _utc_field()
    fingerprint: str = Field(max_length=64)
    figures: dict = Field(default_factory=dict, sa_type=sa.JSON)


# A shift's summary and sign-off read its visits by shift.
sa.Index("ix_visit_shift", Visit.__table__.c.shift_id)
# The supervisor summary reads a period's visits many times over (volumes, percentiles,
# standards, breakdowns) and joins its survey rows: covering indexes let SQLite answer
# from the index alone instead of visiting each row (a quarter is ~9,000 visits in a
# million; its survey answers are scattered by their UUID keys).
sa.Index("ix_visit_office_day_summary", *(Visit.__table__.c[name] for name in (
    "office_id", "day", "state", "wait_seconds", "service_seconds", "service", "outcome", "staff_id",
    "station_id", "id")))
sa.Index("ix_surveyinvitation_visit_status", SurveyInvitation.__table__.c.visit_id,
         SurveyInvitation.__table__.c.status, SurveyInvitation.__table__.c.id)
sa.Index("ix_surveyresponse_visit_response", SurveyResponse.__table__.c.visit_id, SurveyResponse.__table__.c.id)
sa.Index("ix_surveyanswer_response_score", *(SurveyAnswer.__table__.c[name] for name in (
    "response_id", "question", "choice", "score")))
# --- counter: survey kiosks -----------------------------------------------------


class KioskHeartbeat(Table, table=True):
    """When a station's survey kiosk last looked for a survey (it looks about once a
    second). A clerk sending a survey to the kiosk is told when none is listening."""

    station_id: uuid.UUID = Field(foreign_key="station.id", primary_key=True)
    seen_at: datetime = _utc_field()


# --- exchange with headquarters -----------------------------------------------
#
# Change tracking without touching the domain: every table that travels to
# headquarters gets a ``version`` column stamped by database triggers
# (cxdesk.store.tracking) on every INSERT and UPDATE from one office-wide,
# ever-increasing counter. An export takes the rows whose version is above the
# last export's; headquarters keeps the row with the higher version, never the
# one that arrived last. The column is added to the tables by change_tracked(),
# not declared in their classes, so the ORM never reads or writes it: only the
# triggers and the exchange code do.

VERSION_COLUMN = "version"
# Filled by change_tracked(): the tables whose rows travel to headquarters.
CHANGE_TRACKED_TABLES: list[str] = []


def change_tracked(model):
    """Give a table model its ``version`` column (and index). A later feature's
    table that travels to headquarters is declared with ``@change_tracked``
    above its class; its migration adds the column and calls tracking.track."""
    table = model.__table__
    if VERSION_COLUMN not in table.c:
        # Nullable in the schema only because SQLite's AFTER INSERT trigger
        # stamps it a moment after the row is written; no row keeps a NULL.
        table.append_column(sa.Column(VERSION_COLUMN, sa.BigInteger(), nullable=True))
        table.append_constraint(sa.Index(f"ix_{table.name}_version", VERSION_COLUMN))
        CHANGE_TRACKED_TABLES.append(table.name)
    return model


for _model in (Office, Station, Staff, Shift, Visit, VisitChannelOffer, SurveyInvitation, SurveyResponse,
               SurveyAnswer, Complaint, ComplaintContact, ComplaintEvent):
    change_tracked(_model)
# Migration 0013_exchange_more: standards, benchmarks and sign-offs travel too. The
# barrier survey's answers travel without a version (exchange/tables.py says why).
for _model in (ServiceStandard, StandardVersion, Benchmark, SignOff):
    change_tracked(_model)


class ExchangeClock(Table, table=True):
    """SQLite's office-wide change counter: one row, bumped by the triggers.
    (PostgreSQL counts with the sequence ``exchange_version`` instead, so two
    counters saving at once never wait on one row; this row stays there unused.)"""

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class OfficeKey(Table, table=True):
    """The office's Ed25519 signing key for export bundles.

    Kept in the office database, not in a machine's data folder: every counter
    and the export command of an office share one database (SQLite or
    PostgreSQL) but not one folder, and a restored backup brings its key back.
    Whoever can read this table can read every record it signs. Never exported.
    """

    office_id: uuid.UUID = Field(foreign_key="office.id", primary_key=True)
    public_key: str = Field(max_length=64)  # raw 32 bytes, base64
    private_key: str = Field(max_length=64)  # raw 32-byte seed, base64
    created_at: datetime = _utc_field()


class ExportLedger(Table, table=True):
    """One line per export or sync: which changes it carried, when, and for whom.

    The next incremental export starts after the highest ``through_version`` of
    the exports that ``advances`` (incremental, full, sync); a period export
    carries a range of days instead and leaves that mark alone.
    """

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id", index=True)
    created_at: datetime = _utc_field()
    kind: str = Field(max_length=12)  # changes | all | period | sync
    after_version: int = Field(default=0, sa_type=sa.BigInteger)
    through_version: int = Field(default=0, sa_type=sa.BigInteger)
    advances: bool = Field(default=True)
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    rows: int = Field(default=0)
    include_pii: bool = Field(default=False)
    by_staff_id: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")
    destination: str = Field(default="", max_length=500)


class HqOffice(Table, table=True):
    """Headquarters' register of field offices and the key each signs with."""

    code: str = Field(max_length=12, primary_key=True)
    name: str = Field(max_length=120)
    public_key: str = Field(max_length=64)
    # Bound by the first bundle ingested: a later bundle from another office
    # database under the same code is refused.
    office_id: Optional[uuid.UUID] = None
    registered_at: datetime = _utc_field()


class HqBundle(Table, table=True):
    """A bundle headquarters has ingested (refused ones leave no trace here)."""

    id: uuid.UUID = Field(primary_key=True)  # the bundle id from its manifest
    office_code: str = Field(max_length=12, index=True)
    kind: str = Field(max_length=12)
    after_version: int = Field(default=0, sa_type=sa.BigInteger)
    through_version: int = Field(default=0, sa_type=sa.BigInteger)
    created_at: datetime = _utc_field()
    ingested_at: datetime = _utc_field()
    rows: int = Field(default=0)
    signed: bool = Field(default=True)
    sha256: str = Field(max_length=64)  # of manifest.json


# --- the lobby board ----------------------------------------------------------------


class WaitEstimate(Table, table=True):
    """An estimated wait the lobby board showed (issue 12): kept so the office can see how
    often the actual waits fell inside the ranges it gave. One row each time the range
    shown for a line changed, and at least every few minutes while it stayed. Nothing
    about a person."""

    __table_args__ = (sa.Index("ix_waitestimate_office_day_given", "office_id", "day", "given_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    day: date  # office-local
    given_at: datetime = _utc_field()
    line: str = Field(max_length=24)
    waiting: int
    windows_open: int
    low_minutes: Optional[int] = None  # None: the board showed "—"
    high_minutes: Optional[int] = None
# --- record keeping and the supervisors' audit (issue 17) -------------------------


class RecordKeeping(Table, table=True):
    """How long the office keeps personal data, and how it keeps backups: a
    supervisor's settings (no row: personal data kept until purged by hand)."""

    office_id: uuid.UUID = Field(foreign_key="office.id", primary_key=True)
    # Days after a complaint is closed (a visit finished, a survey answered) that
    # contact details and typed text are kept; None: no retention set.
    pii_retention_days: Optional[int] = None
    backups_kept: int = Field(default=7)
    backup_at_day_end: bool = Field(default=False)
    changed_at: datetime = _utc_field()
    changed_by: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")


class SupervisorAction(Table, table=True):
    """One line of the supervisors' audit: staff added, PIN reset, settings and
    standards changed, personal data exported or purged, backups restored.
    Append-only: database triggers refuse UPDATE and DELETE (migration 0012_audit).
    Details never hold a PIN or a customer's personal data."""

    __table_args__ = (sa.Index("ix_supervisoraction_office_at", "office_id", "at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    office_id: uuid.UUID = Field(foreign_key="office.id")
    at: datetime = _utc_field()
    # None: done at the machine without signing in (the command line, e.g. a restore).
    staff_id: Optional[uuid.UUID] = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=32)
    subject: str = Field(default="", max_length=120)
    detail: str = Field(default="", max_length=500)
