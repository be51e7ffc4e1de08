"""Browser sign-in at the gateway: starting and finishing a login, finding the live session of a request
(refreshing its access token when due), and logging out. The routes (entrypoints/auth.py) and the cookie-to-bearer
swap (entrypoints/browser.py) call these; nothing here knows about HTTP."""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import structlog

from accord.gateway.adapters.login import LoginFailed, LoginProvider
from accord.gateway.adapters.session_store import SessionStore
from accord.gateway.domain.sessions import PendingLogin, Session, new_csrf_token, new_session_id, safe_return_to
from accord.shared.auth import InvalidToken, TokenVerifier

log = structlog.get_logger("accord.gateway.sessions")
PENDING_LOGIN_SECONDS = 600


@dataclass(frozen=True)
class SessionPolicy:
    idle_seconds: float
    absolute_seconds: float
    refresh_margin_seconds: float


@dataclass(frozen=True)
class StartedLogin:
    provider_url: str
    browser_binding: str  # goes into the login cookie


class Sessions:
    def __init__(
        self,
        store: SessionStore,
        provider: LoginProvider,
        verifier: TokenVerifier,
        policy: SessionPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.provider, self.verifier, self.policy, self.clock = store, provider, verifier, policy, clock

    async def start_login(self, return_to: str | None) -> StartedLogin:
        made = await self.provider.authorization()
        binding = secrets.token_urlsafe(32)
        pending = PendingLogin(made.code_verifier, made.nonce, safe_return_to(return_to), binding)
        await self.store.put_pending(made.state, pending, PENDING_LOGIN_SECONDS)
        return StartedLogin(made.url, binding)

    async def finish_login(self, state: str, code: str, browser_binding: str | None) -> tuple[str, Session, str]:
        """The new session's id, the session and where to go next. LoginFailed when anything does not match."""
        pending = await self.store.take_pending(state)
        if pending is None:
            raise LoginFailed("no login was started with this state, or it was already finished")
        if browser_binding is None or not secrets.compare_digest(browser_binding, pending.browser_binding):
            raise LoginFailed("the login was started in another browser")
        tokens = await self.provider.finish(code, pending.code_verifier, pending.nonce)
        try:
            principal = self.verifier.verify(tokens.access_token)
        except InvalidToken as exc:  # the services would refuse it too: better to say so now
            raise LoginFailed(f"the provider's access token is not one the services accept: {exc}") from exc
        now = self.clock()
        session = Session(
            subject=str(principal.subject),
            roles=tuple(sorted(r.value for r in principal.roles)),
            tenant_id=principal.tenant_id,
            name=tokens.name or "",
            csrf_token=new_csrf_token(),
            access_token=tokens.access_token,
            access_expires_at=now + tokens.expires_in,
            refresh_token=tokens.refresh_token,
            id_token=tokens.id_token,
            created_at=now,
            last_seen_at=now,
        )
        session_id = new_session_id()
        await self.store.save(session_id, session, self._ttl(session, now))
        log.info("signed in", roles=list(session.roles))
        return session_id, session, pending.return_to

    async def current(self, session_id: str) -> Session | None:
        """The live session, seen now and with an access token that is not about to expire; None if it ended."""
        now = self.clock()
        session = await self.store.load(session_id)
        if session is None or session.ended(now, self.policy.idle_seconds, self.policy.absolute_seconds):
            if session is not None:
                await self.store.delete(session_id)
            return None
        if session.needs_refresh(now, self.policy.refresh_margin_seconds):
            refreshed = await self._refresh(session_id, now)
            if refreshed is None:
                return None
            session = refreshed
        session = session.seen(now)
        await self.store.touch(session_id, now, self._ttl(session, now))
        return session

    async def end(self, session_id: str) -> None:
        await self.store.delete(session_id)

    async def logout(self, session_id: str, session: Session, post_logout_redirect_uri: str) -> str:
        await self.store.delete(session_id)
        log.info("signed out")
        return await self.provider.logout_url(session.id_token, post_logout_redirect_uri)

    async def _refresh(self, session_id: str, now: float) -> Session | None:
        async with self.store.lock(session_id):
            session = await self.store.load(session_id)  # another request may have refreshed it meanwhile
            if session is None:
                return None
            if not session.needs_refresh(now, self.policy.refresh_margin_seconds):
                return session
            if session.refresh_token is None:
                await self._end(session_id, "no refresh token")
                return None
            try:
                tokens = await self.provider.refresh(session.refresh_token)
            except LoginFailed as exc:
                await self._end(session_id, str(exc))
                return None
            session = replace(
                session,
                access_token=tokens.access_token,
                access_expires_at=now + tokens.expires_in,
                refresh_token=tokens.refresh_token,
                id_token=tokens.id_token or session.id_token,
            )
            await self.store.save(session_id, session, self._ttl(session, now))
            log.info("access token refreshed")
            return session

    async def _end(self, session_id: str, reason: str) -> None:
        log.info("session ended: refresh failed", reason=reason)
        await self.store.delete(session_id)

    def _ttl(self, session: Session, now: float) -> float:
        """Until the session ends on its own, whichever limit comes first: the store forgets it then."""
        ends = min(session.idle_expires_at(self.policy.idle_seconds), session.expires_at(self.policy.absolute_seconds))
        return max(1.0, ends - now)
