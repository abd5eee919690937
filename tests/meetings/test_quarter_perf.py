"""The quarter's figures against the way they were computed before they were made fast.

``reference_figures`` below is ``meetings.review_figures.quarter_figures`` as it was before
it read plain rows and only the tasks still owing a report (every task of the ward as model
instances, one query per part): on generated data (two wards, two years, every quarter
from the first to the next one, judged today and early in the quarter) both give the same
dict, number for number and row for row.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Meeting,
    MeetingKind,
)
from meetings.review_figures import (
    CATEGORIES,
    DONE,
    IN_PROGRESS,
    LATE,
    NOT_REPORTED,
    earlier_q,
    live_q,
    quarter_figures,
    quarter_start_datetime,
    reference_day,
)
from models_registry.models import (
    COUNTED_STATUSES,
    Recognition,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from plans.models import ProgressReport, Task, TaskStatus
from wardwork.models import Organization, Ward
from wardwork.quarters import Quarter
from wardwork.text import two_digits

pytestmark = pytest.mark.django_db

# --- the reference: the figures as they were computed before ----------------------------------


def _category(report: ProgressReport | None, deadline: dt.date | None, reference: dt.date) -> str:
    if report is not None and report.status == TaskStatus.DONE:
        return DONE
    if deadline is not None and deadline < reference:
        return LATE
    if report is not None:
        return IN_PROGRESS
    return NOT_REPORTED


def _is_live(task: Task, quarter: Quarter) -> bool:
    """``live_q`` for one loaded task (its plan selected with it)."""
    end = quarter.end
    if task.assigned_on is not None:
        return task.assigned_on <= end
    if task.plan_id is not None:
        return task.plan.issued_on <= end
    return task.created_at < quarter_start_datetime(quarter.next())


def _load_tasks(ward: Ward, quarter: Quarter, first: Quarter) -> tuple[list[Task], list]:
    """The ward's tasks given by the end of ``quarter`` (not cancelled), and their reports
    that the figures of ``first`` … ``quarter`` need: every report of those quarters and
    every "done" before them. Three queries."""
    bodies = Organization.objects.order_by("kind", "name")
    tasks = list(
        Task.objects.filter(ward=ward)
        .filter(live_q(quarter))
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("plan", "lead_organization")
        .prefetch_related(Prefetch("supporting_organizations", queryset=bodies))
        # The meetings' tasks (no plan) last on every database (SQLite sorts NULL first).
        .order_by(F("plan__issued_on").asc(nulls_last=True), "plan_id", "ordinal", "pk")
    )
    reports = list(
        ProgressReport.objects.filter(task_id__in=[t.pk for t in tasks])
        .filter(earlier_q(quarter.next()))
        .filter(~earlier_q(first) | Q(status=TaskStatus.DONE))
        .only("task_id", "organization_id", "year", "quarter", "status", "percent")
    )
    return tasks, reports


def _tasks(tasks: list[Task], all_reports: list, quarter: Quarter, today: dt.date) -> dict:
    """The task figures of ``quarter`` from the rows ``_load_tasks`` read (no query)."""
    reports = {
        (r.task_id, r.organization_id): r
        for r in all_reports
        if (r.year, r.quarter) == (quarter.year, quarter.number)
    }
    finished_before = {
        (r.task_id, r.organization_id)
        for r in all_reports
        if r.status == TaskStatus.DONE and (r.year, r.quarter) < (quarter.year, quarter.number)
    }
    reference = reference_day(quarter, today)
    units: dict[int, dict] = {}
    plans: dict[int | None, dict] = {}
    totals = dict.fromkeys((*CATEGORIES, "total", "expected", "received", "missing"), 0)
    totals["lead_reported"] = 0
    rows = []
    for task in tasks:
        if not _is_live(task, quarter):
            continue
        assigned = [task.lead_organization, *task.supporting_organizations.all()]
        expected = [u for u in assigned if (task.pk, u.pk) not in finished_before]
        if not expected:
            continue  # finished in an earlier quarter: nothing more to report
        deadline = task.deadline
        for unit in expected:
            report = reports.get((task.pk, unit.pk))
            row = units.setdefault(
                unit.pk,
                {
                    "id": unit.pk,
                    "name": unit.display_name,
                    "kind": unit.kind,
                    "assigned": 0,
                    **dict.fromkeys(CATEGORIES, 0),
                    "missing": 0,
                },
            )
            row["assigned"] += 1
            row[_category(report, deadline, reference)] += 1
            totals["expected"] += 1
            if report is None:
                row["missing"] += 1
                totals["missing"] += 1
            else:
                totals["received"] += 1
        lead_report = reports.get((task.pk, task.lead_organization_id))
        if (task.pk, task.lead_organization_id) in finished_before:
            # The lead reported it done earlier; only supporting units still owe a report.
            category, percent = DONE, 100
        else:
            category = _category(lead_report, deadline, reference)
            percent = lead_report.percent if lead_report else None
        totals["total"] += 1
        totals[category] += 1
        totals["lead_reported"] += lead_report is not None
        plan_row = plans.setdefault(
            task.plan_id,
            {
                "id": task.plan_id,
                "symbol": task.plan.symbol if task.plan else "",
                "title": task.plan.title if task.plan else "",
                "total": 0,
                **dict.fromkeys(CATEGORIES, 0),
            },
        )
        plan_row["total"] += 1
        plan_row[category] += 1
        rows.append(
            {
                "id": task.pk,
                "plan_id": task.plan_id,
                "plan_symbol": plan_row["symbol"],
                "ordinal": task.ordinal,
                "title": task.title,
                "lead": task.lead_organization.display_name,
                "lead_id": task.lead_organization_id,
                "deadline": deadline.isoformat() if deadline else None,
                "category": category,
                "percent": percent,
                "units": [u.display_name for u in expected],
            }
        )
    unit_rows = sorted(units.values(), key=lambda u: (u["kind"], u["name"]))
    for unit in unit_rows:
        unit["percent_done"] = round(100 * unit[DONE] / unit["assigned"]) if unit["assigned"] else 0
    return {
        **totals,
        "percent_done": round(100 * totals[DONE] / totals["total"]) if totals["total"] else 0,
        "units": unit_rows,
        "units_missing": [u["id"] for u in unit_rows if u["missing"]],
        "plans": list(plans.values()),
        "rows": rows,
    }


def _registrations(ward: Ward, quarter: Quarter) -> dict:
    year = quarter.year
    sent_by_end = Q(submitted_at__isnull=True) | Q(
        submitted_at__lt=quarter_start_datetime(quarter.next())
    )
    of_year = Registration.objects.filter(ward=ward, year=year)
    counted = of_year.filter(status__in=COUNTED_STATUSES).filter(sent_by_end)
    start = quarter_start_datetime(quarter)
    kinds = counted.aggregate(
        collective=Count("pk", filter=Q(kind=RegistrationKind.COLLECTIVE)),
        individual=Count("pk", filter=Q(kind=RegistrationKind.INDIVIDUAL)),
        new=Count("pk", filter=Q(submitted_at__gte=start)),
        new_collective=Count(
            "pk", filter=Q(submitted_at__gte=start, kind=RegistrationKind.COLLECTIVE)
        ),
        replications=Count("pk", filter=Q(replicates__isnull=False)),
    )
    by_field = [
        {"id": row["field_id"], "name": row["field__name"], "count": row["n"]}
        for row in counted.values("field_id", "field__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "field__name")
    ]
    labels = dict(RegistrationStatus.choices)
    # As the totals: what was sent in after the quarter is not in its figures.
    status_counts = {
        row["status"]: row["n"]
        for row in of_year.filter(sent_by_end).values("status").annotate(n=Count("pk")).order_by()
    }
    by_status = [
        {"status": status, "label": str(labels[status]), "count": status_counts.get(status, 0)}
        for status in RegistrationStatus.values
        if status_counts.get(status)
    ]
    recognised = Recognition.objects.filter(
        registration__ward=ward, decided_on__gte=quarter.start, decided_on__lte=quarter.end
    ).count()
    updating = of_year.filter(sent_by_end).filter(
        status__in=(RegistrationStatus.APPROVED, RegistrationStatus.RECOGNIZED)
    )
    updates = updating.aggregate(
        expected=Count("pk", distinct=True),
        received=Count(
            "updates",
            filter=Q(updates__year=year, updates__quarter=quarter.number),
            distinct=True,
        ),
    )
    collective, individual = kinds["collective"], kinds["individual"]
    return {
        "year": year,
        "collective": collective,
        "individual": individual,
        "total": collective + individual,
        "collective_text": two_digits(collective),
        "individual_text": two_digits(individual),
        "new": kinds["new"],
        "new_collective": kinds["new_collective"],
        "new_individual": kinds["new"] - kinds["new_collective"],
        "replications": kinds["replications"],
        "recognised": recognised,
        "by_field": by_field,
        "by_status": by_status,
        "updates_expected": updates["expected"],
        "updates_received": updates["received"],
    }


def _review_meeting_of(ward: Ward, quarter: Quarter) -> Meeting | None:
    """The ward's quarterly review meeting about ``quarter`` (the latest when several)."""
    return (
        Meeting.objects.filter(
            ward=ward,
            kind=MeetingKind.QUARTERLY_REVIEW,
            year=quarter.year,
            quarter=quarter.number,
        )
        .order_by("-held_at", "-pk")
        .first()
    )


