"""Lifting a restriction: who lifted the restriction an approved erasure request put on a client's clinical record,
in which roles, when, and why (the reason stays here: it is free text and goes into no event).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("lifted_by uuid", "lifted_by_roles text[]", "lifted_at timestamptz", "lift_reason text")


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.erasure_requests " + ", ".join(f"ADD COLUMN {c}" for c in COLUMNS))


def downgrade(schema: str) -> None:
    names = (c.split()[0] for c in COLUMNS)
    op.execute(f"ALTER TABLE {schema}.erasure_requests " + ", ".join(f"DROP COLUMN {n}" for n in names))
