"""Accord's development tooling (`accord-devtools`): what a checkout needs and a running service never does.

- `infra`: throwaway Kafka and PostgreSQL from the machine's binaries, provisioning, the local stack's processes,
  the development identity's keys and demo people;
- `testing`: helpers for the test suites;
- `published`: the generators of the published interface (AsyncAPI, event catalogue, Kafka ACLs, the web app's
  OpenAPI document).

A development dependency of the workspace only (root `pyproject.toml`, group `dev`): no image installs it, and
tests/test_runtime_apart_from_tooling.py fails if the runtime packages import it.
"""
