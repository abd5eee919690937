"""The plan export's progress sheet is read in chunks (no ``.iterator()``, which behind
PgBouncer reads everything at once): the same rows in the same order whatever the chunk."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from plans import exports
from plans.models import ProgressReport, TaskStatus
from plans.selectors import plan_get

pytestmark = pytest.mark.django_db


def _progress_rows(plan) -> list[tuple]:
    book = load_workbook(BytesIO(exports.plan_workbook(plan)))
    return list(book.worksheets[1].iter_rows(values_only=True))[1:]


@pytest.fixture
def reported(home, plans_home):
    """Seven reports on the plan's two tasks (one more already in the fixture), one with a
    reporter without a person, several of the same task and quarter."""
    task, other = plans_home.task, plans_home.other_task
    home.plain.person = None
    home.plain.save()
    rows = [
        (task, home.women, 2021, 1, home.mass_head),
        (task, home.cell, 2021, 1, home.cell_secretary),
        (task, home.cell, 2021, 2, home.plain),
        (task, home.women, 2021, 2, None),
        (other, home.other_cell, 2021, 2, home.other_cell_secretary),
        (other, home.other_cell, 2022, 1, None),
        (task, home.cell, 2020, 4, None),
    ]
    for n, (t, unit, year, quarter, by) in enumerate(rows):
        ProgressReport.objects.create(
            task=t,
            organization=unit,
            year=year,
            quarter=quarter,
            status=TaskStatus.DONE if n % 2 else TaskStatus.IN_PROGRESS,
            percent=10 * n,
            narrative=f"Báo cáo {n}",
            reported_by=by,
        )
    return plan_get(user=home.staff, pk=plans_home.ward_plan.pk)


def test_the_progress_sheet_is_the_same_in_small_chunks(reported, monkeypatch, home):
    whole = _progress_rows(reported)
    assert len(whole) == 8
    assert [row[0] for row in whole] == [1] * 5 + [2] * 3  # by task number first
    assert [row[3] for row in whole[:5]] == ["IV/2020", "I/2021", "I/2021", "II/2021", "II/2021"]
    reporters = [row[7] for row in whole]
    assert home.plain.username in reporters  # no person: the user name
    assert home.mass_head.person.full_name in reporters
    for size in (1, 3, 8):
        monkeypatch.setattr(exports, "EXPORT_CHUNK", size)
        assert _progress_rows(reported) == whole, size


def test_a_larger_export_reads_the_rest_by_chunks_of_keys(reported, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 3)
    with CaptureQueriesContext(connection) as queries:
        rows = list(exports._report_rows(reported, list(reported.tasks.all())))
    assert len(rows) == 8
    # the first chunk, the keys of the rest, then two chunks of three keys or fewer
    assert len(queries.captured_queries) == 4
