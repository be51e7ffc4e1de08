"""Prometheus metrics of the notifications service (exposed with the shared ones at /metrics)."""

from prometheus_client import Counter

DELIVERIES = Counter(
    "accord_notifications_deliveries_total", "Outcomes of e-mail and push delivery attempts", ["channel", "outcome"]
)

RETENTION_REMOVED = Counter(
    "accord_notifications_retention_removed_total",
    "Records removed because their retention period was over",
    ["kind"],
)
