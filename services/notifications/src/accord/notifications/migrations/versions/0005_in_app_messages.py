"""The in-app messages get a name of their own: `inbox_items` becomes `in_app_messages` (and `inbox_sequences`
`in_app_message_sequences`), so that nothing here shares a name with the consumer's de-duplication `inbox`.

Revision ID: 0005
Revises: 0004

Triggers stay attached through a rename. The numbering function names the sequences table in its body, so it is
replaced. The NOTIFY channel keeps its name, `<schema>_inbox` (the live inbox stream's), so that an API process
still listening during a rolling deploy misses nothing.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RENAMES = [
    ("TABLE", "inbox_items", "in_app_messages"),
    ("INDEX", "inbox_items_pkey", "in_app_messages_pkey"),
    ("INDEX", "inbox_items_by_recipient", "in_app_messages_by_recipient"),
    ("INDEX", "inbox_items_unread", "in_app_messages_unread"),
    ("INDEX", "inbox_items_by_seq", "in_app_messages_by_seq"),
    ("TABLE", "inbox_sequences", "in_app_message_sequences"),
    ("INDEX", "inbox_sequences_pkey", "in_app_message_sequences_pkey"),
]
TRIGGERS = [("inbox_items_number", "in_app_messages_number"), ("inbox_items_notify", "in_app_messages_notify")]
FUNCTIONS = [("number_inbox_item", "number_in_app_message"), ("notify_inbox", "notify_in_app_message")]


def _numbering(schema: str, function: str, sequences: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {schema}.{sequences} AS s (tenant_id, recipient_id, last_seq)
            VALUES (NEW.tenant_id, NEW.recipient_id, 1)
            ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET last_seq = s.last_seq + 1
            RETURNING last_seq INTO NEW.seq;
            RETURN NEW;
        END $$"""


def _rename(schema: str, forward: bool) -> None:
    def pick(old: str, new: str) -> tuple[str, str]:
        return (old, new) if forward else (new, old)

    for kind, old, new in RENAMES if forward else reversed(RENAMES):
        before, after = pick(old, new)
        op.execute(f"ALTER {kind} {schema}.{before} RENAME TO {after}")
    table = "in_app_messages" if forward else "inbox_items"
    for old, new in TRIGGERS:
        before, after = pick(old, new)
        op.execute(f"ALTER TRIGGER {before} ON {schema}.{table} RENAME TO {after}")
    for old, new in FUNCTIONS:
        before, after = pick(old, new)
        op.execute(f"ALTER FUNCTION {schema}.{before}() RENAME TO {after}")
    function, _ = pick("number_in_app_message", "number_inbox_item")
    op.execute(_numbering(schema, function, "in_app_message_sequences" if forward else "inbox_sequences"))


def upgrade(schema: str) -> None:
    _rename(schema, forward=True)


def downgrade(schema: str) -> None:
    _rename(schema, forward=False)
