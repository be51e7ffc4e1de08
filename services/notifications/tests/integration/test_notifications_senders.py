"""How the real senders read what the servers answer: retry later, give up, or give up on the contact point."""

from typing import Any
from uuid import uuid4

import aiohttp
import pytest
from aiosmtpd.controller import Controller

from accord.notifications.adapters.email import SmtpSender
from accord.notifications.adapters.push import PushSender
from accord.notifications.domain.contact_points import ContactPoint
from accord.notifications.domain.delivery import Outgoing, PermanentFailure, TransientFailure
from accord.notifications.domain.templates import TemplateCode, render
from accord.notifications.settings import Settings
from accord.shared.events.contracts.notifications import Channel

pytestmark = pytest.mark.integration

OUTGOING = Outgoing(render(TemplateCode.GOAL_AGREED, "en", {"link": "https://app.test/goals/x"}), uuid4())


class Refusing:
    """An SMTP server answering RCPT TO with a fixed reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        return self.reply


def email_to(address: str) -> ContactPoint:
    return ContactPoint(uuid4(), uuid4(), Channel.EMAIL, address)


@pytest.mark.parametrize(
    ("reply", "failure", "gone"),
    [
        ("550 5.1.1 No such mailbox", PermanentFailure, True),
        ("451 4.3.0 Try again later", TransientFailure, False),
    ],
)
async def test_smtp_replies_decide_between_retrying_and_giving_up_on_the_address(
    settings: Settings, loopback_port: int, reply: str, failure: type[Exception], gone: bool
) -> None:
    controller = Controller(Refusing(reply), hostname="127.0.0.1", port=loopback_port)
    controller.start()
    try:
        sender = SmtpSender(settings.model_copy(update={"smtp_port": loopback_port}))
        with pytest.raises(failure) as raised:
            await sender.send(email_to("someone@example.org"), OUTGOING)
    finally:
        controller.stop()
    assert getattr(raised.value, "contact_point_gone", False) is gone


async def test_an_smtp_server_that_is_not_there_is_worth_retrying(settings: Settings, mailbox_down: Any) -> None:
    sender = SmtpSender(settings.model_copy(update={"smtp_port": mailbox_down.port}))
    with pytest.raises(TransientFailure, match="smtp unavailable"):
        await sender.send(email_to("someone@example.org"), OUTGOING)


@pytest.mark.parametrize(
    ("status", "failure", "gone"),
    [
        (404, PermanentFailure, True),
        (410, PermanentFailure, True),
        (400, PermanentFailure, False),
        (429, TransientFailure, False),
        (503, TransientFailure, False),
    ],
)
async def test_push_service_answers_decide_between_retrying_and_disabling_the_subscription(
    settings: Settings, push_service: Any, status: int, failure: type[Exception], gone: bool
) -> None:
    subscription = push_service.new_subscription()
    push_service.status[subscription.path] = status
    info = subscription.json(push_service.base_url)
    point = ContactPoint(uuid4(), uuid4(), Channel.PUSH, info["endpoint"], info["keys"]["p256dh"], info["keys"]["auth"])
    assert settings.vapid_private_key is not None
    async with aiohttp.ClientSession() as session:
        sender = PushSender(
            private_key=settings.vapid_private_key.get_secret_value(),
            subject="mailto:ops@example.org",
            ttl=60,
            timeout=5,
            session=session,
        )
        with pytest.raises(failure) as raised:
            await sender.send(point, OUTGOING)
    assert getattr(raised.value, "contact_point_gone", False) is gone
    [(_, body)] = push_service.to(subscription)
    assert b"agreed" in subscription.decrypt(body)  # encrypted for the subscription, and readable by it
