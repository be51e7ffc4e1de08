"""Audit log and idempotency keys.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from accord.shared.audit import audit_ddl
from accord.shared.idempotency import idempotency_ddl

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in [*audit_ddl(schema), *idempotency_ddl(schema)]:
        op.execute(statement)


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.idempotency_keys")
    op.execute(f"DROP TABLE {schema}.audit_log")
