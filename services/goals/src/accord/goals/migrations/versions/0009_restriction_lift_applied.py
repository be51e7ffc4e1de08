"""Each service's report that it ended its restriction of a client (`<Service>RestrictionLiftApplied`), as `applied`
holds each service's report of the decision: service -> when.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.erasure_requests ADD COLUMN lift_applied jsonb NOT NULL DEFAULT '{{}}'::jsonb")


def downgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.erasure_requests DROP COLUMN lift_applied")
