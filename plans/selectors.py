"""Reads of plans, tasks and progress, scoped to the requesting user.

All functions take ``user`` and return only rows of the wards the user may see (their own
ward; every ward for a superuser). ``*_get`` functions raise ``Http404`` outside that scope.
Query counts do not depend on the number of rows: related rows come with
``select_related``/``prefetch_related`` and figures are aggregated in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from plans.models import Plan, ProgressReport, Task, TaskStatus
from wardwork.models import Organization
from wardwork.quarters import Quarter
from wardwork.selectors import get_for_user, scope_to_user, units_of_user


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
    task_count = _count(Task.objects.filter(plan=OuterRef("pk")), "plan")
    return qs.annotate(task_count=task_count).order_by("-issued_on", "-pk")


def _tasks_queryset():
    return Task.objects.select_related("lead_organization", "plan").prefetch_related(
        Prefetch("supporting_organizations", queryset=Organization.objects.order_by("name"))
    )


def plan_get(*, user, pk, with_tasks: bool = True) -> Plan:
    """One plan with the plans that implement it and its chain of implemented plans; with
    its tasks (lead and supporting units prefetched) unless ``with_tasks`` is False, when
    ``task_total`` counts them for :func:`plan_task_page`. 404 outside the user's scope."""
    qs = Plan.objects.select_related(
        "issuer", "ward", "implements__issuer", "created_by"
    ).prefetch_related(
        Prefetch(
            "implemented_by", queryset=Plan.objects.select_related("issuer").order_by("issued_on")
        ),
    )
    if with_tasks:
        qs = qs.prefetch_related(
            Prefetch("tasks", queryset=_tasks_queryset().order_by("ordinal", "pk"))
        )
    else:
        qs = qs.annotate(task_total=_count(Task.objects.filter(plan=OuterRef("pk")), "plan"))
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


SupportingUnit = Task.supporting_organizations.through


def _live_tasks(user, quarter: Quarter, ward=None) -> QuerySet[Task]:
    """Tasks of ``ward`` (else of the user's wards) that a unit could report on in
    ``quarter``: ``Task.objects.live_in(quarter)``, not cancelled. Written without the join
    to plans that ``live_in`` makes: a task's plan belongs to the task's ward (``Task.clean``),
    so "its plan was issued by the end of the quarter" is "its plan is one of the ward's
    plans issued by then", which PostgreSQL reads from the ward's index instead of hashing
    every plan of the city (tests check both give the same tasks)."""
    end = quarter.end
    tasks = scope_to_user(Task.objects.all(), user)
    plans = scope_to_user(Plan.objects.all(), user)
    if ward is not None:
        tasks, plans = tasks.filter(ward=ward), plans.filter(ward=ward)
    issued = plans.filter(issued_on__lte=end).values("pk")
    return tasks.filter(
        Q(assigned_on__lte=end)
        | Q(assigned_on__isnull=True, plan_id__in=issued)
        | Q(assigned_on__isnull=True, plan__isnull=True, created_at__date__lte=end)
    ).exclude(status=TaskStatus.CANCELLED)


# Plan order (the plan's date, the plan, the task's number), tasks without a plan last on
# PostgreSQL; the plan's date comes from a subquery, not a join to every plan.
TASK_ORDER = ("plan_issued_on", "plan_id", "ordinal", "pk")


def _in_task_order(tasks: QuerySet[Task]) -> QuerySet[Task]:
    issued_on = Plan.objects.filter(pk=OuterRef("plan_id")).order_by().values("issued_on")
    return tasks.annotate(plan_issued_on=Subquery(issued_on)).order_by(*TASK_ORDER)


def _task_page(ordered: QuerySet[Task], *, count: int, per_page: int, page, fetch) -> Page:
    """A page of ``ordered`` tasks (``count`` of them, known: no COUNT query): the page's
    keys are chosen by ``ordered`` alone, and its rows are read by ``fetch`` (a queryset in
    the same order, with the related rows it needs) for those keys only, in the same query,
    so plans and units are joined for the rows of the page, not for every task."""
    page_obj = _paginate(ordered, count=count, per_page=per_page, page=page)
    bottom = (page_obj.number - 1) * per_page
    keys = ordered.values("pk")[bottom : bottom + per_page]
    page_obj.object_list = list(fetch.filter(pk__in=keys))
    return page_obj


