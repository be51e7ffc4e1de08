"""Erasure: the clients whose records are restricted here, and each person's own analytics key material (destroyed
when an erasure is decided: crypto-shredding of their pseudonyms).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

from accord.shared.erasure import downgrade_restricted_clients, upgrade_restricted_clients

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    upgrade_restricted_clients(schema)
    op.execute(f"""
        CREATE TABLE {schema}.analytics_person_keys (
            tenant_id text NOT NULL,
            person_id uuid NOT NULL,
            secret bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, person_id)
        )""")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.analytics_person_keys")
    downgrade_restricted_clients(schema)
