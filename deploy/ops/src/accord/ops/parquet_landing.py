"""Kafka records as Parquet files whose names say which offsets they hold.

Layout: OUT/date=YYYY-MM-DD/part-<partition>-<first offset>-<last offset>.parquet, the date being the event's
`occurred_at` in UTC (the record's timestamp for a message that is not an Envelope). A file holds a contiguous
run of one partition's offsets, and a partition's files are written in offset order, so the offsets landed for
a partition are exactly those up to the highest `last offset` in its file names: the files, not the consumer
group, say where to resume. Files appear atomically (written aside, flushed to disk, then renamed).
"""

import json
import os
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from accord.shared.events import Envelope

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"
Row = dict[str, Any]

COLUMNS = pa.schema(
    [
        ("topic", pa.string()),
        ("partition", pa.int32()),
        ("offset", pa.int64()),
        ("kafka_timestamp", pa.timestamp("ms", tz="UTC")),
        ("key", pa.string()),
        ("event_id", pa.string()),
        ("event_type", pa.string()),
        ("schema_version", pa.int32()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("producer", pa.string()),
        ("tenant_id", pa.string()),
        ("correlation_id", pa.string()),
        ("causation_id", pa.string()),
        ("partition_key", pa.string()),
        ("payload", pa.string()),  # the event as JSON: its shape depends on event_type and schema_version
        ("undecodable", pa.string()),  # the raw value of a message that is not an Envelope, else null
    ]
)
FILE_NAME = re.compile(r"^part-(\d+)-(\d+)-(\d+)\.parquet$")
TOPIC_MARKER = "_topic"  # pyarrow.dataset ignores names starting with "_" or "."


def row(record: Record) -> Row:
    found: Row = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "kafka_timestamp": datetime.fromtimestamp(record.timestamp / 1000, UTC),
        "key": record.key.decode(errors="replace") if record.key is not None else None,
    }
    try:
        envelope = Envelope.from_bytes(record.value or b"")
    except ValidationError:
        return {**found, "undecodable": (record.value or b"").decode(errors="replace")}
    fields = envelope.model_dump(mode="json", exclude={"payload", "occurred_at"})
    return {**found, **fields, "occurred_at": envelope.occurred_at, "payload": json.dumps(envelope.payload)}


def day_of(row: Row) -> date:
    instant: datetime = row.get("occurred_at") or row["kafka_timestamp"]
    return instant.astimezone(UTC).date()


def runs_by_day(rows: Sequence[Row]) -> list[tuple[date, list[Row]]]:
    """Consecutive rows of the same day, in offset order: each run becomes one file."""
    runs: list[tuple[date, list[Row]]] = []
    for r in rows:
        if runs and runs[-1][0] == day_of(r):
            runs[-1][1].append(r)
        else:
            runs.append((day_of(r), [r]))
    return runs


def file_name(partition: int, first: int, last: int) -> str:
    return f"part-{partition}-{first}-{last}.parquet"


def landed_through(out: Path, partition: int) -> int | None:
    """The highest offset of `partition` already in a file, or None when none is."""
    lasts = [int(m[3]) for p in out.glob(f"date=*/part-{partition}-*.parquet") if (m := FILE_NAME.match(p.name))]
    return max(lasts, default=None)


def write_run(out: Path, day: date, rows: list[Row]) -> Path:
    """Writes one run atomically: aside under a hidden name, flushed to disk, renamed, directory flushed."""
    directory = out / f"date={day.isoformat()}"
    if not directory.exists():
        directory.mkdir(parents=True)
        _sync_directory(out)
    final = directory / file_name(rows[0]["partition"], rows[0]["offset"], rows[-1]["offset"])
    aside = directory / f".{final.name}.tmp"
    pq.write_table(pa.Table.from_pylist(rows, schema=COLUMNS), aside)
    with aside.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(aside, final)  # a file with this name holds these very offsets: replacing it changes nothing
    _sync_directory(directory)
    return final


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def prepare(out: Path, topic: str) -> None:
    """One output directory per topic (offsets mean nothing across topics); removes files left half-written."""
    out.mkdir(parents=True, exist_ok=True)
    marker = out / TOPIC_MARKER
    if marker.exists() and marker.read_text().strip() != topic:
        raise ValueError(f"{out} holds {marker.read_text().strip()}, not {topic}: use another directory")
    marker.write_text(topic + "\n")
    for leftover in out.glob("date=*/.part-*.tmp"):
        leftover.unlink()
