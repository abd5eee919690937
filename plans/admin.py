"""Django admin for plans, their tasks, progress reports and document numbering.

Every page is scoped to the user's ward (``WardScopedAdminMixin``) and every save goes
through the models' validation: the forms below add the checks the services make (a
readable symbol, no second copy of the same document, units of the task's ward, a report
only from an assigned unit), so a correction in the admin cannot store what the pages
would refuse.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import models
from django.db.models import Count, Max, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans.models import (
    DocumentSequence,
    Plan,
    ProgressReport,
    Task,
    TaskStatus,
    TaskSupportingOrganization,
)
from plans.search import plan_search_condition
from plans.services import MESSAGE_NOT_ASSIGNED, duplicate_message, plan_duplicate
from plans.symbols import SymbolError, parse_symbol
from wardwork.admin_concurrency import CHANGE_FORM_TEMPLATE, VersionedAdminForm
from wardwork.admin_mixins import FoldedSearchAdminMixin, WardScopedAdminMixin
from wardwork.models import Organization
from wardwork.periods import period_closed_message
from wardwork.quarters import Quarter
from wardwork.text import fold

# --- Plan -----------------------------------------------------------------------------------


class PlanAdminForm(VersionedAdminForm):
    class Meta:
        model = Plan
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.symbol_warnings: tuple[str, ...] = ()
        if "doc_type" in self.fields:
            self.fields["doc_type"].required = False
            self.fields["doc_type"].help_text = _("Read from the symbol when left empty.")
        if "number" in self.fields:
            self.fields["number"].help_text = _("Read from the symbol when left empty.")

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("symbol")
        if text:
            try:
                symbol = parse_symbol(text)
            except SymbolError as exc:
                self.add_error("symbol", str(exc))
            else:
                self.symbol_warnings = symbol.warnings
                if not cleaned.get("doc_type"):
                    cleaned["doc_type"] = symbol.doc_type
                if not cleaned.get("number"):
                    cleaned["number"] = symbol.number
        if not cleaned.get("doc_type") and "doc_type" not in self.errors:
            self.add_error("doc_type", gettext("Enter the document type or a readable symbol."))
        ward, issuer, year = cleaned.get("ward"), cleaned.get("issuer"), cleaned.get("year")
        if text and ward and issuer and year and "symbol" not in self.errors:
            existing = plan_duplicate(
                ward=ward, issuer=issuer, year=year, symbol=text, exclude_pk=self.instance.pk
            )
            if existing:
                self.add_error("symbol", duplicate_message(existing))
        if (
            self.instance.pk
            and "ward" in self.changed_data
            and self.instance.tasks.exists()
            and "ward" not in self.errors
        ):
            self.add_error(
                "ward", gettext("This plan has tasks in its ward; it cannot move to another ward.")
            )
        return cleaned


class TaskInlineForm(forms.ModelForm):
    """A task row under its plan: it takes the plan's ward before the model validates it."""

    class Meta:
        model = Task
        fields = ["ordinal", "title", "lead_organization", "due_date", "due_quarter", "status"]
        widgets = {
            "ordinal": forms.NumberInput(attrs={"style": "width: 4em"}),
            "title": forms.TextInput(attrs={"size": 60}),
            "due_quarter": forms.TextInput(attrs={"size": 8}),
        }

    def __init__(self, *args, parent_plan: Plan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_plan = parent_plan

    def clean(self):
        cleaned = super().clean()
        if not self.instance.ward_id:
            ward_id = getattr(self.parent_plan, "ward_id", None)
            lead = cleaned.get("lead_organization")
            self.instance.ward_id = ward_id or getattr(lead, "ward_id", None)
        return cleaned


class TaskInlineFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent_plan": self.instance}

    def clean(self):
        super().clean()
        seen: set[int] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            ordinal = form.cleaned_data.get("ordinal")
            if ordinal is None:
                continue
            if ordinal in seen:
                form.add_error(
                    "ordinal", gettext("A task with this number already exists in the plan.")
                )
            seen.add(ordinal)
        for form in self.forms:
            if form.instance.pk and self.can_delete and self._should_delete_form(form):
                # Deleting the task would delete its reports of a finalised quarter.
                message = _task_locked_message(form.instance)
                if message:
                    raise forms.ValidationError(message)


def _task_locked_message(task: Task) -> str | None:
    periods = task.reports.values_list("year", "quarter").distinct().order_by()
    for year, quarter in periods:
        message = period_closed_message(task.ward_id, Quarter(year, quarter))
        if message:
            return message
    return None


class TaskInline(WardScopedAdminMixin, admin.TabularInline):
    model = Task
    form = TaskInlineForm
    formset = TaskInlineFormSet
    fields = ["ordinal", "title", "lead_organization", "due_date", "due_quarter", "status"]
    autocomplete_fields = ["lead_organization"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(FoldedSearchAdminMixin, WardScopedAdminMixin, SimpleHistoryAdmin):
    form = PlanAdminForm
    change_form_template = CHANGE_FORM_TEMPLATE
    list_display = [
        "symbol",
        "short_title",
        "issuer",
        "issued_on",
        "year",
        "doc_type",
        "task_count",
        "is_active",
    ]
    list_display_links = ["symbol", "short_title"]
    list_filter = ["year", "doc_type", "is_active", "issuer"]
    list_select_related = ["issuer"]
    date_hierarchy = "issued_on"
    autocomplete_fields = ["issuer", "implements"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["ward", "symbol", "issuer", "issued_on", "year"]}),
        (None, {"fields": ["title", "theme", "implements", "attachment", "is_active"]}),
        (
            _("Read from the symbol"),
            {"fields": ["doc_type", "number"], "classes": ["collapse"]},
        ),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]
    inlines = [TaskInline]

    def get_queryset(self, request):
        # Explicit ordering: with the count's GROUP BY the default one would not apply, and
        # the autocomplete pages would be unordered.
        return (
            super()
            .get_queryset(request)
            .annotate(_task_count=Count("tasks", distinct=True))
            .order_by(*Plan._meta.ordering)
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return queryset.filter(plan_search_condition(search_term)), False

    @admin.display(description=pgettext_lazy("document", "title"), ordering="title")
    def short_title(self, obj: Plan) -> str:
        return obj.title if len(obj.title) <= 100 else f"{obj.title[:99]}…"

    @admin.display(description=_("tasks"), ordering="_task_count")
    def task_count(self, obj: Plan) -> int:
        return obj._task_count

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        for warning in getattr(form, "symbol_warnings", ()):
            messages.warning(request, warning)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Task:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for task in instances:
            if task.pk is None:
                task.created_by = request.user
                task.ward_id = form.instance.ward_id
            task._history_user = request.user
            task.save()
        formset.save_m2m()
        return None


# --- Task -----------------------------------------------------------------------------------


class TaskAdminForm(VersionedAdminForm):
    """``supporting_units`` edits ``Task.supporting_organizations``: the admin shows no field
    for a many-to-many with its own table (TaskSupportingOrganization, which carries the
    ward), so the form declares one and saves it with ``set()``, which records the change in
    the task's history as before."""

    supporting_units = forms.ModelMultipleChoiceField(
        label=_("supporting units"),
        queryset=Organization.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(
            Task._meta.get_field("supporting_organizations"), admin.site
        ),
    )
    units_ward_id: int | None = None  # set per request by TaskAdmin for ward staff

    class Meta:
        model = Task
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("supporting_units")
        if field is None:
            return
        if self.units_ward_id is not None:
            field.queryset = Organization.objects.filter(
                Q(ward_id=self.units_ward_id) | Q(ward__isnull=True)
            )
        if self.instance.pk:
            field.initial = [o.pk for o in self.instance.supporting_organizations.all()]

    @property
    def edited_fields(self):
        # A concurrent change of the supporting units is a conflict on this field.
        return [
            "supporting_organizations" if name == "supporting_units" else name
            for name in super().edited_fields
        ]

    def clean(self):
        cleaned = super().clean()
        ward = cleaned.get("ward")
        lead = cleaned.get("lead_organization")
        supporting = cleaned.get("supporting_units")
        if supporting is not None:
            if lead is not None and lead in supporting:
                self.add_error(
                    "supporting_units",
                    gettext("The lead unit is already assigned; it cannot also support."),
                )
            if ward is not None and any(o.ward_id not in (None, ward.pk) for o in supporting):
                self.add_error("supporting_units", gettext("This unit belongs to another ward."))
        return cleaned

    def _save_m2m(self):
        super()._save_m2m()
        if "supporting_units" in self.cleaned_data:
            self.instance.supporting_organizations.set(
                self.cleaned_data["supporting_units"],
                through_defaults={"ward_id": self.instance.ward_id},
            )


class ProgressReportForm(forms.ModelForm):
    """A report only comes from a unit assigned to the task; "done" means 100 %."""

    class Meta:
        model = ProgressReport
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields shown

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == TaskStatus.DONE:
            cleaned["percent"] = 100
        task = cleaned.get("task") or (self.instance.task if self.instance.task_id else None)
        organization = cleaned.get("organization")
        if task is not None and task.pk and organization is not None:
            assigned = {task.lead_organization_id}
            assigned.update(task.supporting_organizations.values_list("pk", flat=True))
            if organization.pk not in assigned:
                self.add_error("organization", str(MESSAGE_NOT_ASSIGNED))
        return cleaned


class ProgressReportInlineFormSet(forms.BaseInlineFormSet):
    """A report of a finalised quarter is not deleted from its task's page either (a deleted
    row is not validated, so its model ``clean()`` cannot refuse it)."""

    def get_unique_error_message(self, unique_check):
        # The ward (part of the unique constraint) is the task's, never typed in a row.
        return super().get_unique_error_message([f for f in unique_check if f != "ward"])

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.instance.pk and self.can_delete and self._should_delete_form(form):
                stored = ProgressReport.objects.select_related("task").get(pk=form.instance.pk)
                message = period_closed_message(stored.task.ward_id, stored.period)
                if message:
                    raise forms.ValidationError(message)


class ProgressReportInline(WardScopedAdminMixin, admin.TabularInline):
    model = ProgressReport
    form = ProgressReportForm
    formset = ProgressReportInlineFormSet
    fields = [
        "organization",
        "year",
        "quarter",
        "status",
        "percent",
        "narrative",
        "reported_by",
        "reported_at",
    ]
    readonly_fields = ["reported_by", "reported_at"]
    autocomplete_fields = ["organization"]
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})},
    }


