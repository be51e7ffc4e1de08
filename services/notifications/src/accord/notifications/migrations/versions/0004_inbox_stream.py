"""The live inbox stream: a per-recipient sequence on inbox items, and NOTIFY on every change to one.

Revision ID: 0004
Revises: 0003

`seq` is the stream's cursor (the SSE `id:`). A trigger numbers each new item under the row lock of its recipient's
`inbox_sequences` row, held to commit: a second transaction adding to the same inbox waits for the first, so one
recipient's items commit in `seq` order. A client that has seen n has seen every item below it, and resuming "after
n" can lose nothing to a transaction that committed late (a plain sequence or timestamp could). Being a trigger, it
numbers items however they are inserted. The NOTIFY payload holds only identifiers (recipient, item): the stream
reads the item through its own query.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade(schema: str) -> None:
    for statement in (
        f"""
        CREATE TABLE {schema}.inbox_sequences (
            tenant_id text NOT NULL,
            recipient_id uuid NOT NULL,
            last_seq bigint NOT NULL,
            PRIMARY KEY (tenant_id, recipient_id)
        )""",
        f"ALTER TABLE {schema}.inbox_items ADD COLUMN seq bigint",
        # Items from before the stream existed are numbered in the order their recipient saw them.
        f"""
        UPDATE {schema}.inbox_items i SET seq = n.seq FROM (
            SELECT id, row_number() OVER (PARTITION BY tenant_id, recipient_id ORDER BY created_at, id) AS seq
            FROM {schema}.inbox_items
        ) n WHERE n.id = i.id""",
        f"""
        INSERT INTO {schema}.inbox_sequences (tenant_id, recipient_id, last_seq)
        SELECT tenant_id, recipient_id, max(seq) FROM {schema}.inbox_items GROUP BY tenant_id, recipient_id""",
        f"ALTER TABLE {schema}.inbox_items ALTER COLUMN seq SET NOT NULL",
        f"CREATE UNIQUE INDEX inbox_items_by_seq ON {schema}.inbox_items (tenant_id, recipient_id, seq)",
        f"""
        CREATE FUNCTION {schema}.number_inbox_item() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {schema}.inbox_sequences AS s (tenant_id, recipient_id, last_seq)
            VALUES (NEW.tenant_id, NEW.recipient_id, 1)
            ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET last_seq = s.last_seq + 1
            RETURNING last_seq INTO NEW.seq;
            RETURN NEW;
        END $$""",
        f"""
        CREATE TRIGGER inbox_items_number BEFORE INSERT ON {schema}.inbox_items
        FOR EACH ROW EXECUTE FUNCTION {schema}.number_inbox_item()""",
        f"""
        CREATE FUNCTION {schema}.notify_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{schema}_inbox', NEW.recipient_id::text || ' ' || NEW.id::text);
            RETURN NULL;
        END $$""",
        # A new item, or one marked read (the unread count changed): delivered at commit, never before.
        f"""
        CREATE TRIGGER inbox_items_notify AFTER INSERT OR UPDATE OF read_at ON {schema}.inbox_items
        FOR EACH ROW EXECUTE FUNCTION {schema}.notify_inbox()""",
    ):
        op.execute(statement)


def downgrade(schema: str) -> None:
    op.execute(f"DROP TRIGGER inbox_items_notify ON {schema}.inbox_items")
    op.execute(f"DROP FUNCTION {schema}.notify_inbox()")
    op.execute(f"DROP TRIGGER inbox_items_number ON {schema}.inbox_items")
    op.execute(f"DROP FUNCTION {schema}.number_inbox_item()")
    op.execute(f"DROP INDEX {schema}.inbox_items_by_seq")
    op.execute(f"ALTER TABLE {schema}.inbox_items DROP COLUMN seq")
    op.execute(f"DROP TABLE {schema}.inbox_sequences")
