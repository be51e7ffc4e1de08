"""Erasure: the clients for whom nothing is planned any more (their app-only data here was erased).

Revision ID: 0008
Revises: 0007
"""

from accord.shared.erasure import downgrade_restricted_clients as downgrade
from accord.shared.erasure import upgrade_restricted_clients as upgrade

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
__all__ = ["downgrade", "upgrade"]
