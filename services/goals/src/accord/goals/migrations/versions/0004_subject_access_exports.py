"""Subject access exports: the requests this service keeps (and the parts each service reported stored), and the
goals service's own part of each.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from accord.shared.exports import downgrade_export_parts, upgrade_export_parts

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.exports (
            export_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            requested_by uuid NOT NULL,
            requested_by_roles text[] NOT NULL,
            request_reference text,
            requested_at timestamptz NOT NULL,
            parts jsonb NOT NULL DEFAULT '{{}}'
        )""")
    op.execute(f"CREATE INDEX exports_by_client ON {schema}.exports (tenant_id, client_id, requested_at)")
    upgrade_export_parts(schema)


def downgrade(schema: str) -> None:
    downgrade_export_parts(schema)
    op.execute(f"DROP TABLE {schema}.exports")
