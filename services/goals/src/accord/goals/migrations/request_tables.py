"""A table of requests made about a client (a subject access export, an erasure): who asked, in which roles, on which
recorded reference, when, then what the request itself keeps. Migrations 0004 and 0006 create theirs with it, so the
SQL it writes must stay as those revisions first wrote it (a new kind of request gets a function of its own if not)."""

from alembic import op


def create_request_table(schema: str, table: str, key: str, own_columns: str, by_client: str) -> None:
    """`key` the request's id column, `own_columns` the rest of its columns (SQL), `by_client` its index's columns
    after (tenant_id, client_id); the index is named `<table>_by_client`."""
    op.execute(f"""
        CREATE TABLE {schema}.{table} (
            {key} uuid PRIMARY KEY,
            tenant_id text NOT NULL,
            client_id uuid NOT NULL,
            requested_by uuid NOT NULL,
            requested_by_roles text[] NOT NULL,
            request_reference text,
            requested_at timestamptz NOT NULL,
            {own_columns}
        )""")
    op.execute(f"CREATE INDEX {table}_by_client ON {schema}.{table} (tenant_id, client_id{by_client})")
