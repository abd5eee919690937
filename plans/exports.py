"""XLSX export of a plan: its tasks, then every progress report on them."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from plans.models import Plan, ProgressReport
from wardwork import xlsx


def _header(sheet, labels):
    sheet.append([xlsx.cell(sheet, str(label), font=Font(bold=True)) for label in labels])


def _date(value):
    return value.strftime("%d/%m/%Y") if value else ""


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
    reports = (
        ProgressReport.objects.filter(task__in=tasks)
        .select_related("task", "organization", "reported_by__person")
        .order_by("task__ordinal", "year", "quarter", "organization__name")
    )
    for report in reports.iterator(chunk_size=500):
        reporter = report.reported_by
        xlsx.row(
            reports_sheet,
            [
                report.task.ordinal,
                report.task.title,
                report.organization.name,
                report.period.short_label,
                report.get_status_display(),
                report.percent,
                report.narrative,
                (
                    reporter.person.full_name
                    if reporter and reporter.person_id
                    else getattr(reporter, "username", "")
                ),
                timezone.localtime(report.reported_at).strftime("%d/%m/%Y %H:%M")
                if report.reported_at
                else "",
            ],
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
