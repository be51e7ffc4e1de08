"""Care episodes, their members, and goals (each goal's versions and history kept in its document).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    op.execute(f"""
        CREATE TABLE {schema}.episodes (
            episode_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            lead_therapist_id uuid NOT NULL,
            team_id uuid NOT NULL,
            status text NOT NULL,
            opened_at timestamptz NOT NULL,
            doc jsonb NOT NULL,
            revision integer NOT NULL
        )""")
    op.execute(f"""
        CREATE TABLE {schema}.episode_members (
            episode_id uuid NOT NULL REFERENCES {schema}.episodes ON DELETE CASCADE,
            person_id uuid NOT NULL,
            role text NOT NULL,
            PRIMARY KEY (episode_id, person_id)
        )""")
    op.execute(f"CREATE INDEX episode_members_by_person ON {schema}.episode_members (person_id)")
    op.execute(f"""
        CREATE TABLE {schema}.goals (
            goal_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            episode_id uuid NOT NULL REFERENCES {schema}.episodes,
            client_id uuid NOT NULL,
            created_by uuid NOT NULL,
            status text NOT NULL,
            visibility text NOT NULL,
            shared_with uuid[] NOT NULL,
            created_at timestamptz NOT NULL,
            doc jsonb NOT NULL,
            revision integer NOT NULL
        )""")
    op.execute(f"CREATE INDEX goals_by_episode ON {schema}.goals (episode_id, created_at, goal_id)")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.goals")
    op.execute(f"DROP TABLE {schema}.episode_members")
    op.execute(f"DROP TABLE {schema}.episodes")
