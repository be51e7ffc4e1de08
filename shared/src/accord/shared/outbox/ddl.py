"""Tables of the outbox and inbox, created by each service's own Alembic migration in its own schema."""

from alembic import op


def outbox_and_inbox_ddl(schema: str) -> list[str]:
    return [
        f"""
        CREATE TABLE {schema}.outbox (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id uuid NOT NULL UNIQUE,
            topic text NOT NULL,
            message_key text NOT NULL,
            payload bytea NOT NULL,
            headers jsonb NOT NULL DEFAULT '{{}}',
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            sent_at timestamptz,
            attempts integer NOT NULL DEFAULT 0,
            last_error text
        )""",
        f"CREATE INDEX outbox_unsent ON {schema}.outbox (id) WHERE sent_at IS NULL",
        f"CREATE INDEX outbox_unsent_by_key ON {schema}.outbox (message_key, id) WHERE sent_at IS NULL",
        f"CREATE INDEX outbox_sent ON {schema}.outbox (sent_at) WHERE sent_at IS NOT NULL",
        # NOTIFY is delivered only when the inserting transaction commits: the relay wakes for committed rows.
        f"""
        CREATE FUNCTION {schema}.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{schema}_outbox', '');
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
        FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_outbox()""",
        f"""
        CREATE TABLE {schema}.inbox (
            consumer_group text NOT NULL,
            event_id uuid NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer_group, event_id)
        )""",
    ]


def dead_letter_records_ddl(schema: str) -> list[str]:
    """What each consumer group has sent to its dead-letter topic, so that a second copy of the same event (a relay
    republishes after a fault) is not dead-lettered again. A replay is a new attempt: its copy carries where it was
    replayed from (`dlq.replay_of`), which is part of the key, so a replay that fails again is dead-lettered again,
    once. Not the inbox: an event here has had no effect."""
    return [
        f"""
        CREATE TABLE {schema}.dead_letter_records (
            consumer_group text NOT NULL,
            event_id uuid NOT NULL,
            replay_of text NOT NULL DEFAULT '',
            dead_lettered_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer_group, event_id, replay_of)
        )"""
    ]


def upgrade_dead_letter_records(schema: str) -> None:
    """A service migration's step that adds its own `dead_letter_records` table to its own schema."""
    for statement in dead_letter_records_ddl(schema):
        op.execute(statement)


def downgrade_dead_letter_records(schema: str) -> None:
    op.execute(f"DROP TABLE {schema}.dead_letter_records")


def drop_outbox_and_inbox_ddl(schema: str) -> list[str]:
    return [
        f"DROP TABLE {schema}.inbox",
        f"DROP TRIGGER outbox_notify ON {schema}.outbox",
        f"DROP FUNCTION {schema}.notify_outbox()",
        f"DROP TABLE {schema}.outbox",
    ]


def messaging_tables_ddl(schema: str) -> list[str]:
    """Every table the relay and the idempotent consumer use, as the services' migrations leave them: for schemas
    made without migrations (the shared tests' sandboxes, benchmarks)."""
    return [*outbox_and_inbox_ddl(schema), *dead_letter_records_ddl(schema)]
