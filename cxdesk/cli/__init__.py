"""The cxdesk command line: one click group, a module per command group.

Starts fast: the UI is imported only by the commands that show it (``cli.app``),
and each command imports the database layer when it runs. Errors a person can
act on go to stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

from cxdesk.cli import complaints, db, demo, kiosk, report
from cxdesk.cli.base import main

for command in (db.db_group, db.paths, demo.demo, kiosk.kiosk, complaints.complaints_group,
                report.report_group):
    main.add_command(command)

__all__ = ["main"]
