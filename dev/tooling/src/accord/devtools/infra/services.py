"""Starts every service's API and worker as real processes (and a local mail sink), for `scripts/up` and the
end-to-end tests: the same commands a container would run."""

import base64
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from accord.devtools.infra.identity import DevIdentityProvider
from accord.devtools.infra.login import start_dev_login
from accord.devtools.infra.ports import free_port
from accord.devtools.infra.processes import terminate
from accord.devtools.infra.supervisor import Program
from accord.shared.services import SERVICES


@dataclass
class RunningServices:
    urls: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)  # "<service>-<api|worker>" -> its metrics port's URL
    pids: list[int] = field(default_factory=list)
    smtp_port: int = 0
    logs: Path = Path(".")
    dev_idp: str = ""  # the development OIDC provider's issuer URL, when it runs
    programs: list[tuple[Program, int]] = field(default_factory=list)  # how each was started (for a supervisor)

    @property
    def gateway(self) -> str:
        return self.urls["gateway"]

    def stop(self) -> None:
        for pid in reversed(self.pids):
            terminate(pid, timeout=15)


def spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(url: str, timeout: float = 90, path: str = "/ready") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not become ready")


def new_vapid_key() -> str:
    """A Web Push (VAPID) signing key for local runs: a raw P-256 private key, base64url without padding."""
    key = ec.generate_private_key(ec.SECP256R1())
    return base64.urlsafe_b64encode(key.private_numbers().private_value.to_bytes(32, "big")).decode().rstrip("=")


def mail_sink_argv(address: str, maildir: Path | None = None) -> list[str]:
    """The local mail sink (aiosmtpd): every message it takes printed to its log, or with `maildir` kept there
    as one file each (the fault campaign counts them)."""
    handler = ["aiosmtpd.handlers.Mailbox", str(maildir)] if maildir else ["aiosmtpd.handlers.Debugging"]
    return [sys.executable, "-m", "aiosmtpd", "-n", "-l", address, "-c", *handler]


WORKER_NICENESS = 10
"""The workers' niceness where scripts/up runs everything on one machine. Without it a burst of events (a consumer's
batch, a relay's) takes the cores from the requests people are waiting on: the 80/20 mix's p99 at 500 requests/s
was 110 to 145 ms with the workers at the APIs' priority, 59 to 100 ms with them here (docs/benchmarks.md). The events
still flow: the workers get the cores the APIs leave. In Kubernetes each process has its own pod; nothing is niced."""


def start_all(
    service_env: dict[str, str],
    logs: Path,
    *,
    gateway_port: int | None = None,
    environment: str = "development",
    extra_env: dict[str, str] | None = None,
    identity: DevIdentityProvider | None = None,
    login_env: dict[str, str] | None = None,
    worker_niceness: int = 0,
) -> RunningServices:
    """Every service's API and worker, then the gateway in front. With `identity` (the keys the services trust),
    the development OIDC provider runs too and the gateway signs browsers in with it; `login_env` tunes it. The
    workers run at `worker_niceness` (scripts/up: WORKER_NICENESS), also when the supervisor starts one again."""
    logs.mkdir(parents=True, exist_ok=True)
    running = RunningServices(smtp_port=free_port(), logs=logs)
    gateway_port = gateway_port or free_port()
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    login_vars: dict[str, str] = {}
    if identity is not None:
        login_env = {"ACCORD_ENVIRONMENT": environment, **(login_env or {})}
        login = start_dev_login(identity, gateway_url, logs, extra_env=login_env)
        running.pids.append(login.process.pid)
        running.dev_idp = login.issuer
        login_vars = login.gateway_env(gateway_url)
    smtp = f"127.0.0.1:{running.smtp_port}"
    argv = mail_sink_argv(smtp)
    mail = spawn(argv, dict(os.environ), logs / "mail.log")
    running.pids.append(mail.pid)
    running.programs.append((Program("mail", argv, dict(os.environ), str(logs / "mail.log"), address=smtp), mail.pid))
    env = {
        **os.environ,
        **service_env,
        # Every setting is given here. A services.env that scripts/up wrote (and scripts/down leaves) names its own
        # broker and its SASL credentials: read below the environment, it sent a bench's or a test's services there.
        "ACCORD_LOCAL_ENV_FILE": "",
        "ACCORD_ENVIRONMENT": environment,
        "ACCORD_LOG_JSON": "true",
        "ACCORD_NOTIFICATIONS_SMTP_PORT": str(running.smtp_port),
        "ACCORD_NOTIFICATIONS_APP_BASE_URL": gateway_url,  # links in messages lead to the web app the gateway serves
        "ACCORD_NOTIFICATIONS_VAPID_PRIVATE_KEY": new_vapid_key(),
        **(extra_env or {}),
    }
    try:
        if running.dev_idp:
            wait_ready(running.dev_idp, path="/.well-known/openid-configuration")
        for service in SERVICES:
            port = free_port()
            for role in ("api", "worker"):
                metrics = free_port()
                argv = [f"accord-{service}", role, *(["--port", str(port)] if role == "api" else [])]
                argv += ["--metrics-port", str(metrics)]
                if role == "worker" and worker_niceness:
                    argv = ["nice", "-n", str(worker_niceness), *argv]  # nice execs it: the same process id
                log = logs / f"{service}-{role}.log"
                pid = spawn(argv, env, log).pid
                running.pids.append(pid)
                running.metrics[f"{service}-{role}"] = f"http://127.0.0.1:{metrics}"
                # The worker's metrics port answers its /ready (its database and Kafka); the API's own port its own.
                address = f"http://127.0.0.1:{port if role == 'api' else metrics}"
                program = Program(f"{service}-{role}", argv, env, str(log), f"{address}/ready", address)
                running.programs.append((program, pid))
            running.urls[service] = f"http://127.0.0.1:{port}"
            wait_ready(running.urls[service])
        # The front door: one process, no database and no Kafka (neither is in its environment).
        front = {k: v for k, v in env.items() if k != "DATABASE_URL" and not k.endswith("_DATABASE_URL")}
        front = {k: v for k, v in front.items() if not k.startswith("KAFKA_") and "_KAFKA_" not in k}
        front |= {f"ACCORD_GATEWAY_{s.upper()}_URL": url for s, url in running.urls.items()}
        front |= login_vars
        port, metrics = gateway_port, free_port()
        argv = ["accord-gateway", "api", "--port", str(port), "--metrics-port", str(metrics)]
        pid = spawn(argv, front, logs / "gateway-api.log").pid
        running.pids.append(pid)
        address = f"http://127.0.0.1:{port}"
        running.programs.append(
            (Program("gateway-api", argv, front, str(logs / "gateway-api.log"), f"{address}/ready", address), pid)
        )
        running.metrics["gateway-api"] = f"http://127.0.0.1:{metrics}"
        running.urls["gateway"] = f"http://127.0.0.1:{port}"
        wait_ready(running.urls["gateway"])
    except BaseException:
        running.stop()
        raise
    return running
