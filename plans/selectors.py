"""Reads of plans, tasks and progress, scoped to the requesting user.

All functions take ``user`` and return only rows of the wards the user may see (their own
ward; every ward for a superuser). ``*_get`` functions raise ``Http404`` outside that scope.
Query counts do not depend on the number of rows: related rows come with
``select_related``/``prefetch_related`` and figures are aggregated in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from plans.models import Plan, ProgressReport, Task
from wardwork.models import Organization
from wardwork.quarters import Quarter
from wardwork.roles import roles_of
from wardwork.selectors import get_for_user, scope_to_user


def plan_list(*, user, filters: dict | None = None) -> QuerySet[Plan]:
    """Plans of the user's ward(s), newest first, with issuer, implemented plan and task count."""
    filters = filters or {}
    qs = scope_to_user(Plan.objects.all(), user).select_related("issuer", "implements", "ward")
    if filters.get("year"):
        qs = qs.filter(year=filters["year"])
    if filters.get("doc_type"):
        qs = qs.filter(doc_type=filters["doc_type"])
    if filters.get("issuer"):
        qs = qs.filter(issuer=filters["issuer"])
    if filters.get("active") in (True, False):
        qs = qs.filter(is_active=filters["active"])
    if filters.get("q"):
        qs = qs.search(filters["q"])
    return qs.annotate(task_count=Count("tasks", distinct=True)).order_by("-issued_on", "-pk")


def _tasks_queryset():
    return Task.objects.select_related("lead_organization", "plan").prefetch_related(
        Prefetch("supporting_organizations", queryset=Organization.objects.order_by("name"))
    )


def plan_get(*, user, pk) -> Plan:
    """One plan with its tasks (lead and supporting units prefetched), the plans that
    implement it, and its chain of implemented plans; 404 outside the user's scope."""
    qs = Plan.objects.select_related(
        "issuer", "ward", "implements__issuer", "created_by"
    ).prefetch_related(
        Prefetch("tasks", queryset=_tasks_queryset().order_by("ordinal", "pk")),
        Prefetch(
            "implemented_by", queryset=Plan.objects.select_related("issuer").order_by("issued_on")
        ),
    )
    plan = get_for_user(qs, user, pk=pk)
    plan.chain = _chain_up(plan)
    return plan


def _chain_up(plan: Plan) -> list[Plan]:
    """The plans a plan implements, nearest first, in one query per level (chains are short:
    ward -> district -> city -> central)."""
    chain, seen, current = [], {plan.pk}, plan.implements
    while current is not None and current.pk not in seen and len(chain) < 10:
        chain.append(current)
        seen.add(current.pk)
        current = (
            Plan.objects.select_related("issuer", "implements__issuer").get(
                pk=current.implements_id
            )
            if current.implements_id
            else None
        )
    return chain


def plan_options(*, user) -> QuerySet[Plan]:
    return scope_to_user(Plan.objects.select_related("issuer"), user).order_by("-year", "symbol")


def task_get(*, user, pk) -> Task:
    return get_for_user(_tasks_queryset().select_related("ward"), user, pk=pk)


def latest_reports(task_ids) -> dict[int, list[ProgressReport]]:
    """The newest report of each unit for each task, in one query."""
    reports = (
        ProgressReport.objects.filter(task_id__in=list(task_ids))
        .select_related("organization", "reported_by")
        .order_by("task_id", "organization_id", "-year", "-quarter")
    )
    latest: dict[int, list[ProgressReport]] = defaultdict(list)
    seen = set()
    for report in reports:
        key = (report.task_id, report.organization_id)
        if key not in seen:
            seen.add(key)
            latest[report.task_id].append(report)
    return latest


@dataclass
class TaskProgress:
    """A task's latest reports in one line: how many assigned units reported, the average."""

    assigned: int
    reported: int
    average: int
    latest_quarter: Quarter | None
    reports: list[ProgressReport]

    @classmethod
    def of(cls, task: Task, reports: list[ProgressReport]) -> TaskProgress:
        assigned = 1 + len(task.supporting_organizations.all())
        periods = [r.period for r in reports]
        latest = max(periods) if periods else None
        current = [r for r in reports if r.period == latest]
        average = round(sum(r.percent for r in current) / len(current)) if current else 0
        return cls(assigned, len(current), average, latest, reports)


