"""sign-in delays per staff code and station instead of a lock on the staff row

Wrong PINs used to lock a staff code everywhere for 15 minutes (staff.failed_pins,
staff.locked_until), which anyone could trigger for everybody. They are now
counted per code and station in signindelay; the old columns stay (no table
rebuild) and are cleared so no old lock lingers.

Revision ID: 0004_signin
Revises: 0003_complaints
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cxdesk.store.models

revision = "0004_signin"
down_revision = "0003_complaints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signindelay",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("wait_until", cxdesk.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_signindelay_office_id_office")),
        sa.PrimaryKeyConstraint("office_id", "staff_code", "place", name=op.f("pk_signindelay")),
    )
    op.execute("UPDATE staff SET failed_pins = 0, locked_until = NULL")


def downgrade() -> None:
    op.drop_table("signindelay")
