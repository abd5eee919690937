"""The city view: one quarter across the wards a user may see, one row per ward.

``city_quarter(user=, quarter=)``: the headline figures of the quarter for every ward the
user may see (``wardwork.selectors.ward_list``), computed with grouped aggregates, so the
number of queries does not depend on the number of wards. The definitions are those of
``meetings.review_figures`` (tasks of the quarter, expected reports, late, counted
registrations, the review meeting); a finalised quarter shows its snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Case, Count, IntegerField, Q, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from meetings.models import (
    Meeting,
    MeetingKind,
    MeetingStatus,
    QuarterlyReview,
    ReviewStatus,
)
from meetings.review_figures import live_q, quarter_start_datetime, reference_day
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
    computed_at: dt.datetime | None = None

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


def _task_figures(ward_ids, quarter: Quarter, today: dt.date) -> dict[int, dict]:
    """Per ward: tasks total / done / late (from the lead unit's reports, as the quarter page
    judges a task) and reports expected / received / missing. One query.

    The tasks of the quarter (``review_figures``: live, not cancelled, and not already
    reported done by every assigned unit in an earlier quarter) are read once, with their
    assignments (the lead and each supporting unit) and, per assignment, its reports folded
    into three flags: finished (reported done in an earlier quarter), reported this quarter,
    done this quarter. Everything is then hash-joined and grouped by task, then by ward, so
    each report is read once (no correlated subquery per task).
    """
    reference = reference_day(quarter, today)
    # A deadline (the due date, else the end of the due quarter) before the reference day.
    past_deadline = Q(due_date__lt=reference) | Q(
        due_date__isnull=True, due_quarter__lt=Quarter.containing(reference).slug
    )
    tasks = (
        Task.objects.filter(ward_id__in=ward_ids)
        .filter(live_q(quarter))
        .exclude(status=TaskStatus.CANCELLED)
        .annotate(past=Case(When(past_deadline, then=Value(1)), default=Value(0)))
        .values_list("pk", "ward_id", "lead_organization_id", "past")
        .order_by()
    )
    tasks_sql, tasks_params = tasks.query.sql_with_params()
    report = ProgressReport._meta.db_table
    support = Task.supporting_organizations.through._meta.db_table
    year, number = quarter.year, quarter.number
    earlier = "(r.year < %s OR (r.year = %s AND r.quarter < %s))"
    this = "(r.year = %s AND r.quarter = %s)"
    sql = f"""
        WITH t (id, ward_id, lead_id, past) AS ({tasks_sql}),
        a (task_id, org_id, is_lead) AS (
            SELECT id, lead_id, 1 FROM t
            UNION ALL
            SELECT s.task_id, s.organization_id, 0 FROM {support} s JOIN t ON t.id = s.task_id
        ),
        f (task_id, org_id, finished, reported, done_now) AS (
            SELECT r.task_id, r.organization_id,
                MAX(CASE WHEN r.status = %s AND {earlier} THEN 1 ELSE 0 END),
                MAX(CASE WHEN {this} THEN 1 ELSE 0 END),
                MAX(CASE WHEN r.status = %s AND {this} THEN 1 ELSE 0 END)
            FROM {report} r JOIN t ON t.id = r.task_id
            WHERE (r.status = %s AND {earlier}) OR {this}
            GROUP BY r.task_id, r.organization_id
        ),
        p (task_id, lead_finished, lead_done, pending, expected, received) AS (
            SELECT a.task_id,
                MAX(CASE WHEN a.is_lead = 1 THEN COALESCE(f.finished, 0) ELSE 0 END),
                MAX(CASE WHEN a.is_lead = 1 THEN COALESCE(f.done_now, 0) ELSE 0 END),
                MAX(1 - COALESCE(f.finished, 0)),
                SUM(1 - COALESCE(f.finished, 0)),
                SUM(CASE WHEN COALESCE(f.finished, 0) = 0 AND f.reported = 1 THEN 1 ELSE 0 END)
            FROM a LEFT JOIN f ON f.task_id = a.task_id AND f.org_id = a.org_id
            GROUP BY a.task_id
        )
        SELECT t.ward_id,
            COUNT(*),
            SUM(CASE WHEN p.lead_done = 1 OR p.lead_finished = 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN p.lead_done = 0 AND p.lead_finished = 0 AND t.past = 1
                THEN 1 ELSE 0 END),
            SUM(p.expected),
            SUM(p.received)
        FROM p JOIN t ON t.id = p.task_id
        WHERE p.pending = 1
        GROUP BY t.ward_id
    """  # noqa: S608 (table names from the models' meta; every value is a parameter)
    done = TaskStatus.DONE
    params = [
        *tasks_params,
        *(done, year, year, number),
        *(year, number),
        *(done, year, number),
        *(done, year, year, number),
        *(year, number),
    ]
    figures: dict[int, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for ward_id, total, done_, late, expected, received in cursor.fetchall():
            # A task is pending while one of its units has not finished it: "done" is the
            # lead's report of this quarter or an earlier one (then only supporting units
            # still owe a report); "late" is not done with its deadline passed.
            figures[ward_id] = {
                "tasks_total": total,
                "tasks_done": int(done_),
                "tasks_late": int(late),
                "reports_expected": int(expected),
                "reports_received": int(received),
                "reports_missing": int(expected) - int(received),
            }
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


def _snapshot_row(review: dict) -> dict:
    """A finalised review's frozen figures, from the keys ``city_quarter`` read."""
    return {
        "from_snapshot": True,
        "tasks_total": review["s_total"] or 0,
        "tasks_done": review["s_done"] or 0,
        "tasks_late": review["s_late"] or 0,
        "reports_expected": review["s_expected"] or 0,
        "reports_received": review["s_received"] or 0,
        "reports_missing": review["s_missing"] or 0,
        "collective": review["s_collective"] or 0,
        "individual": review["s_individual"] or 0,
        "meeting": _snapshot_meeting(review["s_meeting"]),
    }


