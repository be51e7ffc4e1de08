"""This service's parts of subject access exports (kept here, served only to whom the export was made for).

Revision ID: 0006
Revises: 0005
"""

# The table is the same in every service (the shared export machinery's); each service still adds it to its own
# schema through its own migration chain.
from accord.shared.exports import downgrade_export_parts as downgrade
from accord.shared.exports import upgrade_export_parts as upgrade

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
__all__ = ["downgrade", "upgrade"]
