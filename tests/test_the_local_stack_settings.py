"""What start_all starts takes its settings from the environment start_all gives it, never from a services.env that
an earlier scripts/up left behind (with its own broker's address and SASL credentials). The processes are stood in
for: their settings are read here from the environment each would have been started with."""

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from accord.devtools.infra import services
from accord.progress.settings import Settings
from accord.shared.settings import local_env_file


def test_services_started_for_a_stack_read_no_env_file_left_by_an_earlier_local_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stale = tmp_path / "services.env"
    stale.write_text("KAFKA_SECURITY_PROTOCOL='SASL_SSL'\nKAFKA_BOOTSTRAP_SERVERS='127.0.0.1:1'\n")
    for name in ("ACCORD_OIDC_JWKS", "ACCORD_OIDC_JWKS_URL"):  # the session's own, when it has them: given below
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACCORD_LOCAL_ENV_FILE", str(stale))  # as a developer's shell, or the default path, may name it
    started: dict[str, dict[str, str]] = {}

    def spawn(argv: list[str], env: dict[str, str], log: Path) -> Any:
        started[" ".join(argv)] = env
        return SimpleNamespace(pid=len(started))

    monkeypatch.setattr(services, "spawn", spawn)
    monkeypatch.setattr(services, "wait_ready", lambda *args, **kwargs: None)
    given = {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
        "ACCORD_PROGRESS_DATABASE_URL": "postgresql://progress:a-real-one@127.0.0.1:5/accord",
        "ACCORD_OIDC_ISSUER": "http://127.0.0.1:6/",
        "ACCORD_OIDC_JWKS_URL": "http://127.0.0.1:6/jwks",
    }
    services.start_all(given, tmp_path / "logs")

    worker = next(env for argv, env in started.items() if "accord-progress worker" in argv)
    for name, value in worker.items():
        monkeypatch.setenv(name, value)
    # The file is chosen as the process starts (settings.LOCAL_ENV_FILE): chosen here as it would be there.
    settings = Settings(_env_file=local_env_file())  # type: ignore[call-arg]
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
