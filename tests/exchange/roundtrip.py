"""The round-trip comparison shared by the SQLite and PostgreSQL headquarters tests:
every field of every row that travelled, office against headquarters."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from cxdesk.exchange.bundle import MANIFEST
from cxdesk.exchange.tables import BY_NAME, TABLES


def office_rows(conn, entry, released: list[str], include_pii: bool = True) -> list:
    """The office's rows of ``entry`` that an --all export carries: every row, but for the
    barrier survey's answers only those of the released periods."""
    table = entry.table
    columns = [table.c[name] for name, _kind in entry.columns(include_pii)]
    query = sa.select(*columns)
    if entry.anonymous is not None:
        column, parent = entry.anonymous
        if parent is None:
            query = query.where(table.c[column].in_(released))
        else:
            answers = BY_NAME[parent].table
            query = query.where(table.c[column].in_(sa.select(answers.c.id).where(answers.c.period.in_(released))))
    return sorted(conn.execute(query).all(), key=repr)


# The tables added after the exchange landed: the demo fills each, so each is compared.
LATER_TABLES = ("servicestandard", "standardversion", "benchmark", "signoff", "barrieranswer",
                "barrieritemanswer", "barrierpick")


def assert_same_rows(office_engine, central_engine, bundle: Path, include_pii: bool = True) -> int:
    """Every field of every row the bundle carried is at headquarters as it was at the office;
    returns how many rows were compared."""
    manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    released = manifest["barrier_periods"]
    compared = 0
    for entry in TABLES:
        with office_engine.connect() as conn:
            theirs = office_rows(conn, entry, released, include_pii)
        columns = [entry.table.c[name] for name, _kind in entry.columns(include_pii)]
        with central_engine.connect() as conn:
            ours = sorted(conn.execute(sa.select(*columns)).all(), key=repr)
        assert ours == theirs, entry.name
        assert ours or entry.name not in LATER_TABLES, f"{entry.name}: no rows to compare"
        compared += len(ours)
    return compared
