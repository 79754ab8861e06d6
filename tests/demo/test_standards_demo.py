"""The demo office's standards: defaults recorded, one changed mid-history, benchmarks with
sources, and sign-offs, one of them reopened by a complaint answered later."""

from __future__ import annotations

from sqlmodel import select

from cxdesk.demo.office import generate
from cxdesk.domain import signoffs
from cxdesk.domain.office import require_office
from cxdesk.reports.standards import load_standards
from cxdesk.store.models import Benchmark, SignOff
from tests.factories import FIXED_NOW


def test_the_demo_has_versioned_standards_benchmarks_and_a_reopened_sign_off(db):
    summary = generate(db, days=12, now=FIXED_NOW)
    with db.session() as session:
        office = require_office(session)
        views = {v.code: v for v in load_standards(session, office)}
        benchmarks = session.exec(select(Benchmark)).all()
        signed = session.exec(select(SignOff).order_by(SignOff.day)).all()
        statuses = [signoffs.signoff_status(session, office, s.kind, s.day, s.shift_id) for s in signed]

    card = views["card_20"].versions
    assert [v.target for v in card] == [85.0, 90.0]
    assert summary.first_day < card[1].effective_from <= summary.last_day
    assert len(views) == 7 and all(v.benchmarks for v in views.values())
    sources = " ".join(b.source for b in benchmarks)
    assert "Peer office" in sources and "Private-sector index" in sources and "best quarter" in sources
    assert {s.kind for s in signed} == {"day", "shift"}
    reopened = [s for s in statuses if s.reopened]
    assert len(reopened) == 1 and reopened[0].kind == "day"
    assert any(c.figure.startswith("complaints resolved") for c in reopened[0].changes)
    assert sum(not s.reopened for s in statuses) >= 2
