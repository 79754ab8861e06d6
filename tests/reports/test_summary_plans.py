"""The summary reads a period through indexes: no statement it sends scans a table that grows
with the visits, whatever the period (on a million visits a scan is seconds, a quarter's
index range a few milliseconds). Checked with SQLite's EXPLAIN QUERY PLAN on a demo office
whose statistics ANALYZE has gathered, as the bench database's are."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from cxdesk.demo.office import generate
from cxdesk.domain.office import require_office
from cxdesk.domain.staff import get_staff
from cxdesk.reports.scope import resolve_scope, shifts_on
from cxdesk.reports.summary import office_summary
from cxdesk.store.db import open_database
from tests.factories import FIXED_NOW

# Tables with rows per visit (or per survey answer): never read whole. Complaints (one in
# some two thousand visits) and sign-offs (one a day) stay small, and on a small demo the
# planner rightly reads them whole.
GROWING = ("visit", "visitchanneloffer", "surveyinvitation", "surveyresponse", "surveyanswer", "shift")
DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db = open_database(f"sqlite:///{tmp_path_factory.mktemp('plans') / 'demo.db'}", create=True)
    generate(db, days=20, now=FIXED_NOW)
    yield db
    db.dispose()


def statements_of(db, kind, **kwargs) -> list[tuple[str, tuple]]:
    sent: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    with db.session() as session:
        office = require_office(session)
        today = office.local_day(FIXED_NOW)
        if kind == "shift":
            kwargs = {"day": DAY, "shift_id": shifts_on(session, office, DAY)[0].id}
        scope = resolve_scope(session, office, kind, today, **kwargs)
        viewer = get_staff(session, office, "SUP1")
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            office_summary(session, office, scope, viewer, today)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
    return sent


@pytest.mark.parametrize(("kind", "kwargs"), [("day", {"day": DAY}), ("quarter", {"quarter": "FY2027Q1"}),
                                              ("week", {"day": DAY}), ("day", {"day": DAY, "station_code": "W2"}),
                                              ("shift", {})])
def test_no_summary_statement_scans_a_growing_table(demo, kind, kwargs):
    sent = statements_of(demo, kind, **kwargs)
    assert sent
    scans = []
    with demo.engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in sent:
            for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
                if reads_too_much(row[-1]):
                    scans.append(f"{row[-1]}  <-  {' '.join(statement.split())[:120]}")
    assert scans == []


def reads_too_much(detail: str) -> bool:
    """A whole growing table, or every visit of the office (an office's database holds one
    office: its index prefix alone is every row)."""
    if any(detail.startswith(f"SCAN {table}") for table in GROWING):
        return True
    if detail.startswith("SEARCH visit "):
        bounds = detail[detail.find("("):]
        return not any(key in bounds for key in ("day", "shift_id=", "(id=", " id="))
    return False


def test_the_plan_check_sees_a_scan_and_a_search_of_the_whole_office():
    assert reads_too_much("SCAN visit")
    assert reads_too_much("SCAN surveyanswer")
    assert reads_too_much("SEARCH visit USING INDEX ix_visit_office_day_state (office_id=?)")
    assert not reads_too_much("SEARCH visit USING COVERING INDEX ix_visit_office_day_summary "
                              "(office_id=? AND day>? AND day<?)")
    assert not reads_too_much("SEARCH visit USING INDEX ix_visit_shift (shift_id=?)")
    assert not reads_too_much("SEARCH visit USING INDEX sqlite_autoindex_visit_1 (id=?)")
    assert not reads_too_much("SCAN station")
