"""Erasure: the requests this service keeps (who asked, who decided, each service's completion) and the clients
whose records are restricted here.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from accord.goals.migrations.request_tables import create_request_table
from accord.shared.erasure import downgrade_restricted_clients, upgrade_restricted_clients

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    decision = """decision text CHECK (decision IN ('approved', 'refused')),
            decided_by uuid,
            decided_by_roles text[],
            decided_at timestamptz,
            applied jsonb NOT NULL DEFAULT '{}'"""
    create_request_table(schema, "erasure_requests", "request_id", decision, "")
    upgrade_restricted_clients(schema)


def downgrade(schema: str) -> None:
    downgrade_restricted_clients(schema)
    op.execute(f"DROP TABLE {schema}.erasure_requests")
