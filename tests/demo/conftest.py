"""The demo databases the demo tests share: built once for the whole folder."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.factories import fill_demo, visit_rows

# A month of the demo office with the default seed, its last day over (Friday 27 March 2026,
# 17:30 in Springfield).
MONTH_END = datetime(2026, 3, 27, 23, 30, tzinfo=timezone.utc)


def _built(tmp_path_factory, name: str, **fill) -> tuple[str, object]:
    folder = tmp_path_factory.mktemp(name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXDESK_HOME", str(folder / "home"))
        url = f"sqlite:///{folder / f'{name}.db'}"
        return url, fill_demo(url, **fill)


@pytest.fixture(scope="package")
def filled(tmp_path_factory):
    """Twenty working days up to DEMO_NOW (seed 7): the URL, the summary, the visits."""
    url, summary = _built(tmp_path_factory, "demo")
    return url, summary, visit_rows(url)


@pytest.fixture(scope="package")
def month(tmp_path_factory):
    """Twenty-one working days up to MONTH_END with the default seed: the URL."""
    url, _summary = _built(tmp_path_factory, "month", days=21, seed=12862, now=MONTH_END)
    return url
