"""Web Push (RFC 8030) with VAPID (RFC 8292) through pywebpush; the payload is encrypted for the browser
(RFC 8291), and still carries only neutral text and a link."""

import base64
import json

import aiohttp
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPushException, webpush_async  # type: ignore[import-untyped]

from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import Outgoing, PermanentFailure, TransientFailure
from accord.notifications.domain.templates import RenderedMessage

GONE = (404, 410)
"""The push service says the subscription no longer exists: disable it."""


def push_payload(message: RenderedMessage, notification_id: str) -> str:
    return json.dumps({"id": notification_id, "title": message.title, "body": message.body, "url": message.link})


def vapid_public_key(private_key: str) -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed public point, base64url."""
    point = Vapid.from_string(private_key).public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).decode().rstrip("=")


class PushSender:
    def __init__(
        self, *, private_key: str, subject: str, ttl: int, timeout: float, session: aiohttp.ClientSession
    ) -> None:
        self.vapid = Vapid.from_string(private_key)
        self.subject, self.ttl, self.timeout, self.session = subject, ttl, timeout, session

    async def send(self, to: ContactPoint, outgoing: Outgoing) -> None:
        subscription = {"endpoint": to.address, "keys": {"p256dh": to.p256dh, "auth": to.auth}}
        try:
            await webpush_async(
                subscription_info=subscription,
                data=push_payload(outgoing.message, str(outgoing.message_id)),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},  # a fresh dict: pywebpush writes `aud` and `exp` into it
                ttl=self.ttl,
                timeout=self.timeout,
                headers={"Urgency": "high" if outgoing.urgent else "normal"},
                aiohttp_session=self.session,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in GONE:
                raise PermanentFailure(f"push {status}", contact_point_gone=True) from None
            if status is None or status == 429 or status >= 500:
                raise TransientFailure(f"push {status}") from None
            raise PermanentFailure(f"push {status}") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientFailure(f"push unavailable: {type(exc).__name__}") from None
