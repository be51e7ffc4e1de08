import pytest

from accord.progress.domain.questionnaires import score
from accord.shared.errors import Invalid
from accord.shared.events.contracts.common import Instrument
from accord.shared.events.contracts.progress import Severity


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, Severity.MINIMAL),
        (4, Severity.MINIMAL),
        (5, Severity.MILD),
        (9, Severity.MILD),
        (10, Severity.MODERATE),
        (14, Severity.MODERATE),
        (15, Severity.MODERATELY_SEVERE),
        (19, Severity.MODERATELY_SEVERE),
        (20, Severity.SEVERE),
        (27, Severity.SEVERE),
    ],
)
def test_phq9_bands_at_their_edges(total: int, band: Severity) -> None:
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    answers += [0] * (9 - len(answers))  # item 9 is answered above 0 only when the total needs it
    result = score(Instrument.PHQ9, answers)
    assert (result.total, result.severity, result.safety_signal) == (total, band, answers[8] > 0)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, Severity.MINIMAL),
        (5, Severity.MILD),
        (10, Severity.MODERATE),
        (14, Severity.MODERATE),
        (15, Severity.SEVERE),
        (21, Severity.SEVERE),
    ],
)
def test_gad7_bands(total: int, band: Severity) -> None:
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    result = score(Instrument.GAD7, answers + [0] * (7 - len(answers)))
    assert (result.total, result.severity) == (total, band)


def test_phq9_item_9_above_zero_is_a_safety_signal_whatever_the_total() -> None:
    assert score(Instrument.PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).safety_signal
    assert score(Instrument.PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).severity is Severity.MINIMAL
    assert not score(Instrument.PHQ9, [3, 3, 3, 3, 3, 3, 3, 3, 0]).safety_signal
    assert not score(Instrument.GAD7, [3] * 7).safety_signal


@pytest.mark.parametrize("answers", [[0] * 8, [0] * 10, [0] * 8 + [4], [0] * 8 + [-1]])
def test_wrong_number_of_items_or_values_out_of_range_are_refused(answers: list[int]) -> None:
    with pytest.raises(Invalid) as refused:
        score(Instrument.PHQ9, answers)
    assert refused.value.field == "answers"
