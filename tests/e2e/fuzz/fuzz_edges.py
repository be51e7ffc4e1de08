"""Attacks below the level of a request body: traversal in path parameters, oversized and duplicated headers, and
malformed access tokens. Sent over raw sockets, since an HTTP client library would normalise or refuse them."""

import base64
import json
import re
import time
from typing import Any
from uuid import uuid4

import jwt
from fuzz_cast import Cast
from fuzz_wire import PROBLEM_JSON, Answer, Finding, Findings, NoAnswer, Wire, example_of
from schemathesis.schemas import BaseSchema

# As an attacker types them: a path parameter made of these must never reach another route.
TRAVERSALS = [
    "..",
    "%2e%2e",
    "..%2f",
    "%2f",
    "\\",
    "%5c",
    "../episodes",
    "..%2fepisodes",
    "%2e%2e%2fepisodes",
    "..%2f..%2fepisodes",
    "..\\episodes",
    "..%5cepisodes",
]
REFUSALS = {400, 404, 422}  # 422: the parameter is not of its type (a UUID), and the answer names it


def refuse(
    wire: Wire,
    findings: Findings,
    check: str,
    operation: str,
    attack: str,
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    allowed: set[int],
    body: bytes | None = None,
) -> Answer | None:
    """Sends the request and adds a finding unless the answer is one of `allowed`, as problem+json."""
    example = example_of(method, target, body)
    try:
        answer = wire.send(method, target, headers, body)
    except NoAnswer as exc:
        findings.add(Finding(check, operation, attack, None, f"no answer: {exc}", example))
        return None
    # The answer's body goes with the example, not the detail: the detail groups findings (the same status is the
    # same defect, whatever the path the body names).
    example = f"{example} -> {answer.body[:200]!r}"
    if answer.status not in allowed:
        findings.add(Finding(check, operation, attack, answer.status, f"answered {answer.status}", example))
    elif answer.status >= 400 and answer.media_type != PROBLEM_JSON:
        detail = f"answered {answer.status} as {answer.media_type!r}"
        findings.add(Finding(check, operation, attack, answer.status, detail, example))
    return answer


def traversal(schema: BaseSchema, wire: Wire, cast: Cast) -> Findings:
    """Every traversal in every path parameter of every operation, as the client of the run."""
    findings, headers = Findings(), list(cast.headers("client").items())
    for operation in (result.ok() for result in schema.get_all_operations()):
        names = re.findall(r"\{(\w+)\}", operation.path)
        for name in names:
            for token in TRAVERSALS:
                values = {n: token if n == name else str(uuid4()) for n in names}
                target = operation.path.format(**values)
                label = f"{operation.method.upper()} {operation.path}"
                refuse(
                    wire,
                    findings,
                    "traversal reached another route",
                    label,
                    f"{name}={token}",
                    operation.method.upper(),
                    target,
                    headers,
                    REFUSALS,
                )
    return findings


def headers(wire: Wire, cast: Cast) -> Findings:
    """Oversized and duplicated headers on a read and a write: refused as problem+json, or served without harm."""
    findings = Findings()
    client, therapist = cast.headers("client")["Authorization"], cast.headers("therapist")["Authorization"]
    attacks: dict[str, tuple[list[tuple[str, str]], set[int]]] = {
        "Authorization of 1.4 MB": ([("Authorization", "Bearer " + "A" * 1_400_000)], {400, 401, 413, 431}),
        "two Authorization headers of different people": (
            [("Authorization", client), ("Authorization", therapist)],
            {400, 401},
        ),
        "200 headers": ([("Authorization", client), *((f"X-Fuzz-{i}", "x" * 40) for i in range(200))], {200, 400, 431}),
    }
    for method, path, body in (("GET", "/api/v1/episodes", None), ("POST", "/api/v1/progress/checkins", _check_in())):
        sent_body = json.dumps(body).encode() if body else None
        content = [("Content-Type", "application/json")] if body else []
        allowed_ok = {200, 201, 409}  # 409: the check-in's client has no episode here, which is fine
        for attack, (sent, allowed) in attacks.items():
            refuse(
                wire,
                findings,
                "hostile headers",
                f"{method} {path}",
                attack,
                method,
                path,
                [*sent, *content],
                allowed | (allowed_ok if attack == "200 headers" else set()),
                sent_body,
            )
        long_id = "r" * 10_000
        sent = [("Authorization", client), ("X-Request-ID", long_id), *content]
        try:
            answer = wire.send(method, path, sent, sent_body)
        except NoAnswer as exc:
            findings.add(Finding("hostile headers", f"{method} {path}", "X-Request-ID of 10 KB", None, str(exc), path))
            continue
        echoed = answer.header("x-request-id") or ""
        if answer.status >= 500 or len(echoed) > 200:
            findings.add(
                Finding(
                    "hostile headers",
                    f"{method} {path}",
                    "X-Request-ID of 10 KB",
                    answer.status,
                    f"answered {answer.status} with an X-Request-ID of {len(echoed)} characters",
                    path,
                )
            )
    return findings


