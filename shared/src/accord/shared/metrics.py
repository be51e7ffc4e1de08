"""Prometheus metrics shared by every service; served on each process's metrics port (accord.shared.metrics_server)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_LATENCY = Histogram(
    "accord_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("accord_outbox_backlog", "Outbox rows not yet acknowledged by Kafka", ["service"])
OUTBOX_PUBLISHED = Counter("accord_outbox_published_total", "Outbox events acknowledged by Kafka", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter("accord_outbox_publish_failures_total", "Failed relay batches", ["service"])
OUTBOX_PUBLISH_LAG = Histogram(
    "accord_outbox_publish_lag_seconds",
    "From outbox insert to Kafka acknowledgement",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CONSUMER_PROCESSED = Counter(
    "accord_consumer_events_total", "Events handled by a consumer", ["service", "event_type", "outcome"]
)
CONSUMER_LAG = Gauge("accord_consumer_lag", "Messages behind the partition end", ["service", "topic", "partition"])
CONSUMERS_RESTARTED = Counter(
    "accord_consumers_restarted_total",
    "Consumers started again in-process after their offset commit wedged (inbox/wedged.py)",
    ["service", "group"],
)
WRITES_TAKEN_AGAIN = Counter(
    "accord_writes_at_once_taken_again_total",
    "Commands written at once whose guard found their row changed (or an id they use taken) and that ran again in a "
    "transaction (commands.CommandRunner.execute, at_once)",
    ["service", "reason"],
)
DEAD_LETTERS = Counter("accord_dead_letters_total", "Messages sent to a dead-letter topic", ["service", "topic"])
