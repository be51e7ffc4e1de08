"""Crypto-shredding of the clinical record on the goals and progress topics (docs/privacy.md, "Kafka topics").

Those topics keep every event for ever (the reporting service rebuilds from offset 0), while an episode's records
are removed from every service at the end of its clinical retention period. So every event about an episode is
published sealed: its payload encrypted (AES-256-GCM) under that episode's own data key, the envelope keeping in
plaintext only what routing needs (event id and type, producer, tenant, partition key = client id, the episode's id,
times). When the episode's retention period is over every copy of its key is destroyed, and what is left of its
events on the topics can no longer be read by anyone.

The routing fields are the associated data of the encryption: a sealed payload moved into another envelope (another
event id, type, tenant, client or episode) does not open.

Events not about an episode stay plaintext: the client-level facts of exports, erasure and restriction, and the
announcements that an episode's records went (`EpisodeRecordsExpired` and each service's report), which hold ids
only and must be read after the key is gone.
"""

import base64
import json
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from accord.shared.events.envelope import Envelope

KEY_BYTES = 32
_NONCE_BYTES = 12

SEALED_TOPICS = frozenset({"accord.goals.v1", "accord.progress.v1"})
"""The topics that keep the clinical record for ever."""

PLAINTEXT_EVENTS = frozenset(
    {
        "ExportRequested",
        "ErasureDecided",
        "RestrictionLifted",
        "EpisodeRecordsExpired",
        "ProgressExportPartStored",
        "ProgressErasureApplied",
        "ProgressRestrictionLiftApplied",
        "ProgressEpisodeRecordsRemoved",
    }
)
"""Events of those topics that are never sealed: ids and times only, about a client or the end of an episode."""


class KeyNotHere(LookupError):
    """The episode's key has not reached this service yet: try again later; a consumer dead-letters the event only
    once it has waited longer than its `consumer_episode_key_wait_seconds` (`episode_keys.Opener`)."""


class KeyDestroyed(LookupError):
    """The episode's retention period is over and its key is gone: the event can no longer be read."""


def new_key() -> bytes:
    """A fresh random 256-bit data key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def is_sealable(event_type: str, topic: str) -> bool:
    return topic in SEALED_TOPICS and event_type not in PLAINTEXT_EVENTS


def _associated_data(envelope: Envelope) -> bytes:
    fields = (
        envelope.event_id,
        envelope.event_type,
        envelope.schema_version,
        envelope.tenant_id,
        envelope.partition_key,
        envelope.episode_id,
    )
    return "|".join(str(f) for f in fields).encode()


def seal(envelope: Envelope, episode_id: UUID, key: bytes) -> Envelope:
    """The envelope with its payload encrypted under the episode's key (a fresh random nonce each time)."""
    routed = envelope.model_copy(update={"episode_id": episode_id})
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = json.dumps(envelope.payload, separators=(",", ":")).encode()
    sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, _associated_data(routed))
    return routed.model_copy(update={"payload": {}, "sealed": base64.b64encode(sealed).decode()})


def unseal(envelope: Envelope, key: bytes) -> Envelope:
    """The envelope with its payload back; raises ValueError when the key is not the one it was sealed with or the
    sealed payload or its routing fields were altered."""
    if envelope.sealed is None:
        return envelope
    raw = base64.b64decode(envelope.sealed, validate=True)
    try:
        plaintext = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _associated_data(envelope))
    except InvalidTag:
        raise ValueError("sealed payload does not open under this episode's key") from None
    return envelope.model_copy(update={"payload": json.loads(plaintext), "sealed": None})
