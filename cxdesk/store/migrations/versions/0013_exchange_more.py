"""exchange with headquarters: standards, benchmarks and sign-offs travel too

Adds ``version`` (stamped by the triggers of cxdesk.store.tracking, as in
0008_exchange) to the service standards, their versions, the benchmarks and
the supervisors' sign-offs; rows already there get a version each, so the
first export after the upgrade carries them. ALTER TABLE ADD COLUMN, no batch
rebuild: no trigger of these tables (or of the complaint trail) is lost.

The barrier survey's answer tables get no version on purpose: a version is a
clock of the last save, and a period's answers travel only once the period
has closed (then they never change), so they need none (exchange/tables.py).

Revision ID: 0013_exchange_more
Revises: 0012_audit
"""

import sqlalchemy as sa
from alembic import op

from cxdesk.store import tracking

revision = "0013_exchange_more"
down_revision = "0012_audit"
branch_labels = None
depends_on = None

TRACKED = ("servicestandard", "standardversion", "benchmark", "signoff")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TRACKED:
        op.add_column(table, sa.Column("version", sa.BigInteger(), nullable=True))
    tracking.stamp_existing(op, dialect, TRACKED)
    for table in TRACKED:
        op.create_index(f"ix_{table}_version", table, ["version"], unique=False)
    tracking.track(op, dialect, TRACKED)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    tracking.untrack(op, dialect, TRACKED)
    for table in TRACKED:
        op.drop_index(f"ix_{table}_version", table_name=table)
        op.drop_column(table, "version")
