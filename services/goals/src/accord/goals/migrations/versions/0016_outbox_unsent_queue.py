"""The outbox's unsent rows in a table of their own, in place of the outbox's partial indexes on them: the relay's
claim walked an index entry for every row sent since the outbox's last vacuum (accord.shared.outbox.ddl).

Revision ID: 0016
Revises: 0015
"""

from accord.shared.outbox.ddl import downgrade_unsent_queue as downgrade
from accord.shared.outbox.ddl import upgrade_unsent_queue as upgrade

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None
__all__ = ["downgrade", "upgrade"]
