"""Named to run after the browser journeys, which share the session's services and expect Sam to have no demo goals or
celebrations. scripts/up's demo data (scripts/seed_demo.py) goes in through the public API with tokens the local stack's
development identity signs in-process: the gateway issues no tokens of its own."""

import importlib.util
from pathlib import Path
from types import ModuleType

import httpx

from accord.devtools.infra.demo_users import DEMO_TENANT, DEMO_USERS
from accord.devtools.testing import TokenFactory

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "seed_demo.py"


def _seed_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("seed_demo", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_data_is_seeded_through_the_gateway_names_sam_on_alexs_caseload_and_a_second_run_changes_nothing(
    gateway: str, tokens: TokenFactory
) -> None:
    seed_demo = _seed_demo()
    seed_demo.seed(gateway, tokens)
    seed_demo.seed(gateway, tokens)

    sam = DEMO_USERS["sam"]
    headers = tokens.bearer(sam.sub, sam.roles, DEMO_TENANT, teams=sam.teams)
    goals = [httpx.get(f"{gateway}/api/v1/goals/{goal}", headers=headers, timeout=30) for goal in seed_demo.GOALS]
    assert [r.status_code for r in goals] == [200, 200]
    assert [r.json()["status"] for r in goals] == ["active", "active"]
    assert goals[0].json()["visibility"] == "shared"
    assert httpx.post(f"{gateway}/dev-idp/token", json={"user": "sam"}, timeout=30).status_code == 404

    # Alex's caseload names Sam as the demo's therapist entered it, not as "Unnamed client".
    alex = DEMO_USERS["alex"]
    as_alex = tokens.bearer(alex.sub, alex.roles, DEMO_TENANT)
    caseload = httpx.get(f"{gateway}/api/v1/reporting/caseload", params={"limit": 100}, headers=as_alex, timeout=30)
    assert caseload.status_code == 200, caseload.text
    names = {entry["client_id"]: entry["client_name"] for entry in caseload.json()["items"]}
    assert names[str(sam.sub)] == "Sam"

    # The session's services are shared: the browser journey later gives Sam an episode of its own and expects it to be
    # his only open one (a second would make the questionnaire ask which episode, and Today list other goals).
    closing = httpx.post(f"{gateway}/api/v1/episodes/{seed_demo.EPISODE}/close", headers=as_alex, timeout=30)
    assert closing.status_code == 200, closing.text
