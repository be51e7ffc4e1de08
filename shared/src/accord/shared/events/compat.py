"""JSON Schema snapshots of every event and the backward-compatibility rule they are held to.

A consumer written against a snapshot must be able to read every later message of the same schema version:
adding an optional field is fine; removing, renaming or retyping a field, or adding a required one, is not.
A breaking change needs a new schema_version (and a new snapshot), never an edit of the old one.
"""

import json
from pathlib import Path
from typing import Any

from accord.shared.events.base import IntegrationEvent
from accord.shared.events.registry import EVENTS

SNAPSHOTS = Path(__file__).parent / "schemas"

Schema = dict[str, Any]


def schema_of(cls: type[IntegrationEvent]) -> Schema:
    return cls.model_json_schema(mode="serialization")


def snapshot_path(cls: type[IntegrationEvent]) -> Path:
    return SNAPSHOTS / f"{cls.event_type()}.v{cls.schema_version}.json"


def load_snapshot(cls: type[IntegrationEvent]) -> Schema | None:
    path = snapshot_path(cls)
    return json.loads(path.read_text()) if path.exists() else None


def write_snapshots() -> list[Path]:
    """Writes a snapshot for every event whose schema is new or compatibly changed; refuses a breaking one."""
    written = []
    for cls in EVENTS.values():
        current, old = schema_of(cls), load_snapshot(cls)
        if old == current:
            continue
        if old is not None and (problems := breaking_changes(old, current)):
            raise ValueError(f"{cls.event_type()} v{cls.schema_version}: " + "; ".join(problems))
        path = snapshot_path(cls)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every way in which `new` would break a reader of `old`; empty when compatible."""
    return _compare(old, new, old.get("$defs", {}), new.get("$defs", {}), path="")


def _resolve(schema: Schema, defs: Schema) -> Schema:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _compare(old: Schema, new: Schema, old_defs: Schema, new_defs: Schema, path: str) -> list[str]:
    old, new = _resolve(old, old_defs), _resolve(new, new_defs)
    if "properties" in old or "properties" in new:
        return _compare_objects(old, new, old_defs, new_defs, path)
    for key in ("anyOf", "items", "prefixItems"):
        if key in old or key in new:
            if key == "items":
                if "items" not in new or "items" not in old:
                    return [f"{path or 'event'}: type changed"]
                return _compare(old["items"], new["items"], old_defs, new_defs, path + "[]")
            old_parts, new_parts = old.get(key, []), new.get(key, [])
            if len(old_parts) != len(new_parts):
                return [f"{path or 'event'}: type changed"]
            return [
                p for o, n in zip(old_parts, new_parts, strict=True) for p in _compare(o, n, old_defs, new_defs, path)
            ]
    structural = {k: v for k, v in old.items() if k not in ("title", "description", "default", "examples")}
    structural_new = {k: v for k, v in new.items() if k not in ("title", "description", "default", "examples")}
    if structural != structural_new:
        return [f"{path or 'event'}: type changed from {structural} to {structural_new}"]
    return []


def _compare_objects(old: Schema, new: Schema, old_defs: Schema, new_defs: Schema, path: str) -> list[str]:
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_field in old_props.items():
        where = f"{path}.{name}" if path else name
        if name not in new_props:
            problems.append(f"{where}: removed or renamed")
            continue
        problems += _compare(old_field, new_props[name], old_defs, new_defs, where)
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        where = f"{path}.{name}" if path else name
        problems.append(f"{where}: " + ("became required" if name in old_props else "added as required"))
    return problems
