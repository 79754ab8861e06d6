"""record keeping settings and the supervisors' append-only audit

Revision ID: 0012_audit
Revises: 0011_survey_offer
Create Date: 2026-11-25 19:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cxdesk.store.models import UTCDateTime

revision = "0012_audit"
down_revision = "0011_survey_offer"
branch_labels = None
depends_on = None

_REFUSAL = "the supervisor audit is append-only"


def upgrade() -> None:
    op.create_table(
        "recordkeeping",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("pii_retention_days", sa.Integer(), nullable=True),
        sa.Column("backups_kept", sa.Integer(), nullable=False),
        sa.Column("backup_at_day_end", sa.Boolean(), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by"], ["staff.id"], name=op.f("fk_recordkeeping_changed_by_staff")),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_recordkeeping_office_id_office")),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_recordkeeping")),
    )
    op.create_table(
        "supervisoraction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_supervisoraction_office_id_office")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_supervisoraction_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisoraction")),
    )
    op.create_index("ix_supervisoraction_office_at", "supervisoraction", ["office_id", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION supervisoraction_append_only() RETURNS trigger AS $$ "
                   f"BEGIN RAISE EXCEPTION '{_REFUSAL}'; END; $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER supervisoraction_append_only BEFORE UPDATE OR DELETE ON supervisoraction "
                   "FOR EACH ROW EXECUTE FUNCTION supervisoraction_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER supervisoraction_no_{action.lower()} BEFORE {action} ON supervisoraction "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS supervisoraction_append_only ON supervisoraction")
        op.execute("DROP FUNCTION IF EXISTS supervisoraction_append_only()")
    op.drop_index("ix_supervisoraction_office_at", table_name="supervisoraction")
    op.drop_table("supervisoraction")
    op.drop_table("recordkeeping")
