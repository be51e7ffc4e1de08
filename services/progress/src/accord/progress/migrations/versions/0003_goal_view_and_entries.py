"""The local view of care teams and goals (from the goals service's events), entries, check-ins, questionnaires
and the decisions already published.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = [
    """CREATE TABLE {s}.episodes (
        episode_id uuid PRIMARY KEY, tenant_id text NOT NULL, client_id uuid NOT NULL,
        lead_therapist_id uuid NOT NULL, team_id uuid NOT NULL, opened_at timestamptz NOT NULL,
        closed boolean NOT NULL DEFAULT false)""",
    """CREATE TABLE {s}.episode_members (
        episode_id uuid NOT NULL, person_id uuid NOT NULL, role text NOT NULL,
        PRIMARY KEY (episode_id, person_id))""",
    "CREATE INDEX episode_members_by_person ON {s}.episode_members (person_id)",
    """CREATE TABLE {s}.goals (
        goal_id uuid PRIMARY KEY, tenant_id text NOT NULL, client_id uuid NOT NULL, episode_id uuid NOT NULL,
        version integer NOT NULL, status text NOT NULL, terms jsonb NOT NULL, visibility text NOT NULL,
        shared_with uuid[] NOT NULL, achievement text, last_reviewed_version integer)""",
    "CREATE INDEX goals_by_client ON {s}.goals (tenant_id, client_id)",
    """CREATE TABLE {s}.entries (
        entry_id uuid PRIMARY KEY, tenant_id text NOT NULL, client_id uuid NOT NULL, goal_id uuid NOT NULL,
        goal_version integer NOT NULL, kind text NOT NULL, value double precision, milestone_id uuid,
        occurred_at timestamptz NOT NULL, recorded_by uuid NOT NULL, recorded_by_role text NOT NULL, note text,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX entries_by_goal ON {s}.entries (goal_id, occurred_at)",
    """CREATE TABLE {s}.checkins (
        checkin_id uuid PRIMARY KEY, tenant_id text NOT NULL, client_id uuid NOT NULL, mood smallint NOT NULL,
        text text, shared_with_therapist boolean NOT NULL, occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX checkins_by_client ON {s}.checkins (tenant_id, client_id, occurred_at)",
    """CREATE TABLE {s}.questionnaires (
        response_id uuid PRIMARY KEY, tenant_id text NOT NULL, client_id uuid NOT NULL, instrument text NOT NULL,
        answers smallint[] NOT NULL, total smallint NOT NULL, severity text NOT NULL,
        occurred_at timestamptz NOT NULL, recorded_by uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now())""",
    "CREATE INDEX questionnaires_by_client ON {s}.questionnaires (tenant_id, client_id, occurred_at)",
    """CREATE TABLE {s}.decisions (
        goal_id uuid NOT NULL, goal_version integer NOT NULL, decision_key text NOT NULL, entry_id uuid,
        decided_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (goal_id, goal_version, decision_key))""",
]


def upgrade(schema: str) -> None:
    for statement in TABLES:
        op.execute(statement.format(s=schema))


def downgrade(schema: str) -> None:
    for table in ("decisions", "questionnaires", "checkins", "entries", "goals", "episode_members", "episodes"):
        op.execute(f"DROP TABLE {schema}.{table}")
