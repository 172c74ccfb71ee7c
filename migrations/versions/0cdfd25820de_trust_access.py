"""trust access

Staff session tokens; mobiles encrypted at rest in four tables; IDs masked to 2 + 2 characters;
erasure marks on help requests and contest sign-ups; workers' data requests.

Revision ID: 0cdfd25820de
Revises: 1a3ab5c16402
Create Date: 2026-12-01 08:01:37.944645

The mobile columns are encrypted with the application's keys (ID_ENCRYPTION_KEYS / ID_HASH_KEY, as
for ID numbers), so this runs inside the Flask app context (`flask db upgrade`). Downgrading
decrypts them back.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))


# revision identifiers, used by Alembic.
revision = '0cdfd25820de'
down_revision = '1a3ab5c16402'
branch_labels = None
depends_on = None

# table, plain column, prefix of the new columns, whether the plain column had an index
PHONES = [("workers", "phone", "phone", True), ("applications", "phone", "phone", False),
          ("help_requests", "worker_phone", "worker_phone", True), ("contest_signups", "phone", "phone", False)]


def _encrypt_phones(table: str, plain: str, prefix: str) -> None:
    from service.privacy.pii import protect_phone

    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id, {plain} FROM {table} WHERE {plain} IS NOT NULL")).all()
    for row_id, number in rows:
        enc, digest, masked = protect_phone(number)
        conn.execute(sa.text(f"UPDATE {table} SET {prefix}_enc = :e, {prefix}_hash = :h, {prefix}_masked = :m "
                             f"WHERE id = :i"), {"e": enc, "h": digest, "m": masked, "i": row_id})


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))

    op.create_table('data_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('held_because', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_data_requests_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_requests'))
    )
    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_requests_worker_id'), ['worker_id'], unique=False)

    for table in ('help_requests', 'contest_signups'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))

    for table, plain, prefix, indexed in PHONES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f'{prefix}_enc', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column(f'{prefix}_hash', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column(f'{prefix}_masked', sa.String(length=11), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_{prefix}_hash'), [f'{prefix}_hash'], unique=False)
        _encrypt_phones(table, plain, prefix)
        with op.batch_alter_table(table, schema=None) as batch_op:
            if indexed:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{plain}'))
            batch_op.drop_column(plain)

    # ID numbers shown as 13**************3X (2 + 2) instead of 130***********123X (3 + 4): the new
    # mask is made from the old one, no key needed.
    for table in ('workers', 'applications'):
        op.execute(f"UPDATE {table} SET id_masked = substr(id_masked, 1, 2) || '**************' || "
                   f"substr(id_masked, 17, 2) WHERE length(id_masked) = 18")


def downgrade():
    from service.privacy.pii import reveal_phone

    conn = op.get_bind()
    for table, plain, prefix, indexed in reversed(PHONES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(plain, sa.String(length=11), nullable=True))
        for row_id, token in conn.execute(sa.text(f"SELECT id, {prefix}_enc FROM {table} "
                                                  f"WHERE {prefix}_enc IS NOT NULL")).all():
            conn.execute(sa.text(f"UPDATE {table} SET {plain} = :p WHERE id = :i"),
                         {"p": reveal_phone(token), "i": row_id})
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{prefix}_hash'))
            if indexed:
                batch_op.create_index(batch_op.f(f'ix_{table}_{plain}'), [plain], unique=False)
            batch_op.drop_column(f'{prefix}_masked')
            batch_op.drop_column(f'{prefix}_hash')
            batch_op.drop_column(f'{prefix}_enc')

    for table in ('contest_signups', 'help_requests'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('erased_at')

    with op.batch_alter_table('data_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_requests_worker_id'))
        batch_op.drop_index(batch_op.f('ix_data_requests_status'))
    op.drop_table('data_requests')

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('session_token')
