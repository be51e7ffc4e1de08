"""Erasure: the clients for whom nothing is planned any more (their app-only data here was erased).

Revision ID: 0007
Revises: 0006
"""

from accord.shared.erasure import downgrade_restricted_clients as downgrade
from accord.shared.erasure import upgrade_restricted_clients as upgrade

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
__all__ = ["downgrade", "upgrade"]
