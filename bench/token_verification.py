"""What checking an access token costs a service per request, with and without the verifier's memory of verified
tokens (accord.shared.auth.TokenVerifier), in the same run.

    uv run python bench/token_verification.py [--verifications 20000]

For RS256 and ES256 tokens as the development identity provider issues them (a client with roles, tenant and a
supervisor's two teams), times N verifications of one token by a verifier that remembers nothing (every call runs
the full check: header, key lookup, signature, claims, principal) and by the default verifier after its first
call (a SHA-256 of the token and a lookup). Best of five rounds. Writes bench/results/token_verification.json.
Not a test.
"""

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

import typer
from rich.console import Console
from rich.table import Table

from accord.devtools.infra.identity import DevIdentityProvider
from accord.shared.auth import TokenVerifier

RESULTS = Path(__file__).resolve().parent / "results"
console = Console()
app = typer.Typer(add_completion=False)


def microseconds_each(verify: Callable[[str], object], token: str, times: int) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(times):
            verify(token)
        best = min(best, time.perf_counter() - started)
    return best / times * 1e6


@app.command()
def main(verifications: int = 20_000) -> None:
    idp = DevIdentityProvider()
    rows = []
    for alg in ("RS256", "ES256"):
        token = idp.token(uuid4(), ["supervisor", "therapist"], "tenant-a", teams=[uuid4(), uuid4()], alg=alg)
        full = TokenVerifier(issuer=idp.issuer, audience=idp.audience, jwks=idp.jwks(), remember_seconds=0)
        remembering = TokenVerifier(issuer=idp.issuer, audience=idp.audience, jwks=idp.jwks())
        assert full.verify(token) == remembering.verify(token)
        cold = microseconds_each(full.verify, token, verifications // 10)  # slower: fewer rounds
        warm = microseconds_each(remembering.verify, token, verifications)
        rows.append({"alg": alg, "token_bytes": len(token), "full_us": cold, "remembered_us": warm})
    table = Table("alg", "token bytes", "full check µs", "remembered µs", "ratio")
    for row in rows:
        ratio = row["full_us"] / row["remembered_us"]
        row["ratio"] = ratio
        table.add_row(
            row["alg"], str(row["token_bytes"]), f"{row['full_us']:.1f}", f"{row['remembered_us']:.2f}", f"{ratio:.0f}x"
        )
    console.print(table)
    RESULTS.mkdir(exist_ok=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "processor": platform.processor()}
    (RESULTS / "token_verification.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2))


if __name__ == "__main__":
    app()
