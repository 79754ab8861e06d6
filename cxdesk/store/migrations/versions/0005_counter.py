"""counter: survey kiosk heartbeat

A kiosk records when it last looked for a survey, so that a clerk sending one
to a station where no kiosk runs is told so (and offered the handover).

Revision ID: 0005_counter
Revises: 0003_complaints
"""

import sqlalchemy as sa
from alembic import op

import cxdesk.store.models

revision = "0005_counter"
down_revision = "0004_signin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kioskheartbeat",
        sa.Column("station_id", sa.Uuid(), nullable=False),
        sa.Column("seen_at", cxdesk.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_kioskheartbeat_station_id_station")),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_kioskheartbeat")),
    )


def downgrade() -> None:
    op.drop_table("kioskheartbeat")
