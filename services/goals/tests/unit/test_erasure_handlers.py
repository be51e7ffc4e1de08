"""Erasure requests in the goals service, against an in-memory store: who may ask and decide, what an approval
applies here and announces, what a refusal does (nothing beyond the record), who may follow the request, how the
services' completions are counted, and who may lift the restriction an approval put on the client, once."""

import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from accord.goals.domain.erasure import AlreadyDecided, Decision, ErasureRefused, ErasureStatus, Listed
from accord.goals.domain.restriction import AlreadyLifted
from accord.goals.handlers.erasure import (
    Followed,
    Position,
    ask_for_erasure,
    decide_erasure,
    erasure_status_for,
    erasures_for,
    on_erasure_applied,
    on_lift_applied,
)
from accord.goals.handlers.restriction import lift_restriction
from accord.shared.auth import Principal
from accord.shared.events import Envelope
from accord.shared.events.contracts.common import Role
from accord.shared.events.contracts.goals import ErasureDecided, RestrictionLifted
from accord.shared.events.contracts.notifications import NotificationsRestrictionLiftApplied
from accord.shared.events.contracts.progress import ProgressErasureApplied, ProgressRestrictionLiftApplied
from accord.shared.events.contracts.reporting import ReportingRestrictionLiftApplied

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
TEAM = uuid4()


