"""exchange with headquarters: change tracking, the office key, the export ledger, HQ registry

Adds ``version`` to every table that travels, stamped by triggers from one
office-wide counter (see cxdesk.store.tracking); rows already there get a
version each so the first export after the upgrade carries them. The columns
are added with ALTER TABLE (no batch rebuild), so migration 0003's trail guard
survives; on SQLite the guard is replaced by one that lets the stamping
trigger's own UPDATE through.

Revision ID: 0008_exchange
Revises: 0003_complaints
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cxdesk.store.models
from cxdesk.store import tracking

revision = "0008_exchange"
down_revision = "0007_barrier"
branch_labels = None
depends_on = None

# The tables this migration tracks. A later feature's migration tracks its own
# tables with tracking.track(op, dialect, ["its_table"]) and adds its
# column the same way.
TRACKED = (
    "office", "station", "staff", "shift", "visit", "visitchanneloffer",
    "surveyinvitation", "surveyresponse", "surveyanswer",
    "complaint", "complaintcontact", "complaintevent",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "exchangeclock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchangeclock")),
    )
    op.create_table(
        "officekey",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("public_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("private_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_officekey_office_id_office")),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_officekey")),
    )
    op.create_table(
        "exportledger",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("after_version", sa.BigInteger(), nullable=False),
        sa.Column("through_version", sa.BigInteger(), nullable=False),
        sa.Column("advances", sa.Boolean(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("include_pii", sa.Boolean(), nullable=False),
        sa.Column("by_staff_id", sa.Uuid(), nullable=True),
        sa.Column("destination", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["by_staff_id"], ["staff.id"], name=op.f("fk_exportledger_by_staff_id_staff")),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"], name=op.f("fk_exportledger_office_id_office")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exportledger")),
    )
    with op.batch_alter_table("exportledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exportledger_office_id"), ["office_id"], unique=False)
    op.create_table(
        "hqoffice",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("public_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("registered_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_hqoffice")),
    )
    op.create_table(
        "hqbundle",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("after_version", sa.BigInteger(), nullable=False),
        sa.Column("through_version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ingested_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hqbundle")),
    )
    with op.batch_alter_table("hqbundle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hqbundle_office_code"), ["office_code"], unique=False)

    # Plain ALTER TABLE ADD COLUMN on both databases: no table is rebuilt, so
    # no trigger (the trail's guard) is lost.
    for table in TRACKED:
        op.add_column(table, sa.Column("version", sa.BigInteger(), nullable=True))
    tracking.install_counter(op, dialect)
    # The trail's guard refuses every UPDATE; stamping the rows already there
    # is the one update it must let through. SQLite's new guard does so by
    # itself (it passes rows whose version is still unset); PostgreSQL's guard
    # is switched off for the stamping only, inside this same transaction.
    tracking.guard_trail(op, dialect)
    if dialect == "postgresql":
        op.execute("ALTER TABLE complaintevent DISABLE TRIGGER complaintevent_append_only")
    tracking.stamp_existing(op, dialect, TRACKED)
    if dialect == "postgresql":
        op.execute("ALTER TABLE complaintevent ENABLE TRIGGER complaintevent_append_only")
    for table in TRACKED:
        op.create_index(f"ix_{table}_version", table, ["version"], unique=False)
    tracking.track(op, dialect, TRACKED)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    tracking.unguard_trail(op, dialect)
    tracking.untrack(op, dialect, TRACKED)
    for table in TRACKED:
        op.drop_index(f"ix_{table}_version", table_name=table)
        # ALTER TABLE DROP COLUMN (SQLite 3.35+), not a batch rebuild that would drop the trail's guard.
        op.drop_column(table, "version")
    tracking.remove_counter(op, dialect)
    with op.batch_alter_table("hqbundle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hqbundle_office_code"))
    op.drop_table("hqbundle")
    op.drop_table("hqoffice")
    with op.batch_alter_table("exportledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exportledger_office_id"))
    op.drop_table("exportledger")
    op.drop_table("officekey")
    op.drop_table("exchangeclock")
