"""Who recorded each event (``events.recorded_by``): the name a case handler gives at the case
desk, or the identity the server provides. ``actor`` stays who *acted* (the body or person that
took the step); ``recorded_by`` is who typed it in. Empty for events recorded before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite keeps the append-only triggers on events (a batch copy would drop them).
    op.add_column("events", sa.Column("recorded_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("recorded_by")
