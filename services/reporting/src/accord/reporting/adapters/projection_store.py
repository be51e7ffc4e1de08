"""Writes projection rows: one by one in the consumer's transaction, or in bulk (COPY) during a rebuild."""

from collections import defaultdict
from collections.abc import Iterable

from accord.reporting.domain.projection import TABLES, Row
from accord.shared.db import Connection


def _insert_sql(schema: str, table: str) -> str:
    columns = TABLES[table]
    placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {schema}.{table} ({', '.join(columns)}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"


def by_table(rows: Iterable[Row]) -> dict[str, list[tuple[object, ...]]]:
    grouped: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row.table].append(row.values)
    return grouped


class ProjectionStore:
    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._insert = {table: _insert_sql(schema, table) for table in TABLES}

    async def add(self, conn: Connection, rows: Iterable[Row]) -> None:
        """Inserts rows; a row whose key is already there (a copy of a fact) changes nothing."""
        for table, values in by_table(rows).items():
            await conn.executemany(self._insert[table], values)

    async def clear(self, conn: Connection, consumer_group: str) -> None:
        """Empties every projection and the consumer group's inbox, inside the caller's transaction.

        DELETE rather than TRUNCATE: readers keep seeing the old projections until the rebuild commits, and the
        live consumer is never blocked on a table lock.
        """
        for table in TABLES:
            await conn.execute(f"DELETE FROM {self.schema}.{table}")
        await conn.execute(f"DELETE FROM {self.schema}.inbox WHERE consumer_group = $1", consumer_group)

    async def create_staging(self, conn: Connection) -> None:
        """Temporary twins of the projection tables (dropped at commit), for COPY followed by one INSERT."""
        for table in TABLES:
            await conn.execute(
                f"CREATE TEMPORARY TABLE stage_{table} (LIKE {self.schema}.{table}) ON COMMIT DROP",
            )

    async def add_bulk(self, conn: Connection, rows: Iterable[Row]) -> None:
        """COPY into the staging table, then move over: ON CONFLICT DO NOTHING keeps a row the live consumer wrote
        meanwhile, which a plain COPY into the table would fail on."""
        for table, values in by_table(rows).items():
            columns = list(TABLES[table])
            await conn.copy_records_to_table(f"stage_{table}", records=values, columns=columns)
            listed = ", ".join(columns)
            await conn.execute(
                f"INSERT INTO {self.schema}.{table} ({listed}) "
                f"SELECT {listed} FROM stage_{table} ON CONFLICT DO NOTHING"
            )
            await conn.execute(f"TRUNCATE stage_{table}")
