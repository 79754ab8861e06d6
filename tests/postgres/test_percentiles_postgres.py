"""The summary's medians and 90th percentiles are computed in Python on both databases: they
are PostgreSQL's own percentile_cont, to the tenth of a second shown."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from cxdesk.reports.sqlstats import median_and_p90

pytestmark = pytest.mark.postgres


def test_median_and_p90_are_postgresql_percentile_cont(pg_url):
    rng = random.Random(12862)
    samples = [[rng.randint(0, 9000) for _ in range(n)] for n in (1, 2, 3, 4, 5, 7, 10, 11, 99, 1001)]
    samples += [[0] * 5, [60, 60, 61], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            for values in samples:
                median, p90 = conn.execute(sa.text(
                    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
                    "percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM unnest(CAST(:values AS integer[])) AS v"),
                    {"values": values}).one()
                assert median_and_p90(list(values)) == (round(median, 1), round(p90, 1)), values
    finally:
        engine.dispose()
