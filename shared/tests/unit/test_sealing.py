"""Events about an episode are sealed under the episode's own key: unreadable without it, and nowhere else."""

import base64
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka.structs import ConsumerRecord

from accord.shared.episode_keys import BatchKeys, EpisodesRead, FoundEpisodes, Opener, Sealer, key_issued
from accord.shared.events import Envelope
from accord.shared.events.contracts.goals import EpisodeRecordsExpired, GoalImportanceRated, GoalPaused
from accord.shared.events.sealing import (
    KeyDestroyed,
    KeyNotHere,
    WrappingKeys,
    WrappingKeyUnknown,
    new_key,
    seal,
    unseal,
)
from accord.shared.outbox.store import envelope_headers


def rated(episode_id: UUID | None = None) -> Envelope:
    event = GoalImportanceRated(
        client_id=uuid4(),
        goal_id=uuid4(),
        episode_id=episode_id or uuid4(),
        version=1,
        party="client",
        importance=9,
        feels_own="partly",
        occurred_at="2026-03-01T10:00:00Z",
    )
    return Envelope.wrap(event, producer="goals", tenant_id="north-trust")


def test_a_sealed_event_keeps_only_its_routing_fields_in_the_clear() -> None:
    envelope = rated()
    sealed = seal(envelope, UUID(envelope.payload["episode_id"]), new_key())
    raw = sealed.to_bytes()
    assert sealed.payload == {} and sealed.sealed is not None
    assert str(envelope.payload["goal_id"]).encode() not in raw and b'"importance"' not in raw
    assert b"partly" not in raw and b"partly" not in base64.b64decode(sealed.sealed)
    back = Envelope.from_bytes(raw)
    assert (back.event_id, back.event_type, back.tenant_id, back.partition_key) == (
        envelope.event_id,
        "GoalImportanceRated",
        "north-trust",
        envelope.partition_key,
    )
    assert back.episode_id == UUID(envelope.payload["episode_id"])


def test_a_sealed_event_opens_with_its_episodes_key_and_with_no_other() -> None:
    envelope, key = rated(), new_key()
    sealed = Envelope.from_bytes(seal(envelope, UUID(envelope.payload["episode_id"]), key).to_bytes())
    with pytest.raises(RuntimeError, match="sealed"):
        sealed.open()
    with pytest.raises(ValueError, match="does not open"):
        unseal(sealed, new_key())
    opened = unseal(sealed, key)
    assert opened.payload == envelope.payload and opened.open() == envelope.open()


def test_a_sealed_payload_moved_into_another_envelope_does_not_open() -> None:
    envelope, key = rated(), new_key()
    sealed = seal(envelope, UUID(envelope.payload["episode_id"]), key)
    for moved in (
        sealed.model_copy(update={"event_id": uuid4()}),
        sealed.model_copy(update={"tenant_id": "south-trust"}),
        sealed.model_copy(update={"partition_key": str(uuid4())}),
        sealed.model_copy(update={"episode_id": uuid4()}),
    ):
        with pytest.raises(ValueError, match="does not open"):
            unseal(moved, key)


def test_an_unsealed_envelope_is_written_as_before_sealing_existed() -> None:
    envelope = Envelope.wrap(
        GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4()), producer="goals", tenant_id="t"
    )
    assert b"sealed" not in envelope.to_bytes() and b"episode_id" not in envelope.to_bytes()


class FakeKeys:
    def __init__(self, keys: dict[UUID, bytes | None]) -> None:
        self.keys, self.lookups = keys, 0

    async def lookup(self, conn: Any, episode_ids: Any) -> dict[UUID, bytes | None]:
        self.lookups += 1
        return {e: self.keys[e] for e in set(episode_ids) if e in self.keys}


class FakeConn:
    async def __aenter__(self) -> "FakeConn":
        return self

    async def __aexit__(self, *_: object) -> None:
        return None


class FakePool:
    def acquire(self) -> FakeConn:
        return FakeConn()


async def test_the_outbox_seals_events_about_an_episode_and_leaves_client_level_ones_plaintext() -> None:
    episode, key = uuid4(), new_key()
    goal_paused = Envelope.wrap(
        GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4()), producer="goals", tenant_id="t"
    )
    expired = Envelope.wrap(
        EpisodeRecordsExpired(
            client_id=uuid4(), episode_id=episode, expired_at="2026-03-01T10:00:00Z", kept_after="2019-03-01T10:00:00Z"
        ),
        producer="goals",
        tenant_id="t",
    )

    asked: list[list[Envelope]] = []

    async def episodes_of(conn: Any, envelopes: list[Envelope], read: Any) -> FoundEpisodes:
        asked.append(envelopes)
        return FoundEpisodes([episode for _ in envelopes], {})  # the goal's episode, as the service's records say

    sealer = Sealer(FakeKeys({episode: key}), episodes_of)  # type: ignore[arg-type]
    out = await sealer.seal_all(FakeConn(), [rated(episode), goal_paused, expired])  # type: ignore[arg-type]
    assert out[0].sealed and out[0].episode_id == episode and envelope_headers(out[0])["episode_id"] == str(episode)
    assert out[1].sealed and unseal(out[1], key).payload == goal_paused.payload
    assert out[2] == expired and "episode_id" not in envelope_headers(out[2])
    assert asked == [[goal_paused]]  # one lookup for the events that do not name their episode, none for the others


