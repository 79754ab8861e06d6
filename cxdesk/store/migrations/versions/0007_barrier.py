"""barrier survey: settings, token key, answered-tokens, deferrals, anonymous answers

The answer tables (and the token and deferral tables) are WITHOUT ROWID on
SQLite: a hidden row number would keep the order people answered in.

Revision ID: 0007_barrier
Revises: 0003_complaints
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cxdesk.store.models

revision = "0007_barrier"
down_revision = "0006_standards"
branch_labels = None
depends_on = None

NO_ROWID = {"sqlite_with_rowid": False}


def upgrade() -> None:
    op.create_table(
        "barriersurveysettings",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("deferrals", sa.Integer(), nullable=False),
        sa.Column("changed_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["changed_by"], ["staff.id"],
                                name=op.f("fk_barriersurveysettings_changed_by_staff")),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"],
                                name=op.f("fk_barriersurveysettings_office_id_office")),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_barriersurveysettings")),
    )
    op.create_table(
        "barrierkey",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_barrierkey_office_id_office")),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_barrierkey")),
    )
    op.create_table(
        "barriertoken",
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_barriertoken_office_id_office")),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_barriertoken")),
        **NO_ROWID,
    )
    op.create_table(
        "barrierdeferral",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_barrierdeferral_office_id_office")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_barrierdeferral_staff_id_staff")),
        sa.PrimaryKeyConstraint("staff_id", "period", name=op.f("pk_barrierdeferral")),
        **NO_ROWID,
    )
    op.create_table(
        "barrieranswer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("idea", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_barrieranswer_office_id_office")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_barrieranswer")),
        **NO_ROWID,
    )
    with op.batch_alter_table("barrieranswer", schema=None) as batch_op:
        batch_op.create_index("ix_barrieranswer_office_period", ["office_id", "period"], unique=False)
    op.create_table(
        "barrieritemanswer",
        sa.Column("answer_id", sa.Uuid(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["barrieranswer.id"],
                                name=op.f("fk_barrieritemanswer_answer_id_barrieranswer")),
        sa.PrimaryKeyConstraint("answer_id", "item", name=op.f("pk_barrieritemanswer")),
        **NO_ROWID,
    )
    op.create_table(
        "barrierpick",
        sa.Column("answer_id", sa.Uuid(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["barrieranswer.id"],
                                name=op.f("fk_barrierpick_answer_id_barrieranswer")),
        sa.PrimaryKeyConstraint("answer_id", "category", name=op.f("pk_barrierpick")),
        **NO_ROWID,
    )


def downgrade() -> None:
    op.drop_table("barrierpick")
    op.drop_table("barrieritemanswer")
    with op.batch_alter_table("barrieranswer", schema=None) as batch_op:
        batch_op.drop_index("ix_barrieranswer_office_period")
    op.drop_table("barrieranswer")
    op.drop_table("barrierdeferral")
    op.drop_table("barriertoken")
    op.drop_table("barrierkey")
    op.drop_table("barriersurveysettings")
