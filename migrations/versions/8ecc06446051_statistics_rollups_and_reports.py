"""Statistics: daily/monthly rollups per node, the rollup job's state, stored reports

Revision ID: 8ecc06446051
Revises: 5ded8700fccf
Create Date: 2026-12-01 07:34:34.796144

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8ecc06446051'
down_revision = '5ded8700fccf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_rollups',
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('metric', sa.String(length=24), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('k1', sa.String(length=16), nullable=False),
    sa.Column('k2', sa.String(length=16), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('node_id', 'grain', 'metric', 'day', 'k1', 'k2', name=op.f('pk_stats_rollups'))
    )
    op.create_table('stats_state',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('watermark', sa.DateTime(), nullable=True),
    sa.Column('tree_hash', sa.String(length=64), nullable=True),
    sa.Column('ran_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stats_state'))
    )
    op.create_table('stats_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('xlsx', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx_size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['generated_by_id'], ['staff.id'], name=op.f('fk_stats_reports_generated_by_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['node_id'], ['federations.id'], name=op.f('fk_stats_reports_node_id_federations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_reports')),
    sa.UniqueConstraint('node_id', 'kind', 'period_start', name='uq_stats_report_period')
    )
    with op.batch_alter_table('stats_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_reports_node_id'), ['node_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stats_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_reports_node_id'))

    op.drop_table('stats_reports')
    op.drop_table('stats_state')
    op.drop_table('stats_rollups')
