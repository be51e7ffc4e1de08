"""The session feedback check: the tenant's instrument, the rules an answer follows, and the trend of answers.

Accord's own four questions are the default. They are *not* a validated instrument: they ask what the research on
the therapeutic alliance says matters (being heard and respected, working on what the young person wants, in a way
that suits them, overall), on the 0-10 scale young people already use for their goals. A service holding a licence
for a validated measure loads it per tenant from a settings file (`Settings.feedback_instruments_file`).
"""

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from accord.shared.errors import Invalid
from accord.shared.events.contracts.progress import FeedbackConcern

COMMENT_LIMIT = 1000
SCALE_MAX = 10
Trend = Literal["rising", "falling", "steady"]


class Words(BaseModel):
    """One text in each language the app speaks."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    en: str = Field(min_length=1, max_length=300)
    cy: str = Field(min_length=1, max_length=300)


class FeedbackItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="the answer's key in `scores`")
    question: Words
    low: Words = Field(description="what 0 means")
    high: Words = Field(description="what 10 means")


class FeedbackInstrument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")
    name: Words
    validated: bool = Field(description="true only for a published, validated measure used under its licence")
    licence: str | None = Field(default=None, max_length=300, description="whose licence it is used under")
    items: tuple[FeedbackItem, ...] = Field(min_length=1, max_length=20)

    def item_keys(self) -> list[str]:
        return [item.key for item in self.items]


def _w(en: str, cy: str) -> Words:
    return Words(en=en, cy=cy)


NOT_AT_ALL, COMPLETELY = _w("Not at all", "Dim o gwbl"), _w("Completely", "Yn llwyr")
ACCORD_FOUR = FeedbackInstrument(
    code="accord-session-4",
    name=_w("How was today's session?", "Sut oedd y sesiwn heddiw?"),
    validated=False,
    items=(
        FeedbackItem(
            key="heard",
            question=_w("I felt heard and respected", "Roeddwn i'n teimlo fy mod yn cael fy nghlywed a'm parchu"),
            low=NOT_AT_ALL,
            high=COMPLETELY,
        ),
        FeedbackItem(
            key="what_i_wanted",
            question=_w("We worked on what I wanted to work on", "Fe wnaethon ni weithio ar yr hyn roeddwn i eisiau"),
            low=NOT_AT_ALL,
            high=COMPLETELY,
        ),
        FeedbackItem(
            key="way_we_worked",
            question=_w("The way we worked suited me", "Roedd y ffordd y gwnaethon ni weithio yn fy siwtio i"),
            low=NOT_AT_ALL,
            high=COMPLETELY,
        ),
        FeedbackItem(
            key="overall",
            question=_w("Overall, today's session was right for me", "At ei gilydd, roedd y sesiwn heddiw'n iawn i mi"),
            low=_w("Not right for me", "Ddim yn iawn i mi"),
            high=_w("Just right", "Yn union iawn"),
        ),
    ),
)

KEYS = ("heard", "what_i_wanted", "way_we_worked", "overall")
"""What every instrument's items are keyed by: `SessionFeedbackGiven` carries these four scores, and the reporting
service's warnings and figures read them. A licensed measure maps its items onto them (its own words stay its own)."""


def _mapped_onto_the_four(instrument: FeedbackInstrument) -> FeedbackInstrument:
    if sorted(instrument.item_keys()) != sorted(KEYS):
        raise ValueError(f"{instrument.code}: its items must be keyed {', '.join(KEYS)} (one each)")
    return instrument


_BY_TENANT = TypeAdapter(
    dict[
        Annotated[str, Field(min_length=1, max_length=100)],
        Annotated[FeedbackInstrument, AfterValidator(_mapped_onto_the_four)],
    ]
)


def load_instruments(path: Path | None) -> Mapping[str, FeedbackInstrument]:
    """Tenant id -> its instrument, from a JSON file; a tenant not in it gets Accord's own. A file that does not
    parse or validate stops the service at start-up rather than serving a half-read instrument."""
    if path is None:
        return {}
    return _BY_TENANT.validate_python(json.loads(path.read_text(encoding="utf-8")))


