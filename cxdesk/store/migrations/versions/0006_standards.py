"""service standards with versions, benchmarks, sign-offs; indexes for the summary

Revision ID: 0006_standards
Revises: 0003_complaints
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cxdesk.store.models

revision = "0006_standards"
down_revision = "0005_counter"
branch_labels = None
depends_on = None

_UTC = cxdesk.store.models.UTCDateTime(timezone=True)
# The summary's covering index over a period's visits (see models.py).
_SUMMARY_COLUMNS = ("office_id", "day", "state", "wait_seconds", "service_seconds", "service", "outcome",
                    "staff_id", "station_id", "id")


def _text(length: int):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "servicestandard",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("code", _text(40), nullable=False),
        sa.Column("measure", _text(24), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_servicestandard_office_id_office")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_servicestandard")),
        sa.UniqueConstraint("office_id", "code", name="uq_servicestandard_office_code"),
    )
    op.create_table(
        "standardversion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("service", _text(40), nullable=True),
        sa.Column("question", _text(32), nullable=True),
        sa.Column("scale", _text(8), nullable=True),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("wording_en", _text(300), nullable=False),
        sa.Column("wording_es", _text(300), nullable=False),
        sa.Column("note", _text(500), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"], name=op.f("fk_standardversion_created_by_staff")),
        sa.ForeignKeyConstraint(["standard_id"], ["servicestandard.id"],
                                name=op.f("fk_standardversion_standard_id_servicestandard")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standardversion")),
    )
    with op.batch_alter_table("standardversion", schema=None) as batch_op:
        batch_op.create_index("ix_standardversion_standard_effective", ["standard_id", "effective_from"],
                              unique=False)
    op.create_table(
        "benchmark",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", _text(200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("note", _text(500), nullable=False),
        sa.Column("retired_at", _UTC, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"], name=op.f("fk_benchmark_created_by_staff")),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_benchmark_office_id_office")),
        sa.ForeignKeyConstraint(["standard_id"], ["servicestandard.id"],
                                name=op.f("fk_benchmark_standard_id_servicestandard")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benchmark")),
    )
    with op.batch_alter_table("benchmark", schema=None) as batch_op:
        batch_op.create_index("ix_benchmark_standard_as_of", ["standard_id", "as_of"], unique=False)
    op.create_table(
        "signoff",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _text(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=True),
        sa.Column("note", _text(1000), nullable=False),
        sa.Column("signed_by", sa.Uuid(), nullable=False),
        sa.Column("signed_at", _UTC, nullable=False),
        sa.Column("fingerprint", _text(64), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_signoff_office_id_office")),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"], name=op.f("fk_signoff_shift_id_shift")),
        sa.ForeignKeyConstraint(["signed_by"], ["staff.id"], name=op.f("fk_signoff_signed_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoff")),
    )
    with op.batch_alter_table("signoff", schema=None) as batch_op:
        batch_op.create_index("ix_signoff_office_day", ["office_id", "day"], unique=False)
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_shift", ["shift_id"], unique=False)
        batch_op.create_index("ix_visit_office_day_summary", list(_SUMMARY_COLUMNS), unique=False)
    with op.batch_alter_table("surveyinvitation", schema=None) as batch_op:
        batch_op.create_index("ix_surveyinvitation_visit_status", ["visit_id", "status", "id"], unique=False)
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.create_index("ix_surveyresponse_visit_response", ["visit_id", "id"], unique=False)
    with op.batch_alter_table("surveyanswer", schema=None) as batch_op:
        batch_op.create_index("ix_surveyanswer_response_score", ["response_id", "question", "choice", "score"],
                              unique=False)


def downgrade() -> None:
    for table, index in (("surveyanswer", "ix_surveyanswer_response_score"),
                         ("surveyresponse", "ix_surveyresponse_visit_response"),
                         ("surveyinvitation", "ix_surveyinvitation_visit_status")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_office_day_summary")
        batch_op.drop_index("ix_visit_shift")
    with op.batch_alter_table("signoff", schema=None) as batch_op:
        batch_op.drop_index("ix_signoff_office_day")
    op.drop_table("signoff")
    with op.batch_alter_table("benchmark", schema=None) as batch_op:
        batch_op.drop_index("ix_benchmark_standard_as_of")
    op.drop_table("benchmark")
    with op.batch_alter_table("standardversion", schema=None) as batch_op:
        batch_op.drop_index("ix_standardversion_standard_effective")
    op.drop_table("standardversion")
    op.drop_table("servicestandard")
