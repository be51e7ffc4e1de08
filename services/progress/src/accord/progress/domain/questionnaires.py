"""PHQ-9 and GAD-7, answered item by item and scored here (rules: ../shared/reference/measures.md)."""

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from accord.shared.errors import Invalid
from accord.shared.events.contracts.common import Instrument
from accord.shared.events.contracts.progress import Severity

ITEMS = {Instrument.PHQ9: 9, Instrument.GAD7: 7}
# Upper bound of each band, in order; a total falls into the first band whose bound it does not exceed.
BANDS = {
    Instrument.PHQ9: [
        (4, Severity.MINIMAL),
        (9, Severity.MILD),
        (14, Severity.MODERATE),
        (19, Severity.MODERATELY_SEVERE),
        (27, Severity.SEVERE),
    ],
    Instrument.GAD7: [(4, Severity.MINIMAL), (9, Severity.MILD), (14, Severity.MODERATE), (21, Severity.SEVERE)],
}
SELF_HARM_ITEM = 9  # PHQ-9 item 9: thoughts of being better off dead or of self-harm


@dataclass(frozen=True)
class Scored:
    instrument: Instrument
    total: int
    severity: Severity
    safety_signal: bool
    """PHQ-9 item 9 above 0: the therapist must be told at once, whatever the total."""


def score(instrument: Instrument, answers: list[int]) -> Scored:
    if len(answers) != ITEMS[instrument]:
        raise Invalid("answers", f"{instrument.value} has {ITEMS[instrument]} items; {len(answers)} were answered")
    if any(a not in (0, 1, 2, 3) for a in answers):
        raise Invalid("answers", "each answer is 0, 1, 2 or 3")
    total = sum(answers)
    severity = next(band for bound, band in BANDS[instrument] if total <= bound)
    safety = instrument is Instrument.PHQ9 and answers[SELF_HARM_ITEM - 1] > 0
    return Scored(instrument, total, severity, safety)


def episode_for(named: UUID | None, open_episodes: Collection[UUID]) -> UUID:
    """The care episode a response is completed for: the one named, which must be one of the client's open
    episodes, or else their only open episode. Its therapists, and only they, will see the result, so a client in
    several episodes must say which; a guess could show the answers to the wrong therapist."""
    if named is not None:
        if named not in open_episodes:
            raise Invalid("episode_id", "episode_id must be one of your open care episodes")
        return named
    if not open_episodes:
        raise Invalid("episode_id", "you have no open care episode to complete it for")
    if len(open_episodes) > 1:
        raise Invalid("episode_id", "you take part in several care episodes: name the one this questionnaire is for")
    return next(iter(open_episodes))
