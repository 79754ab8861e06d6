"""Demo complaints: every state, consistent trails, reproducible, added through the extender."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import select

from cxdesk.demo import complaints as demo_complaints
from cxdesk.domain import complaints as cx
from cxdesk.reports import complaint_queue as queue
from cxdesk.store.models import Complaint, Office
from tests.factories import (
    FIXED_NOW,
    TODAY,
)


def test_demo_complaints_cover_every_state_with_consistent_trails(db, office, people):
    supervisor, clerk, other = people
    with db.session() as session:
        made = demo_complaints.demo_complaints(session, office, random.Random(7), [], [supervisor, clerk, other],
                                               FIXED_NOW)
        assert len(made) == 24
        states = {c.state for c in session.exec(select(Complaint))}
        assert set(cx.STATES) <= states
        assert queue.complaint_counts(session, office, TODAY).overdue >= 2
        for complaint in made:
            lines = queue.trail(session, complaint)
            assert lines[0].kind == "opened"
            changes = [line for line in lines if line.kind == "state"]
            assert all(a.to_value == b.from_value for a, b in zip(changes, changes[1:]))
            assert all(line.at <= FIXED_NOW for line in lines)
            assert all(a.at <= b.at for a, b in zip(lines, lines[1:]))
            final = session.get(Complaint, complaint.id)
            if changes:
                assert changes[-1].to_value == cx.state_text(final.state, final.track)


def test_demo_complaints_are_reproducible(tmp_path):
    from cxdesk.domain.staff import list_staff
    from cxdesk.store.db import open_database
    from tests.factories import make_office

    runs = []
    for name in ("a", "b"):
        database = open_database(f"sqlite:///{tmp_path / name}.db", create=True)
        office = make_office(database)
        with database.session() as session:
            made = demo_complaints.demo_complaints(session, office, random.Random(3), [], list_staff(session, office),
                                      FIXED_NOW, count=8)
            runs.append([(c.reference, c.state, c.category, c.next_due) for c in made])
        database.dispose()
    assert runs[0] == runs[1] and len(runs[0]) == 8


def test_demo_generator_fills_complaints_through_its_extender(tmp_path):
    from cxdesk.demo import office as demo
    from cxdesk.store.db import open_database

    database = open_database(f"sqlite:///{tmp_path / 'demo.db'}", create=True)
    try:
        extender = demo_complaints.EXTENDER
        assert extender.name == "complaints" and extender in demo.load_extenders()
        demo.generate(database, days=10, seed=5, now=FIXED_NOW + timedelta(hours=2), extenders=[extender])
        with database.session() as session:
            office = session.exec(select(Office)).one()
            made = list(session.exec(select(Complaint)))
            assert len(made) == 24
            assert set(cx.STATES) <= {c.state for c in made}
            assert any(c.visit_id for c in made)
            assert all(c.reference.startswith(office.code + "-") for c in made)
            assert queue.complaint_counts(session, office, TODAY).overdue >= 1
    finally:
        database.dispose()
