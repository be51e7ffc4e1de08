"""What the real-stack browser tests share: one spec of web/e2e-stack run by Playwright against the running services,
in a process group of its own, so that a timeout (this one or pytest's) ends Node and Chromium too, not only uv."""

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


@dataclass(frozen=True)
class SpecRun:
    stdout: str
    stderr: str
    returncode: int

    def assert_passed(self) -> None:
        print(self.stdout[-3000:])  # Playwright's list of tests with their times (shown with -rP or on failure)
        assert self.returncode == 0, self.stdout[-6000:] + self.stderr[-2000:]


def run_spec(spec: str, env: dict[str, str], timeout: float) -> SpecRun:
    """Runs this spec file only (e2e-stack holds others, each started by its own test) with `env` over the
    process's environment; the run is over, passed or not, when this returns."""
    uv = shutil.which("uv")
    assert uv, "uv is needed to run the pinned Node"
    with subprocess.Popen(
        [uv, "run", "--frozen", "npx", "playwright", "test", "-c", "playwright.stack.config.ts", spec],
        cwd=WEB,
        env={**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as run:
        try:
            stdout, stderr = run.communicate(timeout=timeout)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
    return SpecRun(stdout, stderr, run.returncode)
