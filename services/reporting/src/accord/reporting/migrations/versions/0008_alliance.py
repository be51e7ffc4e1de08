"""Alliance facts: goals whose parties' importance answers diverged or came back together (no answer, no spread),
and the young person's session feedback scores (four 0-10 answers; no comment ever reaches reporting).
Insert-only, keyed by the event's id, like every projection (0003).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLES = {
    "alignment_divergences": """
        event_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        goal_id uuid NOT NULL,
        episode_id uuid NOT NULL,
        version integer NOT NULL,
        raised boolean NOT NULL,
        occurred_at timestamptz NOT NULL""",
    "session_feedback": """
        event_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        episode_id uuid NOT NULL,
        session_id uuid NOT NULL,
        heard smallint NOT NULL CHECK (heard BETWEEN 0 AND 10),
        what_i_wanted smallint NOT NULL CHECK (what_i_wanted BETWEEN 0 AND 10),
        way_we_worked smallint NOT NULL CHECK (way_we_worked BETWEEN 0 AND 10),
        overall smallint NOT NULL CHECK (overall BETWEEN 0 AND 10),
        occurred_at timestamptz NOT NULL""",
}


def upgrade(schema: str) -> None:
    for table, columns in _TABLES.items():
        op.execute(f"CREATE TABLE {schema}.{table} ({columns})")
        op.execute(f"CREATE INDEX {table}_by_client ON {schema}.{table} (tenant_id, client_id)")


def downgrade(schema: str) -> None:
    for table in reversed(list(_TABLES)):
        op.execute(f"DROP TABLE {schema}.{table}")
