"""An e-mail address is used only once its owner has confirmed it through a single-use, expiring link.

Revision ID: 0007
Revises: 0006

`contact_points.confirmed_at` says when (push subscriptions need no confirmation: the browser made them for this
person). `email_confirmations` keeps only the SHA-256 of each link's token, so the table cannot be used to confirm
anything. Addresses registered before this revision were never confirmed and stay unconfirmed: their owners get
nothing by e-mail until they ask for a link in Settings and follow it.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"ALTER TABLE {schema}.contact_points ADD COLUMN confirmed_at timestamptz")
    op.execute(
        f"""
        CREATE TABLE {schema}.email_confirmations (
            token_sha256 bytea PRIMARY KEY,
            contact_point_id uuid NOT NULL REFERENCES {schema}.contact_points (id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            used_at timestamptz
        )"""
    )
    op.execute(f"CREATE INDEX email_confirmations_by_point ON {schema}.email_confirmations (contact_point_id)")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.email_confirmations")
    op.execute(f"ALTER TABLE {schema}.contact_points DROP COLUMN confirmed_at")
