"""Job leases: each periodic job runs once per interval across every worker process

Revision ID: 53843dabfd19
Revises: 8ecc06446051
Create Date: 2026-12-01 08:32:35.168932

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '53843dabfd19'
down_revision = '8ecc06446051'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('next_run_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('holder', sa.String(length=120), nullable=True),
    sa.Column('last_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases'))
    )


def downgrade():
    op.drop_table('job_leases')
