"""Plan pages. Thin: objects come from ``selectors`` (scoped to the user's ward, 404
outside it), permissions from ``plans.rules`` (403), changes go through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plans import exports, selectors, services
from plans.forms import PlanFilterForm, PlanForm, ProgressReportForm, TaskForm
from plans.models import Plan, ProgressReport, Task
from plans.rules import can_manage_plans, can_report_on_task, reportable_units
from wardwork.forms import errors_to_form
from wardwork.models import Organization
from wardwork.periods import period_closed_message
from wardwork.quarters import Quarter
from wardwork.roles import require, roles_of
from wardwork.selectors import get_for_user, scope_to_user, ward_for_request

PAGE_SIZE = 30  # plans on the plan list
PLAN_TASKS_PAGE_SIZE = 50  # tasks on a plan's page
TASK_REPORTS_PAGE_SIZE = 40  # reports on a task's page
MY_TASKS_PAGE_SIZE = 20  # tasks (each with its report form) on "Việc của đơn vị tôi"
MATRIX_PAGE_SIZE = 25  # tasks (rows) of the progress matrix


def _quarter_from(request) -> Quarter:
    """The quarter asked for (?quarter=I/2021), else the current one; a quarter whose
    neighbours cannot exist (year 1900 or 9999) is not offered."""
    try:
        quarter = Quarter.parse(request.GET.get("quarter") or request.POST.get("quarter") or "")
    except ValueError:
        return Quarter.current()
    return quarter if 1900 < quarter.year < 9999 else Quarter.current()


# --- plans --------------------------------------------------------------------------------------


def plan_list(request):
    ward = ward_for_request(request)
    issuers = Organization.objects.filter(
        issued_plans__in=scope_to_user(Plan.objects.all(), request.user)
    ).distinct()
    form = PlanFilterForm(request.GET or None, issuers=issuers.order_by("name"))
    filters = form.cleaned_data if form.is_valid() else {}
    plans = selectors.plan_list(user=request.user, filters=filters)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {
            "form": form,
            "page_obj": page,
            "ward": ward,
            "can_manage": can_manage_plans(request.user, ward),
        },
    )


def plan_detail(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk, with_tasks=False)
    page = selectors.plan_task_page(
        plan=plan, per_page=PLAN_TASKS_PAGE_SIZE, page=request.GET.get("page")
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tasks": page.object_list,
            "page_obj": page,
            "can_manage": can_manage_plans(request.user, plan),
        },
    )


def plan_create(request):
    ward = ward_for_request(request)
    require(can_manage_plans(request.user, ward))
    return _plan_form(request, ward=ward, plan=Plan(ward=ward))


def plan_update(request, pk: int):
    plan = get_for_user(Plan.objects.select_related("ward", "issuer"), request.user, pk=pk)
    require(can_manage_plans(request.user, plan))
    return _plan_form(request, ward=plan.ward, plan=plan)


def _plan_form(request, *, ward, plan):
    creating = plan.pk is None
    form = PlanForm(request.POST or None, request.FILES or None, instance=plan, ward=ward)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_save(
                actor=request.user,
                plan=form.instance,
                expected_version=form.expected_version,
                edited_fields=form.edited_fields,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Plan %(symbol)s saved.") % {"symbol": saved.symbol})
            return redirect("plans:plan_detail", pk=saved.pk)
    return render(
        request, "plans/plan_form.html", {"form": form, "plan": plan, "creating": creating}
    )


@require_POST
def plan_archive(request, pk: int):
    plan = get_for_user(Plan.objects.all(), request.user, pk=pk)
    require(can_manage_plans(request.user, plan))
    active = request.POST.get("active") == "1"
    services.plan_archive(actor=request.user, plan=plan, active=active)
    messages.success(
        request,
        _("Plan resumed.") if active else _("Plan archived: it is kept, but no longer followed."),
    )
    return redirect("plans:plan_detail", pk=plan.pk)


def plan_export(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    content = exports.plan_workbook(plan)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    safe = plan.symbol.replace("/", "_").replace(" ", "")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(safe)}.xlsx"
    return response


def plan_attachment(request, pk: int):
    """The plan's file, only to users who may see the plan (never a public /media/ URL)."""
    plan = get_for_user(Plan.objects.all(), request.user, pk=pk)
    return _file_response(plan.attachment)


def report_evidence(request, pk: int):
    report = get_for_user(ProgressReport.objects.all(), request.user, ward_field="ward", pk=pk)
    return _file_response(report.attachment)


def _file_response(field_file):
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = field_file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# --- tasks --------------------------------------------------------------------------------------


def task_create(request, plan_pk: int):
    plan = get_for_user(Plan.objects.select_related("ward"), request.user, pk=plan_pk)
    require(can_manage_plans(request.user, plan))
    return _task_form(request, task=Task(ward=plan.ward, plan=plan), plan=plan)


def task_update(request, pk: int):
    task = get_for_user(Task.objects.select_related("ward", "plan"), request.user, pk=pk)
    require(can_manage_plans(request.user, task))
    return _task_form(request, task=task, plan=task.plan)


