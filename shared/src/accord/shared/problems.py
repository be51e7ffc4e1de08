"""RFC 9457 problem details (application/problem+json) for every error a service returns."""

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


def _printable(message: str) -> str:
    # A parser's message can quote the character it stumbled on (pydantic's UUID error says "found `\x05` at 37"):
    # escaped, so no control character from the request is ever read back.
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c).startswith("C") else c for c in message)


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Names each field and what is wrong with it, never echoing the submitted value (it may be health data)."""
    return [
        {"field": ".".join(str(p) for p in e["loc"]), "message": _printable(str(e["msg"])), "type": str(e["type"])}
        for e in errors
    ]


class Problem(Exception):
    """Raise from a handler to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.type = status, title, detail, type_
        self.headers, self.extra = headers or {}, extra


def problem_response(
    status: int,
    title: str,
    detail: str = "",
    *,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_answer(request: Request, exc: Problem) -> JSONResponse:
    """A refusal raised while answering `request`, as problem+json (the app's handler, and the hot paths that answer
    without the framework's handlers)."""
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_=exc.type,
        instance=request.url.path,
        headers=exc.headers,
        **exc.extra,
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc.errors())
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(
            422, "Invalid request", f"Check these fields: {fields}", instance=request.url.path, errors=errors
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        # Starlette answers this one from its ServerErrorMiddleware (outside every user middleware; the Edge around
        # it adds the headers), then raises the exception on for the Edge to log. Nothing of it reaches the caller.
        return problem_response(500, "Internal error", "Something went wrong on our side", instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code, str(exc.detail), instance=request.url.path, headers=dict(exc.headers or {})
        )