def _meeting(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    counts = Meeting.objects.filter(pk=meeting.pk).aggregate(
        contributions=Count("contributions", distinct=True),
        conclusions=Count("conclusions", distinct=True),
    )
    attendance = Attendance.objects.filter(meeting=meeting).aggregate(
        invited=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
    )
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "status": meeting.status,
        "status_label": str(meeting.get_status_display()),
        "held_at": timezone.localtime(meeting.held_at).isoformat(),
        "held_on": timezone.localtime(meeting.held_at).strftime("%d/%m/%Y"),
        "venue": meeting.venue,
        "contributions": counts["contributions"],
        "conclusions": counts["conclusions"],
        "contributions_text": two_digits(counts["contributions"]),
        "conclusions_text": two_digits(counts["conclusions"]),
        "invited": attendance["invited"],
        "present": attendance["present"],
        "direction": meeting.next_period_direction,
    }


def _follow_up(ward: Ward, quarter: Quarter, previous_meeting: Meeting | None) -> list[dict]:
    """The previous quarter's conclusions and how their tasks stand in ``quarter``."""
    if previous_meeting is None:
        return []
    bodies = Organization.objects.order_by("kind", "name")
    conclusions = list(
        Conclusion.objects.filter(meeting=previous_meeting)
        .select_related("task")
        .prefetch_related(Prefetch("lead_organizations", queryset=bodies))
        .order_by("ordinal")
    )
    task_ids = [c.task_id for c in conclusions if c.task_id]
    lead_ids = {c.task_id: c.task.lead_organization_id for c in conclusions if c.task_id}
    reports = {
        r.task_id: r
        for r in ProgressReport.objects.filter(
            task_id__in=task_ids, year=quarter.year, quarter=quarter.number
        )
        if lead_ids.get(r.task_id) == r.organization_id
    }
    statuses = dict(TaskStatus.choices)
    rows = []
    for conclusion in conclusions:
        task = conclusion.task
        report = reports.get(conclusion.task_id)
        rows.append(
            {
                "ordinal": conclusion.ordinal,
                "text": conclusion.text,
                "leads": [o.display_name for o in conclusion.lead_organizations.all()],
                "task_id": conclusion.task_id,
                "task_status": task.status if task else None,
                "task_status_label": str(statuses[task.status]) if task else "",
                "reported": report is not None,
                "percent": report.percent if report else None,
                "deadline": task.deadline.isoformat() if task and task.deadline else None,
            }
        )
    return rows


