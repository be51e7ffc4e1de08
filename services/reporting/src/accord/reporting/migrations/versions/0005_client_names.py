"""Clients' preferred names, as a therapist of theirs entered them, so that caseloads and reports show a name.

Names are not in any event: they stay in this service, are not derived from the streams (a rebuild keeps them), and
are returned only with the rows and reports the viewer may already see.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.client_names (
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            display_name text NOT NULL,
            set_by uuid NOT NULL,
            set_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (tenant_id, client_id)
        )""")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.client_names")
