import contextvars
import json
import sys

import pytest
import structlog

from accord.shared.logging import configure_logging


def test_clinical_fields_never_reach_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("example", "INFO", json=True)
    structlog.get_logger("t").info(
        "goal saved",
        goal_id="g-1",
        description="I want to stop panicking",
        note="felt awful",
        score=17,
        correlation_id="c-1",
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["goal_id"] == "g-1" and line["correlation_id"] == "c-1" and line["service"] == "example"
    assert line["description"] == line["note"] == line["score"] == "[redacted]"
    assert "panicking" not in json.dumps(line)


class _Writes:
    """A stderr that keeps each write it is given apart."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        return None


def test_a_log_line_reaches_stderr_in_one_write_with_its_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_logging("example", "INFO", json=True)
    logger = structlog.get_logger("t")
    stderr = _Writes()
    monkeypatch.setattr(sys, "stderr", stderr)  # swapped after the logger was made: it still follows stderr
    logger.info("request", method="POST", status=201)
    logger.info("request", method="GET", status=200)
    assert len(stderr.writes) == 2  # unbuffered (PYTHONUNBUFFERED), each write is a system call
    assert all(w.endswith("\n") and w.count("\n") == 1 for w in stderr.writes)
    assert [json.loads(w)["method"] for w in stderr.writes] == ["POST", "GET"]


def test_a_line_logged_in_a_context_that_never_saw_the_configuration_still_names_the_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("example", "INFO", json=True)
    # A request's task does not see what the lifespan's task bound (the gateway configures logging there).
    contextvars.Context().run(structlog.get_logger("t").info, "request", status=200)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "request" and line["service"] == "example"
