"""submission keys: one help request per submission (idempotency keys held for a day)

Revision ID: 1a3ab5c16402
Revises: 53843dabfd19
Create Date: 2026-12-01 08:05:05.688047

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1a3ab5c16402'
down_revision = '53843dabfd19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submission_keys',
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['help_requests.id'], name=op.f('fk_submission_keys_request_id_help_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_submission_keys_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'key', name=op.f('pk_submission_keys'))
    )
    with op.batch_alter_table('submission_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_keys_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('submission_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_keys_created_at'))

    op.drop_table('submission_keys')