class InMemoryErasures:
    def __init__(self, care_team: frozenset[UUID] = frozenset()) -> None:
        self.care_team = care_team
        self.requests: dict[UUID, ErasureStatus] = {}
        self.restricted: list[tuple[UUID, UUID]] = []

    async def on_care_team(self, me: Principal, client_id: UUID) -> bool:
        return me.subject in self.care_team

    async def supervises(self, me: Principal, client_id: UUID) -> bool:
        return me.has(Role.SUPERVISOR) and TEAM in me.teams

    async def add(
        self, request_id: UUID, me: Principal, client_id: UUID, request_reference: str | None, at: datetime
    ) -> None:
        roles = sorted(r.value for r in me.roles)
        self.requests[request_id] = ErasureStatus(request_id, client_id, me.subject, roles, request_reference, at)

    async def decide(self, request_id: UUID, me: Principal, decision: Decision, at: datetime) -> bool:
        current = self.requests[request_id]
        if current.decision is not None:
            return False
        roles = sorted(r.value for r in me.roles)
        self.requests[request_id] = dataclasses.replace(
            current, decision=decision, decided_by=me.subject, decided_by_roles=roles, decided_at=at
        )
        return True

    async def applied(self, request_id: UUID, service: str, at: datetime) -> None:
        self.requests[request_id].applied.setdefault(service, at)

    async def lift_applied(self, request_id: UUID, service: str, at: datetime) -> None:
        self.requests[request_id].lift_applied.setdefault(service, at)

    async def status(self, tenant_id: str, request_id: UUID) -> ErasureStatus | None:
        return self.requests.get(request_id)

    async def apply_erasure(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        self.restricted.append((client_id, request_id))

    async def followed_by(
        self, me: Principal, client_id: UUID | None, which: Listed | None, after: Position | None, limit: int
    ) -> list[ErasureStatus]:
        # Deliberately wider than the SQL (every request of the tenant, whatever `which` asks): the handler must apply
        # the domain's rules.
        found = [s for s in self.requests.values() if client_id in (None, s.client_id)]
        newest_first = sorted(found, key=lambda s: (s.requested_at, s.request_id), reverse=True)
        return [s for s in newest_first if after is None or (s.requested_at, s.request_id) < after][:limit]


async def listed(
    store: InMemoryErasures, me: Principal, client_id: UUID | None, which: Listed | None, limit: int
) -> list[Followed]:
    return (await erasures_for(store, me, client_id, which, None, limit)).items


def person(role: Role, subject: UUID | None = None, teams: frozenset[UUID] = frozenset()) -> Principal:
    return Principal(subject=subject or uuid4(), tenant_id="tenant-a", roles=frozenset({role}), teams=teams)


SUPERVISOR = person(Role.SUPERVISOR, teams=frozenset({TEAM}))


async def asked(store: InMemoryErasures, client: UUID) -> UUID:
    request_id = uuid4()
    await ask_for_erasure(store, person(Role.CLIENT, client), request_id, client, None, NOW)
    return request_id


async def test_an_approval_restricts_here_records_goals_as_applied_and_announces_the_decision() -> None:
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    assert store.restricted == []  # asking changes nothing

    envelope = await decide_erasure(store, SUPERVISOR, request_id, Decision.APPROVED, NOW)

    assert envelope is not None and envelope.producer == "goals" and envelope.partition_key == str(client)
    assert envelope.open() == ErasureDecided(
        client_id=client, request_id=request_id, decided_by=SUPERVISOR.subject, decided_at=NOW
    )
    assert store.restricted == [(client, request_id)]
    status = store.requests[request_id]
    assert (status.requested_by, status.decided_by, status.decision) == (client, SUPERVISOR.subject, Decision.APPROVED)
    assert set(status.applied) == {"goals"} and not status.complete


async def test_a_refusal_is_recorded_and_nothing_is_applied_or_announced() -> None:
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    assert await decide_erasure(store, SUPERVISOR, request_id, Decision.REFUSED, NOW) is None
    assert store.restricted == [] and store.requests[request_id].decision is Decision.REFUSED


async def test_only_a_supervisor_of_the_clients_team_who_did_not_ask_may_decide_and_only_once() -> None:
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    others = [
        person(Role.THERAPIST),
        person(Role.CLIENT, client),
        person(Role.SUPERVISOR, teams=frozenset({uuid4()})),
    ]
    for outsider in others:
        with pytest.raises(ErasureRefused) as refused:
            await decide_erasure(store, outsider, request_id, Decision.APPROVED, NOW)
        assert refused.value.field is None  # the same as for a request that does not exist
    with pytest.raises(ErasureRefused):
        await decide_erasure(store, SUPERVISOR, uuid4(), Decision.APPROVED, NOW)

    own = uuid4()  # a supervisor on the care team who recorded the request may not approve it too
    staffed = InMemoryErasures(care_team=frozenset({SUPERVISOR.subject}))
    await ask_for_erasure(staffed, SUPERVISOR, own, client, "DPA-1", NOW)
    store.requests[own] = staffed.requests[own]
    with pytest.raises(ErasureRefused) as refused:
        await decide_erasure(store, SUPERVISOR, own, Decision.APPROVED, NOW)
    assert refused.value.field == "decision"

    await decide_erasure(store, SUPERVISOR, request_id, Decision.APPROVED, NOW)
    with pytest.raises(AlreadyDecided):
        await decide_erasure(store, SUPERVISOR, request_id, Decision.REFUSED, NOW)
    assert store.requests[request_id].decision is Decision.APPROVED and len(store.restricted) == 1


async def test_staff_may_ask_only_on_the_clients_care_team_and_with_a_recorded_request() -> None:
    therapist = person(Role.THERAPIST)
    store, client = InMemoryErasures(care_team=frozenset({therapist.subject})), uuid4()
    with pytest.raises(ErasureRefused) as refused:
        await ask_for_erasure(store, therapist, uuid4(), client, None, NOW)
    assert refused.value.field == "request_reference"
    with pytest.raises(ErasureRefused) as refused:
        await ask_for_erasure(store, person(Role.THERAPIST), uuid4(), client, "REF-1", NOW)
    assert refused.value.field is None
    with pytest.raises(ErasureRefused):
        await ask_for_erasure(store, person(Role.CLIENT), uuid4(), client, None, NOW)  # another client
    request_id = uuid4()
    await ask_for_erasure(store, therapist, request_id, client, "REF-1", NOW)
    assert store.requests[request_id].request_reference == "REF-1"


async def test_the_requester_the_client_and_the_deciders_follow_a_request_and_no_one_else() -> None:
    therapist = person(Role.THERAPIST)
    store, client = InMemoryErasures(care_team=frozenset({therapist.subject})), uuid4()
    request_id = uuid4()
    await ask_for_erasure(store, therapist, request_id, client, "REF-1", NOW)
    for reader in (therapist, person(Role.CLIENT, client), SUPERVISOR):
        assert await erasure_status_for(store, reader, request_id) is not None
    for outsider in (person(Role.THERAPIST), person(Role.CLIENT), person(Role.FAMILY)):
        assert await erasure_status_for(store, outsider, request_id) is None


async def test_each_services_completion_is_counted_once_and_the_request_completes_with_the_last() -> None:
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    await decide_erasure(store, SUPERVISOR, request_id, Decision.APPROVED, NOW)
    for service in ("progress", "notifications", "reporting"):
        applied = ProgressErasureApplied(client_id=client, request_id=request_id)
        envelope = Envelope.wrap(applied, producer=service, tenant_id="tenant-a", occurred_at=NOW)
        await on_erasure_applied(store, envelope, applied)
    first = dict(store.requests[request_id].applied)
    again = ProgressErasureApplied(client_id=client, request_id=request_id)
    later = Envelope.wrap(again, producer="progress", tenant_id="tenant-a", occurred_at=NOW + timedelta(hours=1))
    await on_erasure_applied(store, later, again)
    assert store.requests[request_id].applied == first and store.requests[request_id].complete


async def test_the_list_answers_what_one_may_follow_and_offers_a_decision_to_a_supervisor_who_did_not_ask() -> None:
    therapist = person(Role.THERAPIST)
    store, client = InMemoryErasures(care_team=frozenset({therapist.subject, SUPERVISOR.subject})), uuid4()
    recorded, own = uuid4(), uuid4()
    await ask_for_erasure(store, therapist, recorded, client, "REF-1", NOW)
    await ask_for_erasure(store, SUPERVISOR, own, client, "REF-2", NOW)
    decided = await asked(store, client)
    await decide_erasure(store, SUPERVISOR, decided, Decision.REFUSED, NOW)

    waiting = await listed(store, SUPERVISOR, None, Listed.WAITING, 50)
    assert {(f.status.request_id, f.may_decide) for f in waiting} == {(recorded, True), (own, False)}
    assert {f.status.request_id for f in await listed(store, therapist, client, None, 50)} == {recorded}
    assert all(not f.may_decide for f in await listed(store, therapist, client, None, 50))
    for outsider in (person(Role.THERAPIST), person(Role.CLIENT), person(Role.SUPERVISOR, teams=frozenset({uuid4()}))):
        assert await listed(store, outsider, None, Listed.WAITING, 50) == []


async def test_the_list_pages_by_keyset_without_repeats_or_gaps_even_past_requests_one_may_not_follow() -> None:
    therapist = person(Role.THERAPIST)
    store, client = InMemoryErasures(care_team=frozenset({therapist.subject})), uuid4()
    mine = []
    for minutes in range(5):
        mine.append(uuid4())
        await ask_for_erasure(store, therapist, mine[-1], client, "REF", NOW - timedelta(minutes=minutes))
        await ask_for_erasure(store, person(Role.CLIENT, client), uuid4(), client, None, NOW)  # not the therapist's

    seen, after, pages = [], None, 0
    while True:
        page = await erasures_for(store, therapist, client, None, after, 2)
        seen += [f.status.request_id for f in page.items]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after

    assert seen == mine  # newest first, each once
    assert pages == 5  # ten requests two a page: the client's own ones took room but were never shown


async def test_the_restrictions_in_place_are_listed_however_old_and_leave_the_list_once_lifted() -> None:
    store, client, other_client = InMemoryErasures(), uuid4(), uuid4()
    oldest = uuid4()
    await ask_for_erasure(store, person(Role.CLIENT, client), oldest, client, None, NOW - timedelta(days=400))
    await decide_erasure(store, SUPERVISOR, oldest, Decision.APPROVED, NOW)
    newer = [uuid4() for _ in range(3)]  # none restricting: the newest waits, the others were refused
    for minutes, request_id in enumerate(newer):
        when = NOW - timedelta(minutes=minutes)
        await ask_for_erasure(store, person(Role.CLIENT, other_client), request_id, other_client, None, when)
        if minutes:
            await decide_erasure(store, SUPERVISOR, request_id, Decision.REFUSED, NOW)

    seen, after = [], None
    while True:  # a page of one at a time: the refused and waiting ones take room but are never shown
        page = await erasures_for(store, SUPERVISOR, None, Listed.RESTRICTED, after, 1)
        seen += [(f.status.request_id, f.may_lift) for f in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [(oldest, True)]
    assert [f.status.request_id for f in await listed(store, SUPERVISOR, None, Listed.WAITING, 50)] == newer[:1]
    own = await listed(store, person(Role.CLIENT, client), None, Listed.RESTRICTED, 50)
    assert [(f.status.request_id, f.may_lift) for f in own] == [(oldest, False)]

    await lift_restriction(store, InMemoryLifts(store), SUPERVISOR, oldest, "The entry was corrected", NOW)
    assert await listed(store, SUPERVISOR, None, Listed.RESTRICTED, 50) == []
    assert await listed(store, person(Role.CLIENT, client), None, Listed.RESTRICTED, 50) == []


class InMemoryLifts:
    def __init__(self, erasures: InMemoryErasures) -> None:
        self.erasures = erasures
        self.lifted: dict[UUID, tuple[UUID, str]] = {}

    async def lift(self, request_id: UUID, me: Principal, reason: str, at: datetime) -> bool:
        if request_id in self.lifted:
            return False
        self.lifted[request_id] = (me.subject, reason)
        current = self.erasures.requests[request_id]
        roles = sorted(r.value for r in me.roles)
        self.erasures.requests[request_id] = dataclasses.replace(
            current, lifted_by=me.subject, lifted_by_roles=roles, lifted_at=at
        )
        return True

    async def lift_applied(self, request_id: UUID, service: str, at: datetime) -> None:
        await self.erasures.lift_applied(request_id, service, at)

    async def end_restriction(self, tenant_id: str, client_id: UUID, request_id: UUID) -> None:
        self.erasures.restricted.remove((client_id, request_id))


async def test_a_supervisor_lifts_an_approved_requests_restriction_here_once_and_announces_it_without_the_reason() -> (
    None
):
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    await decide_erasure(store, SUPERVISOR, request_id, Decision.APPROVED, NOW)
    lifts = InMemoryLifts(store)

    done = await lift_restriction(store, lifts, SUPERVISOR, request_id, "The entry was corrected", NOW)

    assert done.client_id == client and store.restricted == []
    assert done.envelope.open() == RestrictionLifted(
        client_id=client, request_id=request_id, lifted_by=SUPERVISOR.subject, lifted_at=NOW
    )
    assert "corrected" not in done.envelope.to_bytes().decode()
    with pytest.raises(AlreadyLifted):
        await lift_restriction(store, lifts, SUPERVISOR, request_id, "again", NOW)


async def test_nobody_but_a_supervisor_of_the_team_lifts_and_a_request_not_approved_has_nothing_to_lift() -> None:
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    lifts = InMemoryLifts(store)
    with pytest.raises(ErasureRefused) as undecided:
        await lift_restriction(store, lifts, SUPERVISOR, request_id, "why", NOW)
    assert undecided.value.field == "decision"

    await decide_erasure(store, SUPERVISOR, request_id, Decision.APPROVED, NOW)
    for outsider in (person(Role.CLIENT, client), person(Role.THERAPIST), person(Role.SUPERVISOR)):
        with pytest.raises(ErasureRefused) as refused:
            await lift_restriction(store, lifts, outsider, request_id, "why", NOW)
        assert refused.value.field is None  # as for a request that does not exist
    assert lifts.lifted == {} and store.restricted == [(client, request_id)]


async def test_the_list_offers_the_lift_only_to_a_supervisor_of_the_team_on_an_approved_request_until_lifted() -> None:
    therapist = person(Role.THERAPIST)
    store, client = InMemoryErasures(care_team=frozenset({therapist.subject})), uuid4()
    approved, refused, waiting = await asked(store, client), await asked(store, client), await asked(store, client)
    await decide_erasure(store, SUPERVISOR, approved, Decision.APPROVED, NOW)
    await decide_erasure(store, SUPERVISOR, refused, Decision.REFUSED, NOW)

    def may_lift(found: list[Followed]) -> dict[UUID, bool]:
        return {f.status.request_id: f.may_lift for f in found}

    assert may_lift(await listed(store, SUPERVISOR, client, None, 50)) == {
        approved: True,
        refused: False,
        waiting: False,
    }
    for other in (person(Role.CLIENT, client), person(Role.SUPERVISOR, teams=frozenset({uuid4()}))):
        assert not any(may_lift(await listed(store, other, client, None, 50)).values())

    await lift_restriction(store, InMemoryLifts(store), SUPERVISOR, approved, "The entry was corrected", NOW)
    after = await listed(store, SUPERVISOR, client, None, 50)
    assert may_lift(after)[approved] is False
    assert next(f.status for f in after if f.status.request_id == approved).lifted_at == NOW


async def test_a_lift_is_counted_as_each_service_reports_it_once_and_completes_with_the_last() -> None:
    store, client = InMemoryErasures(), uuid4()
    request_id = await asked(store, client)
    await decide_erasure(store, SUPERVISOR, request_id, Decision.APPROVED, NOW)
    lifted_at = NOW + timedelta(days=2)
    await lift_restriction(store, InMemoryLifts(store), SUPERVISOR, request_id, "The entry was corrected", lifted_at)
    status = store.requests[request_id]
    assert (status.lifted_by, status.lifted_at, status.lift_applied) == (
        SUPERVISOR.subject,
        lifted_at,
        {"goals": lifted_at},
    )
    assert not status.lift_complete

    reports = (
        ("progress", ProgressRestrictionLiftApplied),
        ("notifications", NotificationsRestrictionLiftApplied),
        ("reporting", ReportingRestrictionLiftApplied),
    )
    for hours, (service, event_class) in enumerate(reports, start=1):
        assert not store.requests[request_id].lift_complete
        applied = event_class(client_id=client, request_id=request_id)
        at = lifted_at + timedelta(hours=hours)
        await on_lift_applied(
            store, Envelope.wrap(applied, producer=service, tenant_id="tenant-a", occurred_at=at), applied
        )
    first = dict(store.requests[request_id].lift_applied)
    again = ProgressRestrictionLiftApplied(client_id=client, request_id=request_id)
    later = Envelope.wrap(again, producer="progress", tenant_id="tenant-a", occurred_at=NOW + timedelta(days=9))
    await on_lift_applied(store, later, again)
    assert (
        store.requests[request_id].lift_applied
        == first
        == {
            "goals": lifted_at,
            "progress": lifted_at + timedelta(hours=1),
            "notifications": lifted_at + timedelta(hours=2),
            "reporting": lifted_at + timedelta(hours=3),
        }
    )
    assert store.requests[request_id].lift_complete
    assert store.requests[request_id].applied == {"goals": NOW}  # the decision's completions are apart
