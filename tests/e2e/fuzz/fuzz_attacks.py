"""The attack classes found against the public API, as values and Hypothesis strategies.

A request body is a JSON document; an attack replaces one of its leaves with a hostile value of the leaf's own kind
(a number field gets a non-finite or huge number, or a string or boolean; a string field gets control characters;
a date field gets a date at the edge of the calendar). Non-finite numbers are not JSON, so they are carried as
`RawNumber` and written as the bare tokens `NaN`, `Infinity` and `-Infinity` by `dumps`.
"""

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class Attack:
    """One hostile value and what the server must do with it."""

    kind: str  # the attack class, for grouping failures
    value: Any
    refuse: bool  # True: a request carrying it must be refused (4xx), never stored


NON_FINITE = [float("nan"), float("inf"), float("-inf")]
C0_CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
DATE_TIMES_WITHOUT_UTC_FORM = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]
DATE_TIMES_AT_THE_EDGE = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+00:00"]
DATE_TIMES_WITHOUT_OFFSET = ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2026-05-01T10:00:00"]
DATES_AT_THE_EDGE = ["0001-01-01", "9999-12-31"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def number_attacks() -> st.SearchStrategy[Attack]:
    return st.one_of(
        st.sampled_from(NON_FINITE).map(lambda v: Attack("non-finite number", v, refuse=True)),
        st.sampled_from([1e308, -1e308]).map(lambda v: Attack("huge number", v, refuse=False)),
        st.sampled_from(["5", "0", "1e3"]).map(lambda v: Attack("number as string", v, refuse=True)),
        st.booleans().map(lambda v: Attack("boolean as number", v, refuse=True)),
    )


def string_attacks(original: str) -> st.SearchStrategy[Attack]:
    """Control characters inside the original text (kept otherwise valid), or in place of it."""

    def inject(control: str, where: int) -> Attack:
        position = where % (len(original) + 1)
        value = original[:position] + control + original[position:]
        return Attack("NUL character" if control == "\x00" else "C0 control character", value, refuse=False)

    # Not required to be refused: text may be cleaned instead. Either way it must never come back (see
    # `control_characters_in`) nor break the service (a 5xx).
    return st.builds(inject, st.sampled_from(C0_CONTROLS), st.integers(0, 1000)) | st.sampled_from(
        ["\x00", "a\x00b", "\x1b[31m"]
    ).map(lambda v: Attack("NUL character" if "\x00" in v else "C0 control character", v, refuse=False))


def date_time_attacks() -> st.SearchStrategy[Attack]:
    return st.one_of(
        st.sampled_from(DATE_TIMES_WITHOUT_UTC_FORM).map(lambda v: Attack("date-time outside UTC", v, refuse=True)),
        st.sampled_from(DATE_TIMES_AT_THE_EDGE).map(lambda v: Attack("date-time at the calendar's edge", v, False)),
        st.sampled_from(DATE_TIMES_WITHOUT_OFFSET).map(lambda v: Attack("date-time without offset", v, refuse=True)),
    )


def date_attacks() -> st.SearchStrategy[Attack]:
    return st.sampled_from(DATES_AT_THE_EDGE).map(lambda v: Attack("date at the calendar's edge", v, refuse=False))


def attacks_for(leaf: Any) -> st.SearchStrategy[Attack]:
    """Attacks that fit where `leaf` stands: the leaf's JSON type decides which class applies."""
    if isinstance(leaf, bool):
        return st.sampled_from(["\x00", 1, "true"]).map(lambda v: Attack("wrong type for a boolean", v, refuse=True))
    if isinstance(leaf, int | float):
        return number_attacks()
    if isinstance(leaf, str) and _DATE_TIME.match(leaf):
        return date_time_attacks()
    if isinstance(leaf, str) and _DATE.match(leaf):
        return date_attacks()
    if isinstance(leaf, str):
        return string_attacks(leaf)
    return number_attacks() | string_attacks("")  # null or a container: anything is wrong there


Path = tuple[str | int, ...]


def leaves(document: Any, path: Path = ()) -> list[Path]:
    """Every place in a JSON document that holds a value (containers included, so empty lists are reachable)."""
    found: list[Path] = [path] if path else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += leaves(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += leaves(value, (*path, index))
    return found


def at(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def replaced(document: Any, path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: replaced(document[head], rest, value)}
    copy = list(document)
    copy[head] = replaced(copy[head], rest, value)  # type: ignore[index]
    return copy


@dataclass(frozen=True)
class Injected:
    body: Any
    path: Path
    attack: Attack

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.path) or "(body)"


@st.composite
def injected(draw: st.DrawFn, document: Any) -> Injected:
    """`document` with one hostile value in one of its places. The kind of place (number, text, date-time, date,
    boolean) is drawn first, then a place of that kind: a body has many numbers and one date, and each attack
    class should come up about as often as the others."""
    places = [p for p in leaves(document) if not isinstance(at(document, p), dict | list)] or leaves(document)
    if not places:
        return Injected(document, (), draw(number_attacks()))
    kinds: dict[str, list[Path]] = {}
    for place in places:
        kinds.setdefault(_kind(at(document, place)), []).append(place)
    path = draw(st.sampled_from(kinds[draw(st.sampled_from(sorted(kinds)))]))
    attack = draw(attacks_for(at(document, path)))
    return Injected(replaced(document, path, attack.value), path, attack)


def _kind(leaf: Any) -> str:
    if isinstance(leaf, bool):
        return "boolean"
    if isinstance(leaf, int | float):
        return "number"
    if isinstance(leaf, str) and _DATE_TIME.match(leaf):
        return "date-time"
    if isinstance(leaf, str) and _DATE.match(leaf):
        return "date"
    return "text"


def dumps(document: Any) -> bytes:
    """JSON as an attacker writes it: non-finite numbers as the bare tokens NaN, Infinity, -Infinity."""
    return json.dumps(document, allow_nan=True, ensure_ascii=False).encode()


def strictly_json(text: str) -> Any:
    """Parses `text` as RFC 8259 JSON: NaN, Infinity and -Infinity are refused (Python's json accepts them)."""

    def refuse(token: str) -> Any:
        raise ValueError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


def control_characters_in(document: Any) -> list[str]:
    """Where an answer carries a C0 control character (tab, newline and carriage return aside), or a non-finite
    number: what a poisoned record looks like when it is read back."""
    found = []
    for path in [(), *leaves(document)]:
        value = at(document, path)
        where = ".".join(str(p) for p in path) or "(body)"
        if isinstance(value, str) and any(c in value for c in C0_CONTROLS):
            found.append(where)
        if isinstance(value, float) and not math.isfinite(value):
            found.append(where)
    return found


def declared_only(document: Any, schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """`document` without the properties its JSON Schema does not declare. Generated bodies carry extra keys (the
    schemas allow them) that the services ignore; a hostile value there proves nothing."""
    schema = _resolved(schema, components)
    if isinstance(document, dict):
        properties: dict[str, Any] = {}
        for variant in _variants(schema, components):
            properties |= variant.get("properties", {})
        return {k: declared_only(v, properties[k], components) for k, v in document.items() if k in properties}
    if isinstance(document, list):
        items = [v.get("items") for v in _variants(schema, components) if isinstance(v.get("items"), dict)]
        return [declared_only(v, items[0], components) for v in document] if items else document
    return document


def _resolved(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _variants(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolved(schema, components)
    found = [schema]
    for keyword in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(keyword, []):
            found += _variants(sub, components)
    return found
