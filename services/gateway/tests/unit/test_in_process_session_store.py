"""The in-process session store: keys that are not the cookie value, expiry, one-time logins, and no pile-up of
sessions nobody came back to."""

from accord.gateway.adapters.session_store import InProcessSessionStore, store_key
from accord.gateway.domain.sessions import PendingLogin, Session


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _session() -> Session:
    return Session("s", ("client",), "t", "Sam", "csrf", "at", 1300.0, "rt", "idt", 1000.0, 1000.0)


async def test_the_store_never_holds_the_cookie_value_and_forgets_a_session_at_its_end() -> None:
    clock = Clock()
    store = InProcessSessionStore(clock)
    await store.save("the-cookie-value", _session(), ttl_seconds=10)
    assert "the-cookie-value" not in repr(store.sessions) and store_key("the-cookie-value") in store.sessions
    assert await store.load("the-cookie-value") == _session()
    clock.now += 10
    assert await store.load("the-cookie-value") is None


async def test_sessions_nobody_came_back_to_are_swept_when_a_new_one_starts() -> None:
    clock = Clock()
    store = InProcessSessionStore(clock)
    for n in range(50):
        await store.save(f"abandoned-{n}", _session(), ttl_seconds=10)
    clock.now += 11
    await store.save("new", _session(), ttl_seconds=10)
    assert list(store.sessions) == [store_key("new")]


async def test_a_pending_login_can_be_taken_once() -> None:
    store = InProcessSessionStore(Clock())
    await store.put_pending("state", PendingLogin("verifier", "nonce", "/", "binding"), ttl_seconds=600)
    assert (await store.take_pending("state")) == PendingLogin("verifier", "nonce", "/", "binding")
    assert await store.take_pending("state") is None
