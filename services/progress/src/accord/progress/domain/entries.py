"""What an entry may say about a goal: rules on its value and the milestone it names, given the goal's agreed terms."""

from uuid import UUID

from accord.progress.domain.commands import EntryKind
from accord.shared.errors import Invalid
from accord.shared.events.contracts.common import MilestoneKind
from accord.shared.events.contracts.goals import GoalAgreed


def check_entry(terms: GoalAgreed, kind: EntryKind, value: float | None, milestone_id: UUID | None) -> None:
    """Raises Invalid naming the field when the entry does not fit the goal it is recorded against."""
    measure = terms.measure
    if milestone_id is not None and milestone_id not in {m.milestone_id for m in terms.milestones}:
        # Whatever its kind, an entry names only a milestone of its own goal: another goal's milestone id would
        # tie this goal's progress to a milestone it does not have.
        raise Invalid("milestone_id", "not a milestone of this goal")
    if kind is EntryKind.MEASUREMENT:
        if value is None or not measure.minimum <= value <= measure.maximum:
            raise Invalid("value", f"a measurement must be between {measure.minimum:g} and {measure.maximum:g}")
    elif kind is EntryKind.RATING:
        if value is None or value != int(value) or not 0 <= value <= 10:
            raise Invalid("value", "a goal rating is a whole number from 0 to 10")
    else:
        actions = {m.milestone_id for m in terms.milestones if m.kind is MilestoneKind.ACTION}
        if milestone_id not in actions:
            raise Invalid("milestone_id", "not an action milestone of this goal")
