"""A throwaway PostgreSQL cluster from the machine's server binaries, run as an unprivileged user."""

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from accord.devtools.infra import tls
from accord.devtools.infra.ports import free_port, wait_for_port

POSTMASTER_START_SLACK = 5.0  # seconds between a postmaster's start and the time its lock file records
UNPRIVILEGED_USER = "postgres"
TLS_ONLY_HBA = """\
# TLS only: a connection without it is refused before authentication.
hostnossl all all 0.0.0.0/0 reject
hostssl   all all 127.0.0.1/32 scram-sha-256
"""  # Debian's postgresql package creates it; initdb refuses to run as root


@dataclass(frozen=True)
class PostgresProcess:
    pid: int
    port: int
    data: Path
    superuser: str
    password: str
    ca_file: Path | None = None
    """With TLS: the CA the server's certificate chains to (clients verify with sslmode=verify-full)."""

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.superuser}:{self.password}@127.0.0.1:{self.port}/postgres"


def server_bin() -> Path:
    """Where initdb and pg_ctl live: PG_BIN, else the newest Debian install, else PATH."""
    if env := os.environ.get("PG_BIN"):
        return Path(env)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if versions:
        return Path(versions[-1]).parent
    if found := shutil.which("initdb"):
        return Path(found).resolve().parent
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BIN)")


def _as_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    _ensure_unprivileged_user()
    return ["runuser", "-u", UNPRIVILEGED_USER, "--", *argv]


def _ensure_unprivileged_user() -> None:
    try:
        pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:  # server binaries without Debian's package: make the user it would have made
        subprocess.run(["useradd", "--system", "--no-create-home", UNPRIVILEGED_USER], check=True)


def _user_can_write(path: Path) -> bool:
    return subprocess.run(_as_user(["test", "-w", str(path)]), check=False).returncode == 0


def _give_to_user(path: Path) -> None:
    if os.geteuid() == 0:
        _ensure_unprivileged_user()
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
        for root, dirs, files in os.walk(path):
            for name in [
                root,
                *(os.path.join(root, d) for d in dirs),
                *(os.path.join(root, f) for f in files),
            ]:
                os.chown(name, entry.pw_uid, entry.pw_gid)


def start(home: Path, password: str, timeout: float = 60.0, tls_only: bool = False) -> PostgresProcess:
    """initdb a fresh cluster under `home` and start it on a free loopback port (TCP only, scram auth). With
    `tls_only`, it serves TLS with a certificate from a CA made for it and refuses every connection without TLS, as a
    database reached over a network should."""
    bin_dir = server_bin()
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    _give_to_user(home)
    if not _user_can_write(home):
        # A parent folder the unprivileged user cannot traverse (e.g. a private home): use /tmp instead.
        home = Path(tempfile.mkdtemp(prefix="accord-postgres-"))
        _give_to_user(home)
    data = home / "data"
    pwfile = home / "pwfile"
    pwfile.write_text(password)
    _give_to_user(home)
    subprocess.run(
        _as_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "accord_admin",
                "--pwfile",
                str(pwfile),
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    pwfile.unlink()
    port = free_port()
    options = (
        f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={home} "
        "-c max_connections=300 "
        "-c shared_buffers=256MB"
    )
    # A benchmark's extra server options (e.g. pg_stat_statements preloaded, to see where the server's time goes).
    options += "".join(f" -c {o}" for o in os.environ.get("ACCORD_POSTGRES_EXTRA_OPTIONS", "").split())
    ca_file = None
    if tls_only:
        server = tls.issue(home / "tls")
        _give_to_user(home / "tls")  # the server refuses a key file that is not its own, 0600
        options += f" -c ssl=on -c ssl_cert_file={server.cert_file} -c ssl_key_file={server.key_file}"
        (data / "pg_hba.conf").write_text(TLS_ONLY_HBA)
        ca_file = server.ca_file
    (home / "options").write_text(options)  # for start_again: pg_ctl keeps no -o options across a stop
    pid = _pg_ctl_start(data, options, port, timeout)
    return PostgresProcess(pid=pid, port=port, data=data, superuser="accord_admin", password=password, ca_file=ca_file)


@contextmanager
def throwaway(prefix: str) -> Iterator[PostgresProcess]:
    """A cluster of its own for a benchmark, in a fresh temporary folder, stopped and removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    server = start(home / "postgres", secrets.token_urlsafe(16))
    try:
        yield server
    finally:
        stop(server.data)
        shutil.rmtree(home, ignore_errors=True)


def start_again(data: Path, timeout: float = 60.0) -> None:
    """Starts a cluster that start() made and that has been stopped since, on the same port."""
    options = (data.parent / "options").read_text()
    _pg_ctl_start(data, options, int(options.split("port=")[1].split()[0]), timeout)


def _pg_ctl_start(data: Path, options: str, port: int, timeout: float) -> int:
    subprocess.run(
        _as_user(
            [
                str(server_bin() / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data.parent / "postgres.log"),
                "-o",
                options,
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, timeout)
    return int((data / "postmaster.pid").read_text().splitlines()[0])


def postmaster_running(data: Path) -> bool:
    """Whether the postmaster named in `data`'s lock file runs: that id, a postgres program, started when it says."""
    try:
        pid, _, started = (data / "postmaster.pid").read_text().splitlines()[:3]
        proc = psutil.Process(int(pid))
        # The lock file has the start time in whole seconds, written just after the process began.
        return "postgres" in proc.name() and abs(proc.create_time() - int(started)) < POSTMASTER_START_SLACK
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        return False


def stop(data: Path, mode: str = "fast") -> None:
    """Stops the cluster in `data` if it runs (`mode` "immediate" is a crash); raises when pg_ctl cannot stop it.

    pg_ctl signals the id in postmaster.pid without asking whether it still is this cluster's postmaster, so that is
    checked first: a lock file left by a crashed server names an id that may belong to another process by now."""
    if not postmaster_running(data):
        return
    done = subprocess.run(
        _as_user([str(server_bin() / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]),
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 and (data / "postmaster.pid").exists():
        raise RuntimeError(f"pg_ctl could not stop {data}: {done.stderr.strip()}")
