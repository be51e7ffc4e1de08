from uuid import uuid4

import pytest

from accord.progress.domain.questionnaires import episode_for, score
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


def test_a_response_goes_to_the_named_episode_when_it_is_one_of_the_clients_open_ones() -> None:
    first, second = uuid4(), uuid4()
    assert episode_for(second, {first, second}) == second


def test_a_response_without_an_episode_goes_to_the_clients_only_open_episode() -> None:
    only = uuid4()
    assert episode_for(None, {only}) == only


@pytest.mark.parametrize("open_count", [0, 2])
def test_a_response_without_an_episode_is_refused_unless_there_is_exactly_one_to_give_it_to(open_count: int) -> None:
    with pytest.raises(Invalid) as refused:
        episode_for(None, {uuid4() for _ in range(open_count)})
    assert refused.value.field == "episode_id"


def test_a_response_naming_an_episode_the_client_is_not_in_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        episode_for(uuid4(), {uuid4()})
    assert refused.value.field == "episode_id"