def _reported(quarter: Quarter, task, unit) -> Exists:
    """A report of ``unit`` on ``task`` for ``quarter`` exists (both are expressions)."""
    return Exists(
        ProgressReport.objects.filter(
            task_id=task, organization_id=unit, year=quarter.year, quarter=quarter.number
        )
    )


def _count(queryset: QuerySet, group_by: str):
    """COUNT of ``queryset`` (already filtered on the outer row through ``group_by``) as a
    scalar subquery, 0 when no row."""
    rows = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _paginate(queryset, *, count: int, per_page: int, page) -> Page:
    """A page of ``queryset`` whose number of rows is already known (no COUNT query)."""
    paginator = Paginator(queryset, per_page)
    paginator.count = count  # a cached_property: set, it is not asked to the database
    return paginator.get_page(page)


@dataclass
class TaskProgress:
    """A task's latest quarter with reports in one line: how many units reported in that
    quarter (every unit that reported then has it as its newest report), their average
    percent, against the units assigned now."""

    assigned: int
    reported: int
    average: int
    latest_quarter: Quarter | None


def task_progress(tasks) -> None:
    """Set ``task.progress`` (a :class:`TaskProgress`) on each of ``tasks`` (their supporting
    units prefetched), in one grouped query: one row per task and quarter with reports."""
    tasks = list(tasks)
    periods = (
        ProgressReport.objects.filter(task_id__in=[t.pk for t in tasks])
        .order_by()
        .values("task_id", "year", "quarter")
        .annotate(reported=Count("pk"), total=Sum("percent"))
    )
    latest: dict[int, dict] = {}
    for row in periods:
        best = latest.get(row["task_id"])
        if best is None or (row["year"], row["quarter"]) > (best["year"], best["quarter"]):
            latest[row["task_id"]] = row
    for task in tasks:
        assigned = 1 + len(task.supporting_organizations.all())
        row = latest.get(task.pk)
        if row is None:
            task.progress = TaskProgress(assigned, 0, 0, None)
        else:
            task.progress = TaskProgress(
                assigned,
                row["reported"],
                round(row["total"] / row["reported"]),
                Quarter(row["year"], row["quarter"]),
            )


def plan_task_page(*, plan: Plan, per_page: int, page) -> Page:
    """One page of a plan's tasks in order (lead and supporting units prefetched, progress
    set); the plan comes from ``plan_get(..., with_tasks=False)``, which counted them."""
    tasks = _tasks_queryset().filter(plan=plan).order_by("ordinal", "pk")
    page_obj = _paginate(tasks, count=plan.task_total, per_page=per_page, page=page)
    task_progress(page_obj.object_list)
    return page_obj


def task_report_page(*, task: Task, per_page: int, page) -> Page:
    """One page of a task's reports, newest quarter first, then by unit name."""
    reports = task.reports.select_related("organization", "reported_by__person").order_by(
        "-year", "-quarter", "organization__name", "pk"
    )
    return Paginator(reports, per_page).get_page(page)


# --- "Việc của đơn vị tôi" ----------------------------------------------------------------------


@dataclass
class TaskRow:
    task: Task
    unit: Organization
    report: ProgressReport | None
    is_lead: bool
    # Set by the page: its report form can be drawn by plans/_report_field.html.
    plain_form: bool = False


def _unit_tasks(user, quarter: Quarter, units: list[Organization]) -> QuerySet[Task]:
    """Live tasks the ``units`` lead or support (no join that repeats a task, no DISTINCT)."""
    unit_ids = [u.pk for u in units]
    supported = SupportingUnit.objects.filter(organization_id__in=unit_ids).values("task_id")
    return _live_tasks(user, quarter).filter(
        Q(lead_organization_id__in=unit_ids) | Q(pk__in=supported)
    )


