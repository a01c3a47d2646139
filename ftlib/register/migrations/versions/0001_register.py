"""The register's first schema: regions, cadres, cases, the append-only event log and the
tables projected from it (decisions, appeals, corrections, follow-ups, clues in, results
shared), ex-ante registrations and clarifications.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPLICATION = "ftlib-register"  # the value ftlib.register.models.APPLICATION had at this revision

_PG_APPEND_ONLY = """
CREATE FUNCTION ftlib_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ftlib: the events table is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ftlib_events_append_only();
"""


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('id', sa.String(length=60), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('jurisdiction', sa.String(length=40), nullable=False),
    sa.Column('cadre_id', sa.String(length=40), nullable=True),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('conduct_date', sa.Date(), nullable=False),
    sa.Column('policy_id', sa.String(length=40), nullable=False),
    sa.Column('registration_id', sa.String(length=40), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    op.create_index(op.f('ix_cases_region_code'), 'cases', ['region_code'], unique=False)
    op.create_table('clarifications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('cadre_id', sa.String(length=40), nullable=True),
    sa.Column('case_id', sa.String(length=60), nullable=True),
    sa.Column('clarified_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('accuser_referred', sa.Boolean(), nullable=False),
    sa.Column('referred_to', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clarifications'))
    )
    op.create_index(op.f('ix_clarifications_region_code'), 'clarifications', ['region_code'], unique=False)
    op.create_table('ftlib_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_ftlib_meta'))
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('parent', sa.String(length=40), nullable=True),
    sa.Column('illustrative', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('appeals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('against', sa.String(length=20), nullable=False),
    sa.Column('lodged_on', sa.Date(), nullable=False),
    sa.Column('window_ends', sa.Date(), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_appeals_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals'))
    )
    op.create_index(op.f('ix_appeals_case_id'), 'appeals', ['case_id'], unique=False)
    op.create_table('cadres',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=True),
    sa.Column('rank', sa.String(length=20), nullable=True),
    sa.Column('unit_type', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_cadres_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadres'))
    )
    op.create_table('clues_in',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_clues_in_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clues_in'))
    )
    op.create_index(op.f('ix_clues_in_case_id'), 'clues_in', ['case_id'], unique=False)
    op.create_table('corrections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('measure', sa.String(length=80), nullable=False),
    sa.Column('text_zh', sa.Text(), nullable=False),
    sa.Column('ordered_on', sa.Date(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('calendar_warning', sa.Text(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_corrections_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections'))
    )
    op.create_index(op.f('ix_corrections_case_id'), 'corrections', ['case_id'], unique=False)
    op.create_table('decisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('body', sa.String(length=80), nullable=False),
    sa.Column('consulted', sa.JSON(), nullable=False),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('members_total', sa.Integer(), nullable=False),
    sa.Column('members_present', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('votes_abstain', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('engine_outcome', sa.String(length=20), nullable=False),
    sa.Column('engine_rule', sa.String(length=80), nullable=False),
    sa.Column('engine_policy_id', sa.String(length=40), nullable=False),
    sa.Column('departure_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decisions_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    op.create_index(op.f('ix_decisions_case_id'), 'decisions', ['case_id'], unique=False)
    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('at', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('case_id', 'seq', name='uq_events_case_seq')
    )
    op.create_index('ix_events_kind', 'events', ['kind'], unique=False)
    op.create_table('follow_ups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_follow_ups_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    op.create_index(op.f('ix_follow_ups_case_id'), 'follow_ups', ['case_id'], unique=False)
    op.create_table('region_headcounts',
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cadres', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_region_headcounts_region_code_regions')),
    sa.PrimaryKeyConstraint('region_code', 'year', name=op.f('pk_region_headcounts'))
    )
    op.create_table('results_shared',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=60), nullable=False),
    sa.Column('to_body', sa.String(length=60), nullable=False),
    sa.Column('shared_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('counts_against_cadre', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_results_shared_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_shared'))
    )
    op.create_index(op.f('ix_results_shared_case_id'), 'results_shared', ['case_id'], unique=False)
    op.create_table('registrations',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('cadre_id', sa.String(length=40), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadres.id'], name=op.f('fk_registrations_cadre_id_cadres')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_registrations_region_code_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations'))
    )

    meta = sa.table("ftlib_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(meta, [{"key": "application", "value": APPLICATION}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER events_no_{what.lower()} BEFORE {what} ON events "
                       f"BEGIN SELECT RAISE(ABORT, 'ftlib: the events table is append-only ({what} refused)'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS ftlib_events_append_only()")
    op.drop_table('registrations')
    op.drop_index(op.f('ix_results_shared_case_id'), table_name='results_shared')
    op.drop_table('results_shared')
    op.drop_table('region_headcounts')
    op.drop_index(op.f('ix_follow_ups_case_id'), table_name='follow_ups')
    op.drop_table('follow_ups')
    op.drop_index('ix_events_kind', table_name='events')
    op.drop_table('events')
    op.drop_index(op.f('ix_decisions_case_id'), table_name='decisions')
    op.drop_table('decisions')
    op.drop_index(op.f('ix_corrections_case_id'), table_name='corrections')
    op.drop_table('corrections')
    op.drop_index(op.f('ix_clues_in_case_id'), table_name='clues_in')
    op.drop_table('clues_in')
    op.drop_table('cadres')
    op.drop_index(op.f('ix_appeals_case_id'), table_name='appeals')
    op.drop_table('appeals')
    op.drop_table('regions')
    op.drop_table('ftlib_meta')
    op.drop_index(op.f('ix_clarifications_region_code'), table_name='clarifications')
    op.drop_table('clarifications')
    op.drop_index(op.f('ix_cases_region_code'), table_name='cases')
    op.drop_table('cases')
