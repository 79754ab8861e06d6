"""The complaint queue and detail view (read-only): sorted by the next deadline, filtered,
overdue in words and symbols, contact details only for the handler and supervisors."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from cxdesk.domain import complaints as cx
from cxdesk.errors import CxdeskError
from cxdesk.reports import complaint_queue as queue
from cxdesk.store.models import Complaint, ComplaintContact
from tests.factories import (
    EMAIL,
    FIXED_NOW,
    LATER,
    PHONE,
    TODAY,
    complaint_intake,
    complaint_step,
    complaint_with_contact,
    open_one_complaint,
)


def test_queue_sorts_by_next_deadline_and_filters(db, office, people):
    supervisor, clerk, other = people
    old = datetime(2026, 11, 16, 15, 0, tzinfo=timezone.utc)  # Monday the week before
    with db.session() as session:
        overdue = cx.open_complaint(session, office, clerk, complaint_intake(category="privacy"), old)
        fresh = cx.open_complaint(session, office, other, complaint_intake(urgency="urgent"), FIXED_NOW)
        normal = cx.open_complaint(session, office, clerk, complaint_intake(), FIXED_NOW)
        investigated = cx.open_complaint(session, office, clerk, complaint_intake(category="facilities"), old)
        cx.acknowledge(session, investigated.id, clerk, old)
        cx.start_work(session, investigated.id, clerk, cx.INVESTIGATION, old)
        done = cx.open_complaint(session, office, clerk, complaint_intake(), old)
        for action in ("acknowledge", "start", "resolve", "close"):
            complaint_step(session, action, done, clerk)

        rows = queue.list_complaints(session, office, TODAY)
        assert [r.id for r in rows] == [overdue.id, fresh.id, normal.id, investigated.id]
        assert rows[0].due.status == "overdue" and rows[0].due.text == "OVERDUE 3 working days"
        assert rows[1].due.text.startswith("due Mon 30 Nov")
        assert rows[3].state_label == "in progress (investigation)"
        assert [r.id for r in queue.list_complaints(session, office, TODAY, overdue=True)] == [overdue.id]
        assert [r.id for r in queue.list_complaints(session, office, TODAY, mine=other)] == [fresh.id]
        assert [r.id for r in queue.list_complaints(session, office, TODAY, category="privacy")] == [overdue.id]
        assert [r.id for r in queue.list_complaints(session, office, TODAY, states=[cx.CLOSED])] == [done.id]
        assert {r.id for r in queue.list_complaints(session, office, TODAY, states=[cx.RECEIVED])} == {
            overdue.id, fresh.id, normal.id}
        with pytest.raises(CxdeskError, match="Unknown state 'lost'"):
            queue.list_complaints(session, office, TODAY, states=["lost"])
        counts = queue.complaint_counts(session, office, TODAY)
        assert (counts.open, counts.due_today, counts.overdue) == (4, 0, 1)


def test_complaint_acknowledged_late_is_overdue(db, office, people):
    complaint = open_one_complaint(db, office, people[1])
    with db.session() as session:
        # Tuesday 1 December: the acknowledgement was due on Monday 30 November.
        [row] = queue.list_complaints(session, office, date(2026, 12, 1))
        assert row.id == complaint.id
        assert (row.due.status, row.due.symbol, row.due.text) == ("overdue", "▲", "OVERDUE 1 working day")
        [row] = queue.list_complaints(session, office, date(2026, 11, 30))
        assert (row.due.status, row.due.symbol, row.due.text) == ("due_today", "●", "DUE TODAY")
        late = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
        cx.acknowledge(session, complaint.id, people[1], late)
        assert queue.view_complaint(session, office, complaint.id, people[1], date(2026, 12, 1)).acknowledged_late
        assert not queue.view_complaint(session, office, open_one_complaint(db, office, people[1]).id, people[1],
                                     TODAY).acknowledged_late


def test_contact_is_kept_only_with_consent_and_shown_only_to_handler_and_supervisors(db, office, people):
    supervisor, clerk, other = people
    with db.session() as session:
        complaint = cx.open_complaint(session, office, clerk, complaint_with_contact(), FIXED_NOW)
        plain = cx.open_complaint(session, office, clerk, complaint_intake(), FIXED_NOW)
        contact = session.get(ComplaintContact, complaint.id)
        assert (contact.phone, contact.email, contact.language, contact.consent_by) == (PHONE, EMAIL, "es", clerk.id)
        assert session.get(ComplaintContact, plain.id) is None
        assert queue.contact_for(session, complaint, clerk).phone == PHONE
        assert queue.contact_for(session, complaint, supervisor).phone == PHONE
        assert queue.contact_for(session, complaint, other) is None
        view = queue.view_complaint(session, office, complaint.id, other, TODAY)
        assert view.contact is None and view.contact_withheld
        cx.assign(session, complaint.id, clerk, other, LATER)
        complaint = session.get(Complaint, complaint.id)
        assert queue.contact_for(session, complaint, other).email == EMAIL
        assert queue.contact_for(session, complaint, clerk) is None


def test_find_by_reference_reads_what_the_customer_quotes(db, office, people):
    complaint = open_one_complaint(db, office, people[1])
    with db.session() as session:
        assert queue.find_by_reference(session, office, " chi01-20261124-001 ").id == complaint.id
        with pytest.raises(CxdeskError, match="No complaint CHI01-20261124-999 in this office"):
            queue.find_by_reference(session, office, "CHI01-20261124-999")