def _with_units(tasks: QuerySet[Task], units: list[Organization]) -> QuerySet[Task]:
    """``tasks`` with their lead unit and plan, and ``_supports_<id>`` for each unit."""
    return tasks.select_related("lead_organization", "plan").annotate(
        **{
            f"_supports_{unit.pk}": Exists(
                SupportingUnit.objects.filter(task_id=OuterRef("pk"), organization_id=unit.pk)
            )
            for unit in units
        }
    )


def _task_rows(tasks, quarter: Quarter, units: list[Organization]) -> list[TaskRow]:
    """One row per task and managed unit assigned to it (the lead first, then supporting
    units by name), with the unit's report for ``quarter`` or None."""
    tasks = list(tasks)
    reports = ProgressReport.objects.filter(
        task_id__in=[t.pk for t in tasks],
        organization_id__in=[u.pk for u in units],
        year=quarter.year,
        quarter=quarter.number,
    ).select_related("reported_by")
    by_key = {(r.task_id, r.organization_id): r for r in reports}
    rows = []
    for task in tasks:
        assigned = (
            [task.lead_organization]
            if any(u.pk == task.lead_organization_id for u in units)
            else []
        )
        assigned += [
            u
            for u in units
            if u.pk != task.lead_organization_id and getattr(task, f"_supports_{u.pk}")
        ]
        rows += [
            TaskRow(
                task=task,
                unit=unit,
                report=by_key.get((task.pk, unit.pk)),
                is_lead=unit.pk == task.lead_organization_id,
            )
            for unit in assigned
        ]
    return rows


def _managed_units(user) -> list[Organization]:
    """The units the user manages, by name (from the cached roles: no query)."""
    units = {u.pk: u for u in units_of_user(user=user)}
    return sorted(units.values(), key=lambda u: u.name)


def my_unit_tasks(*, user, quarter: Quarter) -> list[TaskRow]:
    """Tasks assigned to the units the user manages, each with the units it can report for
    and their report for ``quarter`` (None when missing). Two queries."""
    units = _managed_units(user)
    if not units:
        return []
    tasks = _with_units(_in_task_order(_unit_tasks(user, quarter, units)), units)
    return _task_rows(tasks, quarter, units)


@dataclass
class MyTasks:
    """A page of "Việc của đơn vị tôi": ``rows`` of the page's tasks; ``missing`` counts the
    reports still missing for the quarter over every page."""

    page: Page | None
    rows: list[TaskRow]
    missing: int


def my_unit_task_page(*, user, quarter: Quarter, per_page: int, page) -> MyTasks:
    """One page of :func:`my_unit_tasks` (paginated by task), and the number of reports
    missing for the quarter over all pages. Three queries whatever the number of tasks."""
    units = _managed_units(user)
    if not units:
        return MyTasks(page=None, rows=[], missing=0)
    unit_ids = [u.pk for u in units]
    tasks = _unit_tasks(user, quarter, units)
    supporter_missing = (
        SupportingUnit.objects.filter(task_id=OuterRef("pk"), organization_id__in=unit_ids)
        .exclude(organization_id=OuterRef("lead_organization_id"))
        .exclude(_reported(quarter, OuterRef("task_id"), OuterRef("organization_id")))
    )
    figures = tasks.order_by().aggregate(
        tasks=Count("pk"),
        lead_missing=Count(
            "pk",
            filter=Q(lead_organization_id__in=unit_ids)
            & ~_reported(quarter, OuterRef("pk"), OuterRef("lead_organization_id")),
        ),
        supporter_missing=Sum(_count(supporter_missing, "task_id")),
    )
    page_obj = _task_page(
        _in_task_order(tasks),
        count=figures["tasks"],
        per_page=per_page,
        page=page,
        fetch=_with_units(_in_task_order(Task.objects.all()), units),
    )
    return MyTasks(
        page=page_obj,
        rows=_task_rows(page_obj.object_list, quarter, units),
        missing=figures["lead_missing"] + (figures["supporter_missing"] or 0),
    )


# --- Progress matrix ----------------------------------------------------------------------------


