"""Adapters to the outside world (database repositories, Kafka, HTTP clients)."""
