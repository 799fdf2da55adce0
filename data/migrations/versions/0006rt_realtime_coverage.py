"""real-time: per-signal transfer coverage spans and last receipt time

Revision ID: 0006rt
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0006rt'
down_revision = '0001'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table('rt_signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_received_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('rt_coverage',
    sa.Column('id', BigId, nullable=False),
    sa.Column('signal_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['rt_signals.id'], name=op.f('fk_rt_coverage_signal_id_rt_signals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rt_coverage'))
    )
    with op.batch_alter_table('rt_coverage', schema=None) as batch_op:
        batch_op.create_index('ix_rt_coverage_signal_end', ['signal_id', 'ends_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rt_coverage', schema=None) as batch_op:
        batch_op.drop_index('ix_rt_coverage_signal_end')
    op.drop_table('rt_coverage')
    with op.batch_alter_table('rt_signals', schema=None) as batch_op:
        batch_op.drop_column('last_received_at')
