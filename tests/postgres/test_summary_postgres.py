"""The supervisor summary gives the same figures on PostgreSQL (percentile_cont, time zones
in the database) as on SQLite (window functions, offsets) for the same demo office."""

from __future__ import annotations

import json
from datetime import date

import pytest

from cxdesk.demo.office import generate
from cxdesk.domain.office import require_office
from cxdesk.domain.staff import get_staff
from cxdesk.reports.scope import resolve_scope
from cxdesk.reports.summary import office_summary, summary_dict
from cxdesk.store.db import open_database
from tests.factories import FIXED_NOW

pytestmark = pytest.mark.postgres
PERIODS = [("day", {"day": date(2026, 11, 23)}), ("week", {"day": date(2026, 11, 16)}),
           ("quarter", {"quarter": "FY2027Q1"}), ("day", {"day": date(2026, 11, 20), "station_code": "W2"})]


def summaries(url: str) -> list[dict]:
    db = open_database(url, create=True)
    try:
        generate(db, days=25, now=FIXED_NOW)
        out = []
        with db.session() as session:
            office = require_office(session)
            today = office.local_day(FIXED_NOW)
            viewer = get_staff(session, office, "SUP1")
            for kind, kwargs in PERIODS:
                scope = resolve_scope(session, office, kind, today, **kwargs)
                data = json.loads(json.dumps(summary_dict(office_summary(session, office, scope, viewer, today)),
                                             default=str))
                # Record ids made by the domain are random, like any record id.
                if data["signoff"]:
                    data["signoff"].pop("id")
                for result in data["standards"]:
                    if result["benchmark"]:
                        result["benchmark"].pop("id")
                out.append(data)
        return out
    finally:
        db.dispose()


def test_postgres_and_sqlite_give_the_same_summary(pg_url, tmp_path):
    on_sqlite = summaries(f"sqlite:///{tmp_path / 'demo.db'}")
    on_postgres = summaries(pg_url)
    for (kind, _kwargs), lite, pg in zip(PERIODS, on_sqlite, on_postgres):
        assert lite["volumes"]["arrived"] > 0
        for key in lite:
            assert pg[key] == lite[key], f"{kind}: {key}"
