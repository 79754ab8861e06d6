"""`cxdesk report ...`: the office's reports outside the app. Each report is a command
of its own module, added to this group in ``cxdesk/cli/__init__.py``."""

from __future__ import annotations

import click


@click.group("report")
def report_group() -> None:
    """Reports for supervisors, as text, CSV or JSON."""
