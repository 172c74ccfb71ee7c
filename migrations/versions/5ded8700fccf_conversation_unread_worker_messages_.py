"""conversation: unread worker messages (the inbox flag), merged requests (duplicates, group cases)

Revision ID: 5ded8700fccf
Revises: a3801035fc58
Create Date: 2026-12-01 08:44:01.056602

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))


# revision identifiers, used by Alembic.
revision = '5ded8700fccf'
down_revision = 'a3801035fc58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_unread', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_help_requests_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_help_requests_merged_into_id_help_requests'), 'help_requests', ['merged_into_id'], ['id'])



def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_requests_merged_into_id_help_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_help_requests_merged_into_id'))
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('worker_unread')