@admin.register(Task)
class TaskAdmin(FoldedSearchAdminMixin, WardScopedAdminMixin, SimpleHistoryAdmin):
    form = TaskAdminForm
    change_form_template = CHANGE_FORM_TEMPLATE
    list_display = [
        "ordinal",
        "title",
        "plan",
        "lead_organization",
        "deadline_display",
        "status",
        "is_overdue",
    ]
    list_display_links = ["ordinal", "title"]
    list_filter = ["status", "ward", "plan"]
    list_select_related = ["plan", "lead_organization"]
    autocomplete_fields = ["plan", "lead_organization"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["ward", "plan", "ordinal", "title", "description"]}),
        (None, {"fields": ["lead_organization", "supporting_units"]}),
        (None, {"fields": ["due_date", "due_quarter", "status"]}),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]
    inlines = [ProgressReportInline]

    @admin.display(description=_("deadline"), ordering="due_date")
    def deadline_display(self, obj: Task) -> str:
        if obj.due_date:
            return obj.due_date.strftime("%d/%m/%Y")
        return obj.due_quarter.short_label if obj.due_quarter else ""

    @admin.display(description=_("overdue"), boolean=True)
    def is_overdue(self, obj: Task) -> bool:
        return obj.overdue

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.user.is_superuser or request.user.ward_id is None:
            return form
        # Ward staff choose supporting units of their ward (or above it), as other fields.
        return type(form.__name__, (form,), {"units_ward_id": request.user.ward_id})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if change and "ward" in form.changed_data:
            # Its reports and supporting units are rows of the task's ward: they move with it.
            for model in (ProgressReport, TaskSupportingOrganization):
                model.objects.filter(task=obj).update(ward=obj.ward)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgressReport:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for report in instances:
            if report.pk is None and not report.reported_by_id:
                report.reported_by = request.user
            report._history_user = request.user
            report.save()
        formset.save_m2m()
        return None


