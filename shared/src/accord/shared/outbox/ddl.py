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


def unsent_queue_ddl(schema: str) -> list[str]:
    """The outbox's unsent rows, apart: a small table the relay claims from and deletes a batch from as it marks it
    sent. Partial indexes on the outbox's unsent rows kept an entry for every row sent since the table's last vacuum
    (a row marked sent leaves its old version's entry behind, and a big table is vacuumed after a fifth of its rows
    changed), and every claim walked them, so its cost grew with the rows kept, not with the rows waiting. This
    table holds only what waits, and is vacuumed within the minute whatever the outbox keeps. Filled by a trigger in
    the inserting statement's transaction, so no writer of the outbox has to know of it."""
    return [
        f"""
        CREATE TABLE {schema}.outbox_unsent (
            id bigint PRIMARY KEY,
            message_key text NOT NULL
        )""",
        f"CREATE INDEX outbox_unsent_by_key ON {schema}.outbox_unsent (message_key, id)",
        f"""
        CREATE FUNCTION {schema}.queue_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {schema}.outbox_unsent (id, message_key) SELECT id, message_key FROM inserted;
            RETURN NULL;
        END $$""",
        f"""
        CREATE TRIGGER outbox_queue AFTER INSERT ON {schema}.outbox
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION {schema}.queue_outbox()""",
    ]


def upgrade_unsent_queue(schema: str) -> None:
    """A service migration's step: the unsent rows' table, filled with the rows unsent now, in place of the outbox's
    partial indexes on them (`outbox_sent`, by the time a row was sent, stays for the retention sweep)."""
    op.execute(f"DROP INDEX {schema}.outbox_unsent")
    op.execute(f"DROP INDEX {schema}.outbox_unsent_by_key")
    for statement in unsent_queue_ddl(schema):
        op.execute(statement)
    op.execute(
        f"INSERT INTO {schema}.outbox_unsent (id, message_key) "
        f"SELECT id, message_key FROM {schema}.outbox WHERE sent_at IS NULL"
    )


def downgrade_unsent_queue(schema: str) -> None:
    op.execute(f"DROP TRIGGER outbox_queue ON {schema}.outbox")
    op.execute(f"DROP FUNCTION {schema}.queue_outbox()")
    op.execute(f"DROP TABLE {schema}.outbox_unsent")
    op.execute(f"CREATE INDEX outbox_unsent ON {schema}.outbox (id) WHERE sent_at IS NULL")
    op.execute(f"CREATE INDEX outbox_unsent_by_key ON {schema}.outbox (message_key, id) WHERE sent_at IS NULL")


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
    without_partial_indexes = [
        statement
        for statement in outbox_and_inbox_ddl(schema)
        if not statement.startswith(("CREATE INDEX outbox_unsent ", "CREATE INDEX outbox_unsent_by_key "))
    ]
    return [*without_partial_indexes, *dead_letter_records_ddl(schema), *unsent_queue_ddl(schema)]
