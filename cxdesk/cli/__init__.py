"""The cxdesk command line: one click group, a module per command group.

Starts fast: the UI is imported only by the commands that show it (``cli.app``),
and each command imports the database layer when it runs. Errors a person can
act on go to stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

from cxdesk.cli import (board, complaints, db, demo, export, export_a11, hq, kiosk, office, plan, privacy,
                        report, report_barriers, report_estimates, report_surveys, staff)
from cxdesk.cli.base import main

for command in (db.db_group, db.paths, demo.demo, kiosk.kiosk, complaints.complaints_group,
                staff.staff_group, report.report_group, export.export_group, export.sync,
                office.office_group, hq.hq_group, board.board, plan.plan, privacy.purge,
                privacy.audit_command):
    main.add_command(command)
# Each report is its own module; the group collects them.
report.report_group.add_command(report_barriers.barriers)
report.report_group.add_command(report_estimates.estimates)
report.report_group.add_command(report_surveys.surveys)
export.export_group.add_command(export_a11.a11)
office.office_group.add_command(privacy.retention)

__all__ = ["main"]
