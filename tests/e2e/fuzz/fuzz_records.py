"""Records created with hostile values and read back by everyone who may see them.

A Hypothesis state machine plays a care team (client, family member, therapist, supervisor of the team): it opens
an episode, then drafts, revises, agrees and closes goals, records progress (one entry or a batch), check-ins,
questionnaires, notification preferences and contact points, each body carrying one hostile value. After every write
each role reads the record back; at the end every report the reporting service builds from the events is read too.
What must be refused and was stored, a 5xx on either side, or an answer that breaks the public document is a finding.
"""

import json
import time
from dataclasses import replace
from typing import Any

import fuzz_templates as body
from fuzz_attacks import Attack, Injected, injected
from fuzz_cast import ROLES, Cast
from fuzz_wire import Answer, Finding, Findings, Wire, call
from fuzz_world import KNOWN_WITHIN_SECONDS
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, multiple, rule
from schemathesis.schemas import BaseSchema

from accord.devtools.testing import TokenFactory

API = "/api/v1"


def hostile(template: Any) -> st.SearchStrategy[Injected]:
    """A fresh copy of the template (new ids each time) with one hostile value in it."""
    return st.builds(template).flatmap(injected)


class Records(RuleBasedStateMachine):
    """Configured by `machine_for` with the gateway, the document, the token factory and where findings go."""

    schema: BaseSchema
    wire: Wire
    tokens: TokenFactory
    findings: Findings

    # How long to wait for an event to arrive: generous, until one never does; then the run has its finding, and
    # later waits are short, so that a lost event does not cost the whole budget again and again.
    patience = KNOWN_WITHIN_SECONDS

    goals = Bundle("goals")
    agreed = Bundle("agreed")

    # -- plumbing --------------------------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        role: str,
        *,
        payload: Any = None,
        attack: Attack | None = None,
        headers: dict[str, str] | None = None,
        where: tuple[str | int, ...] = (),
        **path_parameters: str,
    ) -> Answer | None:
        """Sends as `role` and keeps what is wrong with the answer."""
        operation = self.schema[f"{API}{path}"][method]
        case = operation.Case(path_parameters=path_parameters)
        answer, found = call(
            self.wire,
            case,
            {**self.cast.headers(role), **(headers or {})},
            body=payload,
            attack=attack,
            role=role,
            where=where,
        )
        for finding in found:
            self.findings.add(finding)
        return answer

    def created(self, answer: Answer | None) -> dict[str, Any] | None:
        if answer is None or not 200 <= answer.status < 300:
            return None
        try:
            document = json.loads(answer.body)
        except ValueError:
            return None  # already a finding: the answer is not JSON
        return document if isinstance(document, dict) else None

    def read_back(
        self, attack: Attack, reads: list[tuple[str, dict[str, str]]], roles: tuple[str, ...] = ROLES
    ) -> None:
        """Every role reads what was written; a finding names the attack that went into the record."""
        self.attacks.append(attack)
        echo = replace(attack, kind=f"{attack.kind} (read back)", refuse=False)
        for path, parameters in reads:
            for role in roles:
                self.send("GET", path, role, attack=echo, **parameters)

    def until_known(self, send: Any, what: str) -> Answer | None:
        """Sends again while the progress service has not heard of the episode or goal yet (409, retryable). If it
        never does, the event that should have told it was lost (a consumer that could not take it): a finding,
        and `what` is not waited for again."""
        deadline = time.monotonic() + self.patience
        while True:
            answer: Answer | None = send()
            if answer is None or not _not_yet_known(answer) or what in self.lost:
                return answer
            if time.monotonic() > deadline:
                self.lost.add(what)
                self.findings.add(
                    Finding(
                        "an event never arrived",
                        "progress service's view of the care team",
                        ", ".join(sorted({a.kind for a in self.attacks})) or "none",
                        answer.status,
                        f"still not known after {self.patience:.0f} s: {answer.body[:200]!r}",
                        f"{what} (the attacks so far in this run are listed)",
                    )
                )
                self.lose_patience()
                return answer
            time.sleep(0.25)

    def lose_patience(self) -> None:
        type(self).patience = 5.0

    # -- the team and its episode ----------------------------------------------------------------------------------

    @initialize(target=agreed)
    def a_care_team_with_an_episode_and_an_agreed_goal(self) -> Any:
        self.cast = Cast(self.tokens)
        self.attacks: list[Attack] = []
        self.lost: set[str] = set()
        self.stored = 0  # progress entries stored, which the reports must come to show
        self.client = str(self.cast.ids["client"])
        opened = self.created(
            self.send(
                "POST", "/episodes", "therapist", payload={"client_id": self.client, "team_id": str(self.cast.team)}
            )
        )
        assert opened is not None, "the episode of the fuzz run could not be opened: nothing else can be tested"
        self.episode = opened["episode_id"]
        family = {"person_id": str(self.cast.ids["family"]), "relationship_code": "parent"}
        self.send("POST", "/episodes/{episode_id}/participants", "therapist", payload=family, episode_id=self.episode)
        drafted = self.send(
            "POST", "/episodes/{episode_id}/goals", "client", payload=body.goal(), episode_id=self.episode
        )
        goal = (self.created(drafted) or {}).get("goal_id")
        assert goal is not None, "the goal of the fuzz run could not be drafted: nothing else can be tested"
        self.send("POST", "/goals/{goal_id}/proposal", "client", payload={}, goal_id=goal)
        for role in ("client", "therapist"):
            self.send("POST", "/goals/{goal_id}/agreements", role, payload=body.agreement(), goal_id=goal)
        return goal

    @rule(hostile=hostile(body.family_member))
    def add_a_family_member(self, hostile: Injected) -> None:
        self.send(
            "POST",
            "/episodes/{episode_id}/participants",
            "therapist",
            payload=hostile.body,
            attack=hostile.attack,
            episode_id=self.episode,
        )
        self.read_back(hostile.attack, [("/episodes/{episode_id}", {"episode_id": self.episode})])

    # -- goals -----------------------------------------------------------------------------------------------------

    @rule(target=goals, hostile=hostile(body.goal), author=st.sampled_from(["client", "therapist"]))
    def draft_a_goal(self, hostile: Injected, author: str) -> Any:
        answer = self.send(
            "POST",
            "/episodes/{episode_id}/goals",
            author,
            payload=hostile.body,
            attack=hostile.attack,
            episode_id=self.episode,
        )
        goal = self.created(answer)
        self.read_back(hostile.attack, [("/episodes/{episode_id}/goals", {"episode_id": self.episode})])
        if goal is None:
            return multiple()
        self.read_goal(goal["goal_id"], hostile.attack)
        return goal["goal_id"]

    def read_goal(self, goal: str, attack: Attack) -> None:
        self.read_back(
            attack, [("/goals/{goal_id}", {"goal_id": goal}), ("/goals/{goal_id}/history", {"goal_id": goal})]
        )

    def etag(self, goal: str) -> str:
        earlier = Attack("a value written earlier (read back)", None, refuse=False)
        answer = self.send("GET", "/goals/{goal_id}", "client", attack=earlier, goal_id=goal)
        return (answer.header("etag") if answer else None) or '"0"'

    @rule(goal=goals, hostile=hostile(body.goal))
    def edit_the_draft(self, goal: str, hostile: Injected) -> None:
        headers = {"If-Match": self.etag(goal)}
        self.send(
            "PUT",
            "/goals/{goal_id}/draft",
            "client",
            payload=hostile.body,
            attack=hostile.attack,
            headers=headers,
            goal_id=goal,
        )
        self.read_goal(goal, hostile.attack)

    @rule(target=agreed, goal=goals, hostile=hostile(body.agreement))
    def agree_on_a_goal(self, goal: str, hostile: Injected) -> Any:
        self.send("POST", "/goals/{goal_id}/proposal", "client", payload={}, goal_id=goal)
        self.send(
            "POST", "/goals/{goal_id}/agreements", "client", payload=hostile.body, attack=hostile.attack, goal_id=goal
        )
        answer = self.send("POST", "/goals/{goal_id}/agreements", "therapist", payload=body.agreement(), goal_id=goal)
        self.read_goal(goal, hostile.attack)
        agreed = self.created(answer)
        return goal if agreed and agreed.get("status") == "active" else multiple()

    @rule(goal=agreed, hostile=hostile(body.revision))
    def revise_an_agreed_goal(self, goal: str, hostile: Injected) -> None:
        headers = {"If-Match": self.etag(goal)}
        self.send(
            "POST",
            "/goals/{goal_id}/revisions",
            "therapist",
            payload=hostile.body,
            attack=hostile.attack,
            headers=headers,
            goal_id=goal,
        )
        self.read_goal(goal, hostile.attack)

    @rule(goal=agreed, data=st.data())
    def share_a_goal(self, goal: str, data: st.DataObject) -> None:
        hostile: Injected = data.draw(injected(body.visibility(self.cast.ids["family"])))
        headers = {"If-Match": self.etag(goal)}
        self.send(
            "PUT",
            "/goals/{goal_id}/visibility",
            "client",
            payload=hostile.body,
            attack=hostile.attack,
            headers=headers,
            goal_id=goal,
        )
        self.read_goal(goal, hostile.attack)

    @rule(goal=agreed, hostile=hostile(body.closure))
    def close_a_goal(self, goal: str, hostile: Injected) -> None:
        self.send(
            "POST", "/goals/{goal_id}/closure", "therapist", payload=hostile.body, attack=hostile.attack, goal_id=goal
        )
        self.read_goal(goal, hostile.attack)

    # -- progress --------------------------------------------------------------------------------------------------

    def read_progress(self, goal: str, attack: Attack) -> None:
        self.read_back(
            attack,
            [
                ("/progress/goals/{goal_id}", {"goal_id": goal}),
                ("/progress/goals/{goal_id}/entries", {"goal_id": goal}),
            ],
        )

    @rule(goal=agreed, hostile=hostile(body.entry), role=st.sampled_from(["client", "therapist"]))
    def record_progress(self, goal: str, hostile: Injected, role: str) -> None:
        answer = self.until_known(
            lambda: self.send(
                "POST",
                "/progress/goals/{goal_id}/entries",
                role,
                payload=hostile.body,
                attack=hostile.attack,
                goal_id=goal,
            ),
            f"goal {goal}",
        )
        self.stored += answer is not None and answer.status == 201
        self.read_progress(goal, hostile.attack)

    @rule(goal=agreed, data=st.data())
    def record_progress_recorded_offline(self, goal: str, data: st.DataObject) -> None:
        hostile: Injected = data.draw(injected(body.batch(goal)))
        self.until_known(lambda: self.batch(hostile), f"goal {goal}")
        self.read_progress(goal, hostile.attack)

    def batch(self, hostile: Injected) -> Answer | None:
        """A batch answers 200 with one result per entry; a goal not known yet is a retryable problem in its
        result. Whether a hostile value was stored is judged on its entry's result (see `fuzz_wire.judge`)."""
        answer = self.send(
            "POST", "/progress/entries/batch", "client", payload=hostile.body, attack=hostile.attack, where=hostile.path
        )
        document = self.created(answer)
        results = (document or {}).get("results") or []
        not_yet = [r["problem"] for r in results if (r.get("problem") or {}).get("retryable")]
        self.stored += sum(r.get("status") == "created" for r in results)
        return Answer(409, {}, json.dumps(not_yet[0]).encode()) if not_yet else answer

    @rule(hostile=hostile(body.check_in))
    def check_in(self, hostile: Injected) -> None:
        self.until_known(
            lambda: self.send("POST", "/progress/checkins", "client", payload=hostile.body, attack=hostile.attack),
            "the episode",
        )
        self.read_back(hostile.attack, [("/progress/clients/{client_id}/checkins", {"client_id": self.client})])

    @rule(hostile=hostile(body.questionnaire))
    def complete_a_questionnaire(self, hostile: Injected) -> None:
        self.until_known(
            lambda: self.send(
                "POST", "/progress/questionnaires", "client", payload=hostile.body, attack=hostile.attack
            ),
            "the episode",
        )
        self.read_back(hostile.attack, [("/progress/clients/{client_id}/questionnaires", {"client_id": self.client})])

    # -- notifications ---------------------------------------------------------------------------------------------

    @rule(hostile=hostile(body.preferences), role=st.sampled_from(ROLES))
    def set_notification_preferences(self, hostile: Injected, role: str) -> None:
        self.send("PUT", "/notifications/preferences", role, payload=hostile.body, attack=hostile.attack)
        self.read_back(hostile.attack, [("/notifications/preferences", {})], roles=(role,))

    @rule(hostile=hostile(body.contact_point), role=st.sampled_from(ROLES))
    def add_a_contact_point(self, hostile: Injected, role: str) -> None:
        self.send("POST", "/notifications/contact-points", role, payload=hostile.body, attack=hostile.attack)
        self.read_back(hostile.attack, [("/notifications/contact-points", {})], roles=(role,))

    # -- what the reporting service and the overview make of it all ------------------------------------------------

    def teardown(self) -> None:
        """Once the events of this run have reached the reporting service, every report of it is read."""
        if not hasattr(self, "cast"):
            return
        everything = Attack("everything the run wrote", sorted({a.kind for a in self.attacks}), refuse=False)
        client = {"client_id": self.client}
        self.until_reported(everything)
        reads = [("/reporting/clients/{client_id}/report", client), ("/reporting/clients/{client_id}/fhir", client)]
        reads += [("/reporting/caseload", {}), ("/reporting/outcomes", {}), ("/me/overview", {})]
        self.read_back(everything, reads)
        report = self.created(self.send("GET", "/reporting/clients/{client_id}/report", "therapist", **client)) or {}
        for goal in report.get("goals") or []:
            chart = {**client, "goal_id": str(goal.get("goal_id"))}
            self.read_back(everything, [("/reporting/clients/{client_id}/goals/{goal_id}/chart.svg", chart)])

    def until_reported(self, everything: Attack) -> None:
        """Waits until the client's report holds every progress entry the run stored: only then are the reports
        read, so that they are made from everything the run wrote. A report that breaks is read (and found) below."""
        deadline = time.monotonic() + self.patience
        while True:
            answer = self.wire.send(
                "GET", f"{API}/reporting/clients/{self.client}/report", list(self.cast.headers("therapist").items())
            )
            report = self.created(answer) or {}
            if (
                answer.status >= 500
                or sum(len(g.get("entries") or []) for g in report.get("goals") or []) >= self.stored
            ):
                return
            if time.monotonic() > deadline:
                self.findings.add(
                    Finding(
                        "an event never arrived",
                        "reporting service's report of the care team",
                        ", ".join(everything.value) or "none",
                        answer.status,
                        f"{self.stored} progress entries stored, not all reported after {self.patience:.0f} s",
                        f"therapist: GET {API}/reporting/clients/{self.client}/report",
                    )
                )
                self.lose_patience()
                return
            time.sleep(0.5)


def machine_for(schema: BaseSchema, wire: Wire, tokens: TokenFactory, findings: Findings) -> type[Records]:
    return type("PoisonedRecords", (Records,), {"schema": schema, "wire": wire, "tokens": tokens, "findings": findings})


def _not_yet_known(answer: Answer) -> bool:
    """409 because another service's event has not arrived yet (the problem says `retryable`), not a real conflict."""
    if answer.status != 409:
        return False
    try:
        return bool(json.loads(answer.body).get("retryable"))
    except (ValueError, AttributeError):
        return False
