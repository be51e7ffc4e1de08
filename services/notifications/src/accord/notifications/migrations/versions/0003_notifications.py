"""Care-team view, preferences, contact points, inbox items, deliveries and their log.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("delivery_log", "deliveries", "inbox_items", "contact_points", "preferences", "pending_triggers")
VIEW_TABLES = ("client_entries", "goals", "participants", "episodes")


def upgrade(schema: str) -> None:
    for statement in [*_care_team_view(schema), *_people(schema), *_messages(schema)]:
        op.execute(statement)


def downgrade(schema: str) -> None:
    op.execute(f"DROP TRIGGER deliveries_notify ON {schema}.deliveries")
    op.execute(f"DROP FUNCTION {schema}.notify_deliveries()")
    for table in (*TABLES, *VIEW_TABLES):
        op.execute(f"DROP TABLE {schema}.{table}")


def _care_team_view(schema: str) -> list[str]:
    """Built from the goals and progress services' events; decides who may hear of what."""
    return [
        f"""
        CREATE TABLE {schema}.episodes (
            episode_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            lead_therapist_id uuid NOT NULL,
            closed_at timestamptz
        )""",
        f"CREATE INDEX episodes_by_client ON {schema}.episodes (tenant_id, client_id)",
        f"""
        CREATE TABLE {schema}.participants (
            episode_id uuid NOT NULL,
            person_id uuid NOT NULL,
            role text NOT NULL,
            active boolean NOT NULL,
            PRIMARY KEY (episode_id, person_id)
        )""",
        f"""
        CREATE TABLE {schema}.goals (
            goal_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            episode_id uuid NOT NULL,
            status text NOT NULL CHECK (status IN ('proposed', 'agreed', 'paused', 'closed')),
            visibility text NOT NULL CHECK (visibility IN ('private', 'shared')),
            shared_with uuid[] NOT NULL DEFAULT '{{}}',
            review_interval_days integer,
            next_check_in_at timestamptz
        )""",
        f"CREATE INDEX goals_check_in_due ON {schema}.goals (next_check_in_at) WHERE status = 'agreed'",
        f"CREATE INDEX goals_by_episode ON {schema}.goals (episode_id)",
        # Kept apart from goals: a client's entry may arrive (progress topic) before the goal (goals topic).
        f"""
        CREATE TABLE {schema}.client_entries (
            goal_id uuid PRIMARY KEY,
            last_entry_at timestamptz NOT NULL
        )""",
        # Triggers about goals or clients not yet seen, replayed once the goals service's events catch up.
        f"""
        CREATE TABLE {schema}.pending_triggers (
            event_id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            envelope jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        f"CREATE INDEX pending_triggers_by_client ON {schema}.pending_triggers (tenant_id, client_id)",
    ]


def _people(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.preferences (
            tenant_id text NOT NULL,
            person_id uuid NOT NULL,
            locale text NOT NULL,
            time_zone text NOT NULL,
            channels text[] NOT NULL,
            quiet_start time,
            quiet_end time,
            clinician_delivery text NOT NULL CHECK (clinician_delivery IN ('immediate', 'digest')),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, person_id),
            CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
        )""",
        f"""
        CREATE TABLE {schema}.contact_points (
            id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            person_id uuid NOT NULL,
            channel text NOT NULL CHECK (channel IN ('email', 'push')),
            address text NOT NULL,
            p256dh text,
            auth text,
            created_at timestamptz NOT NULL DEFAULT now(),
            disabled_at timestamptz,
            disabled_reason text,
            UNIQUE (tenant_id, person_id, channel, address)
        )""",
        f"CREATE INDEX contact_points_by_person ON {schema}.contact_points (tenant_id, person_id, created_at, id)",
    ]


def _messages(schema: str) -> list[str]:
    return [
        # One row per (source event, recipient, channel, contact point): the unique key is what makes a redelivered
        # event, a replayed trigger or a second consumer unable to double a message. in_app rows have no contact
        # point, hence NULLS NOT DISTINCT.
        f"""
        CREATE TABLE {schema}.deliveries (
            id uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            source_event_id uuid NOT NULL,
            correlation_id uuid NOT NULL,
            causation_id uuid,
            client_id uuid NOT NULL,
            recipient_id uuid NOT NULL,
            channel text NOT NULL CHECK (channel IN ('in_app', 'email', 'push')),
            contact_point_id uuid,
            template_code text NOT NULL,
            link_path text NOT NULL,
            urgent boolean NOT NULL DEFAULT false,
            digest boolean NOT NULL DEFAULT false,
            status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
            due_at timestamptz NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            created_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz,
            CONSTRAINT deliveries_once UNIQUE NULLS NOT DISTINCT
                (source_event_id, recipient_id, channel, contact_point_id)
        )""",
        f"CREATE INDEX deliveries_due ON {schema}.deliveries (due_at) WHERE status = 'pending'",
        f"""CREATE INDEX deliveries_digest ON {schema}.deliveries (recipient_id, channel, contact_point_id)
            WHERE status = 'pending' AND digest""",
        f"""
        CREATE TABLE {schema}.delivery_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            delivery_id uuid NOT NULL REFERENCES {schema}.deliveries (id),
            at timestamptz NOT NULL DEFAULT clock_timestamp(),
            status text NOT NULL,
            detail text
        )""",
        f"CREATE INDEX delivery_log_by_delivery ON {schema}.delivery_log (delivery_id, id)",
        f"""
        CREATE TABLE {schema}.inbox_items (
            id uuid PRIMARY KEY REFERENCES {schema}.deliveries (id),
            tenant_id text NOT NULL,
            recipient_id uuid NOT NULL,
            template_code text NOT NULL,
            link_path text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            read_at timestamptz
        )""",
        f"CREATE INDEX inbox_items_by_recipient ON {schema}.inbox_items (tenant_id, recipient_id, created_at, id)",
        f"CREATE INDEX inbox_items_unread ON {schema}.inbox_items (tenant_id, recipient_id) WHERE read_at IS NULL",
        # The dispatcher wakes on commit of new deliveries; it also polls, for lost notifications and due retries.
        f"""
        CREATE FUNCTION {schema}.notify_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{schema}_deliveries', '');
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER deliveries_notify AFTER INSERT ON {schema}.deliveries
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_deliveries()""",
    ]
