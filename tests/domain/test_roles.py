"""Roles below the UI: every supervisor action refuses a clerk who calls it directly (a
script, the CLI, a screen that forgot to hide it) with a sentence, and writes nothing.
Clerks keep what they do on the counter and on their own complaints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from cxdesk.domain import complaints as cx
from cxdesk.domain.office import add_station, get_station, rename_station, update_office
from cxdesk.domain.staff import add_staff, get_staff, reset_pin, set_active
from cxdesk.errors import CxdeskError
from cxdesk.exchange import complaint_csv
from cxdesk.reports import complaint_queue as queue
from cxdesk.reports import survey_results
from cxdesk.store.models import Complaint, Staff
from tests.factories import LATER, TODAY, complaint_intake, complaint_with_contact, open_one_complaint


def everything(db_url: str) -> dict[str, list]:
    """Every row of every table, read on a connection of its own."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return {table.name: sorted(map(repr, conn.execute(sa.select(table))))
                    for table in SQLModel.metadata.sorted_tables}
    finally:
        engine.dispose()


def _others_complaint(db, office, other):
    """A complaint handled by another clerk (CLK2), acknowledged and in progress."""
    complaint = open_one_complaint(db, office, other)
    with db.session() as session:
        cx.acknowledge(session, complaint.id, other, LATER)
        return cx.start_work(session, complaint.id, other, cx.FRONTLINE, LATER)


def _add_staff(session, office, people):
    return add_staff(session, office, people.clerk, code="SUP9", name="Not Allowed", role="supervisor",
                     pin="86429753", now=LATER)


def _deactivate(session, office, people):
    return set_active(session, people.supervisor, False, by=people.clerk)


def _reset_pin(session, office, people):
    return reset_pin(session, people.supervisor, "8642", by=people.clerk)


def _update_office(session, office, people):
    return update_office(session, office, people.clerk, name="Renamed Office", timezone="America/New_York",
                         survey_set="likert", survey_idle_seconds=300)


def _add_station(session, office, people):
    return add_station(session, office, people.clerk, "Window 3")


def _rename_station(session, office, people):
    return rename_station(session, get_station(session, office, "W2"), people.clerk, "Back office")


def _read_survey_results(session, office, people):
    return survey_results.results(session, office, survey_results.ResultsFilter(TODAY - timedelta(days=30), TODAY),
                                  people.clerk)


def _export_contacts(session, office, people):
    rows = queue.list_complaints(session, office, TODAY)
    assert rows
    return complaint_csv.csv_records(session, office, rows, contact_viewer=people.clerk)


def _extend_anothers_deadline(session, office, people):
    return cx.extend(session, people.others_complaint.id, people.clerk, days=5, reason="Waiting for records.",
                     customer_told=True, now=LATER)


def _reassign_anothers_complaint(session, office, people):
    return cx.assign(session, people.others_complaint.id, people.clerk, people.clerk, LATER)


SUPERVISOR_ACTIONS = [
    (_add_staff, "Only a supervisor can add staff."),
    (_deactivate, "Only a supervisor can activate or deactivate staff."),
    (_reset_pin, "Only a supervisor can reset a PIN."),
    (_update_office, "Only a supervisor can change the office settings."),
    (_add_station, "Only a supervisor can add a station."),
    (_rename_station, "Only a supervisor can rename a station."),
    (_read_survey_results, "Only a supervisor can read the survey results."),
    (_export_contacts, "Only a supervisor can export contact details."),
    (_extend_anothers_deadline, "Only a supervisor or the person handling CHI01-20261124-"),
    (_reassign_anothers_complaint, "Only a supervisor or the person handling CHI01-20261124-"),
]


@dataclass
class _Cast:
    supervisor: Staff
    clerk: Staff
    other: Staff  # another clerk, CLK2
    others_complaint: Complaint  # handled by CLK2


@pytest.fixture
def cast(db, office, people):
    supervisor, clerk, other = people
    with db.session() as session:  # a complaint with contact details, for the CSV export
        cx.open_complaint(session, office, other, complaint_with_contact(), LATER)
    return _Cast(supervisor, clerk, other, _others_complaint(db, office, other))


@pytest.mark.parametrize(("action", "message"), SUPERVISOR_ACTIONS, ids=lambda value: getattr(value, "__name__", ""))
def test_a_clerk_is_refused_every_supervisor_action_and_nothing_is_written(db, db_url, office, cast, action,
                                                                           message):
    before = everything(db_url)
    with db.session() as session, pytest.raises(CxdeskError) as refused:
        action(session, office, cast)
    assert str(refused.value).startswith(message)
    assert everything(db_url) == before


@pytest.mark.parametrize(("action", "_message"), SUPERVISOR_ACTIONS, ids=lambda value: getattr(value, "__name__", ""))
def test_a_supervisor_may_do_each_of_them(db, office, cast, action, _message):
    cast.clerk, cast.supervisor = cast.supervisor, cast.clerk  # the supervisor acts; the clerk is acted on
    with db.session() as session:
        assert action(session, office, cast) is not None


def test_a_supervisor_deactivated_since_signing_in_is_refused(db, db_url, office, cast):
    with db.session() as session:
        add_staff(session, office, cast.supervisor, code="SUP2", name="Second Supervisor", role="supervisor",
                  pin="97531864", now=LATER)
        second = get_staff(session, office, "SUP2")
        set_active(session, cast.supervisor, False, by=second)
    before = everything(db_url)
    with db.session() as session, pytest.raises(CxdeskError, match="Only a supervisor can add a station."):
        add_station(session, office, cast.supervisor, "Window 3")  # the object still says "supervisor"
    assert everything(db_url) == before


def test_a_clerk_still_extends_and_passes_on_their_own_complaint(db, office, cast):
    with db.session() as session:
        mine = cx.open_complaint(session, office, cast.clerk, complaint_intake(), LATER)
        cx.acknowledge(session, mine.id, cast.clerk, LATER)
        extended = cx.extend(session, mine.id, cast.clerk, days=3, reason="Waiting for records.",
                             customer_told=True, now=LATER)
        assert extended.extensions == 1
        passed = cx.assign(session, mine.id, cast.clerk, cast.other, LATER)
        assert passed.assigned_to == cast.other.id