async def test_keys_read_with_their_episodes_are_not_looked_up_again_and_only_the_others_are() -> None:
    via_goal, named, destroyed, keyless = uuid4(), uuid4(), uuid4(), uuid4()
    key, other = new_key(), new_key()
    store = FakeKeys({via_goal: new_key(), named: other, destroyed: None})  # the store would answer otherwise

    def paused() -> Envelope:
        return Envelope.wrap(
            GoalPaused(client_id=uuid4(), goal_id=uuid4(), paused_by=uuid4()), producer="goals", tenant_id="t"
        )

    def finding(episode: UUID, keys: dict[UUID, bytes | None]) -> Sealer:
        async def episodes_of(conn: Any, envelopes: list[Envelope], read: Any) -> FoundEpisodes:
            return FoundEpisodes([episode for _ in envelopes], keys)

        return Sealer(store, episodes_of)  # type: ignore[arg-type]

    goal_paused = paused()
    out = await finding(via_goal, {via_goal: key}).seal_all(FakeConn(), [goal_paused])  # type: ignore[arg-type]
    assert unseal(out[0], key).payload == goal_paused.payload and store.lookups == 0  # the key found with its episode
    out = await finding(via_goal, {via_goal: key}).seal_all(FakeConn(), [paused(), rated(named)])  # type: ignore[arg-type]
    assert unseal(out[1], other).payload and store.lookups == 1  # only the episode named in the event looked up
    with pytest.raises(KeyDestroyed):
        await finding(destroyed, {destroyed: None}).seal_all(FakeConn(), [paused()])  # type: ignore[arg-type]
    assert store.lookups == 1  # a key row found destroyed is refused as it is
    with pytest.raises(KeyNotHere):
        await finding(keyless, {}).seal_all(FakeConn(), [paused()])  # type: ignore[arg-type]
    assert store.lookups == 2  # an episode found with no key row is looked up, and refused
    read = EpisodesRead(keys={via_goal: key})  # read by the command already (with its goal, under the goal's lock)
    out = await finding(via_goal, {}).seal_all(FakeConn(), [goal_paused], read)  # type: ignore[arg-type]
    assert unseal(out[0], key).payload == goal_paused.payload and store.lookups == 2  # not asked again


async def test_the_outbox_refuses_to_publish_an_episodes_event_once_its_key_is_destroyed() -> None:
    episode = uuid4()
    sealer = Sealer(FakeKeys({episode: None}))  # type: ignore[arg-type]
    with pytest.raises(KeyDestroyed):
        await sealer.seal_all(FakeConn(), [rated(episode)])  # type: ignore[arg-type]


def record(envelope: Envelope) -> ConsumerRecord[bytes, bytes]:
    headers = [(k, v.encode()) for k, v in envelope_headers(envelope).items()]
    return ConsumerRecord("accord.goals.v1", 0, 0, 0, 0, None, envelope.to_bytes(), None, 0, 0, headers)


async def test_a_consumer_opens_what_it_has_the_key_of_waits_for_a_key_on_its_way_and_passes_over_a_destroyed_one() -> (
    None
):
    live, gone, coming = uuid4(), uuid4(), uuid4()
    keys = {live: new_key(), gone: None}
    sealed = {e: seal(rated(e), e, keys.get(e) or new_key()) for e in (live, gone, coming)}
    store = FakeKeys(keys)
    opener = Opener(store, FakePool(), wait_seconds=0)  # type: ignore[arg-type]
    batch = await opener.for_records([record(s) for s in sealed.values()], {"GoalImportanceRated"})
    assert store.lookups == 2  # looked again for the key on its way, once
    assert batch.unseal(sealed[live]).open().episode_id == live  # type: ignore[attr-defined]
    with pytest.raises(KeyDestroyed):
        batch.unseal(sealed[gone])
    with pytest.raises(KeyNotHere):
        batch.unseal(sealed[coming])


async def test_a_consumer_looks_up_no_key_for_events_it_does_not_handle() -> None:
    store = FakeKeys({})
    opener = Opener(store, FakePool(), wait_seconds=0)  # type: ignore[arg-type]
    episode = uuid4()
    batch = await opener.for_records([record(seal(rated(episode), episode, new_key()))], {"GoalPaused"})
    assert store.lookups == 0 and isinstance(batch, BatchKeys)


def test_a_data_key_travels_wrapped_and_opens_only_for_its_own_episode_under_a_wrapping_key_given() -> None:
    wrapping, episode, data_key = WrappingKeys({"k1": new_key()}, "k1"), uuid4(), new_key()
    issued = key_issued(uuid4(), episode, data_key, wrapping)
    assert base64.b64encode(data_key).decode() not in issued.model_dump_json()
    assert wrapping.unwrap(issued.wrapping_key_id, episode, issued.wrapped_key) == data_key
    with pytest.raises(ValueError, match="does not open"):
        wrapping.unwrap(issued.wrapping_key_id, uuid4(), issued.wrapped_key)  # moved to another episode
    with pytest.raises(ValueError, match="does not open"):
        WrappingKeys({"k1": new_key()}, "k1").unwrap("k1", episode, issued.wrapped_key)  # another k1
    with pytest.raises(WrappingKeyUnknown, match="'k1', a wrapping key not given"):
        WrappingKeys({"k2": new_key()}, "k2").unwrap("k1", episode, issued.wrapped_key)
