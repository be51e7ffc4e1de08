"""Caseload order, filters and keyset pages."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from accord.reporting.domain.caseload import CaseloadFilter, CaseloadRow, Sort, page_of

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def row(n: int, last: int | None, due: int = 0, unseen: int = 0) -> CaseloadRow:
    return CaseloadRow(
        client_id=UUID(int=n),
        episode_ids=(),
        active_goals=n % 3,
        last_progress_at=None if last is None else NOW - timedelta(days=last),
        goals_due_for_review=tuple(UUID(int=100 + i) for i in range(due)),
        unseen_safety_signals=unseen,
        undelivered_safety_alerts=0,
        milestones_reached_this_week=0,
    )


ROWS = [row(1, 3), row(2, None, due=1), row(3, 20, unseen=2), row(4, 3), row(5, 40, due=2)]


def ids(rows: list[CaseloadRow]) -> list[int]:
    return [r.client_id.int for r in rows]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("client_id", [1, 2, 3, 4, 5]),
        ("last_progress_at", [5, 3, 1, 4, 2]),  # oldest first, never-recorded last
        ("-last_progress_at", [1, 4, 3, 5, 2]),  # most recent first, never-recorded still last
        ("-goals_due_for_review", [5, 2, 1, 3, 4]),
    ],
)
def test_every_page_continues_where_the_last_ended(sort: str, order: list[int]) -> None:
    seen, after = [], None
    for _ in range(5):
        page, after = page_of(ROWS, Sort.parse(sort), after, 2)
        seen += ids(page)
        if after is None:
            break
    assert seen == order


def test_filters() -> None:
    def kept(only: CaseloadFilter) -> list[int]:
        return ids([r for r in ROWS if only.accepts(r, NOW)])

    assert kept(CaseloadFilter(due_for_review=True)) == [2, 5]
    assert kept(CaseloadFilter(unseen_safety_signals=True)) == [3]
    assert kept(CaseloadFilter(no_progress_days=14)) == [2, 3, 5]
    assert kept(CaseloadFilter(with_active_goals=False)) == [3]  # active goals: n % 3


def test_unknown_sort_field_is_refused() -> None:
    with pytest.raises(ValueError):
        Sort.parse("-name")
