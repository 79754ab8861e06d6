"""`cxdesk purge`, `cxdesk office retention`, `cxdesk audit` and the audit line of a restore."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlmodel import select

from cxdesk.cli import main
from cxdesk.domain import complaints as cx
from cxdesk.store.models import ComplaintContact, SupervisorAction
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, supervisor_of


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def _old_closed_complaint(db, office):
    when = FIXED_NOW - timedelta(days=400)
    with db.session() as session:
        boss = supervisor_of(session, office)
        complaint = cx.open_complaint(session, office, boss, cx.ComplaintIntake(
            received_via="counter", category="wait_time", what_happened="Waited two hours.",
            contact=cx.ContactDetails(name="Rosa Ng", phone="(312) 555-0110"), consent=True), when)
        cx.acknowledge(session, complaint, boss, when)
        cx.start_work(session, complaint, boss, "frontline", when)
        cx.resolve(session, complaint, boss, what_was_done="Apologised.", customer_accepted=True, now=when)
        cx.close(session, complaint, boss, when)


def test_purge_needs_a_supervisor_counts_and_asks_before_clearing(db_url, db, office):
    _old_closed_complaint(db, office)
    clerk = run("--db", db_url, "purge", "--pii-older-than", "365", "--staff", CLERK[0], input=CLERK[2] + "\n")
    assert clerk.exit_code == 1 and "Only a supervisor" in clerk.output
    no_days = run("--db", db_url, "purge", "--staff", SUPERVISOR[0], input=SUPERVISOR[2] + "\n")
    assert no_days.exit_code == 1 and "no retention period" in no_days.output
    declined = run("--db", db_url, "purge", "--pii-older-than", "365", "--staff", SUPERVISOR[0],
                   input=SUPERVISOR[2] + "\nn\n")
    assert declined.exit_code == 1 and "closed complaints   1 (contact details of 1)" in declined.output
    with db.session() as session:
        assert session.exec(select(ComplaintContact)).one().phone == "(312) 555-0110"
    done = run("--db", db_url, "purge", "--pii-older-than", "365", "--staff", SUPERVISOR[0],
               input=SUPERVISOR[2] + "\ny\n")
    assert done.exit_code == 0, done.output
    assert "Cleared: 1 records" in done.output
    with db.session() as session:
        assert session.exec(select(ComplaintContact)).one().phone == ""


def test_retention_is_shown_set_and_used_by_purge(db_url, db, office):
    shown = run("--db", db_url, "office", "retention")
    assert shown.exit_code == 0 and "retention          none" in shown.output
    set_ = run("--db", db_url, "office", "retention", "--days", "365", "--backups-kept", "10",
               "--staff", SUPERVISOR[0], input=SUPERVISOR[2] + "\n")
    assert set_.exit_code == 0, set_.output
    assert "365 days" in set_.output and "backups kept       10" in set_.output
    bad = run("--db", db_url, "office", "retention", "--days", "5", "--staff", SUPERVISOR[0],
              input=SUPERVISOR[2] + "\n")
    assert bad.exit_code == 1 and "30 to 3650" in bad.output
    _old_closed_complaint(db, office)
    dry = run("--db", db_url, "purge", "--dry-run", "--staff", SUPERVISOR[0], input=SUPERVISOR[2] + "\n")
    assert dry.exit_code == 0 and "(365 days) would be cleared" in dry.output


def test_audit_lists_supervisor_actions_to_a_supervisor_only(db_url, db, office, tmp_path):
    run("--db", db_url, "office", "retention", "--days", "400", "--staff", SUPERVISOR[0],
        input=SUPERVISOR[2] + "\n")
    listed = run("--db", db_url, "audit", "--staff", SUPERVISOR[0], input=SUPERVISOR[2] + "\n")
    assert listed.exit_code == 0, listed.output
    assert "Retention and backup settings changed: 400 days" in listed.output
    assert "Staff added: CLK1" in listed.output
    clerk = run("--db", db_url, "audit", "--staff", CLERK[0], input=CLERK[2] + "\n")
    assert clerk.exit_code == 1 and "Only a supervisor" in clerk.output


def test_a_restore_is_audited_in_the_restored_database(db_url, db, office, tmp_path):
    target = tmp_path / "b.db"
    assert run("--db", db_url, "db", "backup", "--to", str(target)).exit_code == 0
    restored = run("--db", db_url, "db", "restore", str(target), "--yes")
    assert restored.exit_code == 0, restored.output
    with db.session() as session:
        line = session.exec(select(SupervisorAction).where(SupervisorAction.action == "restore")).one()
    assert line.staff_id is None and "b.db" in line.subject
