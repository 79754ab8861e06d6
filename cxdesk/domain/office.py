"""The office and its stations: created once at first run, edited by a supervisor."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from cxdesk.clock import office_zone
from cxdesk.domain.office_key import add_office_key
from cxdesk.domain.roles import acting_supervisor
from cxdesk.domain.staff import add_staff
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Office, Staff, Station
from cxdesk.text import clean_name
from cxdesk.vocab import SUPERVISOR, SURVEY_SETS

OFFICE_CODE = re.compile(r"[A-Z0-9]{2,8}")
STATION_CODE = re.compile(r"[A-Z0-9]{1,6}")


def get_office(session: Session) -> Office | None:
    """The office this database serves (None before first-run setup)."""
    return session.exec(select(Office).order_by(Office.created_at)).first()


def require_office(session: Session) -> Office:
    office = get_office(session)
    if office is None:
        raise CxdeskError("This database has no office yet: run the first-run setup (cxdesk).")
    return office


def clean_office_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not OFFICE_CODE.fullmatch(code):
        raise CxdeskError("Office code: 2 to 8 letters or digits, e.g. CHI01.")
    return code


def parse_station_names(text: str) -> list[str]:
    """"Window 1, Window 2" -> names; the setup screen takes one line."""
    names = [clean_name(part, "A station name", 60) for part in text.split(",") if part.strip()]
    if not names:
        raise CxdeskError("Give at least one station name, e.g. Window 1, Window 2.")
    if len({n.lower() for n in names}) != len(names):
        raise CxdeskError("Two stations have the same name.")
    return names


def setup_office(
    session: Session,
    *,
    code: str,
    name: str,
    timezone: str,
    station_names: Sequence[str],
    supervisor_code: str,
    supervisor_name: str,
    supervisor_pin: str,
    now: datetime,
) -> Office:
    """First run: the office, its stations and the first supervisor, in one commit."""
    if get_office(session) is not None:
        raise CxdeskError("This database already has an office.")
    office_zone(timezone)
    office = Office(
        code=clean_office_code(code),
        name=clean_name(name, "Office name", 120),
        timezone=timezone,
        created_at=now,
    )
    session.add(office)
    session.flush()
    if not station_names:
        raise CxdeskError("Give at least one station name.")
    for index, station_name in enumerate(station_names, start=1):
        session.add(Station(office_id=office.id, code=f"W{index}",
                            name=clean_name(station_name, "A station name", 60)))
    add_staff(session, office, None, code=supervisor_code, name=supervisor_name, role=SUPERVISOR,
              pin=supervisor_pin, now=now, commit=False)
    # The key that signs the office's bundles for headquarters (`cxdesk office key`).
    add_office_key(session, office, now)
    session.commit()
    return office


def update_office(session: Session, office: Office, by: Staff, *, name: str, timezone: str,
                  survey_set: str | None = None, survey_idle_seconds: str | int | None = None) -> Office:
    """Supervisor's office settings; everything is checked before anything changes."""
    acting_supervisor(session, by, "change the office settings")
    office_zone(timezone)
    name = clean_name(name, "Office name", 120)
    if survey_set is not None and survey_set not in SURVEY_SETS:
        raise CxdeskError(f"Survey question set must be one of {', '.join(SURVEY_SETS)}.")
    idle = office.survey_idle_seconds if survey_idle_seconds is None else _idle_seconds(survey_idle_seconds)
    office.name = name
    office.timezone = timezone
    office.survey_set = survey_set or office.survey_set
    office.survey_idle_seconds = idle
    session.add(office)
    from cxdesk.domain import audit

    audit.note(session, office.id, by, "office_settings", office.code,
               f"name, time zone {timezone}, survey {office.survey_set}, idle {idle} s")
    session.commit()
    return office


def _idle_seconds(value: str | int) -> int:
    """How long a survey left alone waits before it ends as skipped: 30 s to 10 min."""
    try:
        seconds = int(str(value).strip())
    except ValueError:
        raise CxdeskError("Survey idle time: a whole number of seconds, e.g. 120.") from None
    if not 30 <= seconds <= 600:
        raise CxdeskError("Survey idle time: between 30 and 600 seconds.")
    return seconds


def stations(session: Session, office: Office, include_inactive: bool = False) -> list[Station]:
    query = select(Station).where(Station.office_id == office.id)
    if not include_inactive:
        query = query.where(Station.active)
    return list(session.exec(query.order_by(Station.code)))


def station_codes(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The codes of the stations ``ids`` (the windows customers in a line wait for); no
    query when there are none, as on most counter reads (issue 16)."""
    if not ids:
        return {}
    return dict(session.exec(select(Station.id, Station.code).where(col(Station.id).in_(ids))).all())


def get_station(session: Session, office: Office, code: str) -> Station:
    code = (code or "").strip().upper()
    if not STATION_CODE.fullmatch(code):
        # Checked before the query: a broken character would not even reach the database.
        raise CxdeskError(f"No station {code[:12]!r} in this office.")
    station = session.exec(
        select(Station).where(Station.office_id == office.id, Station.code == code)
    ).first()
    if station is None or not station.active:
        raise CxdeskError(f"No station {code!r} in this office.")
    return station


def add_station(session: Session, office: Office, by: Staff, name: str, code: str | None = None) -> Station:
    acting_supervisor(session, by, "add a station")
    existing = stations(session, office, include_inactive=True)
    if code is None:
        numbers = [int(s.code[1:]) for s in existing if s.code[1:].isdigit()]
        code = f"W{max(numbers, default=0) + 1}"
    code = code.strip().upper()
    if not STATION_CODE.fullmatch(code):
        raise CxdeskError("Station code: 1 to 6 letters or digits.")
    if any(s.code == code for s in existing):
        raise CxdeskError(f"Station {code} already exists.")
    station = Station(office_id=office.id, code=code, name=clean_name(name, "Station name", 60))
    session.add(station)
    from cxdesk.domain import audit

    audit.note(session, office.id, by, "station", code, "added")
    session.commit()
    return station


def rename_station(session: Session, station: Station, by: Staff, name: str) -> Station:
    acting_supervisor(session, by, "rename a station")
    station.name = clean_name(name, "Station name", 60)
    session.add(station)
    from cxdesk.domain import audit

    audit.note(session, station.office_id, by, "station", station.code, "renamed")
    session.commit()
    return station


def staff_count(session: Session, office: Office) -> int:
    return len(session.exec(select(Staff.id).where(Staff.office_id == office.id)).all())
