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

A fixed number of queries whatever the size of the ward (6): the review meetings of the
last four quarters with their counts, the tasks with their units, their reports, the
registrations' and recognitions' counts, the fields, the follow-up. The ward's tasks are read
as plain rows, and only those that still owe a report in the last four quarters.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
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
from wardwork.models import Ward
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


def _category(status: str | None, deadline: dt.date | None, reference: dt.date) -> str:
    """The category of one expected report (``status`` None: no report this quarter)."""
    if status == TaskStatus.DONE:
        return DONE
    if deadline is not None and deadline < reference:
        return LATE
    if status is not None:
        return IN_PROGRESS
    return NOT_REPORTED


@dataclass(slots=True)
class _Task:
    """What the figures read of one task (no model instance: a few hundred are read)."""

    id: int
    plan_id: int | None
    ordinal: int
    title: str
    lead_id: int
    deadline: dt.date | None
    assigned_on: dt.date | None
    issued_on: dt.date | None
    created_at: dt.datetime
    plan_symbol: str
    plan_title: str
    supporting: list[int]


def _is_live(task: _Task, end: dt.date, next_start: dt.datetime) -> bool:
    """``live_q`` for one loaded task: ``end`` is the quarter's last day, ``next_start``
    the first moment of the next one."""
    if task.assigned_on is not None:
        return task.assigned_on <= end
    if task.plan_id is not None:
        return task.issued_on <= end
    return task.created_at < next_start


def _deadline(due_date: dt.date | None, due_quarter) -> dt.date | None:
    """``Task.deadline`` from its two columns."""
    if due_date:
        return due_date
    return due_quarter.end if due_quarter else None


def _load_tasks(
    ward: Ward, quarter: Quarter, first: Quarter
) -> tuple[list[_Task], dict[int, tuple[str, str]], list[tuple]]:
    """The ward's tasks given by the end of ``quarter`` (not cancelled) that still owe a
    report in ``first`` … ``quarter`` (a task every assigned unit reported done before
    ``first`` counts in none of them), their units ``{id: (display name, kind)}``, and the
    reports the figures of those quarters need: every report of those quarters and every
    "done" before them, as ``(task, unit, year, quarter, status, percent)``. Two queries:
    the tasks with their supporting units (one row per task and supporting unit), and the
    reports."""
    done_before = ProgressReport.objects.filter(status=TaskStatus.DONE).filter(earlier_q(first))
    supporting = Task.supporting_organizations.through.objects.filter(task=OuterRef("pk"))
    still_owed = ~Exists(
        done_before.filter(task=OuterRef("pk"), organization=OuterRef("lead_organization_id"))
    ) | Exists(
        supporting.filter(
            ~Exists(
                done_before.filter(
                    task=OuterRef("task_id"), organization=OuterRef("organization_id")
                )
            )
        )
    )
    rows = (
        Task.objects.filter(ward=ward)
        .filter(live_q(quarter))
        .exclude(status=TaskStatus.CANCELLED)
        .filter(still_owed)
        # The meetings' tasks (no plan) last on every database (SQLite sorts NULL first);
        # each task's supporting units by kind and name.
        .order_by(
            F("plan__issued_on").asc(nulls_last=True),
            "plan_id",
            "ordinal",
            "pk",
            "supporting_organizations__kind",
            "supporting_organizations__name",
            "supporting_organizations__id",
        )
        .values_list(
            "pk",
            "plan_id",
            "ordinal",
            "title",
            "due_date",
            "due_quarter",
            "assigned_on",
            "plan__issued_on",
            "created_at",
            "plan__symbol",
            "plan__title",
            "lead_organization_id",
            "lead_organization__name",
            "lead_organization__short_name",
            "lead_organization__kind",
            "supporting_organizations__id",
            "supporting_organizations__name",
            "supporting_organizations__short_name",
            "supporting_organizations__kind",
        )
    )
    tasks: dict[int, _Task] = {}
    units: dict[int, tuple[str, str]] = {}
    for (
        pk,
        plan_id,
        ordinal,
        title,
        due_date,
        due_quarter,
        assigned_on,
        issued_on,
        created_at,
        symbol,
        plan_title,
        lead_id,
        lead_name,
        lead_short,
        lead_kind,
        unit_id,
        unit_name,
        unit_short,
        unit_kind,
    ) in rows:
        task = tasks.get(pk)
        if task is None:
            task = tasks[pk] = _Task(
                pk,
                plan_id,
                ordinal,
                title,
                lead_id,
                _deadline(due_date, due_quarter),
                assigned_on,
                issued_on,
                created_at,
                symbol or "",
                plan_title or "",
                [],
            )
            units[lead_id] = (lead_short or lead_name, lead_kind)
        if unit_id is not None:
            task.supporting.append(unit_id)
            units[unit_id] = (unit_short or unit_name, unit_kind)
    reports = list(
        ProgressReport.objects.filter(task_id__in=list(tasks))
        .filter(earlier_q(quarter.next()))
        .filter(~earlier_q(first) | Q(status=TaskStatus.DONE))
        .order_by()
        .values_list("task_id", "organization_id", "year", "quarter", "status", "percent")
    )
    return list(tasks.values()), units, reports


