"""Personal data kept only as long as the office says: the retention setting, the purge
on the demo office (every table scanned for the removed values afterwards), the
complaint trail that says so, and headquarters receiving the cleared records."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk.domain import complaints as cx
from cxdesk.domain.office import require_office
from cxdesk.domain.retention import REMOVED, purge_personal_data, record_keeping, set_record_keeping
from cxdesk.errors import CxdeskError
from cxdesk.store.db import open_database
from cxdesk.store.models import Complaint, ComplaintContact, ComplaintEvent, Staff
from tests.factories import FIXED_NOW, clerk_of, supervisor_of

LATER = FIXED_NOW + timedelta(days=40)
SECRETS = ("Philippa Vandersloot", "(217) 555-0173", "p.vandersloot@example.org",
                            "My neighbour Ignatius Fairweather saw it")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from cxdesk.demo.office import build

    folder = tmp_path_factory.mktemp("demo")
    build(f"sqlite:///{folder / 'demo.db'}", days=6, seed=11, now=FIXED_NOW)
    return folder / "demo.db"


@pytest.fixture
def demo(demo_file, tmp_path):
    path = tmp_path / "office.db"
    shutil.copy(demo_file, path)
    database = open_database(f"sqlite:///{path}")
    yield database
    database.dispose()


def _supervisor(session):
    return session.exec(select(Staff).where(Staff.role == "supervisor")).first()


def _closed_complaint_with_secrets(database):
    with database.session() as session:
        office = require_office(session)
        boss = _supervisor(session)
        complaint = cx.open_complaint(session, office, boss, cx.ComplaintIntake(
            received_via="counter", category="wait_time", what_happened=SECRETS[3], wanted="A call back.",
            contact=cx.ContactDetails(name=SECRETS[0], phone=SECRETS[1], email=SECRETS[2]), consent=True),
            FIXED_NOW)
        cx.acknowledge(session, complaint, boss, FIXED_NOW)
        cx.start_work(session, complaint, boss, "frontline", FIXED_NOW)
        cx.resolve(session, complaint, boss, what_was_done="Apologised and called back.",
                   customer_accepted=True, now=FIXED_NOW)
        cx.close(session, complaint, boss, FIXED_NOW)
        return complaint.id


def _every_text(engine) -> list[tuple[str, str, str]]:
    found = []
    with engine.connect() as conn:
        tables = [n for (n,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            columns = [row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table}")')]
            for row in conn.exec_driver_sql(f'SELECT * FROM "{table}"'):
                found += [(table, column, value) for column, value in zip(columns, row) if isinstance(value, str)]
    return found


def test_a_purge_of_the_demo_leaves_no_removed_value_in_any_table(demo):
    complaint_id = _closed_complaint_with_secrets(demo)
    with demo.session() as session:
        office = require_office(session)
        closed = session.exec(select(ComplaintContact).join(Complaint).where(Complaint.state == "closed")).all()
        open_ = session.exec(select(ComplaintContact).join(Complaint).where(Complaint.state != "closed")).all()
        kept_values = {v for c in open_ for v in (c.name, c.phone, c.email) if v}
        removed = {v for c in closed for v in (c.phone, c.email) if v} - kept_values
        assert SECRETS[1] in removed and len(closed) >= 1
        count = purge_personal_data(session, office, _supervisor(session), older_than_days=30, now=LATER)
    assert count.complaints >= len(closed) and count.contacts == len(closed)
    texts = _every_text(demo.engine)
    leaks = [(t, c) for t, c, v in texts if any(secret in v for secret in (*removed, *SECRETS))]
    assert leaks == []
    with demo.session() as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint.what_happened == REMOVED and not complaint.has_contact
        assert complaint.category == "wait_time" and complaint.state == "closed"  # the reports keep their facts
        trail = session.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id)
                             .order_by(ComplaintEvent.seq)).all()
        assert trail[-1].kind == "purge" and "30 days" in trail[-1].note
        # Open complaints keep their contact details: the office still owes them an answer.
        still = session.exec(select(ComplaintContact).join(Complaint).where(Complaint.state != "closed")).all()
        assert {v for c in still for v in (c.name, c.phone, c.email) if v} == kept_values
        again = purge_personal_data(session, require_office(session), _supervisor(session), older_than_days=30,
                                    now=LATER)
    assert again.complaints == 0 and again.contacts == 0


def test_a_dry_run_counts_and_changes_nothing(demo):
    _closed_complaint_with_secrets(demo)
    with demo.session() as session:
        office = require_office(session)
        preview = purge_personal_data(session, office, _supervisor(session), older_than_days=30, now=LATER,
                                      dry_run=True)
    assert preview.complaints >= 1
    assert any(SECRETS[2] in v for _, _, v in _every_text(demo.engine))


def test_nothing_younger_than_the_retention_is_touched(demo):
    _closed_complaint_with_secrets(demo)
    with demo.session() as session:
        count = purge_personal_data(session, require_office(session), _supervisor(session), older_than_days=365,
                                    now=LATER)
    assert count.total == 0
    assert any(SECRETS[0] in v for _, _, v in _every_text(demo.engine))


def test_the_cleared_records_reach_headquarters_on_the_next_export(demo, tmp_path):
    """The purge clears with UPDATEs; the change-tracking triggers stamp them, so the next
    export carries them, and headquarters replaces the personal data it received before."""
    from cxdesk.domain.office_key import office_key
    from cxdesk.exchange.bundle import Selection, record_export, write_bundle
    from cxdesk.exchange.ingest import ingest_bundle, register_office

    complaint_id = _closed_complaint_with_secrets(demo)
    with demo.session() as session:
        office = require_office(session)
        key = office_key(session, office, FIXED_NOW)
        boss = _supervisor(session)
    central = open_database(f"sqlite:///{tmp_path / 'central.db'}", create=True)
    try:
        register_office(central, office.code, office.name, key.public_key, FIXED_NOW)
        first = write_bundle(demo, tmp_path / "1", Selection("changes"), now=FIXED_NOW, include_pii=True,
                             pii_by=boss)
        record_export(demo, first, now=FIXED_NOW, destination="1", by=boss)
        assert ingest_bundle(central, tmp_path / "1", now=FIXED_NOW).status == "ingested"
        assert any(SECRETS[2] in v for _, _, v in _every_text(central.engine))
        with demo.session() as session:
            purged = purge_personal_data(session, require_office(session), _supervisor(session),
                                         older_than_days=30, now=LATER)
        plain = write_bundle(demo, tmp_path / "2", Selection("changes"), now=LATER)
        assert plain.rows["complaint"] == purged.complaints  # the cleared complaints travel again
        released = write_bundle(demo, tmp_path / "3", Selection("changes"), now=LATER, include_pii=True,
                                pii_by=boss)
        assert released.rows["complaintcontact"] == purged.contacts
        assert ingest_bundle(central, tmp_path / "3", now=LATER).status == "ingested"
        leaks = [(t, c) for t, c, v in _every_text(central.engine) if any(s in v for s in SECRETS)]
        assert leaks == []
        with central.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT what_happened FROM complaint WHERE id = :id"),
                                {"id": complaint_id.hex}).scalar() == REMOVED
    finally:
        central.dispose()


def test_the_retention_setting_is_a_supervisors_and_checked(db, office, clock):
    with db.session() as session:
        assert record_keeping(session, office).retention_days is None
        with pytest.raises(CxdeskError, match="Only a supervisor"):
            set_record_keeping(session, office, clerk_of(session, office), retention_days=365, now=clock())
        with pytest.raises(CxdeskError, match="30 to 3650"):
            set_record_keeping(session, office, supervisor_of(session, office), retention_days="7", now=clock())
        kept = set_record_keeping(session, office, supervisor_of(session, office), retention_days="730",
                                  backups_kept=14, backup_at_day_end=True, now=clock())
    assert (kept.retention_days, kept.backups_kept, kept.backup_at_day_end) == (730, 14, True)


def test_a_clerk_cannot_purge(db, office, clock):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Only a supervisor"):
            purge_personal_data(session, office, clerk_of(session, office), older_than_days=30, now=clock())


def test_the_last_sign_out_of_the_day_takes_a_backup_when_the_office_asks(db, office, clock, cxdesk_home):
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in, sign_out
    from tests.factories import CLERK, SUPERVISOR

    folder = cxdesk_home / "data" / "backups"
    with db.session() as session:
        set_record_keeping(session, office, supervisor_of(session, office), retention_days=None,
                           backup_at_day_end=True, backups_kept=2, now=clock())
        clerk = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=get_station(session, office, "W1"),
                        now=clock())
        boss = sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2],
                       station=get_station(session, office, "W2"), now=clock())
        sign_out(session, clerk, clock())
        assert not folder.exists() or not list(folder.glob("*.db"))  # the supervisor is still in
        sign_out(session, boss, clock())
    made = list(folder.glob("cxdesk-*.db"))
    assert len(made) == 1
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(made[0])) as conn:
        assert conn.execute("SELECT count(*) FROM shift WHERE ended_at IS NULL").fetchone()[0] == 0
