"""Sessions the therapist marked as held, and the young person's feedback on each (one answer per session).

The comment is kept here only: it never goes into an event, a log or a notification.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = [
    """CREATE TABLE {s}.sessions (
        session_id uuid PRIMARY KEY, tenant_id text NOT NULL, episode_id uuid NOT NULL, client_id uuid NOT NULL,
        held_at timestamptz NOT NULL, held_by uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX sessions_by_episode ON {s}.sessions (episode_id, held_at)",
    """CREATE TABLE {s}.session_feedback (
        session_id uuid PRIMARY KEY REFERENCES {s}.sessions (session_id), tenant_id text NOT NULL,
        episode_id uuid NOT NULL, client_id uuid NOT NULL, instrument text NOT NULL, scores jsonb NOT NULL,
        comment text, occurred_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX session_feedback_by_episode ON {s}.session_feedback (episode_id, occurred_at)",
]


def upgrade(schema: str) -> None:
    for statement in TABLES:
        op.execute(statement.format(s=schema))


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.session_feedback")
    op.execute(f"DROP TABLE {schema}.sessions")