def _reports_of(all_reports: list[tuple], quarter: Quarter) -> tuple[dict, set]:
    """``{(task, unit): (status, percent)}`` of the reports of ``quarter``, and the
    ``(task, unit)`` pairs reported done before it."""
    this = (quarter.year, quarter.number)
    reports = {}
    finished_before = set()
    for task_id, unit_id, year, number, status, percent in all_reports:
        if (year, number) == this:
            reports[task_id, unit_id] = (status, percent)
        elif status == TaskStatus.DONE and (year, number) < this:
            finished_before.add((task_id, unit_id))
    return reports, finished_before


def _headline(tasks: list[_Task], all_reports: list[tuple], quarter: Quarter, today) -> dict:
    """``total``, ``done`` and ``lead_reported`` of ``_tasks`` alone (for the history)."""
    reports, finished_before = _reports_of(all_reports, quarter)
    end, next_start = quarter.end, quarter_start_datetime(quarter.next())
    reference = reference_day(quarter, today)
    total = done = lead_reported = 0
    for task in tasks:
        if not _is_live(task, end, next_start):
            continue
        lead = (task.id, task.lead_id)
        if lead in finished_before:
            if any((task.id, u) not in finished_before for u in task.supporting):
                total += 1
                done += 1
                lead_reported += lead in reports
            continue
        total += 1
        lead_report = reports.get(lead)
        lead_reported += lead_report is not None
        done += _category(lead_report and lead_report[0], task.deadline, reference) == DONE
    return {"total": total, DONE: done, "lead_reported": lead_reported}


