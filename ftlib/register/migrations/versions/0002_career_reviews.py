"""Career reviews of tolerated cadres after the impact period (the ``career_reviewed`` event's
projection), for the careers metric.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('career_reviews',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('evaluated_normally', sa.Boolean(), nullable=True),
    sa.Column('promoted', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_career_reviews_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_career_reviews'))
    )
    op.create_index(op.f('ix_career_reviews_case_id'), 'career_reviews', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_career_reviews_case_id'), table_name='career_reviews')
    op.drop_table('career_reviews')
