"""The one `send` wrapper that the request context, the gateway's guard and both hot paths log and measure by."""

from starlette.types import Message

from accord.shared.web import StatusSend

START: Message = {"type": "http.response.start", "status": 404, "headers": []}
BODY: Message = {"type": "http.response.body", "body": b"gone", "more_body": False}


class Recorded:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)


async def test_every_message_is_passed_on_in_order_and_the_answers_status_is_remembered() -> None:
    out = Recorded()
    sent = StatusSend(out)
    await sent(START)
    await sent(BODY)
    assert out.messages == [START, BODY]
    assert sent.status == 404


async def test_an_app_that_sent_nothing_is_reported_as_the_500_it_will_be_answered_with() -> None:
    assert StatusSend(Recorded()).status == 500


async def test_a_start_sender_sends_the_answers_start_and_the_body_still_goes_to_send() -> None:
    out, started = Recorded(), Recorded()
    sent = StatusSend(out, started)
    await sent(START)
    await sent(BODY)
    assert started.messages == [START] and out.messages == [BODY]
    assert sent.status == 404
