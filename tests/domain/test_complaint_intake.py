"""Complaint intake: references and deadlines in office-local working days, the receipt,
refused input that writes nothing, the link to a visit, the settings and categories."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone
from importlib import resources

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk.domain import complaints as cx
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Complaint, ComplaintContact, ComplaintEvent, Office
from tests.factories import (
    EMAIL,
    FIXED_NOW,
    PHONE,
    complaint_events,
    complaint_intake,
    complaint_with_contact,
    open_one_complaint,
)


def test_intake_sets_reference_and_deadlines_around_thanksgiving(db, office, people):
    _sup, clerk, _other = people
    complaint = open_one_complaint(db, office, clerk)
    assert complaint.reference == "CHI01-20261124-001"
    assert complaint.state == cx.RECEIVED
    assert complaint.acknowledge_due == date(2026, 11, 30)
    assert complaint.resolution_due == date(2026, 12, 2)
    assert complaint.next_due == complaint.acknowledge_due
    assert complaint.assigned_to == clerk.id and complaint.opened_by == clerk.id
    [opened] = complaint_events(db, complaint)
    assert (opened.kind, opened.from_value, opened.to_value, opened.staff_id) == ("opened", None, "received", clerk.id)
    assert "at the counter" in opened.note


def test_day_of_receipt_is_the_office_local_day(db, office, people):
    # 21:00 on Tuesday in Chicago is already Wednesday in UTC; the office's day counts.
    evening = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    complaint = open_one_complaint(db, office, people[1], now=evening)
    assert complaint.day == date(2026, 11, 24)
    assert complaint.reference == "CHI01-20261124-001"
    assert complaint.acknowledge_due == date(2026, 11, 30)


def test_same_instant_in_another_time_zone_is_another_day(db, people):
    with db.session() as session:
        guam = Office(code="GUM01", name="Hagatna", timezone="Pacific/Guam", created_at=FIXED_NOW)
        session.add(guam)
        session.commit()
        # 03:00 UTC Wednesday is 13:00 Wednesday in Guam: day 0 is Wednesday 25.
        complaint = cx.open_complaint(session, guam, people[1], complaint_intake(),
                                      datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc))
    assert complaint.reference == "GUM01-20261125-001"
    assert complaint.acknowledge_due == date(2026, 12, 1)


def test_references_are_sequential_and_unique_across_offices(db, office, people):
    clerk = people[1]
    refs = [open_one_complaint(db, office, clerk).reference for _ in range(3)]
    assert refs == ["CHI01-20261124-001", "CHI01-20261124-002", "CHI01-20261124-003"]
    next_day = open_one_complaint(db, office, clerk, now=FIXED_NOW + timedelta(days=1))
    assert next_day.reference == "CHI01-20261125-001"
    with db.session() as session:
        other = Office(code="NYC02", name="Manhattan", timezone="America/New_York", created_at=FIXED_NOW)
        session.add(other)
        session.commit()
        theirs = cx.open_complaint(session, other, clerk, complaint_intake(), FIXED_NOW)
    assert theirs.reference == "NYC02-20261124-001"
    with db.session() as session:
        all_refs = session.exec(select(Complaint.reference)).all()
    assert len(all_refs) == len(set(all_refs)) == 5


def test_reference_reads_aloud_in_three_groups():
    assert cx.spoken_reference("CHI01-20261124-007") == "CHI01 · 2026 11 24 · 007"


def test_receipt_tells_the_customer_in_english_and_spanish(db, office, people):
    lines = cx.receipt_lines(open_one_complaint(db, office, people[1]))
    assert "CHI01-20261124-001" in lines["en"] and "Monday 30 November 2026" in lines["en"]
    assert "CHI01-20261124-001" in lines["es"] and "lunes 30 de noviembre de 2026" in lines["es"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"what_happened": "   "}, "Write down what happened"),
        ({"category": ""}, "Choose what the complaint is about"),
        ({"category": "rudeness"}, "Unknown complaint category 'rudeness'"),
        ({"received_via": "pigeon"}, "Unknown way the complaint was received 'pigeon'"),
        ({"urgency": "panic"}, "Unknown urgency 'panic'"),
        ({"what_happened": "x" * 2001}, "too long"),
        ({"contact": cx.ContactDetails(name="Maria", phone=PHONE)}, "Record the customer's consent"),
        ({"contact": cx.ContactDetails(name="Maria"), "consent": True}, "Give a phone number or an email"),
        ({"contact": cx.ContactDetails(email="maria-at-example"), "consent": True}, "email address does not look right"),
        ({"contact": cx.ContactDetails(phone="call me"), "consent": True}, "phone number may hold only digits"),
        ({"contact": cx.ContactDetails(phone="555"), "consent": True}, "phone number is too short: it needs at least 7"),
        ({"service": "teleportation"}, "Unknown service"),
    ],
)
def test_bad_intake_is_refused_and_nothing_is_written(db, office, people, changes, message):
    with db.session() as session, pytest.raises(CxdeskError, match=message):
        cx.open_complaint(session, office, people[1], complaint_intake(**changes), FIXED_NOW)
    with db.session() as session:
        assert session.exec(select(sa.func.count()).select_from(Complaint)).one() == 0
        assert session.exec(select(sa.func.count()).select_from(ComplaintEvent)).one() == 0


def test_bad_input_messages_never_repeat_contact_details(db, office, people):
    with db.session() as session, pytest.raises(CxdeskError) as caught:
        cx.open_complaint(session, office, people[1],
                          complaint_intake(contact=cx.ContactDetails(email="maria@@nowhere"), consent=True), FIXED_NOW)
    assert "maria" not in str(caught.value)


def test_contact_details_never_reach_logs_or_repr(db, office, people, caplog):
    caplog.set_level(logging.DEBUG)
    with db.session() as session:
        complaint = cx.open_complaint(session, office, people[1], complaint_with_contact(), FIXED_NOW)
        contact = session.get(ComplaintContact, complaint.id)
        logging.getLogger("cxdesk").info("saved %r %s", contact, contact)
    assert PHONE not in caplog.text and EMAIL not in caplog.text and "withheld" in caplog.text
    assert PHONE not in repr(cx.ContactDetails(phone=PHONE))


def test_complaint_during_a_visit_is_linked_and_prefilled(db, office, signed_in, people):
    from cxdesk.domain import visits

    with db.session() as session:
        visits.check_in(session, office, segment="veteran", service="replacement_card", now=FIXED_NOW)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW)
        link = cx.visit_link(session, office, visit.id)
        complaint = cx.open_complaint(session, office, people[1], complaint_intake(visit_id=visit.id), FIXED_NOW)
    assert link.ticket == "A001" and link.service == "replacement_card" and link.segment == "veteran"
    assert complaint.visit_id == visit.id
    assert (complaint.service, complaint.segment) == ("replacement_card", "veteran")


def test_categories_catalog_has_the_nine_categories_in_two_languages():
    cats = cx.categories()
    assert cats.codes() == ["wait_time", "staff_conduct", "wrong_information", "accessibility",
                            "process_too_complex", "decision_dispute", "privacy", "facilities", "other"]
    assert cats.get("privacy").label("es") == "Privacidad"


def test_settings_ship_the_good_practice_deadlines():
    settings = cx.load_settings()
    assert (settings.acknowledge, settings.frontline, settings.investigation) == (3, 5, 20)
    assert [i.code for i in settings.received_via] == ["counter", "phone", "mail", "email", "web_form"]
    assert all(i.label("es") for i in (*settings.received_via, *settings.urgency))


def test_office_can_override_the_deadlines(db, office, people, cxdesk_home):
    from cxdesk.config import catalog_override_dir

    text = resources.files("cxdesk.data").joinpath("complaints.toml").read_text(encoding="utf-8")
    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    (folder / "complaints.toml").write_text(text.replace("acknowledge = 3", "acknowledge = 1"), encoding="utf-8")
    assert open_one_complaint(db, office, people[1]).acknowledge_due == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (("acknowledge = 3", "acknowledge = 0"), "deadlines.acknowledge = 0"),
        (("frontline = 5", 'frontline = "five"'), "deadlines.frontline = 'five'"),
        (("[deadlines]", "[deadline]"), "no [deadlines] table"),
        (('code = "phone"', 'code = "Phone"'), "received_via 2 has no valid code"),
        (('label_es = "Alta"', ""), "urgency 2 needs label_en and label_es"),
        (("[[urgency]]", "[[urgency]"), "not valid TOML"),
    ],
)
def test_bad_settings_are_refused_with_file_and_reason(tmp_path, edit, reason):
    text = resources.files("cxdesk.data").joinpath("complaints.toml").read_text(encoding="utf-8")
    (tmp_path / "complaints.toml").write_text(text.replace(*edit, 1), encoding="utf-8")
    with pytest.raises(CxdeskError) as caught:
        cx.load_settings(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "complaints.toml"))
    assert reason in str(caught.value)
