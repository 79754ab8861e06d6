"""visits that left: the stage they left at

Revision ID: 0009_left_stage
Revises: 0003_complaints
Create Date: 2026-11-25 16:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_left_stage"
down_revision = "0008_exchange"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_stage", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_column("left_stage")
