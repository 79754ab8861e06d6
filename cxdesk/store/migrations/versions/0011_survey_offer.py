"""visits record whether the survey was offered, declined, or not offered and why

Revision ID: 0011_survey_offer
Revises: 0010_lobby
Create Date: 2026-11-25 19:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_survey_offer"
down_revision = "0010_lobby"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two nullable columns: SQLite adds them in place (no table rebuild), so the
    # visit table's change-tracking triggers stay as they are.
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("survey_offer", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))
        batch_op.add_column(sa.Column("survey_not_offered_reason", sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_column("survey_not_offered_reason")
        batch_op.drop_column("survey_offer")
