"""Projection tables: one row per fact taken from the event streams, keyed by the fact's own id.

Rows are only ever inserted (ON CONFLICT DO NOTHING), never updated: whatever the order or the number of copies in
which events arrive, the same set of rows results. Everything derived (a goal's status, figures) is computed at
query time. `seen_safety_signals` is the service's own record of which clinician has been shown which safety
signal in a report: not derived from events, so a rebuild keeps it.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = {
    "episodes": """
        episode_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        team_id uuid NOT NULL,
        lead_therapist_id uuid NOT NULL,
        opened_at timestamptz NOT NULL""",
    "episode_closures": """
        episode_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        closed_at timestamptz NOT NULL""",
    "participant_changes": """
        event_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        episode_id uuid NOT NULL,
        person_id uuid NOT NULL,
        role text,
        joined boolean NOT NULL,
        changed_at timestamptz NOT NULL""",
    "goal_events": """
        event_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        goal_id uuid NOT NULL,
        event_type text NOT NULL,
        version integer,
        episode_id uuid,
        party_id uuid,
        decision text,
        parties jsonb,
        visibility text,
        shared_with uuid[],
        outcome text,
        occurred_at timestamptz NOT NULL""",
    "goal_versions": """
        goal_id uuid NOT NULL,
        version integer NOT NULL,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        episode_id uuid NOT NULL,
        category_code text NOT NULL,
        measure jsonb NOT NULL,
        baseline double precision NOT NULL,
        target double precision NOT NULL,
        direction text NOT NULL,
        due_date date NOT NULL,
        review_interval_days integer NOT NULL,
        milestones jsonb NOT NULL,
        visibility text NOT NULL,
        shared_with uuid[] NOT NULL,
        parties jsonb NOT NULL,
        proposed_at timestamptz NOT NULL,
        agreed_at timestamptz NOT NULL,
        PRIMARY KEY (goal_id, version)""",
    "entries": """
        entry_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        goal_id uuid NOT NULL,
        goal_version integer,
        kind text NOT NULL,
        value double precision,
        milestone_id uuid,
        occurred_at timestamptz NOT NULL,
        recorded_by uuid NOT NULL,
        recorded_by_role text""",
    "progress_decisions": """
        event_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        goal_id uuid NOT NULL,
        goal_version integer NOT NULL,
        kind text NOT NULL,
        milestone_id uuid,
        detail text,
        occurred_at timestamptz NOT NULL""",
    "questionnaires": """
        response_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        instrument text NOT NULL,
        total integer NOT NULL,
        severity text NOT NULL,
        occurred_at timestamptz NOT NULL""",
    "safety_signals": """
        signal_id uuid PRIMARY KEY,
        event_id uuid NOT NULL,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        source_id uuid NOT NULL,
        instrument text NOT NULL,
        raised_at timestamptz NOT NULL""",
    "notification_outcomes": """
        event_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        client_id uuid NOT NULL,
        notification_id uuid NOT NULL,
        source_event_id uuid NOT NULL,
        recipient_id uuid NOT NULL,
        channel text NOT NULL,
        template_code text NOT NULL,
        delivered boolean NOT NULL,
        permanent boolean,
        occurred_at timestamptz NOT NULL""",
}

# Reports are read per client; caseloads and outcomes find their clients through episodes and participants.
_INDEXES = [
    *(f"CREATE INDEX {table}_by_client ON {{schema}}.{table} (tenant_id, client_id)" for table in _TABLES),
    "CREATE INDEX episodes_by_team ON {schema}.episodes (tenant_id, team_id)",
    "CREATE INDEX episodes_by_lead ON {schema}.episodes (tenant_id, lead_therapist_id)",
    "CREATE INDEX participant_changes_by_person ON {schema}.participant_changes (tenant_id, person_id)",
]


def upgrade(schema: str) -> None:
    for table, columns in _TABLES.items():
        op.execute(f"CREATE TABLE {schema}.{table} ({columns})")
    for index in _INDEXES:
        op.execute(index.format(schema=schema))
    op.execute(f"""
        CREATE TABLE {schema}.seen_safety_signals (
            tenant_id text NOT NULL,
            viewer_id uuid NOT NULL,
            signal_id uuid NOT NULL,
            seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (tenant_id, viewer_id, signal_id)
        )""")


def downgrade(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.seen_safety_signals")
    for table in reversed(list(_TABLES)):
        op.execute(f"DROP TABLE {schema}.{table}")