def my_unit_tasks(*, user, quarter: Quarter):
    """Tasks assigned to the units the user manages, each with the units it can report for
    and their report for ``quarter`` (None when missing)."""
    roles = roles_of(user)
    unit_ids = roles.managed_unit_ids
    if not unit_ids:
        return []
    tasks = list(
        scope_to_user(_tasks_queryset(), user)
        .assigned_to(unit_ids)
        .live_in(quarter)
        .exclude(status="cancelled")
        .order_by("plan__issued_on", "plan_id", "ordinal", "pk")
    )
    reports = ProgressReport.objects.filter(
        task__in=tasks, organization_id__in=unit_ids, year=quarter.year, quarter=quarter.number
    ).select_related("reported_by")
    by_key = {(r.task_id, r.organization_id): r for r in reports}
    rows = []
    for task in tasks:
        units = [
            u
            for u in [task.lead_organization, *task.supporting_organizations.all()]
            if u.pk in unit_ids
        ]
        for unit in units:
            rows.append(
                TaskRow(
                    task=task,
                    unit=unit,
                    report=by_key.get((task.pk, unit.pk)),
                    is_lead=unit.pk == task.lead_organization_id,
                )
            )
    return rows


@dataclass
class TaskRow:
    task: Task
    unit: Organization
    report: ProgressReport | None
    is_lead: bool


@dataclass
class Matrix:
    """Tasks × units for one quarter: which unit reported what, and who has not."""

    quarter: Quarter
    tasks: list[Task]
    units: list[Organization]
    cells: dict[tuple[int, int], ProgressReport | str] = field(default_factory=dict)
    missing_by_unit: dict[int, int] = field(default_factory=dict)

    def cell(self, task_id: int, unit_id: int):
        return self.cells.get((task_id, unit_id))

    @property
    def units_missing(self) -> list[Organization]:
        return [u for u in self.units if self.missing_by_unit.get(u.pk)]

    @property
    def rows(self):
        for task in self.tasks:
            yield task, [(unit, self.cells.get((task.pk, unit.pk))) for unit in self.units]


MISSING = "missing"


def progress_matrix(*, user, ward, quarter: Quarter, plan: Plan | None = None) -> Matrix:
    """Every open task of the ward (or of one plan) against the units assigned to it, with
    each unit's report for the quarter, ``MISSING`` where an assigned unit has not
    reported, and None where the unit is not assigned. Three queries whatever the size."""
    tasks_qs = (
        scope_to_user(_tasks_queryset(), user)
        .filter(ward=ward)
        .live_in(quarter)
        .exclude(status="cancelled")
    )
    if plan is not None:
        tasks_qs = tasks_qs.filter(plan=plan)
    tasks = list(tasks_qs.order_by("plan__issued_on", "plan_id", "ordinal", "pk"))
    units_by_id: dict[int, Organization] = {}
    assigned: set[tuple[int, int]] = set()
    for task in tasks:
        for unit in [task.lead_organization, *task.supporting_organizations.all()]:
            units_by_id[unit.pk] = unit
            assigned.add((task.pk, unit.pk))
    reports = ProgressReport.objects.filter(
        task__in=tasks, year=quarter.year, quarter=quarter.number
    ).select_related("reported_by")
    matrix = Matrix(
        quarter=quarter,
        tasks=tasks,
        units=sorted(units_by_id.values(), key=lambda u: (u.kind, u.name)),
    )
    for key in assigned:
        matrix.cells[key] = MISSING
    for report in reports:
        if (report.task_id, report.organization_id) in assigned:
            matrix.cells[(report.task_id, report.organization_id)] = report
    for (_task_id, unit_id), value in matrix.cells.items():
        if value == MISSING:
            matrix.missing_by_unit[unit_id] = matrix.missing_by_unit.get(unit_id, 0) + 1
    for unit in matrix.units:
        unit.missing_count = matrix.missing_by_unit.get(unit.pk, 0)
    return matrix


def task_history(*, task: Task):
    return task.history.select_related("history_user").order_by("-history_date")[:50]


def report_filters_q(quarter: Quarter) -> Q:
    return Q(year=quarter.year, quarter=quarter.number)
