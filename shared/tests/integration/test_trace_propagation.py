"""W3C trace context travels from the producing transaction, through the outbox and Kafka, to the consumer."""

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from accord.devtools.testing import Sandbox, goal_paused, header, of, read_topic
from accord.shared.events import Envelope
from accord.shared.inbox import IdempotentConsumer
from accord.shared.kafka import new_producer
from accord.shared.outbox import Outbox, OutboxRelay

pytestmark = pytest.mark.integration


async def test_the_consumer_span_continues_the_trace_of_the_request_that_wrote_the_event(
    sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    envelope = goal_paused()
    with trace.get_tracer("test").start_as_current_span("POST /goals") as request_span:
        async with sandbox.pool.acquire() as conn, conn.transaction():
            await Outbox(sandbox.schema).add(conn, envelope)
    producer = new_producer(sandbox.bootstrap, "test")
    await producer.start()
    try:
        await OutboxRelay(service="test", schema=sandbox.schema, pool=sandbox.pool, producer=producer).relay_once()
        records = await read_topic(sandbox.bootstrap, "accord.goals.v1", lambda f: len(f) >= 1, keep=of([envelope]))

        async def noop(conn: Any, envelope: Envelope, event: Any) -> None:
            return None

        consumer = IdempotentConsumer(
            service="test", schema=sandbox.schema, pool=sandbox.pool, producer=producer, handlers={"GoalPaused": noop}
        )
        await consumer.handle_batch(records)
    finally:
        await producer.stop()

    trace_id = request_span.get_span_context().trace_id
    assert header(records[0], "traceparent") is not None
    assert f"{trace_id:032x}" in (header(records[0], "traceparent") or "")
    # The exporter is the process's, so it also holds spans of consumers other tests ran: this event's are those
    # on its trace, and without the trace context carried through Kafka there would be none.
    consumed = [
        s
        for s in spans.get_finished_spans()
        if s.name == "consume GoalPaused" and s.context is not None and s.context.trace_id == trace_id
    ]
    assert len(consumed) == 1
    assert consumed[0].parent is not None and consumed[0].parent.span_id == request_span.get_span_context().span_id
