"""Service positions elsewhere: a contest's venue and a mediation's meeting place

contests.venue_position_id; help_requests.meeting_position_id and meeting_note (when, which room).

Revision ID: adf0e5e229d4
Revises: 0cdfd25820de
Create Date: 2026-12-01 10:53:38.221774

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))


# revision identifiers, used by Alembic.
revision = 'adf0e5e229d4'
down_revision = '0cdfd25820de'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue_position_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contests_venue_position_id'), ['venue_position_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contests_venue_position_id_positions'), 'positions',
                                    ['venue_position_id'], ['id'])

    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_position_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('meeting_note', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_help_requests_meeting_position_id'), ['meeting_position_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_help_requests_meeting_position_id_positions'), 'positions',
                                    ['meeting_position_id'], ['id'])


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_help_requests_meeting_position_id_positions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_help_requests_meeting_position_id'))
        batch_op.drop_column('meeting_note')
        batch_op.drop_column('meeting_position_id')

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contests_venue_position_id_positions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contests_venue_position_id'))
        batch_op.drop_column('venue_position_id')
