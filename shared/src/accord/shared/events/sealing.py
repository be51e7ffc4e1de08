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
import hashlib
import json
import os
from collections.abc import Mapping
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

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


class WrappingKeyUnknown(LookupError):
    """A data key arrived wrapped under a key-encryption key this service is not given
    (`ACCORD_EPISODE_KEY_WRAPPING_KEYS`): its event is dead-lettered with this reason, to be replayed once it is."""


DEVELOPMENT_WRAPPING_KEY_ID = "development"
"""The key-encryption key outside production when none is set: derived from a public string, so it protects nothing,
and production refuses to start with it (`ServiceSettings`)."""

_WRAP_INFO = b"accord episode data key wrapping "
_DEVELOPMENT_WRAPPING_KEY = hashlib.sha256(b"accord development episode key wrapping, not a secret").digest()


class WrappingKeys:
    """The key-encryption keys that episodes' data keys travel under on `accord.episode-keys.v1`, so that the topic,
    its replicas, a copy of a broker's disk or a dead-letter topic hold no data key in the clear.

    Each data key is wrapped with AES key wrap (RFC 3394, `cryptography`'s keywrap) under a key derived for its
    episode from the current wrapping key (HKDF-SHA256, the episode's id as info), so a wrapped key moved to another
    episode does not open. The wrapping key's id travels with it; the others named only unwrap, which is how the
    wrapping key is rotated: add the new one, make it current, and drop the old one once no key wrapped under it is
    left on the topic (compaction keeps the latest record per episode). A copy of the topic kept elsewhere cannot be
    opened once its wrapping key is dropped.
    """

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current wrapping key {current!r} is not among those given")
        for key_id, key in keys.items():
            if len(key) != KEY_BYTES:
                raise ValueError(f"wrapping key {key_id!r} must be {KEY_BYTES} bytes (base64 of 256 random bits)")
        self._keys, self.current = dict(keys), current

    @classmethod
    def development(cls) -> "WrappingKeys":
        return cls({DEVELOPMENT_WRAPPING_KEY_ID: _DEVELOPMENT_WRAPPING_KEY}, DEVELOPMENT_WRAPPING_KEY_ID)

    def _for_episode(self, key_id: str, episode_id: UUID) -> bytes:
        derive = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=_WRAP_INFO + episode_id.bytes)
        return derive.derive(self._keys[key_id])

    def wrap(self, episode_id: UUID, key: bytes) -> tuple[str, str]:
        """(the wrapping key's id, the data key wrapped: 40 bytes, base64)."""
        wrapped = aes_key_wrap(self._for_episode(self.current, episode_id), key)
        return self.current, base64.b64encode(wrapped).decode()

    def unwrap(self, key_id: str, episode_id: UUID, wrapped: str) -> bytes:
        """The data key; WrappingKeyUnknown for a wrapping key not given here, ValueError for one altered or moved."""
        if key_id not in self._keys:
            raise WrappingKeyUnknown(f"episode key wrapped under {key_id!r}, a wrapping key not given to this service")
        try:
            return aes_key_unwrap(self._for_episode(key_id, episode_id), base64.b64decode(wrapped, validate=True))
        except InvalidUnwrap:
            raise ValueError(f"the key of episode {episode_id} does not open under wrapping key {key_id!r}") from None
