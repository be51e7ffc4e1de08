"""The erasure requests of a tenant in the order the list reads them (newest first, then by request id), so a page
is read from the index rather than every request of the tenant being sorted for it: a supervisor's or a data
protection officer's list reads one page of a tenant's requests, which only ever grow.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(
        f"CREATE INDEX erasure_requests_by_time ON {schema}.erasure_requests"
        " (tenant_id, requested_at DESC, request_id DESC)"
    )


def downgrade(schema: str) -> None:
    op.execute(f"DROP INDEX {schema}.erasure_requests_by_time")
