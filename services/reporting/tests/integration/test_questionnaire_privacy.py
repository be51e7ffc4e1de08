"""Against real Kafka and PostgreSQL: a therapist sees a client's questionnaire results only from the care episodes
they are part of, in the client's report and in the FHIR export, whether the response names its episode or was
published before responses did (then it belongs to the one episode open when it was recorded, if there was one)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from reporting_live import consumed
from reporting_scenario import Cast, Script

from accord.devtools.infra.stack import Infra
from accord.devtools.testing import TokenFactory
from accord.shared.events.contracts.common import Instrument

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)


class TwoEpisodes:
    """One client: episode B with the colleague since D(30), where two PHQ-9s were recorded (one at D(10) published
    before responses named their episode, one at D(2) naming B); episode A with the lead therapist since D(5),
    where a GAD-7 was recorded at D(1)."""

    def __init__(self) -> None:
        self.cast = Cast()
        self.client = self.cast.clients[0]
        s = Script(self.cast, NOW)
        s.episode(self.client, "B", self.cast.team, self.cast.colleague, 30)
        self.legacy_b = s.questionnaire(self.client, Instrument.PHQ9, 16, 10)
        s.episode(self.client, "A", self.cast.team, self.cast.therapist, 5)
        self.named_b = s.questionnaire(self.client, Instrument.PHQ9, 18, 2, "B")
        self.named_a = s.questionnaire(self.client, Instrument.GAD7, 9, 1, "A")
        self.envelopes = s.envelopes


@pytest.fixture(scope="module")
async def world(infra: Infra, service_env: dict[str, str]) -> AsyncIterator[TwoEpisodes]:
    w = TwoEpisodes()
    async with consumed(infra.bootstrap_servers, w.envelopes):
        yield w


async def seen(client: httpx.AsyncClient, w: TwoEpisodes, headers: dict[str, str]) -> dict[str, set[str]]:
    """The responses in the report and in the FHIR export."""
    report = await client.get(f"/reporting/clients/{w.client}/report", headers=headers)
    fhir = await client.get(f"/reporting/clients/{w.client}/fhir", headers=headers)
    assert (report.status_code, fhir.status_code) == (200, 200), report.text + fhir.text
    resources: list[dict[str, Any]] = [e["resource"] for e in fhir.json()["entry"]]
    return {
        "report": {q["response_id"] for q in report.json()["questionnaires"]},
        "fhir": {r["id"] for r in resources if r["resourceType"] == "QuestionnaireResponse"},
        "fhir_scores": {r["id"] for r in resources if r["resourceType"] == "Observation" and "derivedFrom" in r},
    }


def expect(*responses: UUID) -> dict[str, set[str]]:
    ids = {str(r) for r in responses}
    return {"report": ids, "fhir": ids, "fhir_scores": {f"{r}-total" for r in ids}}


async def test_a_therapist_sees_no_questionnaire_result_of_another_therapists_episode_in_report_or_export(
    world: TwoEpisodes, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    lead_of_a = tokens.bearer(world.cast.therapist, ["therapist"], world.cast.tenant)
    assert await seen(client, world, lead_of_a) == expect(world.named_a)


async def test_the_other_therapist_sees_their_episodes_results_and_the_client_sees_all_of_theirs(
    world: TwoEpisodes, client: httpx.AsyncClient, tokens: TokenFactory
) -> None:
    lead_of_b = tokens.bearer(world.cast.colleague, ["therapist"], world.cast.tenant)
    assert await seen(client, world, lead_of_b) == expect(world.legacy_b, world.named_b)
    themselves = tokens.bearer(world.client, ["client"], world.cast.tenant)
    assert await seen(client, world, themselves) == expect(world.legacy_b, world.named_b, world.named_a)
