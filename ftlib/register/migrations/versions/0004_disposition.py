"""The disposition of each decision (``decisions.disposition``): 不予问责 (not_accountable), 免予问责
(exempted), 从轻 (lighter), 减轻 (reduced), not_tolerated or out_of_scope — finer than the outcome
class beside it (issue 11).

Existing rows: where the outcome has one disposition only (not_tolerated, out_of_scope) it is
that one; an ``exempt`` or ``mitigated`` decision recorded before dispositions existed is left
NULL, "not recorded": nobody recorded whether it was 不予 or 免予问责, 从轻 or 减轻, and the
migration does not guess (docs/register.md, "Dispositions"). The events are not changed
(append-only); a decision rebuilt from its event gets the same value (``procedure.projection``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("decisions", sa.Column("disposition", sa.String(length=20), nullable=True))
    op.execute("UPDATE decisions SET disposition = outcome WHERE outcome IN ('not_tolerated', 'out_of_scope')")


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("disposition")
