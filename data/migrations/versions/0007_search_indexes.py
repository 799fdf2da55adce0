"""search and window indexes: upper(plate), upper(pole plate), upper(client number); demand months

Revision ID: 0007
Revises: 0006rt
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006rt'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_distribution_transformers_upper_code", "distribution_transformers", "code"),
    ("ix_distribution_transformers_upper_pole_plate", "distribution_transformers", "pole_plate"),
    ("ix_clients_upper_client_number", "clients", "client_number"),
)


MONTH_INDEXES = (("ix_feeder_demands_month", "feeder_demands"), ("ix_transformer_demands_month", "transformer_demands"))


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [sa.text(f"upper({column})")], unique=False)
    for name, table in MONTH_INDEXES:
        op.create_index(name, table, ["month"], unique=False)
    # Statistics of the new expressions, so the planner knows an upper(...) = value match is selective.
    for table in sorted({t for _, t, _ in INDEXES}):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for name, table in MONTH_INDEXES:
        op.drop_index(name, table_name=table)
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