def _task_form(request, *, task, plan):
    form = TaskForm(request.POST or None, instance=task, ward=task.ward, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.task_save(
                actor=request.user,
                task=form.instance,
                supporting_organizations=form.cleaned_data["supporting_organizations"],
                expected_version=form.expected_version,
                edited_fields=form.edited_fields,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Task %(n)s saved.") % {"n": saved.ordinal})
            return (
                redirect("plans:plan_detail", pk=plan.pk)
                if plan
                else redirect("plans:task_detail", pk=saved.pk)
            )
    return render(request, "plans/task_form.html", {"form": form, "task": task, "plan": plan})


def task_detail(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    page = selectors.task_report_page(
        task=task, per_page=TASK_REPORTS_PAGE_SIZE, page=request.GET.get("page")
    )
    history = (
        task.reports.model.history.filter(task_id=task.pk)
        .select_related("history_user", "organization")
        .order_by("-history_date")[:100]
    )
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "reports": page.object_list,
            "page_obj": page,
            "report_history": history,
            "can_manage": can_manage_plans(request.user, task),
            "can_report": can_report_on_task(request.user, task),
        },
    )


@require_POST
def report_submit(request, pk: int):
    """One unit's report for one task and quarter (from "Việc của đơn vị tôi")."""
    task = selectors.task_get(user=request.user, pk=pk)
    require(can_report_on_task(request.user, task))
    quarter = _quarter_from(request)
    units = {u.pk: u for u in reportable_units(request.user, task)}
    unit = units.get(int(request.POST["unit"])) if request.POST.get("unit", "").isdigit() else None
    if unit is None:
        raise PermissionDenied
    prefix = f"r{task.pk}-{unit.pk}"
    form = ProgressReportForm(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            result = services.progress_report_submit(
                actor=request.user,
                task=task,
                organization=unit,
                quarter=quarter,
                status=form.cleaned_data["status"],
                percent=form.cleaned_data["percent"],
                narrative=form.cleaned_data["narrative"],
                attachment=form.cleaned_data.get("attachment"),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            text = (
                _("Report saved.")
                if result.created
                else _("Report updated; the earlier version is kept.")
            )
            if request.htmx:
                row = selectors.TaskRow(
                    task=task,
                    unit=unit,
                    report=result.report,
                    is_lead=unit.pk == task.lead_organization_id,
                )
                return render(
                    request,
                    "plans/_task_row.html",
                    {
                        "row": _with_form(row),
                        "quarter": quarter,
                        "saved_message": text,
                        "page_number": _page_number(request.POST),
                    },
                )
            messages.success(request, text)
            # Back to the page of "Việc của đơn vị tôi" the report was sent from.
            page = _page_number(request.POST)
            page_query = f"&page={page}" if page else ""
            return redirect(
                f"{reverse('plans:my_tasks')}?quarter={quarter.slug}{page_query}"
                f"#task-{task.pk}-{unit.pk}"
            )
    row = selectors.TaskRow(
        task=task, unit=unit, report=None, is_lead=unit.pk == task.lead_organization_id
    )
    row.form = form
    template = "plans/_task_row.html" if request.htmx else "plans/my_tasks.html"
    context = {
        "row": row,
        "quarter": quarter,
        "rows": [row],
        "single": True,
        "page_number": _page_number(request.POST),
    }
    return render(request, template, context, status=200 if request.htmx else 400)


def _page_number(data) -> int | None:
    """The page of "Việc của đơn vị tôi" a report was sent from (None for the first)."""
    page = data.get("page", "")
    return int(page) if page.isdigit() and 1 < int(page) < 100_000 else None


# The classes crispy's bootstrap5 template gives these widgets: plans/_report_field.html
# draws an unbound report form that fast (crispy still draws a form with errors).
REPORT_WIDGET_CLASSES = {
    "status": "select form-select",
    "percent": "numberinput form-control",
    "narrative": "textarea form-control",
    "attachment": "form-control",
}


def _with_form(row):
    instance = row.report
    initial = (
        {}
        if instance
        else {"status": row.task.status if row.task.status != "cancelled" else "open", "percent": 0}
    )
    row.form = ProgressReportForm(
        instance=instance, initial=initial, prefix=f"r{row.task.pk}-{row.unit.pk}"
    )
    # A report with evidence gets crispy's "currently / clear / change" file field.
    row.plain_form = not (instance and instance.attachment)
    if row.plain_form:
        for name, css in REPORT_WIDGET_CLASSES.items():
            row.form.fields[name].widget.attrs["class"] = css
    return row


def my_tasks(request):
    """ "Việc của đơn vị tôi": the user's units' tasks, with this quarter's report form."""
    quarter = _quarter_from(request)
    mine = selectors.my_unit_task_page(
        user=request.user,
        quarter=quarter,
        per_page=MY_TASKS_PAGE_SIZE,
        page=request.GET.get("page"),
    )
    return render(
        request,
        "plans/my_tasks.html",
        {
            "rows": [_with_form(row) for row in mine.rows],
            "page_obj": mine.page,
            "page_number": mine.page.number if mine.page and mine.page.number > 1 else None,
            "quarter": quarter,
            "missing": mine.missing,
            "has_units": bool(roles_of(request.user).managed_unit_ids),
            # A finalised quarter takes no report: say so rather than offer forms.
            "closed_message": period_closed_message(request.user.ward_id, quarter),
        },
    )


def progress_matrix(request):
    ward = ward_for_request(request)
    require(
        roles_of(request.user).sees_whole_ward
        and (request.user.is_superuser or ward.pk == request.user.ward_id)
    )
    quarter = _quarter_from(request)
    plan = None
    if (request.GET.get("plan") or "").isdigit():
        plan = get_for_user(Plan.objects.all(), request.user, pk=request.GET["plan"])
    matrix = selectors.progress_matrix(
        user=request.user,
        ward=ward,
        quarter=quarter,
        plan=plan,
        per_page=MATRIX_PAGE_SIZE,
        page=request.GET.get("page"),
    )
    return render(
        request,
        "plans/matrix.html",
        {
            "matrix": matrix,
            "page_obj": matrix.page,
            "quarter": quarter,
            "plan": plan,
            "ward": ward,
            "extra_query": f"&plan={plan.pk}" if plan else "",
            "plans": selectors.plan_options(user=request.user).filter(ward=ward, is_active=True),
        },
    )
