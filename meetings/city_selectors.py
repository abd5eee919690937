"""The city view: one quarter across the wards a user may see, one row per ward.

``city_quarter(user=, quarter=)``: the headline figures of the quarter for every ward the
user may see (``wardwork.selectors.ward_list``), computed with grouped aggregates, so the
number of queries does not depend on the number of wards. The definitions are those of
``meetings.review_figures`` (tasks of the quarter, expected reports, late, counted
registrations, the review meeting); a finalised quarter shows its snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from meetings.models import (
    Meeting,
    MeetingKind,
    MeetingStatus,
    QuarterlyReview,
    ReviewStatus,
)
from meetings.review_figures import earlier_q, live_q, quarter_start_datetime, reference_day
from models_registry.models import (
    COUNTED_STATUSES,
    Registration,
    RegistrationKind,
)
from plans.models import ProgressReport, Task, TaskStatus
from wardwork.models import Ward
from wardwork.quarters import Quarter
from wardwork.selectors import visible_ward_ids, ward_list


def sees_several_wards(user) -> bool:
    """A superuser, or a role that reaches more than one ward (``visible_ward_ids``)."""
    ward_ids = visible_ward_ids(user)
    return ward_ids is None or len(ward_ids) > 1


FIGURE_KEYS = (
    "tasks_total",
    "tasks_done",
    "tasks_late",
    "reports_expected",
    "reports_received",
    "reports_missing",
    "collective",
    "individual",
    "contributions",
    "conclusions",
)


@dataclass
class WardRow:
    ward: Ward
    review_status: str | None = None
    from_snapshot: bool = False
    tasks_total: int = 0
    tasks_done: int = 0
    tasks_late: int = 0
    reports_expected: int = 0
    reports_received: int = 0
    reports_missing: int = 0
    collective: int = 0
    individual: int = 0
    meeting: dict | None = None  # id, title, status, held_at (a local datetime)
    contributions: int = 0
    conclusions: int = 0

    @property
    def review_status_label(self) -> str:
        return str(dict(ReviewStatus.choices).get(self.review_status, ""))


@dataclass
class CityQuarter:
    quarter: Quarter
    rows: list[WardRow]

    @property
    def totals(self) -> dict:
        totals = {key: sum(getattr(r, key) for r in self.rows) for key in FIGURE_KEYS}
        totals["wards"] = len(self.rows)
        totals["meetings"] = sum(1 for r in self.rows if r.meeting)
        totals["by_status"] = {
            status: sum(1 for r in self.rows if r.review_status == status)
            for status in ReviewStatus.values
        }
        totals["not_opened"] = sum(1 for r in self.rows if r.review_status is None)
        return totals


def _quarter_tasks(ward_ids, quarter: Quarter):
    """The tasks of the quarter in those wards (``review_figures``: live, not cancelled, and
    not already reported done by every assigned unit in an earlier quarter)."""
    done_earlier = ProgressReport.objects.filter(status=TaskStatus.DONE).filter(earlier_q(quarter))
    lead_finished = Exists(
        done_earlier.filter(task_id=OuterRef("pk"), organization_id=OuterRef("lead_organization"))
    )
    supporter_pending = Exists(
        Task.supporting_organizations.through.objects.filter(task_id=OuterRef("pk")).exclude(
            Exists(
                done_earlier.filter(
                    task_id=OuterRef("task_id"), organization_id=OuterRef("organization_id")
                )
            )
        )
    )
    return (
        Task.objects.filter(ward_id__in=ward_ids)
        .filter(live_q(quarter))
        .exclude(status=TaskStatus.CANCELLED)
        .exclude(lead_finished & ~supporter_pending)
    )


def _task_figures(ward_ids, quarter: Quarter, today: dt.date) -> dict[int, dict]:
    """Per ward: tasks total / done / late (from the lead unit's reports, as the quarter page
    judges a task) and reports expected / received. Two grouped queries."""
    reference = reference_day(quarter, today)
    this_quarter = ProgressReport.objects.filter(year=quarter.year, quarter=quarter.number)
    done_earlier = ProgressReport.objects.filter(status=TaskStatus.DONE).filter(earlier_q(quarter))
    # A deadline (the due date, else the end of the due quarter) before the reference day.
    past_deadline = Q(due_date__lt=reference) | Q(
        due_date__isnull=True, due_quarter__lt=Quarter.containing(reference).slug
    )
    tasks = _quarter_tasks(ward_ids, quarter).annotate(
        lead_done=Exists(
            this_quarter.filter(
                task_id=OuterRef("pk"),
                organization_id=OuterRef("lead_organization"),
                status=TaskStatus.DONE,
            )
        ),
        lead_reported=Exists(
            this_quarter.filter(
                task_id=OuterRef("pk"), organization_id=OuterRef("lead_organization")
            )
        ),
        lead_finished=Exists(
            done_earlier.filter(
                task_id=OuterRef("pk"), organization_id=OuterRef("lead_organization")
            )
        ),
    )
    figures: dict[int, dict] = defaultdict(lambda: dict.fromkeys(FIGURE_KEYS, 0))
    for row in (
        tasks.values("ward_id")
        .annotate(
            total=Count("pk"),
            # Done: the lead reported it done this quarter, or in an earlier one (then
            # only supporting units still owe a report).
            done=Count("pk", filter=Q(lead_done=True) | Q(lead_finished=True)),
            late=Count("pk", filter=Q(lead_done=False, lead_finished=False) & past_deadline),
            expected=Count("pk", filter=Q(lead_finished=False)),
            received=Count("pk", filter=Q(lead_finished=False, lead_reported=True)),
        )
        .order_by()
    ):
        ward = figures[row["ward_id"]]
        ward["tasks_total"] = row["total"]
        ward["tasks_done"] = row["done"]
        ward["tasks_late"] = row["late"]
        ward["reports_expected"] += row["expected"]
        ward["reports_received"] += row["received"]
    support = (
        Task.supporting_organizations.through.objects.filter(
            task_id__in=_quarter_tasks(ward_ids, quarter).values("pk")
        )
        .annotate(
            finished=Exists(
                done_earlier.filter(
                    task_id=OuterRef("task_id"), organization_id=OuterRef("organization_id")
                )
            ),
            reported=Exists(
                this_quarter.filter(
                    task_id=OuterRef("task_id"), organization_id=OuterRef("organization_id")
                )
            ),
        )
        .values("task__ward_id")
        .annotate(
            expected=Count("pk", filter=Q(finished=False)),
            received=Count("pk", filter=Q(finished=False, reported=True)),
        )
        .order_by()
    )
    for row in support:
        ward = figures[row["task__ward_id"]]
        ward["reports_expected"] += row["expected"]
        ward["reports_received"] += row["received"]
    for ward in figures.values():
        ward["reports_missing"] = ward["reports_expected"] - ward["reports_received"]
    return figures


def _registration_figures(ward_ids, quarter: Quarter) -> dict[int, dict]:
    """Per ward: counted registrations of the year sent in by the end of the quarter."""
    sent_by_end = Q(submitted_at__isnull=True) | Q(
        submitted_at__lt=quarter_start_datetime(quarter.next())
    )
    return {
        row["ward_id"]: row
        for row in Registration.objects.filter(
            ward_id__in=ward_ids, year=quarter.year, status__in=COUNTED_STATUSES
        )
        .filter(sent_by_end)
        .values("ward_id")
        .annotate(
            collective=Count("pk", filter=Q(kind=RegistrationKind.COLLECTIVE)),
            individual=Count("pk", filter=Q(kind=RegistrationKind.INDIVIDUAL)),
        )
        .order_by()
    }


def _review_meetings(ward_ids, quarter: Quarter) -> dict[int, dict]:
    """Per ward: its review meeting about the quarter (the latest when several, as
    ``review_meeting_of``) with its contributions and conclusions counted."""
    meetings: dict[int, dict] = {}
    for row in (
        Meeting.objects.filter(
            ward_id__in=ward_ids,
            kind=MeetingKind.QUARTERLY_REVIEW,
            year=quarter.year,
            quarter=quarter.number,
        )
        .values("pk", "ward_id", "title", "status", "held_at")
        .annotate(
            contributions=Count("contributions", distinct=True),
            conclusions=Count("conclusions", distinct=True),
        )
        .order_by("ward_id", "-held_at", "-pk")
    ):
        meetings.setdefault(row["ward_id"], row)
    return meetings


def _meeting_status_label(status) -> str:
    return str(dict(MeetingStatus.choices).get(status, ""))


def _from_snapshot(row: WardRow, figures: dict) -> None:
    tasks = figures.get("tasks") or {}
    registrations = figures.get("registrations") or {}
    meeting = figures.get("meeting")
    row.from_snapshot = True
    row.tasks_total = tasks.get("total", 0)
    row.tasks_done = tasks.get("done", 0)
    row.tasks_late = tasks.get("late", 0)
    row.reports_expected = tasks.get("expected", 0)
    row.reports_received = tasks.get("received", 0)
    row.reports_missing = tasks.get("missing", 0)
    row.collective = registrations.get("collective", 0)
    row.individual = registrations.get("individual", 0)
    if meeting:
        held_at = meeting.get("held_at")
        row.meeting = {
            "id": meeting.get("id"),
            "title": meeting.get("title", ""),
            "status": meeting.get("status"),
            "held_at": dt.datetime.fromisoformat(held_at) if held_at else None,
            "status_label": _meeting_status_label(meeting.get("status")),
        }
        row.contributions = meeting.get("contributions", 0)
        row.conclusions = meeting.get("conclusions", 0)
    else:
        row.meeting = None
        row.contributions = row.conclusions = 0


def city_quarter(*, user, quarter: Quarter, today: dt.date | None = None) -> CityQuarter:
    """One row per ward the user may see, by name: the review's status and the quarter's
    headline figures (computed; a finalised review's snapshot). Six queries whatever the
    number of wards: wards, reviews, tasks, supporting units' reports, registrations and
    meetings, each grouped by ward."""
    today = today or timezone.localdate()
    wards = list(ward_list(user=user).order_by("name"))
    ward_ids = [w.pk for w in wards]
    reviews = {
        r["ward_id"]: r
        for r in QuarterlyReview.objects.filter(
            ward_id__in=ward_ids, year=quarter.year, quarter=quarter.number
        ).values("ward_id", "status", "figures")
    }
    tasks = _task_figures(ward_ids, quarter, today)
    registrations = _registration_figures(ward_ids, quarter)
    meetings = _review_meetings(ward_ids, quarter)
    rows = []
    for ward in wards:
        review = reviews.get(ward.pk)
        row = WardRow(ward=ward, review_status=review["status"] if review else None)
        if review and review["status"] == ReviewStatus.FINALIZED and review["figures"]:
            _from_snapshot(row, review["figures"])
        else:
            for key, value in tasks.get(ward.pk, {}).items():
                setattr(row, key, value)
            counted = registrations.get(ward.pk)
            if counted:
                row.collective, row.individual = counted["collective"], counted["individual"]
            meeting = meetings.get(ward.pk)
            if meeting:
                row.meeting = {
                    "id": meeting["pk"],
                    "title": meeting["title"],
                    "status": meeting["status"],
                    "held_at": timezone.localtime(meeting["held_at"]),
                    "status_label": _meeting_status_label(meeting["status"]),
                }
                row.contributions = meeting["contributions"]
                row.conclusions = meeting["conclusions"]
        rows.append(row)
    return CityQuarter(quarter=quarter, rows=rows)
