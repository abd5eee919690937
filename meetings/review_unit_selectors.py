"""Reads for the unit's quarter ("what my unit owes this quarter"), scoped to the user.

``unit_quarter(user=, quarter=)``: for each unit the user manages (``managed_unit_ids``), the
tasks to report on, the models to update and the meeting conclusions assigned to it. Only
the user's own units, so another ward or another unit never shows. The city view is in
``city_selectors``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from meetings.models import (
    Conclusion,
    QuarterlyReview,
    ReviewStatus,
)
from meetings.review_figures import earlier_q, reference_day
from models_registry.models import (
    Registration,
    RegistrationStatus,
    RegistrationUpdate,
)
from plans.models import ProgressReport, TaskStatus
from plans.selectors import TaskRow, my_unit_tasks
from wardwork.models import Organization
from wardwork.quarters import Quarter
from wardwork.roles import roles_of
from wardwork.selectors import scope_to_user, units_of_user

UPDATABLE_STATUSES = (RegistrationStatus.APPROVED, RegistrationStatus.RECOGNIZED)


def review_status_of(*, ward_id: int | None, quarter: Quarter) -> str | None:
    """The status of the ward's review of ``quarter``; None when it was never opened."""
    if ward_id is None:
        return None
    return (
        QuarterlyReview.objects.filter(ward_id=ward_id, year=quarter.year, quarter=quarter.number)
        .values_list("status", flat=True)
        .first()
    )


# --- the unit's quarter ---------------------------------------------------------------------------


@dataclass
class UnitTask:
    """One task one of the user's units reports on this quarter."""

    row: TaskRow
    late: bool

    @property
    def task(self):
        return self.row.task

    @property
    def report(self):
        return self.row.report


@dataclass
class UnitConclusion:
    conclusion: Conclusion
    item: UnitTask  # the unit's row of the conclusion's task

    @property
    def is_open(self) -> bool:
        return self.item.task.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)


@dataclass
class UnitSection:
    unit: Organization
    tasks: list[UnitTask] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)  # each with ``.updated``
    conclusions: list[UnitConclusion] = field(default_factory=list)

    @property
    def missing_reports(self) -> int:
        return sum(1 for t in self.tasks if t.report is None)

    @property
    def models_to_update(self) -> int:
        return sum(1 for r in self.registrations if not r.updated)

    @property
    def open_conclusions(self) -> int:
        return sum(1 for c in self.conclusions if c.is_open)


@dataclass
class UnitQuarter:
    quarter: Quarter
    review_status: str | None
    sections: list[UnitSection]

    @property
    def is_finalized(self) -> bool:
        return self.review_status == ReviewStatus.FINALIZED

    @property
    def missing_reports(self) -> int:
        return sum(s.missing_reports for s in self.sections)

    @property
    def models_to_update(self) -> int:
        return sum(s.models_to_update for s in self.sections)

    @property
    def open_conclusions(self) -> int:
        # A conclusion given to two of the user's units is one thing to carry out.
        return len({c.conclusion.pk for s in self.sections for c in s.conclusions if c.is_open})


def _task_order(row: TaskRow):
    task = row.task
    if task.plan_id is None:
        return (1, dt.date.max, 0, task.ordinal or 0, task.pk)
    return (0, task.plan.issued_on or dt.date.max, task.plan_id, task.ordinal or 0, task.pk)


def unit_quarter(*, user, quarter: Quarter, today: dt.date | None = None) -> UnitQuarter:
    """What each unit the user manages owes in ``quarter``:

    - tasks: the unit's rows of ``plans.selectors.my_unit_tasks`` (its report for the quarter
      or None), without the tasks the unit already reported done in an earlier quarter (as
      the quarter page counts expected reports); ``late`` as the quarter page judges it;
    - models: the unit's approved or recognised registrations of the quarter's year, each
      with ``updated`` (a RegistrationUpdate for the quarter exists);
    - conclusions: meeting conclusions whose task is among those tasks (so live in the
      quarter, led or supported by the unit, not cancelled).

    Scope: the user's managed units only (in their own ward). A fixed number of queries
    whatever the number of tasks, models or conclusions (about seven).
    """
    today = today or timezone.localdate()
    units = units_of_user(user=user)
    status = review_status_of(ward_id=roles_of(user).ward_id, quarter=quarter)
    if not units:
        return UnitQuarter(quarter=quarter, review_status=status, sections=[])
    unit_ids = [u.pk for u in units]
    rows = my_unit_tasks(user=user, quarter=quarter)
    task_ids = {row.task.pk for row in rows}
    finished_before = set(
        ProgressReport.objects.filter(
            task_id__in=task_ids, organization_id__in=unit_ids, status=TaskStatus.DONE
        )
        .filter(earlier_q(quarter))
        .values_list("task_id", "organization_id")
    )
    reference = reference_day(quarter, today)
    # The plans' tasks in plan order, then the meetings' (no plan), on every database.
    rows = sorted(rows, key=_task_order)
    sections = {u.pk: UnitSection(unit=u) for u in units}
    items: dict[tuple[int, int], UnitTask] = {}
    for row in rows:
        key = (row.task.pk, row.unit.pk)
        if key in finished_before or row.unit.pk not in sections:
            continue
        done = row.report is not None and row.report.status == TaskStatus.DONE
        deadline = row.task.deadline
        item = UnitTask(row=row, late=not done and deadline is not None and deadline < reference)
        items[key] = item
        sections[row.unit.pk].tasks.append(item)

    registrations = (
        scope_to_user(Registration.objects.all(), user)
        .filter(
            registered_by_unit_id__in=unit_ids,
            year=quarter.year,
            status__in=UPDATABLE_STATUSES,
        )
        .select_related("person")
        .annotate(
            updated=Exists(
                RegistrationUpdate.objects.filter(
                    registration=OuterRef("pk"), year=quarter.year, quarter=quarter.number
                )
            )
        )
        .order_by("kind", "title", "pk")
    )
    for registration in registrations:
        sections[registration.registered_by_unit_id].registrations.append(registration)

    live_task_ids = {task_id for task_id, _unit_id in items}
    conclusions = (
        Conclusion.objects.filter(task_id__in=live_task_ids)
        .select_related("meeting")
        .order_by("meeting__held_at", "meeting_id", "ordinal")
    )
    for conclusion in conclusions:
        for unit_id, section in sections.items():
            item = items.get((conclusion.task_id, unit_id))
            if item is not None:
                section.conclusions.append(UnitConclusion(conclusion=conclusion, item=item))
    return UnitQuarter(quarter=quarter, review_status=status, sections=list(sections.values()))
