"""Keys per tenant and period, and the pseudonyms they make: stable within a period, unrelated across periods and
tenants, and no development key in production."""

import hashlib
import hmac
import os
from collections import defaultdict
from datetime import date
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError
from reporting_analytics import period, secret

from accord.reporting.analytics.keys import DEV_PERIOD_START, Keyring, PeriodKey, UnknownTenantError
from accord.reporting.analytics.pseudonyms import PersonsNamed, Pseudonyms
from accord.reporting.settings import Settings

JAN, MAR, JUN = date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1)
KEYS = {"tenant-a": (period(MAR, secret("a2")), period(JAN, secret("a1"))), "tenant-b": (period(JAN, secret("b1")),)}


def keyring(dev_fallback: bool = False) -> Keyring:
    return Keyring(KEYS, dev_fallback=dev_fallback)


def test_the_key_in_force_is_that_of_the_latest_period_started_by_the_date() -> None:
    keys = keyring()
    assert keys.key_for("tenant-a", date(2025, 2, 28)).starts_on == JAN
    assert keys.key_for("tenant-a", MAR).starts_on == MAR
    assert keys.key_for("tenant-a", JUN).starts_on == MAR
    assert keys.key_for("tenant-a", date(2024, 7, 1)).starts_on == JAN  # the first period covers older history


def pseudonyms(key: PeriodKey, client: UUID, material: bytes = b"material") -> Pseudonyms:
    """Pseudonyms of `client`'s events, with the same own material for every person."""
    return Pseudonyms(key, client, defaultdict(lambda: material))


def test_a_pseudonym_is_the_hmac_of_the_prefixed_id_and_the_persons_own_material_under_the_key_in_force() -> None:
    client, keys = uuid4(), keyring()
    message = f"person:{client}:".encode() + b"own material"
    expected = hmac.new(secret("a1").encode(), message, hashlib.sha256).hexdigest()[:32]
    assert pseudonyms(keys.key_for("tenant-a", date(2025, 2, 1)), client, b"own material").person(client) == expected


def test_destroyed_material_replaced_by_new_gives_the_person_and_their_records_unrelated_pseudonyms() -> None:
    """Crypto-shredding: with the tenant's key unchanged, only the person's own material tells before from after."""
    client, therapist, goal, team = uuid4(), uuid4(), uuid4(), uuid4()
    key = keyring().key_for("tenant-a", JAN)
    before = Pseudonyms(key, client, {client: b"old" * 11, therapist: b"t" * 32})
    after = Pseudonyms(key, client, {client: b"new" * 11, therapist: b"t" * 32})
    assert before.person(client) != after.person(client)
    assert before.record(goal) != after.record(goal)  # the records of their care cannot be joined either
    assert before.event_id(goal) != after.event_id(goal)
    assert before.person(therapist) == after.person(therapist)  # other people keep theirs
    assert before.team(team) == after.team(team)


def test_a_person_without_material_gets_no_pseudonym_rather_than_an_unsalted_one() -> None:
    client = uuid4()
    with pytest.raises(KeyError):
        Pseudonyms(keyring().key_for("tenant-a", JAN), client, {}).person(client)


def test_the_persons_named_are_recorded_so_that_their_material_can_be_fetched_first() -> None:
    client, other = uuid4(), uuid4()
    named = PersonsNamed()
    p = Pseudonyms(keyring().key_for("tenant-a", JAN), client, named)
    p.person(other)
    p.record(uuid4())
    assert set(named) == {client, other}


def test_the_same_client_is_the_same_within_a_period_and_another_after_rotation_or_elsewhere() -> None:
    client, keys = uuid4(), keyring()

    def of(tenant: str, day: date) -> str:
        return pseudonyms(keys.key_for(tenant, day), client).person(client)

    assert of("tenant-a", date(2025, 1, 5)) == of("tenant-a", date(2025, 2, 27))
    assert of("tenant-a", MAR) == of("tenant-a", JUN)
    assert of("tenant-a", date(2025, 2, 27)) != of("tenant-a", MAR)
    assert of("tenant-a", date(2025, 2, 1)) != of("tenant-b", date(2025, 2, 1))


def test_kinds_of_id_are_kept_apart_and_event_ids_are_stable_uuids() -> None:
    some_id = uuid4()
    p = pseudonyms(keyring().key_for("tenant-a", JAN), uuid4())
    assert p.person(some_id) != p.record(some_id)
    assert len(p.person(some_id)) == 32 and int(p.person(some_id), 16) >= 0
    assert p.event_id(some_id) == p.event_id(some_id) != some_id


def test_without_a_key_a_tenant_is_refused_in_production_and_gets_a_development_key_elsewhere() -> None:
    with pytest.raises(UnknownTenantError):
        keyring().key_for("tenant-c", JAN)
    dev = keyring(dev_fallback=True)
    assert dev.key_for("tenant-c", JAN).starts_on == DEV_PERIOD_START
    assert dev.key_for("tenant-c", JAN) != dev.key_for("tenant-d", JAN)
    assert dev.key_for("tenant-a", JAN).starts_on == JAN  # configured keys still win


REQUIRED = {
    "database_url": "postgresql://accord_reporting:s3cr3t-pw@127.0.0.1:5432/accord",
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
    "ACCORD_OIDC_ISSUER": "https://id.example",
    "ACCORD_OIDC_JWKS": '{"keys": []}',
}


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test passes counts: not the environment of whatever ran before, nor a local env file."""
    for name in [*(n for n in os.environ if n.startswith("ACCORD_REPORTING_")), "ACCORD_ENVIRONMENT"]:
        monkeypatch.delenv(name, raising=False)


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **REQUIRED, **values)  # type: ignore[arg-type,call-arg]


def test_settings_read_the_keys_as_json_and_refuse_placeholders_and_repeated_periods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = f'{{"tenant-a": [{{"starts_on": "2025-01-01", "secret": "{secret("a")}"}}]}}'
    monkeypatch.setenv("ACCORD_REPORTING_ANALYTICS_KEYS", keys)
    assert settings().analytics_keyring().key_for("tenant-a", JUN).starts_on == JAN
    for bad in ("changeme", "short", "<the analytics key of tenant a, from the vault>"):
        with pytest.raises(ValidationError):
            settings(analytics_keys={"tenant-a": [{"starts_on": "2025-01-01", "secret": bad}]})
    with pytest.raises(ValidationError, match="its own date"):
        settings(analytics_keys={"tenant-a": [period(JAN, secret("x")), period(JAN, secret("y"))]})


def test_production_needs_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ENVIRONMENT", "production")
    # What production takes besides: its own Kafka principal over TLS and a verified database connection.
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("ACCORD_REPORTING_KAFKA_USERNAME", "accord-reporting")
    monkeypatch.setenv("ACCORD_REPORTING_KAFKA_PASSWORD", "a-real-Secret-1")
    wrapping = '{"2026-11": "c3RhbmQtaW4gd3JhcHBpbmcga2V5LCAzMiBieXRlcyE="}'  # base64 of 32 bytes
    monkeypatch.setenv("ACCORD_EPISODE_KEY_WRAPPING_KEYS", wrapping)
    monkeypatch.setitem(REQUIRED, "database_url", f"{REQUIRED['database_url']}?sslmode=verify-full")
    with pytest.raises(ValueError, match="ACCORD_REPORTING_ANALYTICS_KEYS"):
        settings().analytics_keyring()
    keys = settings(analytics_keys=KEYS).analytics_keyring()
    with pytest.raises(UnknownTenantError):
        keys.key_for("tenant-c", JAN)
