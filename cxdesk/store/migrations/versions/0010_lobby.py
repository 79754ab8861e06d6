"""the lobby board: the wait estimates it showed (issue 12)

Revision ID: 0010_lobby
Revises: 0009_left_stage
Create Date: 2026-11-25 19:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cxdesk.store.models

revision = "0010_lobby"
down_revision = "0009_left_stage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waitestimate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("given_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("line", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("windows_open", sa.Integer(), nullable=False),
        sa.Column("low_minutes", sa.Integer(), nullable=True),
        sa.Column("high_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_waitestimate_office_id_office")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitestimate")),
    )
    with op.batch_alter_table("waitestimate", schema=None) as batch_op:
        batch_op.create_index("ix_waitestimate_office_day_given", ["office_id", "day", "given_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("waitestimate", schema=None) as batch_op:
        batch_op.drop_index("ix_waitestimate_office_day_given")
    op.drop_table("waitestimate")
