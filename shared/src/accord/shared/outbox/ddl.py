"""Tables of the outbox and inbox, created by each service's own Alembic migration in its own schema."""


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


def drop_outbox_and_inbox_ddl(schema: str) -> list[str]:
    return [
        f"DROP TABLE {schema}.inbox",
        f"DROP TRIGGER outbox_notify ON {schema}.outbox",
        f"DROP FUNCTION {schema}.notify_outbox()",
        f"DROP TABLE {schema}.outbox",
    ]
