"""The standing fuzz suite of the public API: the attack classes found against it (non-finite and mistyped numbers,
control characters, dates at the edge of the calendar, traversal in path parameters, oversized and duplicated
headers, malformed tokens) and client-supplied ids taken by another tenant, for every role, through the gateway to
every service. Each test gathers every distinct defect before it fails, so one run lists them all."""

import pytest
from fuzz_cast import Cast
from fuzz_edges import bad_tokens, headers, malformed_tokens, traversal
from fuzz_ids import reused_ids
from fuzz_operations import fuzz_every_operation
from fuzz_records import machine_for
from fuzz_wire import Findings, Wire
from fuzz_world import build
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.schemas import BaseSchema

from accord.devtools.testing import TokenFactory

pytestmark = pytest.mark.integration

# Fixed seeds (derandomize) and no example database: CI sees the same requests on every run.
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))


def test_no_hostile_value_in_any_request_breaks_any_operation_for_any_role(
    public_api: BaseSchema, wire: Wire, cast: Cast
) -> None:
    findings, operations = fuzz_every_operation(public_api, wire, build(wire, cast), examples=6)
    assert operations > 40  # every service's document made it into the gateway's
    assert not findings, findings.report()


def test_a_record_with_a_hostile_value_is_never_stored_and_never_breaks_its_readers(
    public_api: BaseSchema, wire: Wire, tokens: TokenFactory
) -> None:
    findings = Findings()
    machine = machine_for(public_api, wire, tokens, findings)
    run_state_machine_as_test(
        machine, settings=settings(DETERMINISTIC, max_examples=20, stateful_step_count=25, phases=[Phase.generate])
    )
    assert not findings, findings.report()


def test_traversal_in_a_path_parameter_never_reaches_another_route(
    public_api: BaseSchema, wire: Wire, cast: Cast
) -> None:
    findings = traversal(public_api, wire, cast)
    assert not findings, findings.report()


def test_oversized_and_duplicated_headers_are_refused_or_harmless(wire: Wire, cast: Cast) -> None:
    findings = headers(wire, cast)
    assert not findings, findings.report()


def test_a_client_supplied_id_taken_in_another_tenant_is_a_conflict_not_a_crash(
    wire: Wire, tokens: TokenFactory
) -> None:
    findings = reused_ids(wire, build(wire, Cast(tokens)), build(wire, Cast(tokens)))
    assert not findings, findings.report()


def test_a_malformed_token_is_refused_with_401_by_every_operation(
    public_api: BaseSchema, wire: Wire, cast: Cast
) -> None:
    assert len(bad_tokens(cast)) >= 15
    findings = malformed_tokens(public_api, wire, cast)
    assert not findings, findings.report()
