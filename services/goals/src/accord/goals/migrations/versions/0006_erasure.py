"""Erasure: the requests this service keeps (who asked, who decided, each service's completion) and the clients
whose records are restricted here.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from accord.shared.erasure import downgrade_restricted_clients, upgrade_restricted_clients

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.erasure_requests (
            request_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            requested_by uuid NOT NULL,
            requested_by_roles text[] NOT NULL,
            request_reference text,
            requested_at timestamptz NOT NULL,
            decision text CHECK (decision IN ('approved', 'refused')),
            decided_by uuid,
            decided_by_roles text[],
            decided_at timestamptz,
            applied jsonb NOT NULL DEFAULT '{{}}'
        )""")
    op.execute(f"CREATE INDEX erasure_requests_by_client ON {schema}.erasure_requests (tenant_id, client_id)")
    upgrade_restricted_clients(schema)


def downgrade(schema: str) -> None:
    downgrade_restricted_clients(schema)
    op.execute(f"DROP TABLE {schema}.erasure_requests")