@dataclass
class Matrix:
    """Tasks × units for one quarter: which unit reported what, and who has not. ``tasks``
    and ``cells`` are those of one page; ``units`` (with ``missing_count``), ``total`` and
    ``missing_by_unit`` cover every task of the quarter."""

    quarter: Quarter
    tasks: list[Task]
    units: list[Organization]
    page: Page | None = None
    total: int = 0
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


def _matrix_units(tasks: QuerySet[Task], ward, quarter: Quarter) -> list[Organization]:
    """The units assigned to any of ``tasks`` (of ``ward``; lead or supporting), by kind
    then name, each with ``led`` (how many of the tasks it leads) and ``missing_count``
    (its reports missing for the quarter; a unit that both leads and supports a task counts
    once). Two queries: the lead and the supporting assignments grouped by unit (one UNION
    ALL), then the units."""
    lead = (
        tasks.order_by()
        .values(unit=F("lead_organization_id"))
        .annotate(
            led=Count("pk"),
            missing=Count(
                "pk",
                filter=~_reported(quarter, OuterRef("pk"), OuterRef("lead_organization_id")),
            ),
        )
    )
    # A supporting unit is of the task's ward (services.task_save): that lets PostgreSQL
    # start from the ward's units, not read every assignment of the city.
    support = (
        SupportingUnit.objects.filter(organization__ward=ward, task_id__in=tasks.values("pk"))
        .exclude(organization_id=F("task__lead_organization_id"))
        .order_by()
        .values(unit=F("organization_id"))
        .annotate(
            led=Value(0),
            missing=Count(
                "pk", filter=~_reported(quarter, OuterRef("task_id"), OuterRef("organization_id"))
            ),
        )
    )
    led: dict[int, int] = defaultdict(int)
    missing: dict[int, int] = defaultdict(int)
    for row in lead.union(support, all=True):
        led[row["unit"]] += row["led"]
        missing[row["unit"]] += row["missing"]
    units = sorted(Organization.objects.filter(pk__in=list(led)), key=lambda u: (u.kind, u.name))
    for unit in units:
        unit.led = led[unit.pk]
        unit.missing_count = missing[unit.pk]
    return units


def progress_matrix(
    *, user, ward, quarter: Quarter, plan: Plan | None = None, per_page: int = 25, page=None
) -> Matrix:
    """Every open task of the ward (or of one plan) against the units assigned to it, with
    each unit's report for the quarter, ``MISSING`` where an assigned unit has not
    reported, and None where the unit is not assigned; one page of tasks at a time, the
    units and their missing reports counted over all of them. Four queries whatever the
    size."""
    tasks_qs = _live_tasks(user, quarter, ward=ward)
    if plan is not None:
        tasks_qs = tasks_qs.filter(plan=plan)
    units = _matrix_units(tasks_qs, ward, quarter)
    total = sum(unit.led for unit in units)  # every task has one lead unit
    page_obj = _task_page(
        _in_task_order(tasks_qs),
        count=total,
        per_page=per_page,
        page=page,
        fetch=_in_task_order(Task.objects.select_related("plan")),
    )
    tasks = list(page_obj.object_list)
    task_ids = [t.pk for t in tasks]
    assigned = {(t.pk, t.lead_organization_id) for t in tasks}
    assigned.update(
        SupportingUnit.objects.filter(task_id__in=task_ids).values_list(
            "task_id", "organization_id"
        )
    )
    matrix = Matrix(
        quarter=quarter,
        tasks=tasks,
        units=units,
        page=page_obj,
        total=total,
        missing_by_unit={u.pk: u.missing_count for u in units if u.missing_count},
    )
    for key in assigned:
        matrix.cells[key] = MISSING
    reports = ProgressReport.objects.filter(
        task_id__in=task_ids, year=quarter.year, quarter=quarter.number
    )
    for report in reports:
        if (report.task_id, report.organization_id) in assigned:
            matrix.cells[(report.task_id, report.organization_id)] = report
    return matrix


def task_history(*, task: Task):
    return task.history.select_related("history_user").order_by("-history_date")[:50]


def report_filters_q(quarter: Quarter) -> Q:
    return Q(year=quarter.year, quarter=quarter.number)
