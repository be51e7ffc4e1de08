"""Sending requests exactly as written, and judging the answers.

Requests go out through `http.client` with the path as given: requests and httpx would normalise `..` and
percent-escapes away, and would refuse raw `NaN` in a body, which are the very things under test. Answers are judged
with schemathesis's checks against the public OpenAPI document, plus what the document cannot say: no 5xx, strict
JSON, no control character or non-finite number read back, and a refusal of what must be refused.
"""

import http.client
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests
from fuzz_attacks import Attack, control_characters_in, dumps, strictly_json
from schemathesis import Case, Response
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

PROBLEM_JSON = "application/problem+json"


@dataclass
class Answer:
    status: int
    headers: dict[str, list[str]]
    body: bytes
    reason: str = ""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


class NoAnswer(Exception):
    """The connection ended without an HTTP answer."""


class Wire:
    """One gateway, reached over plain sockets; every request on a new connection, so one that the server drops
    cannot affect the next."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.base_url, self.host, self.port = base_url, parts.hostname or "127.0.0.1", parts.port or 80

    def send(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
    ) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            answer_headers: dict[str, list[str]] = defaultdict(list)
            for name, value in response.getheaders():
                answer_headers[name.lower()].append(value)
            return Answer(response.status, dict(answer_headers), response.read(), response.reason)
        except (ConnectionError, http.client.HTTPException, TimeoutError) as exc:
            raise NoAnswer(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()


@dataclass(frozen=True)
class Finding:
    """One defect seen in one answer."""

    check: str
    operation: str
    attack: str
    status: int | None
    detail: str
    example: str

    @property
    def key(self) -> tuple[str, str, str]:
        """The same defect seen again: same check, operation and what went wrong (identifiers masked). A poisoned
        record shows in every later read of its list, whatever the later attack was, so the attack is not part.
        Identifiers and long numbers are masked; a status (three digits) is kept."""
        return self.check, self.operation, _IDENTIFIERS.sub("{id}", self.detail)[:120]


_IDENTIFIERS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4,}")


@dataclass
class Findings:
    """Every distinct defect of a run: its first example, how often it was seen and under which attacks."""

    seen: dict[tuple[str, str, str], tuple[Finding, int, set[str]]] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        first, count, attacks = self.seen.get(finding.key, (finding, 0, set()))
        self.seen[finding.key] = (first, count + 1, attacks | {finding.attack})

    def report(self) -> str:
        lines = []
        for (check, operation, _), (f, count, attacks) in sorted(self.seen.items()):
            lines.append(
                f"[{check}] {operation} | status {f.status} | x{count} | attacks: {', '.join(sorted(attacks))}"
                f"\n    {f.detail}\n    {f.example}"
            )
        return f"{len(self.seen)} distinct defects:\n" + "\n".join(lines)

    def __bool__(self) -> bool:
        return bool(self.seen)


def example_of(method: str, target: str, body: bytes | None, role: str = "") -> str:
    shown = (body or b"")[:300].decode(errors="replace")
    return f"{role + ': ' if role else ''}{method} {target[:300]} {shown!r}"


def judge(
    case: Case,
    answer: Answer,
    *,
    target: str,
    body: bytes | None,
    attack: Attack | None = None,
    role: str = "",
    request_headers: dict[str, str] | None = None,
    where: tuple[str | int, ...] = (),
) -> list[Finding]:
    """What is wrong with `answer` to `case` (sent as `target` with `body`), if anything."""
    operation = f"{case.method.upper()} {case.path}"
    example = example_of(case.method.upper(), target, body, role)
    attack_kind = attack.kind if attack else "none"
    found: list[Finding] = []

    def finding(check: str, detail: str) -> None:
        found.append(Finding(check, operation, attack_kind, answer.status, detail, example))

    if answer.status >= 500:
        finding("server error", f"{answer.status} {answer.body[:200]!r}")
    if attack is not None and attack.refuse and 200 <= answer.status < 300 and _stored(answer, where):
        finding("accepted what must be refused", f"{answer.status} for {attack.value!r} at {_dotted(where)}")
    if answer.status >= 400 and answer.media_type != PROBLEM_JSON:
        finding("error not problem+json", f"{answer.media_type!r}: {answer.body[:200]!r}")
    for failure in _schema_failures(case, answer, target, body, request_headers or {}):
        finding("does not keep to the document", failure)
    if answer.media_type.endswith("json") and answer.body and answer.status < 300:
        try:
            document = strictly_json(answer.body.decode())
        except ValueError as exc:
            finding("answer is not JSON", f"{exc}: {answer.body[:200]!r}")
        else:
            if places := control_characters_in(document):
                finding("control character or non-finite number read back", f"at {', '.join(places[:5])}")
    return found


def _stored(answer: Answer, where: tuple[str | int, ...]) -> bool:
    """Whether the hostile value was stored. A batch answers 200 either way, with one result per entry: the entry
    that carried it tells (`created` or `duplicate`, against `rejected`)."""
    if len(where) < 2 or where[0] != "entries" or not isinstance(where[1], int):
        return True
    try:
        results = json.loads(answer.body)["results"]
        return bool(results[where[1]]["status"] != "rejected")
    except (ValueError, KeyError, IndexError, TypeError):
        return True


def _dotted(where: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in where) or "(body)"


def _schema_failures(case: Case, answer: Answer, target: str, body: bytes | None, headers: dict[str, str]) -> list[str]:
    if answer.status >= 500:
        return []  # already the finding; its body is whatever broke
    request = requests.Request(case.method.upper(), f"http://fuzz.invalid{target}", headers=headers, data=body)
    response = Response(
        status_code=answer.status,
        headers=answer.headers,
        content=answer.body,
        request=request.prepare(),
        elapsed=0.0,
        verify=False,
        message=answer.reason,
    )
    try:
        case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])
    except FailureGroup as group:
        return sorted({f"{f.title}: {' '.join(f.message.split())[:400]}" for f in group.exceptions})
    return []


def call(
    wire: Wire,
    case: Case,
    headers: dict[str, str],
    *,
    body: Any = None,
    raw_body: bytes | None = None,
    attack: Attack | None = None,
    role: str = "",
    where: tuple[str | int, ...] = (),
) -> tuple[Answer | None, list[Finding]]:
    """Sends `case` (its path and query as they are, `raw_body` or `body` as JSON) and judges the answer."""
    target = path_of(case) + _query(case.query)
    if raw_body is None and body is not None:
        raw_body = dumps(body)
    generated = {str(k): str(v) for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    sent = {**generated, **headers, **({"Content-Type": "application/json"} if raw_body is not None else {})}
    try:
        answer = wire.send(case.method.upper(), target, list(sent.items()), raw_body)
    except ValueError:
        return None, []  # a generated header or path http.client cannot put on the wire at all: nothing was sent
    except NoAnswer as exc:
        operation = f"{case.method.upper()} {case.path}"
        kind = attack.kind if attack else "none"
        return None, [Finding("no answer", operation, kind, None, str(exc), example_of(case.method, target, raw_body))]
    return answer, judge(
        case, answer, target=target, body=raw_body, attack=attack, role=role, request_headers=sent, where=where
    )


def path_of(case: Case) -> str:
    """The case's path with its parameters percent-encoded whole (a `/` in one stays inside it)."""
    values = {name: quote(str(value), safe="") for name, value in (case.path_parameters or {}).items()}
    return case.path.format(**values)


def _query(query: dict[str, Any] | None) -> str:
    if not query:
        return ""
    return "?" + urlencode(query, doseq=True)