def _history(
    ward: Ward,
    quarters: list[Quarter],
    tasks: list[Task],
    reports: list,
    today: dt.date,
    last: dict,
) -> list[dict]:
    """The last four quarters up to the figures' quarter, each counted as its own quarter
    page counts it (so the last column is the page's headline): tasks of the quarter, done,
    reported on by their lead unit; registrations counted; the review meeting's
    contributions and conclusions. Two queries (the tasks are those already read)."""
    period_q = Q()
    for q in quarters:
        period_q |= Q(year=q.year, quarter=q.number)
    sent = {
        f"r{i}": Count(
            "pk",
            filter=Q(year=q.year)
            & (Q(submitted_at__isnull=True) | Q(submitted_at__lt=quarter_start_datetime(q.next()))),
        )
        for i, q in enumerate(quarters)
    }
    registrations = Registration.objects.filter(
        ward=ward, year__in={q.year for q in quarters}, status__in=COUNTED_STATUSES
    ).aggregate(**sent)
    meetings = {}
    for row in (
        Meeting.objects.filter(ward=ward, kind=MeetingKind.QUARTERLY_REVIEW)
        .filter(period_q)
        .values("year", "quarter")
        .annotate(
            contributions=Count("contributions", distinct=True),
            conclusions=Count("conclusions", distinct=True),
        )
        .order_by()
    ):
        meetings[(row["year"], row["quarter"])] = row
    out = []
    for i, q in enumerate(quarters):
        key = (q.year, q.number)
        counts = last if i == len(quarters) - 1 else _tasks(tasks, reports, q, today)
        out.append(
            {
                "quarter": q.slug,
                "label": q.short_label,
                "tasks": counts["total"],
                "tasks_done": counts[DONE],
                "tasks_reported": counts["lead_reported"],
                "registrations": registrations[f"r{i}"],
                "contributions": meetings.get(key, {}).get("contributions", 0),
                "conclusions": meetings.get(key, {}).get("conclusions", 0),
            }
        )
    return out


