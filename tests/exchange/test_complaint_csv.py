"""The complaints as CSV records: the least personal data by default, contact columns only
when a supervisor asks, every value a plain string (csvfile.write_csv neutralises the rest)."""

from __future__ import annotations

from cxdesk.domain import complaints as cx
from cxdesk.exchange import complaint_csv
from cxdesk.reports import complaint_queue as queue
from tests.factories import EMAIL, FIXED_NOW, PHONE, TODAY, complaint_intake, complaint_with_contact


def test_records_leave_out_contact_details_unless_a_supervisor_asks(db, office, people):
    supervisor, clerk, _ = people
    with db.session() as session:
        with_contact = cx.open_complaint(session, office, clerk, complaint_with_contact(), FIXED_NOW)
        plain = cx.open_complaint(session, office, clerk, complaint_intake(category="privacy"), FIXED_NOW)
        rows = queue.list_complaints(session, office, TODAY)
        records = complaint_csv.csv_records(session, office, rows)
        signed = complaint_csv.csv_records(session, office, rows, contact_viewer=supervisor)
    assert [tuple(record) for record in records] == [complaint_csv.CSV_COLUMNS] * 2
    assert [record["reference"] for record in records] == [with_contact.reference, plain.reference]
    assert all(isinstance(value, str) for record in records for value in record.values())
    assert PHONE not in str(records) and EMAIL not in str(records) and "Lopez" not in str(records)
    assert tuple(signed[0]) == complaint_csv.CSV_COLUMNS + complaint_csv.CONTACT_COLUMNS
    assert (signed[0]["contact_phone"], signed[0]["contact_email"]) == (PHONE, EMAIL)
    assert signed[1]["contact_phone"] == "" and records[1]["category"] == "privacy"