def _snapshot_meeting(meeting: dict | None) -> dict | None:
    if not meeting:
        return None
    held_at = meeting.get("held_at")
    return {
        "id": meeting.get("id"),
        "title": meeting.get("title", ""),
        "status": meeting.get("status"),
        "held_at": dt.datetime.fromisoformat(held_at) if held_at else None,
        "contributions": meeting.get("contributions", 0),
        "conclusions": meeting.get("conclusions", 0),
    }


def _ward_figures(ward_ids: list[int], quarter: Quarter, today: dt.date) -> dict[int, dict]:
    """Per ward: the review's status and the figures of the row (no label, no model: what
    may be cached). A finalised review with a snapshot gives its frozen figures and only
    its keys are read (not the task rows the snapshot also keeps); the other wards are
    computed, four queries whatever their number."""
    snapshot = {
        "s_total": KT("figures__tasks__total"),
        "s_done": KT("figures__tasks__done"),
        "s_late": KT("figures__tasks__late"),
        "s_expected": KT("figures__tasks__expected"),
        "s_received": KT("figures__tasks__received"),
        "s_missing": KT("figures__tasks__missing"),
        "s_collective": KT("figures__registrations__collective"),
        "s_individual": KT("figures__registrations__individual"),
    }
    reviews = {
        r["ward_id"]: r
        for r in QuarterlyReview.objects.filter(
            ward_id__in=ward_ids, year=quarter.year, quarter=quarter.number
        )
        .annotate(
            frozen=Case(
                When(
                    Q(status=ReviewStatus.FINALIZED, figures__isnull=False) & ~Q(figures={}),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            **{key: Cast(value, IntegerField()) for key, value in snapshot.items()},
        )
        .values("ward_id", "status", "frozen", "figures__meeting", *snapshot)
    }
    out: dict[int, dict] = {}
    live_ids = []
    for ward_id in ward_ids:
        review = reviews.get(ward_id)
        if review and review["frozen"]:
            review["s_meeting"] = review["figures__meeting"]
            out[ward_id] = {"review_status": review["status"], **_snapshot_row(review)}
        else:
            live_ids.append(ward_id)
            out[ward_id] = {"review_status": review["status"] if review else None}
    if not live_ids:
        return out
    tasks = _task_figures(live_ids, quarter, today)
    registrations = _registration_figures(live_ids, quarter)
    meetings = _review_meetings(live_ids, quarter)
    for ward_id in live_ids:
        row = out[ward_id]
        row.update(tasks.get(ward_id, {}))
        counted = registrations.get(ward_id)
        if counted:
            row["collective"], row["individual"] = counted["collective"], counted["individual"]
        meeting = meetings.get(ward_id)
        if meeting:
            row["meeting"] = {
                "id": meeting["pk"],
                "title": meeting["title"],
                "status": meeting["status"],
                "held_at": timezone.localtime(meeting["held_at"]),
                "contributions": meeting["contributions"],
                "conclusions": meeting["conclusions"],
            }
    return out


# How long the city's figures are kept: they are shown with the time they were computed.
CACHE_SECONDS = 120


def _cache_key(ward_ids: list[int], quarter: Quarter, today: dt.date) -> str:
    """The figures depend on the wards (the set the user may see, never another user's
    wider one), the quarter and the day "late" is judged on."""
    wards = hashlib.sha256(",".join(map(str, sorted(ward_ids))).encode()).hexdigest()
    return f"city-quarter:{quarter.slug}:{today.isoformat()}:{wards}"


def city_quarter(
    *, user, quarter: Quarter, today: dt.date | None = None, fresh: bool = False
) -> CityQuarter:
    """One row per ward the user may see, by name: the review's status and the quarter's
    headline figures (computed; a finalised review's snapshot).

    The figures are computed for the whole set of wards (reviews, tasks with their units'
    reports, registrations, meetings: four queries whatever the number of wards) and kept
    ``CACHE_SECONDS`` under a key made of that set of wards, the quarter and the day, so a
    user never sees figures computed for another set; ``computed_at`` says how old they
    are. ``fresh`` computes them again. One query (the wards) when they are kept."""
    today = today or timezone.localdate()
    wards = list(ward_list(user=user).order_by("name"))
    ward_ids = [w.pk for w in wards]
    key = _cache_key(ward_ids, quarter, today)
    cached = None if fresh else cache.get(key)
    if cached is None:
        cached = {"computed_at": timezone.now(), "wards": _ward_figures(ward_ids, quarter, today)}
        cache.set(key, cached, CACHE_SECONDS)
    rows = []
    for ward in wards:
        values = dict(cached["wards"].get(ward.pk) or {})
        meeting = values.pop("meeting", None)
        row = WardRow(ward=ward, **values)
        if meeting:
            row.contributions, row.conclusions = meeting["contributions"], meeting["conclusions"]
            row.meeting = {
                "id": meeting["id"],
                "title": meeting["title"],
                "status": meeting["status"],
                "held_at": meeting["held_at"],
                "status_label": _meeting_status_label(meeting["status"]),
            }
        rows.append(row)
    return CityQuarter(quarter=quarter, rows=rows, computed_at=cached["computed_at"])