def _tasks(
    tasks: list[_Task],
    names: dict[int, tuple[str, str]],
    all_reports: list[tuple],
    quarter: Quarter,
    today: dt.date,
) -> dict:
    """The task figures of ``quarter`` from the rows ``_load_tasks`` read (no query)."""
    reports, finished_before = _reports_of(all_reports, quarter)
    end, next_start = quarter.end, quarter_start_datetime(quarter.next())
    reference = reference_day(quarter, today)
    units: dict[int, dict] = {}
    plans: dict[int | None, dict] = {}
    totals = dict.fromkeys((*CATEGORIES, "total", "expected", "received", "missing"), 0)
    totals["lead_reported"] = 0
    rows = []
    for task in tasks:
        if not _is_live(task, end, next_start):
            continue
        expected = [
            u for u in (task.lead_id, *task.supporting) if (task.id, u) not in finished_before
        ]
        if not expected:
            continue  # finished in an earlier quarter: nothing more to report
        deadline = task.deadline
        for unit_id in expected:
            report = reports.get((task.id, unit_id))
            row = units.get(unit_id)
            if row is None:
                name, kind = names[unit_id]
                row = units[unit_id] = {
                    "id": unit_id,
                    "name": name,
                    "kind": kind,
                    "assigned": 0,
                    **dict.fromkeys(CATEGORIES, 0),
                    "missing": 0,
                }
            row["assigned"] += 1
            row[_category(report and report[0], deadline, reference)] += 1
            totals["expected"] += 1
            if report is None:
                row["missing"] += 1
                totals["missing"] += 1
            else:
                totals["received"] += 1
        lead_report = reports.get((task.id, task.lead_id))
        if (task.id, task.lead_id) in finished_before:
            # The lead reported it done earlier; only supporting units still owe a report.
            category, percent = DONE, 100
        else:
            category = _category(lead_report and lead_report[0], deadline, reference)
            percent = lead_report[1] if lead_report else None
        totals["total"] += 1
        totals[category] += 1
        totals["lead_reported"] += lead_report is not None
        plan_row = plans.get(task.plan_id)
        if plan_row is None:
            plan_row = plans[task.plan_id] = {
                "id": task.plan_id,
                "symbol": task.plan_symbol,
                "title": task.plan_title,
                "total": 0,
                **dict.fromkeys(CATEGORIES, 0),
            }
        plan_row["total"] += 1
        plan_row[category] += 1
        rows.append(
            {
                "id": task.id,
                "plan_id": task.plan_id,
                "plan_symbol": plan_row["symbol"],
                "ordinal": task.ordinal,
                "title": task.title,
                "lead": names[task.lead_id][0],
                "lead_id": task.lead_id,
                "deadline": deadline.isoformat() if deadline else None,
                "category": category,
                "percent": percent,
                "units": [names[u][0] for u in expected],
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


def _sent_by_end(quarter: Quarter) -> Q:
    """Registrations sent in by the end of ``quarter`` (or never sent)."""
    return Q(submitted_at__isnull=True) | Q(submitted_at__lt=quarter_start_datetime(quarter.next()))


def _registrations(ward: Ward, quarter: Quarter, quarters: list[Quarter]) -> tuple[dict, list]:
    """The registration figures of ``quarter``, and the registrations counted in each of
    ``quarters`` (the history). One query: every count of the ward's registrations (and
    of their recognitions) grouped by field, added up for the totals."""
    year = quarter.year
    sent = _sent_by_end(quarter)
    of_year = Q(year=year) & sent
    counted = of_year & Q(status__in=COUNTED_STATUSES)
    start = quarter_start_datetime(quarter)
    updating = of_year & Q(status__in=(RegistrationStatus.APPROVED, RegistrationStatus.RECOGNIZED))
    updated = Exists(
        RegistrationUpdate.objects.filter(
            registration=OuterRef("pk"), year=year, quarter=quarter.number
        )
    )
    # The recognitions decided in the quarter, whatever their registration's year.
    recognitions = (
        Recognition.objects.filter(
            registration=OuterRef("pk"), decided_on__gte=quarter.start, decided_on__lte=quarter.end
        )
        .order_by()
        .values("registration")
        .annotate(n=Count("pk"))
        .values("n")
    )
    aggregates = {
        "recognised": Coalesce(Sum(Subquery(recognitions, output_field=IntegerField())), 0),
        "collective": Count("pk", filter=counted & Q(kind=RegistrationKind.COLLECTIVE)),
        "individual": Count("pk", filter=counted & Q(kind=RegistrationKind.INDIVIDUAL)),
        "new": Count("pk", filter=counted & Q(submitted_at__gte=start)),
        "new_collective": Count(
            "pk", filter=counted & Q(submitted_at__gte=start, kind=RegistrationKind.COLLECTIVE)
        ),
        "replications": Count("pk", filter=counted & Q(replicates__isnull=False)),
        "updates_expected": Count("pk", filter=updating),
        # One update per registration and quarter: registrations updated = updates.
        "updates_received": Count("pk", filter=updating & Q(updated)),
        **{
            f"status_{status}": Count("pk", filter=of_year & Q(status=status))
            for status in RegistrationStatus.values
        },
        **{
            f"history_{i}": Count(
                "pk",
                filter=Q(year=q.year, status__in=COUNTED_STATUSES) & _sent_by_end(q),
            )
            for i, q in enumerate(quarters)
        },
    }
    # One query: every count per field (each is a sum, so the totals add the fields up).
    rows = list(
        Registration.objects.filter(ward=ward)
        .values("field_id", "field__name")
        .annotate(**aggregates, in_field=Count("pk", filter=counted))
        .order_by()
    )
    counts = {name: sum(row[name] for row in rows) for name in aggregates}
    by_field = sorted(
        (
            {"id": row["field_id"], "name": row["field__name"], "count": row["in_field"]}
            for row in rows
            if row["in_field"]
        ),
        key=lambda field: (-field["count"], field["name"]),
    )
    labels = dict(RegistrationStatus.choices)
    # As the totals: what was sent in after the quarter is not in its figures.
    by_status = [
        {"status": status, "label": str(labels[status]), "count": counts[f"status_{status}"]}
        for status in RegistrationStatus.values
        if counts[f"status_{status}"]
    ]
    collective, individual = counts["collective"], counts["individual"]
    figures = {
        "year": year,
        "collective": collective,
        "individual": individual,
        "total": collective + individual,
        "collective_text": two_digits(collective),
        "individual_text": two_digits(individual),
        "new": counts["new"],
        "new_collective": counts["new_collective"],
        "new_individual": counts["new"] - counts["new_collective"],
        "replications": counts["replications"],
        "recognised": counts["recognised"],
        "by_field": by_field,
        "by_status": by_status,
        "updates_expected": counts["updates_expected"],
        "updates_received": counts["updates_received"],
    }
    return figures, [counts[f"history_{i}"] for i in range(len(quarters))]


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


def _count_of(model, **filters) -> Coalesce:
    """The number of ``model`` rows of the outer meeting, as a correlated subquery."""
    rows = (
        model.objects.filter(meeting=OuterRef("pk"), **filters)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def _review_meetings(ward: Ward, quarters: list[Quarter]) -> list[Meeting]:
    """The ward's quarterly review meetings about ``quarters``, latest first, each with its
    contributions, conclusions, invited and present counted. One query."""
    period_q = Q()
    for q in quarters:
        period_q |= Q(year=q.year, quarter=q.number)
    return list(
        Meeting.objects.filter(ward=ward, kind=MeetingKind.QUARTERLY_REVIEW)
        .filter(period_q)
        .only(
            "pk",
            "year",
            "quarter",
            "title",
            "status",
            "held_at",
            "venue",
            "next_period_direction",
        )
        .annotate(
            n_contributions=_count_of(Contribution),
            n_conclusions=_count_of(Conclusion),
            n_invited=_count_of(Attendance),
            n_present=_count_of(Attendance, status=AttendanceStatus.PRESENT),
        )
        .order_by("-held_at", "-pk")
    )


def _meeting(meeting: Meeting | None) -> dict | None:
    if meeting is None:
        return None
    contributions, conclusions = meeting.n_contributions, meeting.n_conclusions
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "status": meeting.status,
        "status_label": str(meeting.get_status_display()),
        "held_at": timezone.localtime(meeting.held_at).isoformat(),
        "held_on": timezone.localtime(meeting.held_at).strftime("%d/%m/%Y"),
        "venue": meeting.venue,
        "contributions": contributions,
        "conclusions": conclusions,
        "contributions_text": two_digits(contributions),
        "conclusions_text": two_digits(conclusions),
        "invited": meeting.n_invited,
        "present": meeting.n_present,
        "direction": meeting.next_period_direction,
    }


def _follow_up(quarter: Quarter, previous_meeting: Meeting | None) -> list[dict]:
    """The previous quarter's conclusions and how their tasks stand in ``quarter``: one
    query, a row per conclusion and lead body, each with its task and the task's lead
    unit's report of ``quarter``."""
    if previous_meeting is None:
        return []
    lead_report = ProgressReport.objects.filter(
        task=OuterRef("task_id"),
        organization=OuterRef("task__lead_organization_id"),
        year=quarter.year,
        quarter=quarter.number,
    )
    found = (
        Conclusion.objects.filter(meeting=previous_meeting)
        .annotate(
            reported=Exists(lead_report),
            reported_percent=Subquery(lead_report.values("percent")[:1]),
        )
        .order_by(
            "ordinal",
            "pk",
            "lead_organizations__kind",
            "lead_organizations__name",
            "lead_organizations__id",
        )
        .values_list(
            "pk",
            "ordinal",
            "text",
            "task_id",
            "task__status",
            "task__due_date",
            "task__due_quarter",
            "reported",
            "reported_percent",
            "lead_organizations__id",
            "lead_organizations__name",
            "lead_organizations__short_name",
        )
    )
    statuses = dict(TaskStatus.choices)
    rows: dict[int, dict] = {}
    for (
        pk,
        ordinal,
        text,
        task_id,
        status,
        due_date,
        due_quarter,
        reported,
        percent,
        lead_id,
        lead_name,
        lead_short,
    ) in found:
        row = rows.get(pk)
        if row is None:
            has_task = task_id is not None
            deadline = _deadline(due_date, due_quarter) if has_task else None
            reported = bool(has_task and reported)
            row = rows[pk] = {
                "ordinal": ordinal,
                "text": text,
                "leads": [],
                "task_id": task_id,
                "task_status": status if has_task else None,
                "task_status_label": str(statuses[status]) if has_task else "",
                "reported": reported,
                "percent": percent if reported else None,
                "deadline": deadline.isoformat() if deadline else None,
            }
        if lead_id is not None:
            row["leads"].append(lead_short or lead_name)
    return list(rows.values())


def _history(
    quarters: list[Quarter],
    tasks: list[_Task],
    reports: list,
    today: dt.date,
    last: dict,
    registrations: list[int],
    meetings: list[Meeting],
) -> list[dict]:
    """The last four quarters up to the figures' quarter, each counted as its own quarter
    page counts it (so the last column is the page's headline): tasks of the quarter, done,
    reported on by their lead unit; registrations counted; the review meetings'
    contributions and conclusions. No query: the rows are those already read."""
    held: dict[tuple[int, int], dict] = {}
    for meeting in meetings:
        counts = held.setdefault((meeting.year, meeting.quarter), dict.fromkeys(("c", "k"), 0))
        counts["c"] += meeting.n_contributions
        counts["k"] += meeting.n_conclusions
    out = []
    for i, q in enumerate(quarters):
        key = (q.year, q.number)
        counts = last if i == len(quarters) - 1 else _headline(tasks, reports, q, today)
        out.append(
            {
                "quarter": q.slug,
                "label": q.short_label,
                "tasks": counts["total"],
                "tasks_done": counts[DONE],
                "tasks_reported": counts["lead_reported"],
                "registrations": registrations[i],
                "contributions": held.get(key, {}).get("c", 0),
                "conclusions": held.get(key, {}).get("k", 0),
            }
        )
    return out


def _latest_of(meetings: list[Meeting], quarter: Quarter) -> Meeting | None:
    """``review_meeting_of`` among the meetings read (they come latest first)."""
    return next(
        (m for m in meetings if (m.year, m.quarter) == (quarter.year, quarter.number)), None
    )


def quarter_figures(*, ward: Ward, quarter: Quarter, today: dt.date | None = None) -> dict:
    """Every figure of the ward's quarter (see the module docstring), as a JSON-safe dict."""
    today = today or timezone.localdate()
    quarters = [quarter]
    for _ in range(3):
        quarters.insert(0, quarters[0].previous())
    meetings = _review_meetings(ward, quarters)
    meeting = _latest_of(meetings, quarter)
    previous_meeting = _latest_of(meetings, quarter.previous())
    tasks, names, reports = _load_tasks(ward, quarter, quarters[0])
    task_figures = _tasks(tasks, names, reports, quarter, today)
    registrations, registrations_history = _registrations(ward, quarter, quarters)
    return {
        "quarter": quarter.slug,
        "label": quarter.short_label,
        "ward_id": ward.pk,
        "computed_at": timezone.now().isoformat(),
        "tasks": task_figures,
        "registrations": registrations,
        "meeting": _meeting(meeting),
        "previous_meeting_id": previous_meeting.pk if previous_meeting else None,
        "follow_up": _follow_up(quarter, previous_meeting),
        "history": _history(
            quarters,
            tasks,
            reports,
            today,
            task_figures,
            registrations_history,
            meetings,
        ),
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
