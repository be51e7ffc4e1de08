"""This service's parts of subject access exports (kept here, served only to whom the export was made for).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from accord.shared.exports import export_parts_ddl

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in export_parts_ddl(schema):
        op.execute(statement)


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.export_parts")
