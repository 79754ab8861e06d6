"""The reliability suite's scale: a short form in every test run (seconds), the full
one with ``make reliability`` (CXDESK_RELIABILITY=full: 200 kill rounds and more)."""

from __future__ import annotations

import os

import pytest

FULL = os.environ.get("CXDESK_RELIABILITY") == "full"


@pytest.fixture
def scale():
    """(kill rounds, writes per concurrent counter)."""
    return (200, 100) if FULL else (4, 15)


def report(line: str) -> None:
    """A figure of the run, shown by ``make reliability`` (pytest -s)."""
    if FULL:
        print(f"\nRELIABILITY {line}")
