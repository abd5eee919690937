"""The figures of a ward's quarter, computed from the data and never typed.

``quarter_figures(ward=, quarter=)`` returns one plain, JSON-safe dict: the quarter page,
its charts, the quarterly report (DOCX and XLSX) and the snapshot kept at finalisation all
read the same dict, so what the page shows is what the report prints and what is frozen.
Ids are kept next to the numbers so each number can link to the rows behind it.

Definitions (the ones the report's readers expect)
    tasks of the quarter   tasks of the ward given by the end of the quarter
                           (``Task.live_in``), not cancelled, and not already reported done
                           by every assigned unit in an earlier quarter;
    expected reports       one per task of the quarter and unit assigned to it (lead or
                           supporting), except a unit that reported the task done earlier;
    per unit               each expected report falls in exactly one of: done (reported
                           done this quarter), late (not done and the deadline has passed by
                           the end of the quarter, or by today if earlier), in progress
                           (reported, not done, not late), not reported;
    per task               the same, from the lead unit's report (done when the lead
                           reported it done in an earlier quarter); ``lead_reported`` =
                           tasks whose lead unit reported this quarter;
    registrations          of the quarter's year, counted statuses (submitted, approved,
                           recognised, not achieved), sent in by the end of the quarter;
                           "new" = sent in during the quarter; "recognised" = recognitions
                           decided during the quarter; "replications" = counted
                           registrations that replicate an exemplary model;
    follow-up              the conclusions of the previous quarter's review meeting, each
                           with its task's status and the lead unit's report this quarter;
    history                the last four quarters, each counted by the same definitions as
                           its own page (the last one is this quarter's headline).

A fixed number of queries whatever the size of the ward (17).
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Meeting,
    MeetingKind,
)
from models_registry.models import (
    COUNTED_STATUSES,
    Recognition,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
)
from plans.models import ProgressReport, Task, TaskStatus
from wardwork.models import Organization, Ward
from wardwork.quarters import Quarter
from wardwork.text import two_digits

DONE, LATE, IN_PROGRESS, NOT_REPORTED = "done", "late", "in_progress", "not_reported"
CATEGORIES = (DONE, IN_PROGRESS, LATE, NOT_REPORTED)


def quarter_start_datetime(quarter: Quarter) -> dt.datetime:
    """Midnight of the quarter's first day, in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(quarter.start, dt.time.min))


def live_q(quarter: Quarter, prefix: str = "") -> Q:
    """``Task.live_in`` as a Q object (so it can filter an aggregate)."""
    end = quarter.end
    return (
        Q(**{f"{prefix}assigned_on__lte": end})
        | Q(**{f"{prefix}assigned_on__isnull": True, f"{prefix}plan__issued_on__lte": end})
        | Q(
            **{
                f"{prefix}assigned_on__isnull": True,
                f"{prefix}plan__isnull": True,
                f"{prefix}created_at__lt": quarter_start_datetime(quarter.next()),
            }
        )
    )


def earlier_q(quarter: Quarter, prefix: str = "") -> Q:
    """Rows (reports) of a quarter before ``quarter``."""
    return Q(**{f"{prefix}year__lt": quarter.year}) | Q(
        **{f"{prefix}year": quarter.year, f"{prefix}quarter__lt": quarter.number}
    )


def reference_day(quarter: Quarter, today: dt.date) -> dt.date:
    """The day "late" is judged on: the day after the quarter, or today if earlier."""
    return min(quarter.end + dt.timedelta(days=1), today)


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


def review_meeting_of(ward: Ward, quarter: Quarter) -> Meeting | None:
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


def quarter_figures(*, ward: Ward, quarter: Quarter, today: dt.date | None = None) -> dict:
    """Every figure of the ward's quarter (see the module docstring), as a JSON-safe dict."""
    today = today or timezone.localdate()
    meeting = review_meeting_of(ward, quarter)
    previous_meeting = review_meeting_of(ward, quarter.previous())
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


def updates_of_quarter(ward: Ward, quarter: Quarter):
    """The registration updates sent for the quarter (for the XLSX annex)."""
    return (
        RegistrationUpdate.objects.filter(
            registration__ward=ward, year=quarter.year, quarter=quarter.number
        )
        .select_related("registration__registered_by_unit")
        .order_by("registration__registered_by_unit__name", "registration__title")
    )


def relabeled(figures: dict) -> dict:
    """A copy of ``figures`` whose status labels are in the reader's language: a snapshot
    keeps the labels of whoever finalised it, the codes next to them say what they are."""
    from meetings.models import MeetingStatus

    out = copy.deepcopy(figures)
    registration_labels = dict(RegistrationStatus.choices)
    for row in out.get("registrations", {}).get("by_status", []):
        if row.get("status") in registration_labels:
            row["label"] = str(registration_labels[row["status"]])
    meeting = out.get("meeting")
    if meeting and meeting.get("status") in MeetingStatus.values:
        meeting["status_label"] = str(MeetingStatus(meeting["status"]).label)
    task_labels = dict(TaskStatus.choices)
    for row in out.get("follow_up", []):
        if row.get("task_status") in task_labels:
            row["task_status_label"] = str(task_labels[row["task_status"]])
    return out
