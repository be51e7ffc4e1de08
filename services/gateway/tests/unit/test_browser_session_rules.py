"""The pure rules of a browser session: where a login may return to, when a session has ended, when its access
token is due for a refresh."""

import pytest

from accord.gateway.domain.sessions import Session, new_session_id, safe_return_to


def _session(created_at: float = 1000.0, last_seen_at: float = 1000.0, access_expires_at: float = 1300.0) -> Session:
    return Session("s", ("client",), "t", "Sam", "csrf", "at", access_expires_at, "rt", "idt", created_at, last_seen_at)


@pytest.mark.parametrize("path", ["/", "/goals/5", "/goals/5?tab=progress#x", "/inbox"])
def test_a_path_on_this_site_is_a_place_to_return_to(path: str) -> None:
    assert safe_return_to(path) == path


@pytest.mark.parametrize(
    "elsewhere",
    [
        None,
        "",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "goals",
        "/a b",
        "/x\\y",
        "/" + "a" * 2048,
    ],
)
def test_anything_else_returns_to_the_start_page(elsewhere: str | None) -> None:
    assert safe_return_to(elsewhere) == "/"


def test_a_session_ends_when_idle_too_long_or_too_old_whichever_comes_first() -> None:
    s = _session(created_at=0, last_seen_at=100)
    assert not s.ended(now=1899, idle_seconds=1800, absolute_seconds=43200)
    assert s.ended(now=1900, idle_seconds=1800, absolute_seconds=43200)
    busy = _session(created_at=0, last_seen_at=43000)
    assert busy.ended(now=43200, idle_seconds=1800, absolute_seconds=43200)


def test_the_access_token_is_refreshed_within_the_margin_before_it_expires() -> None:
    s = _session(access_expires_at=1300)
    assert not s.needs_refresh(now=1239, margin_seconds=60)
    assert s.needs_refresh(now=1240, margin_seconds=60)


def test_session_ids_are_256_random_bits_and_never_repeat() -> None:
    ids = {new_session_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 43 for i in ids)


def test_a_session_survives_its_round_trip_through_json() -> None:
    s = _session()
    assert Session.from_json(s.to_json()) == s
