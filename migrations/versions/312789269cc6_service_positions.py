"""Service positions (服务阵地) and the workers' last known location

Revision ID: 312789269cc6
Revises: 313df7b8d397
Create Date: 2026-12-01 07:35:45.581744

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '312789269cc6'
down_revision = '313df7b8d397'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('federation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('host_unit', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('hours', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('hours_note', sa.String(length=200), nullable=True),
    sa.Column('facilities', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('services', sa.Text(), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('photos', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_note', sa.String(length=200), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('federation_office', 'activity_venue', 'outdoor_station', 'legal_aid_point', 'shared_space')", name=op.f('ck_positions_kind')),
    sa.CheckConstraint("status IN ('open', 'suspended', 'closed')", name=op.f('ck_positions_status')),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180', name=op.f('ck_positions_coordinates')),
    sa.ForeignKeyConstraint(['federation_id'], ['federations.id'], name=op.f('fk_positions_federation_id_federations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_positions'))
    )
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_positions_federation_id'), ['federation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_positions_region_code'), ['region_code'], unique=False)
        batch_op.create_index('ix_positions_status_lat_lng', ['status', 'latitude', 'longitude'], unique=False,
                              postgresql_include=['id'])

    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_located_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_area_code', sa.String(length=12), nullable=True))



def downgrade():
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_column('last_area_code')
        batch_op.drop_column('last_located_at')
        batch_op.drop_column('last_longitude')
        batch_op.drop_column('last_latitude')

    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_index('ix_positions_status_lat_lng')
        batch_op.drop_index(batch_op.f('ix_positions_region_code'))
        batch_op.drop_index(batch_op.f('ix_positions_federation_id'))

    op.drop_table('positions')