def reference_figures(*, ward: Ward, quarter: Quarter, today: dt.date | None = None) -> dict:
    """Every figure of the ward's quarter (see the module docstring), as a JSON-safe dict."""
    today = today or timezone.localdate()
    meeting = _review_meeting_of(ward, quarter)
    previous_meeting = _review_meeting_of(ward, quarter.previous())
    quarters = [quarter]
    for _ in range(3):
        quarters.insert(0, quarters[0].previous())
    tasks, reports = _load_tasks(ward, quarter, quarters[0])
    task_figures = _tasks(tasks, reports, quarter, today)
    return {
        "quarter": quarter.slug,
        "label": quarter.short_label,
        "ward_id": ward.pk,
        "computed_at": timezone.now().isoformat(),
        "tasks": task_figures,
        "registrations": _registrations(ward, quarter),
        "meeting": _meeting(meeting),
        "previous_meeting_id": previous_meeting.pk if previous_meeting else None,
        "follow_up": _follow_up(ward, quarter, previous_meeting),
        "history": _history(ward, quarters, tasks, reports, today, task_figures),
    }


# --- the comparison -------------------------------------------------------------------------------

TINY = {
    "wards": 2,
    "years": 2,
    "units": 12,
    "people": 24,
    "users": 10,
    "plans": 4,
    "tasks": 4,
    "registrations": 8,
    "meetings": 6,
    "attendees": 6,
    "contributions": 2,
    "conclusions": 3,
}


def _without_time(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k != "computed_at"}


def test_the_figures_are_those_of_the_reference_on_generated_data():
    options = [f"--{name}={value}" for name, value in TINY.items()]
    call_command("generate_scale_data", *options, "--force", "--figures=none", stdout=StringIO())
    today = timezone.localdate()
    first = Quarter.containing(today)
    for _ in range(4 * TINY["years"]):
        first = first.previous()
    compared = with_tasks = 0
    for ward in Ward.objects.order_by("pk"):
        quarter = first
        while quarter <= Quarter.containing(today).next():
            for day in (today, quarter.start + dt.timedelta(days=20)):
                expected = _without_time(reference_figures(ward=ward, quarter=quarter, today=day))
                found = _without_time(quarter_figures(ward=ward, quarter=quarter, today=day))
                assert found == expected, (ward.pk, quarter.slug, day)
                compared += 1
                with_tasks += bool(expected["tasks"]["total"])
            quarter = quarter.next()
    # The data exercised the figures: most quarters have tasks to count.
    assert compared >= 2 * 2 * 8
    assert with_tasks > compared / 2
