"""The A-11 folder, the survey report and the plan on PostgreSQL: the same demo office on
SQLite and PostgreSQL gives the same files and figures."""

from __future__ import annotations

import csv

import pytest

from cxdesk.demo import surveys
from cxdesk.demo.office import generate
from cxdesk.exchange.a11_files import check_folder, write_folder
from cxdesk.publish.plan import as_markdown
from cxdesk.publish.survey_report import csv_rows
from cxdesk.reports.a11 import a11_quarter
from cxdesk.reports.plan import customer_plan
from cxdesk.reports.survey_report import survey_report
from cxdesk.store.db import open_database
from tests.factories import FIXED_NOW

pytestmark = pytest.mark.postgres


def outputs(url: str, folder):
    db = open_database(url, create=True)
    try:
        generate(db, days=10, now=FIXED_NOW, extenders=[surveys.EXTENDER])
        with db.session() as session:
            write_folder(session, a11_quarter(session, 2027, 1), folder)
            report = csv_rows(survey_report(session, 2027, 1))
            plan = as_markdown(customer_plan(session, FIXED_NOW.date()), "es")
    finally:
        db.dispose()
    files = {}
    for path in sorted(folder.iterdir()):
        with open(path, encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream)) if path.suffix == ".csv" else stream.read()
        files[path.name] = sorted(rows[1:]) if path.name.startswith("touchpoints-") else rows
    return files, report, plan


def test_postgresql_gives_the_same_a11_files_report_and_plan(pg_url, tmp_path):
    on_pg = outputs(pg_url, tmp_path / "pg")
    on_sqlite = outputs(f"sqlite:///{tmp_path / 'o.db'}", tmp_path / "sqlite")
    assert check_folder(tmp_path / "pg") == []
    assert on_pg[0] == on_sqlite[0]
    assert on_pg[1] == on_sqlite[1]
    assert on_pg[2] == on_sqlite[2]
    assert any(name.startswith("touchpoints-") for name in on_pg[0])
