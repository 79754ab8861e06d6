"""The lobby figures (calls, the wait estimate, the posted standards and the replayed
accuracy) are the same on PostgreSQL as on SQLite for the same demo office."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cxdesk.demo.office import generate
from cxdesk.reports.lobby import lobby_figures, lobby_office, replay_accuracy
from cxdesk.store.db import open_database
from tests.factories import DEMO_NOW

pytestmark = pytest.mark.postgres


def figures(url: str):
    db = open_database(url, create=True)
    try:
        generate(db, days=6, now=DEMO_NOW)
        with db.session() as session:
            office = lobby_office(session)
            shown = lobby_figures(session, office, DEMO_NOW)
            # Benchmark ids are made at random by the demo, like any record id.
            shown = replace(shown, standards=tuple(
                replace(p, result=replace(p.result, benchmark=replace(p.result.benchmark, id=None)))
                if p.result and p.result.benchmark else p for p in shown.standards))
            accuracy = replay_accuracy(session, office, date(2026, 11, 18), date(2026, 11, 24))
        return shown, accuracy
    finally:
        db.dispose()


def test_lobby_figures_match_on_postgresql_and_sqlite(pg_url, tmp_path):
    on_sqlite = figures(f"sqlite:///{tmp_path / 'lobby.db'}")
    on_postgres = figures(pg_url)
    assert on_postgres == on_sqlite
    shown, accuracy = on_postgres
    assert shown.calls and shown.waits[0].range is not None and accuracy.judged > 100
