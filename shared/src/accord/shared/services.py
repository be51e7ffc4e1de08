"""Accord's services, stated once. Provisioning (a schema and a login role each), the topic registry (a dead-letter
topic and a consumer group each), the gateway (an upstream URL each; its route table is written out and a test
holds it to this list), the operator CLI (migrations, lag, manifests) and the development tooling all read it.

Names only: nothing here imports a service, so the library never depends on one.
"""

from typing import Final

# Each owns a PostgreSQL schema, publishes and consumes Kafka topics, and runs an `api` and a `worker`.
SERVICES: Final = ("goals", "progress", "notifications", "reporting")

# The front door: an API process only, with no database, no Kafka and no worker, so it is none of the above.
GATEWAY: Final = "gateway"