def instrument_for(tenant_id: str, configured: Mapping[str, FeedbackInstrument]) -> FeedbackInstrument:
    return configured.get(tenant_id, ACCORD_FOUR)


def checked_scores(instrument: FeedbackInstrument, scores: Mapping[str, int]) -> dict[str, int]:
    """Every item answered once, each a whole number 0-10, nothing else: in the instrument's order."""
    missing = [k for k in instrument.item_keys() if k not in scores]
    unknown = sorted(set(scores) - set(instrument.item_keys()))
    if unknown:
        raise Invalid("scores", f"not a question of this check: {', '.join(unknown)}")
    if missing:
        raise Invalid("scores", f"answer every question: {', '.join(missing)} missing")
    if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= SCALE_MAX for v in scores.values()):
        raise Invalid("scores", f"each answer is a whole number from 0 to {SCALE_MAX}")
    return {k: scores[k] for k in instrument.item_keys()}


def session_total(scores: Mapping[str, int]) -> float:
    """The mean answer of one session (0-10), the trend's point: the same scale whatever the number of items."""
    return round(sum(scores.values()) / len(scores), 2)


def trend(totals: Sequence[float]) -> Trend | None:
    """Rising, falling or steady: the latest session against the mean of up to three before it; None until there
    are two sessions. A change under one point on the 0-10 scale is steady (one answer moving by a few points)."""
    if len(totals) < 2:
        return None
    before = totals[-4:-1]
    change = totals[-1] - sum(before) / len(before)
    if change >= 1:
        return "rising"
    if change <= -1:
        return "falling"
    return "steady"


FEEDBACK_LOW_BELOW = 6
"""An overall answer (0-10) below this is low: the same line, and the same reasoning, as the reporting service's
caseload warning (docs/alliance.md), so that the therapist is told of what the caseload shows. Not a validated
cut-off; a tenant can set its own (`Settings.feedback_low_below_by_tenant`, as in reporting)."""
FEEDBACK_FALLING_DROP = 2
FEEDBACK_WINDOW = 3


def concerns(overall_answers: Sequence[int], low_below: int) -> list[FeedbackConcern]:
    """What the latest answer (the last of the episode's overall answers, oldest first) gives the therapist cause to
    talk about: low, below the tenant's line; falling, at least two points below the highest of the two answers
    before it. One answer alone cannot fall. The same rules as the caseload's warnings in reporting."""
    if not overall_answers:
        return []
    latest = overall_answers[-1]
    found = []
    if latest < low_below:
        found.append(FeedbackConcern.LOW)
    before = overall_answers[-FEEDBACK_WINDOW:-1]
    if before and max(before) - latest >= FEEDBACK_FALLING_DROP:
        found.append(FeedbackConcern.FALLING)
    return found


FEEDBACK_CHECK_EVERY_DAYS = 14
"""With no session marked for this long, the young person is asked all the same (a scheduled check). Two weeks:
fortnightly sessions are common in young people's services, so a service that marks its sessions never sees one."""
_SCHEDULED = uuid.UUID("6f0d3c1e-5b7a-4d1e-9a4c-2f8b1e7d9c30")


def check_due(last_at: datetime, every_days: int, now: datetime) -> datetime | None:
    """When a scheduled check falls due after the episode's last session (or its opening, `last_at`): that instant
    once `now` has reached it, else None. `every_days` 0: never (the tenant asks only after sessions marked held)."""
    if every_days <= 0:
        return None
    due = last_at + timedelta(days=every_days)
    return due if now >= due else None


def scheduled_check_id(episode_id: uuid.UUID, due: datetime) -> uuid.UUID:
    """The same id from every worker that finds the same check due, so that two sweeps at once add it once."""
    return uuid.uuid5(_SCHEDULED, f"{episode_id}:{due.isoformat()}")
