"""The local stack (scripts/up) runs every process on one machine: its workers yield the cores to the APIs people are
waiting on. What start_all starts, with the processes themselves stood in for (nothing is run)."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from accord.devtools.infra import services


def test_the_local_stack_starts_its_workers_niced_and_its_apis_and_gateway_not_and_a_restart_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    started: list[list[str]] = []

    def spawn(argv: list[str], env: dict[str, str], log: Path) -> Any:
        started.append(argv)
        return SimpleNamespace(pid=len(started))

    monkeypatch.setattr(services, "spawn", spawn)
    monkeypatch.setattr(services, "wait_ready", lambda *args, **kwargs: None)

    running = services.start_all({}, tmp_path, worker_niceness=services.WORKER_NICENESS)

    niced = ["nice", "-n", str(services.WORKER_NICENESS)]
    workers = [argv for argv in started if "worker" in argv]
    apis = [argv for argv in started if "api" in argv]
    assert len(workers) == len(services.SERVICES) and all(argv[:3] == niced for argv in workers)
    assert len(apis) == len(services.SERVICES) + 1 and not any(argv[0] == "nice" for argv in apis)  # + the gateway
    # The supervisor starts a process again from its Program: a restarted worker is niced too.
    restarted = {program.name: program.argv for program, _ in running.programs}
    assert all(restarted[f"{s}-worker"][:3] == niced for s in services.SERVICES)
    assert services.WORKER_NICENESS > 0