# --- ProgressReport -------------------------------------------------------------------------


@admin.register(ProgressReport)
class ProgressReportAdmin(WardScopedAdminMixin, SimpleHistoryAdmin):
    form = ProgressReportForm
    list_display = [
        "task",
        "organization",
        "period",
        "status",
        "percent",
        "reported_by",
        "reported_at",
    ]
    list_filter = ["year", "quarter", "status"]
    list_select_related = ["task", "organization", "reported_by__person"]
    search_fields = ["task__search_key", "organization__search_key"]
    autocomplete_fields = ["task", "organization"]
    readonly_fields = ["reported_by", "reported_at", "created_at", "updated_at"]
    fields = [
        "task",
        "organization",
        "year",
        "quarter",
        "status",
        "percent",
        "narrative",
        "attachment",
        "reported_by",
        "reported_at",
        "created_at",
        "updated_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))

    def save_model(self, request, obj, form, change):
        if not change and not obj.reported_by_id:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        if obj is not None and _report_locked(obj):
            return False  # a finalised quarter's report is read-only, superusers included
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _report_locked(obj):
            return False
        return super().has_delete_permission(request, obj)


def _report_locked(report: ProgressReport) -> bool:
    return bool(period_closed_message(report.task.ward_id, report.period))


# --- DocumentSequence -----------------------------------------------------------------------


def _term_bounds(term_start_year: int) -> tuple[dt.date, dt.date]:
    month, day = settings.PARTY_TERM_START
    start = dt.date(term_start_year, month, day)
    return start, dt.date(term_start_year + settings.PARTY_TERM_YEARS, month, day)


class DocumentSequenceForm(forms.ModelForm):
    """The last number may be corrected, never below a number already recorded in a plan
    of that issuer, type and term (the next document would repeat it)."""

    class Meta:
        model = DocumentSequence
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields shown

    def clean(self):
        cleaned = super().clean()
        issuer = cleaned.get("issuer") or getattr(self.instance, "issuer", None)
        doc_type = cleaned.get("doc_type") or self.instance.doc_type
        term = cleaned.get("term_start_year") or self.instance.term_start_year
        last = cleaned.get("last_number")
        if issuer is None or not doc_type or not term or last is None:
            return cleaned
        start, end = _term_bounds(term)
        used = (
            Plan.objects.filter(
                issuer=issuer, doc_type=doc_type, issued_on__gte=start, issued_on__lt=end
            ).aggregate(m=Max("number"))["m"]
            or 0
        )
        if last < used:
            self.add_error(
                "last_number",
                gettext("Number %(used)s is already recorded in a plan of this term.")
                % {"used": used},
            )
        return cleaned


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(WardScopedAdminMixin, admin.ModelAdmin):
    """Read-mostly: numbers are reserved by the pages; only the last number is corrected."""

    form = DocumentSequenceForm
    list_display = ["issuer", "doc_type", "term_start_year", "last_number", "updated_at"]
    list_filter = ["doc_type", "term_start_year"]
    list_select_related = ["issuer"]
    search_fields = ["issuer__search_key", "doc_type"]
    autocomplete_fields = ["issuer"]
    ordering = ["issuer__name", "doc_type", "-term_start_year"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        for word in fold(search_term).split():
            queryset = queryset.filter(
                Q(issuer__search_key__contains=word) | Q(doc_type__iexact=word)
            )
        return queryset, False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["updated_at"]
        return ["issuer", "doc_type", "term_start_year", "updated_at"]

    # Deletion: superusers only (WardScopedAdminMixin).