def _check_in() -> dict[str, Any]:
    return {"mood": 5, "occurred_at": "2026-01-01T10:00:00+00:00"}


def malformed_tokens(schema: BaseSchema, wire: Wire, cast: Cast) -> Findings:
    """Every operation, with every malformed token: 401 problem+json, whatever the operation."""
    findings = Findings()
    for attack, token in bad_tokens(cast).items():
        for operation in (result.ok() for result in schema.get_all_operations()):
            target = re.sub(r"\{\w+\}", lambda _: str(uuid4()), operation.path)
            method = operation.method.upper()
            body = b"{}" if method in ("POST", "PUT") else None
            sent = [("Authorization", f"Bearer {token}"), *([("Content-Type", "application/json")] if body else [])]
            refuse(
                wire,
                findings,
                "malformed token not refused with 401",
                "any operation",  # one defect of the token check shows on every operation: grouped, and counted
                attack,
                method,
                target,
                sent,
                {401},
                body,
            )
    return findings


def bad_tokens(cast: Cast) -> dict[str, str]:
    tokens, subject, tenant = cast.tokens, cast.ids["client"], cast.tenant
    claims = _claims(cast)
    found = {
        "JOSE typ null": _signed({"alg": "RS256", "kid": "rsa-1", "typ": None}, claims, cast),
        "JOSE typ a number": _signed({"alg": "RS256", "kid": "rsa-1", "typ": 9}, claims, cast),
        "JOSE typ a list": _signed({"alg": "RS256", "kid": "rsa-1", "typ": ["at+jwt"]}, claims, cast),
        "JOSE kid a number": _signed({"alg": "RS256", "kid": 1, "typ": "at+jwt"}, claims, cast),
        "ES256 token naming the RSA key": tokens.token(
            subject, ["client"], tenant, alg="ES256", headers={"kid": "rsa-1"}
        ),
        "RS256 token naming the EC key": tokens.token(subject, ["client"], tenant, headers={"kid": "ec-1"}),
        "alg none": _unsigned({"alg": "none", "kid": "rsa-1", "typ": "at+jwt"}, claims),
    }
    valid = {"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}
    for name, value in {"an object": {"client": True}, "a string": "client", "a number": 5, "null": None}.items():
        found[f"roles {name}"] = _signed(valid, {**claims, "roles": value}, cast)
    for name, value in {
        "a string": str(cast.team),
        "a number": 5,
        "an object": {"a": 1},
        "a list of numbers": [5],
    }.items():
        found[f"teams {name}"] = _signed(valid, {**claims, "roles": ["supervisor"], "teams": value}, cast)
    found["sub not a UUID"] = _signed(valid, {**claims, "sub": ["x"]}, cast)
    found["tenant_id a number"] = _signed(valid, {**claims, "tenant_id": 7}, cast)
    return found


def _claims(cast: Cast) -> dict[str, Any]:
    now = int(time.time())
    issuer, audience = cast.tokens.issuer, cast.tokens.audience
    return {
        "iss": issuer,
        "aud": audience,
        "sub": str(cast.ids["client"]),
        "iat": now,
        "nbf": now - 1,
        "exp": now + 300,
        "tenant_id": cast.tenant,
        "roles": ["client"],
        "teams": [],
    }


def _b64(document: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(header)}.{_b64(claims)}."


def _signed(header: dict[str, Any], claims: dict[str, Any], cast: Cast) -> str:
    """A token with exactly this JOSE header (PyJWT would drop a null `typ`), signed with the real RSA key."""
    message = f"{_b64(header)}.{_b64(claims)}"
    signature = jwt.get_algorithm_by_name("RS256").sign(message.encode(), cast.tokens.rsa_key)
    return f"{message}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
