"""XLSX export of a plan: its tasks, then every progress report on them."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from plans.models import Plan, ProgressReport, TaskStatus
from wardwork import xlsx
from wardwork.quarters import Quarter

EXPORT_CHUNK = 1000  # progress reports read per query by the export

# The order of the progress sheet (the primary key last: every row has one place).
REPORT_ORDER = ("task__ordinal", "year", "quarter", "organization__name", "pk")
# What a row of the progress sheet shows, as read from the database.
REPORT_VALUES = (
    "task__ordinal",
    "task__title",
    "organization__name",
    "year",
    "quarter",
    "status",
    "percent",
    "narrative",
    "reported_by__username",
    "reported_by__person__full_name",  # None: no person, the user name is shown
    "reported_at",
)


def _header(sheet, labels):
    sheet.append([xlsx.cell(sheet, str(label), font=Font(bold=True)) for label in labels])


def _date(value):
    return value.strftime("%d/%m/%Y") if value else ""


def _report_rows(plan: Plan, tasks):
    """The ``REPORT_VALUES`` of the reports on ``tasks``, in ``REPORT_ORDER``, at most
    ``EXPORT_CHUNK`` rows per query, as plain tuples.

    Not ``.iterator()``: behind PgBouncer in transaction pooling server-side cursors are off
    (``DISABLE_SERVER_SIDE_CURSORS``, docs/scaling.md) and psycopg2 then reads the whole
    result at once. The first chunk is read as it is (one query, as before, for a plan with
    up to ``EXPORT_CHUNK`` reports); a larger export then reads the keys of the remaining
    rows in order and each chunk of them by ``pk IN (...)``, as in
    ``models_registry/spreadsheets.py``, so memory holds one chunk at a time."""
    reports = ProgressReport.objects.filter(ward_id=plan.ward_id, task__in=tasks).order_by(
        *REPORT_ORDER
    )
    first = list(reports.values_list(*REPORT_VALUES)[:EXPORT_CHUNK])
    yield from first
    if len(first) < EXPORT_CHUNK:
        return
    first = None  # not held while the rest is read
    keys = list(reports.values_list("pk", flat=True)[EXPORT_CHUNK:])
    rows = ProgressReport._base_manager.order_by().values_list("pk", *REPORT_VALUES)
    for start in range(0, len(keys), EXPORT_CHUNK):
        chunk = keys[start : start + EXPORT_CHUNK]
        by_key = {row[0]: row[1:] for row in rows.filter(pk__in=chunk)}
        # A report deleted since the keys were read is left out; the order stays the keys'.
        yield from (by_key[key] for key in chunk if key in by_key)
        by_key = None


def plan_workbook(plan: Plan) -> bytes:
    """Two sheets: the tasks with their units, deadline and status; the progress reports.
    ``plan`` comes from ``selectors.plan_get`` (tasks and units prefetched)."""
    workbook = Workbook(write_only=True)  # rows stream out; memory does not grow with them

    tasks_sheet = workbook.create_sheet(_("Tasks"))
    xlsx.row(tasks_sheet, [f"{plan.label} – {plan.title}"])
    tasks_sheet.append([])
    _header(
        tasks_sheet,
        [
            _("No."),
            _("Task"),
            _("Lead unit"),
            _("Supporting units"),
            _("Deadline"),
            _("Status"),
            _("Overdue"),
        ],
    )
    today = timezone.localdate()
    tasks = list(plan.tasks.all())
    for task in tasks:
        xlsx.row(
            tasks_sheet,
            [
                task.ordinal,
                task.title,
                task.lead_organization.name,
                ", ".join(o.name for o in task.supporting_organizations.all()),
                _date(task.due_date) or (task.due_quarter.short_label if task.due_quarter else ""),
                task.get_status_display(),
                _("Yes") if task.is_overdue(today) else "",
            ],
        )

    reports_sheet = workbook.create_sheet(_("Progress"))
    _header(
        reports_sheet,
        [
            _("No."),
            _("Task"),
            _("Unit"),
            _("Quarter"),
            _("Status"),
            _("Percent done"),
            _("What was done"),
            _("Reported by"),
            _("Reported at"),
        ],
    )
    statuses = {value: str(label) for value, label in TaskStatus.choices}
    for row in _report_rows(plan, tasks):
        ordinal, title, unit, year, quarter, status, percent, narrative = row[:8]
        username, full_name, reported_at = row[8:]
        xlsx.row(
            reports_sheet,
            [
                ordinal,
                title,
                unit,
                Quarter(year, quarter).short_label,
                statuses.get(status, status),
                percent,
                narrative,
                full_name if full_name is not None else (username or ""),
                timezone.localtime(reported_at).strftime("%d/%m/%Y %H:%M") if reported_at else "",
            ],
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
