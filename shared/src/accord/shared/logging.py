"""Structured JSON logs (structlog) with correlation ids, and a last line of defence against health data."""

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values may hold clinical content. Code must not log them; if it does, the value never leaves.
CLINICAL_KEYS = frozenset(
    {
        "description",
        "wording",
        "statement",
        "why",
        "relevance",
        "note",
        "notes",
        "text",
        "journal",
        "comment",
        "answers",
        "items",
        "score",
        "scores",
        "total",
        "value",
        "rating",
        "mood",
        "reason_text",
        "body",
        "email",
        "phone",
        "name",
        "token",
        "authorization",
        "password",
    }
)


def redact_clinical(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in event_dict.keys() & CLINICAL_KEYS:
        event_dict[key] = "[redacted]"
    return event_dict


class _CurrentStderr:
    """Writes to whatever sys.stderr is now, so loggers cached early still follow a redirected stream."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _Service:
    """Names the service on every line. Not a context variable: one bound where logging is configured (the gateway
    does it in its lifespan's task) is not seen by the tasks serving requests, whose lines then went without it."""

    def __init__(self, service: str) -> None:
        self.service = service

    def __call__(self, _: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", self.service)
        return event_dict


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _Service(service),
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_clinical,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        # One write per line (the line and its newline together): PrintLogger's print() writes them apart, which with
        # an unbuffered stderr (PYTHONUNBUFFERED, as the image sets it) was two system calls per line, the
        # gateway's access log paying the second on every request.
        logger_factory=structlog.WriteLoggerFactory(_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
