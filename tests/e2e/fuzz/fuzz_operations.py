"""Every operation of the public API, for every role, with schemathesis's generated requests carrying one hostile
value each (in the body, the query or a path parameter)."""

from dataclasses import replace
from typing import Any

from fuzz_attacks import Injected, attacks_for, declared_only, injected
from fuzz_cast import ROLES
from fuzz_wire import Findings, Wire, call
from fuzz_world import World
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.schemas import APIOperation, BaseSchema


def fuzz_every_operation(schema: BaseSchema, wire: Wire, world: World, examples: int) -> tuple[Findings, int]:
    """Findings of `examples` requests per operation and role, and how many operations were tried. Path parameters
    name the world's real records (but where the hostile value goes), so that bodies reach the services' handlers."""
    findings = Findings()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for role in ROLES:
            fuzz_operation(operation, wire, world, role, examples, findings)
    return findings, len(operations)


def fuzz_operation(
    operation: APIOperation, wire: Wire, world: World, role: str, examples: int, findings: Findings
) -> None:
    headers = world.cast.headers(role)
    components = operation.schema.raw_schema.get("components", {}).get("schemas", {})
    body_schema = _body_schema(operation)

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE), data=st.data())
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, data: st.DataObject) -> None:
        case.path_parameters = {n: world.ids.get(n, v) for n, v in (case.path_parameters or {}).items()}
        if not _is_unset(case.body):
            case.body = _with_known_ids(case.body, world.ids)
        where = data.draw(st.sampled_from(_places(case)))
        attack, where_in_body = None, ()
        body = case.body if where == "body" else _no_body(case)
        if where == "body":
            hostile: Injected = data.draw(injected(declared_only(case.body, body_schema, components)))
            body, attack, where_in_body = hostile.body, hostile.attack, hostile.path
        elif where.startswith("query:"):
            name = where.removeprefix("query:")
            # On the wire a query or path value is text: `5` and `true` there are what the API expects, so only a
            # 5xx or an answer off the document is a finding, never acceptance.
            attack = replace(data.draw(attacks_for(case.query[name])), refuse=False)
            case.query = {**case.query, name: _as_text(attack.value)}
        elif where.startswith("path:"):
            name = where.removeprefix("path:")
            attack = replace(data.draw(attacks_for(str(case.path_parameters[name]))), refuse=False)
            case.path_parameters = {**case.path_parameters, name: _as_text(attack.value)}
        _, found = call(wire, case, headers, body=body, attack=attack, role=role, where=where_in_body)
        for finding in found:
            findings.add(finding)

    run()


def _with_known_ids(document: Any, ids: dict[str, str], inside_list: bool = False) -> Any:
    """The client named is the world's; so is the goal of an entry in a batch (a new record's own id stays new)."""
    if isinstance(document, list):
        return [_with_known_ids(item, ids, inside_list=True) for item in document]
    if not isinstance(document, dict):
        return document
    known = {"client_id", "goal_id"} if inside_list else {"client_id"}
    return {k: ids[k] if k in known and k in ids else _with_known_ids(v, ids, inside_list) for k, v in document.items()}


def _body_schema(operation: APIOperation) -> dict[str, Any]:
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema", {})


def _places(case: Any) -> list[str]:
    places = ["none"]
    if not _is_unset(case.body):
        places.append("body")
    places += [f"query:{name}" for name in case.query or {}]
    places += [f"path:{name}" for name in case.path_parameters or {}]
    return places


def _is_unset(body: Any) -> bool:
    return type(body).__name__ == "NotSet"


def _no_body(case: Any) -> Any:
    return None if _is_unset(case.body) else case.body


def _as_text(value: Any) -> str:
    """A query or path value is text on the wire; `true`, `5` and `nan` are what an attacker types there."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
