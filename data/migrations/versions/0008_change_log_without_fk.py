"""change log: no foreign key on company_id (append-only, written only by the exchange engine)

A 10,000-operation delta writes 10,000 change-log rows; the per-row referential check of
``company_id`` against ``companies`` cost about a third of that write on PostgreSQL (27 ms of 80).
The log is append-only and every row's company is the authenticated company of the batch or load
that wrote it (``exchange.apply.Applier``); companies are never deleted.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

FK = "fk_change_log_company_id_companies"


def upgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_foreign_key(FK, "companies", ["company_id"], ["id"])
