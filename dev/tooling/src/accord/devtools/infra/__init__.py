"""Throwaway local infrastructure for development and tests: a real Kafka broker and PostgreSQL cluster
started from the machine's own binaries, for machines with no Docker engine.

Used by `scripts/up`, `scripts/test` and the test suite's session fixture; never imported by a running service.
"""
