"""Every service running as its own processes (API and worker) behind the gateway, on the session's real Kafka and
PostgreSQL: the end-to-end tests talk only to the gateway, as a mobile or web client would."""

import asyncio
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.devtools.infra.services import RunningServices, start_all
from accord.devtools.published.services import SERVICES, consumer_group, subscriptions_of
from accord.devtools.testing import TokenFactory, start_groups_at_end
from accord.shared.events.registry import EPISODE_KEYS_TOPIC

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def running(service_env: dict[str, str], tokens: TokenFactory) -> Iterator[RunningServices]:
    logs = ROOT / ".accord" / "test" / f"e2e-{os.getpid()}"
    # The workers start from now: the events earlier tests published to the shared topics are theirs, not this
    # stack's, and working through them first (thousands, many retried into dead letters because those tests made
    # their effects in the same schemas) held every test that waits for an effect for minutes.
    # Not the episode keys: they are state, not events to skip. Every key earlier tests issued must reach this stack's
    # services, or the events a worker publishes here about those tests' episodes (the feedback-check sweep's, at
    # start) could not be opened by the others.
    groups: dict[str, tuple[str, ...]] = {}
    for service in SERVICES:
        for sub in subscriptions_of(service):
            if EPISODE_KEYS_TOPIC in sub.topics:
                continue
            group = sub.group_id or consumer_group(service)
            groups[group] = tuple(dict.fromkeys([*groups.get(group, ()), *sub.topics]))
    left = asyncio.run(start_groups_at_end(service_env["KAFKA_BOOTSTRAP_SERVERS"], groups))
    # A member an earlier test's process still holds (one killed, or an event loop no longer running) is dropped by
    # the broker once its session times out; left where it is, this stack would start behind the session's backlog.
    deadline = time.monotonic() + 30
    while left and time.monotonic() < deadline:
        time.sleep(2)
        left = asyncio.run(start_groups_at_end(service_env["KAFKA_BOOTSTRAP_SERVERS"], {g: groups[g] for g in left}))
    if left:
        print(f"consumer groups with a member still, not moved to the end: {', '.join(left)}", file=sys.stderr)
    services = start_all(
        service_env,
        logs,
        environment="test",
        identity=tokens,  # the development OIDC provider signs with the keys the services trust
        extra_env={
            "ACCORD_NOTIFICATIONS_DISPATCH_POLL_INTERVAL_SECONDS": "0.5",
            # The fuzz suite sends some ten thousand requests from one address within minutes; rate limits have
            # their own tests in the gateway's suite, and a 429 here would only hide what is under test.
            "ACCORD_GATEWAY_USER_BURST": "1000000",
            "ACCORD_GATEWAY_ADDRESS_BURST": "1000000",
            # httpx, the tests' browser, sends Secure cookies over https only; Chromium sends them to 127.0.0.1 too.
            "ACCORD_GATEWAY_SESSION_COOKIE_SECURE": "false",
        },
    )
    yield services
    services.stop()


@pytest.fixture(scope="session")
def gateway(running: RunningServices) -> str:
    return running.gateway


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fuzz suite runs after the other end-to-end tests (which share its services) rather than first: its ten
    thousand requests leave the workers a backlog of events, and a test that waits for an effect (a caseload flag, an
    analytics event) behind that backlog took minutes instead of seconds. What each test checks is unchanged."""
    fuzz_dir = Path(__file__).resolve().parent / "fuzz"
    e2e = [i for i, item in enumerate(items) if Path(item.path).is_relative_to(Path(__file__).resolve().parent)]
    if not e2e:
        return
    fuzz = [item for item in items if Path(item.path).is_relative_to(fuzz_dir)]
    if not fuzz:
        return
    end = e2e[-1] + 1
    rest = [item for item in items[:end] if item not in fuzz]
    items[:end] = [*rest, *fuzz]
