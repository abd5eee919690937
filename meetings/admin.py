"""Django admin for meetings: corrections by ward staff and administrators.

The pages are where meetings are run; the admin is for corrections. Every page is scoped to
the user's ward (``WardScopedAdminMixin``). The rules of the services hold here too:

- the status is changed by the services (held, concluded, reopened): it is read-only in
  the admin except for superusers, and a superuser's change is recorded as a
  ``MeetingEvent``; concluding here turns the conclusions into tasks, as the page does;
- a concluded meeting is read-only, with its attendance, contributions and conclusions,
  for everyone but superusers (the ward secretary reopens it from the meeting page);
- contributions and conclusions keep their numbers 1..N: a new row without a number takes
  the next one, and deleting one closes the gap;
- a conclusion that already has its task keeps that task in step when corrected, and a
  deleted one cancels its task (kept, so its history and reports stay);
- people, bodies and plans chosen belong to the meeting's ward.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from meetings.models import (
    Attendance,
    Conclusion,
    Contribution,
    DocumentTemplate,
    IssuedDocument,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from meetings.services import _sync_task, meeting_rows_follow_ward
from plans.models import TaskStatus
from wardwork.admin_concurrency import CHANGE_FORM_TEMPLATE, VersionedAdminForm
from wardwork.admin_mixins import (
    FoldedSearchAdminMixin,
    ReadOnlyInlineMixin,
    WardScopedAdminMixin,
)

MESSAGE_OTHER_WARD = _("This belongs to another ward.")
# Numbered rows of a meeting, by the meeting's related name.
NUMBERED_ROWS = {Contribution: "contributions", Conclusion: "conclusions"}


def _other_ward(objects, ward_id) -> bool:
    """True when one of ``objects`` (people, bodies, plans) belongs to another ward; bodies
    above wards (Quận ủy) belong to none and may be chosen."""
    return any(getattr(o, "ward_id", None) not in (None, ward_id) for o in objects if o)


class WardFilledManyToManyMixin(WardScopedAdminMixin):
    """The many-to-many fields named in ``ward_filled_m2m`` shown as Django shows those of an
    auto-created table: a multiple choice of the user's ward's rows (an autocomplete where
    listed in ``autocomplete_fields``), saved with ``set()``.

    Their tables are explicit through models (``MeetingChair``...) only so that each row
    carries its ward, which the through model fills itself from its owner: nothing else is
    asked of the administrator. Django's admin hides such a field (its
    ``formfield_for_manytomany`` gives none) and its check admin.E013 refuses the name in a
    static ``fields``/``fieldsets``, both because other columns of a through model could
    not be filled; so the admins below give their fields in ``get_fields``/``get_fieldsets``
    and this builds the form field."""

    ward_filled_m2m: tuple[str, ...] = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name not in self.ward_filled_m2m:
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        # As BaseModelAdmin.formfield_for_manytomany does for an auto-created table.
        self._limit_choices(db_field, request, kwargs)
        db = kwargs.get("using")
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(db_field, self.admin_site, using=db)
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(db, db_field, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return db_field.formfield(**kwargs)


# --- rows of a meeting --------------------------------------------------------------------------
class MeetingRowForm(forms.ModelForm):
    """A row under its meeting: what it names must be of the meeting's ward."""

    ward_checked_fields: tuple[str, ...] = ()

    def __init__(self, *args, parent_meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_meeting = parent_meeting
        if "ordinal" in self.fields:
            self.fields["ordinal"].required = False
            self.fields["ordinal"].help_text = _("Empty: the next number.")

    def clean(self):
        cleaned = super().clean()
        ward_id = getattr(self.parent_meeting, "ward_id", None)
        if ward_id:
            for name in self.ward_checked_fields:
                value = cleaned.get(name)
                values = list(value) if hasattr(value, "__iter__") else [value]
                if _other_ward(values, ward_id):
                    self.add_error(name, str(MESSAGE_OTHER_WARD))
        return cleaned


class MeetingRowFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "parent_meeting": self.instance}


class AttendanceForm(MeetingRowForm):
    ward_checked_fields = ("person", "organization")

    class Meta:
        model = Attendance
        fields = ["person", "organization", "status", "note"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person") and not cleaned.get("organization"):
            self.add_error("person", gettext("Choose the person or the body invited."))
        return cleaned


class ContributionForm(MeetingRowForm):
    ward_checked_fields = ("speaker", "organization")

    class Meta:
        model = Contribution
        fields = ["ordinal", "speaker", "organization", "content"]


class ConclusionForm(MeetingRowForm):
    ward_checked_fields = ("lead_organizations", "supporting_organizations", "plan")

    class Meta:
        model = Conclusion
        fields = [
            "ordinal",
            "text",
            "lead_organizations",
            "supporting_organizations",
            "due_date",
            "due_quarter",
            "plan",
        ]


class _MeetingRowInline(WardScopedAdminMixin, admin.TabularInline):
    """Rows of a meeting: read-only once it is concluded, except for superusers."""

    ward_field = "meeting__ward"
    formset = MeetingRowFormSet
    extra = 0

    @staticmethod
    def _locked(request, obj) -> bool:
        if isinstance(obj, Meeting) and obj.closed_period_message:
            return True  # a finalised quarter is locked for everyone, superusers included
        return isinstance(obj, Meeting) and obj.is_read_only and not request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(request, obj) and super().has_delete_permission(request, obj)


class AttendanceInline(_MeetingRowInline):
    model = Attendance
    form = AttendanceForm
    fields = ["person", "organization", "status", "note"]
    autocomplete_fields = ["person", "organization"]


class ContributionInline(_MeetingRowInline):
    model = Contribution
    form = ContributionForm
    fields = ["ordinal", "speaker", "organization", "content", "recorded_by"]
    readonly_fields = ["recorded_by"]
    autocomplete_fields = ["speaker", "organization"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }


class ConclusionInline(WardFilledManyToManyMixin, _MeetingRowInline):
    model = Conclusion
    form = ConclusionForm
    ward_filled_m2m = ("lead_organizations", "supporting_organizations")
    readonly_fields = ["task"]
    autocomplete_fields = ["lead_organizations", "supporting_organizations", "plan"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }

    def get_fields(self, request, obj=None):
        # Not ``fields``: see WardFilledManyToManyMixin.
        return [
            "ordinal",
            "text",
            "lead_organizations",
            "supporting_organizations",
            "due_date",
            "due_quarter",
            "plan",
            "task",
        ]


class MeetingEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The meeting's steps (held, concluded, reopened with the reason), never edited."""

    model = MeetingEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    verbose_name_plural = _("steps")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the meeting ----------------------------------------------------------------------------------
class MeetingAdminForm(VersionedAdminForm):
    class Meta:
        model = Meeting
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        ward = cleaned.get("ward") or getattr(self.instance, "ward", None)
        if ward is None:
            return cleaned
        for name in ("chairs", "reviewed_plans"):
            if _other_ward(cleaned.get(name) or [], ward.pk):
                self.add_error(name, str(MESSAGE_OTHER_WARD))
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(FoldedSearchAdminMixin, WardFilledManyToManyMixin, SimpleHistoryAdmin):
    form = MeetingAdminForm
    ward_filled_m2m = ("chairs", "reviewed_plans")
    change_form_template = CHANGE_FORM_TEMPLATE
    list_display = [
        "title",
        "held_at_display",
        "kind",
        "period_display",
        "status",
        "contribution_count",
        "conclusion_count",
    ]
    list_display_links = ["title"]
    list_filter = ["year", "kind", "status"]
    date_hierarchy = "held_at"
    autocomplete_fields = ["chairs", "presenter", "reviewed_plans"]
    inlines = [AttendanceInline, ContributionInline, ConclusionInline, MeetingEventInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _contributions=Count("contributions", distinct=True),
                _conclusions=Count("conclusions", distinct=True),
            )
            .order_by(*Meeting._meta.ordering)
        )

    def get_fieldsets(self, request, obj=None):
        # Not ``fieldsets``: see WardFilledManyToManyMixin.
        return [
            (None, {"fields": ["ward", "kind", "title", "year", "quarter", "held_at", "venue"]}),
            (
                _("Report presented"),
                {
                    "fields": [
                        "chairs",
                        "presenter",
                        "reviewed_plans",
                        "report_summary",
                        "next_period_direction",
                    ]
                },
            ),
            (
                _("Record"),
                {
                    "fields": [
                        "status",
                        "concluded_at",
                        "concluded_by",
                        "created_by",
                        "created_at",
                        "updated_at",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = ["concluded_at", "concluded_by", "created_by", "created_at", "updated_at"]
        if not request.user.is_superuser:
            fields.insert(0, "status")
        return fields

    @staticmethod
    def _locked(request, obj) -> bool:
        if obj is None:
            return False
        if obj.closed_period_message:
            return True  # a finalised quarter is locked for everyone, superusers included
        return obj.is_read_only and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if self._locked(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._locked(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("date and time"), ordering="held_at")
    def held_at_display(self, obj: Meeting) -> str:
        return f"{timezone.localtime(obj.held_at):%d/%m/%Y %H:%M}"

    @admin.display(description=_("quarter"), ordering="quarter")
    def period_display(self, obj: Meeting) -> str:
        return obj.period.short_label if obj.period else str(obj.year)

    @admin.display(description=_("contributions"), ordering="_contributions")
    def contribution_count(self, obj: Meeting) -> int:
        return obj._contributions

    @admin.display(description=_("conclusions"), ordering="_conclusions")
    def conclusion_count(self, obj: Meeting) -> int:
        return obj._conclusions

    # --- saving -------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        obj._admin_status_before = (
            Meeting.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
            if change
            else None
        )
        if not change:
            obj.created_by = request.user
            if not request.user.is_superuser:
                obj.status = MeetingStatus.PLANNED
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        model = formset.model
        if model not in (Attendance, Contribution, Conclusion):
            return super().save_formset(request, form, formset, change)
        meeting = form.instance
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            if model is Conclusion and obj.task_id:
                task = obj.task
                task.status = TaskStatus.CANCELLED
                task._history_user = request.user
                task.save(update_fields=["status", "updated_at"])
            obj._history_user = request.user
            obj.delete()
        rows = NUMBERED_ROWS.get(model)
        if rows is not None:
            next_number = (getattr(meeting, rows).aggregate(m=Max("ordinal"))["m"] or 0) + 1
        for obj in instances:
            if rows is not None and obj.ordinal is None:
                obj.ordinal = next_number
                next_number += 1
            if model is Contribution and obj.pk is None:
                obj.recorded_by = request.user
            obj._history_user = request.user
            obj.save()
        formset.save_m2m()
        if rows is None:
            return None
        touched = {obj.pk for obj in instances} | _renumber(getattr(meeting, rows), request.user)
        if model is Conclusion:
            # A corrected conclusion that is already a task keeps its task in step.
            for conclusion in meeting.conclusions.filter(pk__in=touched, task__isnull=False):
                _sync_task(conclusion, actor=request.user)
        return None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        meeting = form.instance
        if change and "ward" in form.changed_data:
            # A meeting recorded in the wrong ward, corrected: its rows follow (after the
            # inlines, whose rows were read with the old ward).
            meeting_rows_follow_ward(meeting)
        before = getattr(meeting, "_admin_status_before", None)
        if change and before and before != meeting.status:
            _record_admin_status_change(meeting, before, request.user)
        elif not change:
            MeetingEvent.objects.create(
                meeting=meeting,
                action="created",
                from_status="",
                to_status=meeting.status,
                actor=request.user,
            )


def _renumber(rows, actor) -> set[int]:
    """Numbers 1..N in the present order (after a deletion or a number typed by hand);
    returns the rows renumbered."""
    moved = set()
    for position, row in enumerate(rows.order_by("ordinal", "pk"), start=1):
        if row.ordinal != position:  # only ever moves down into a free number
            row.ordinal = position
            row._history_user = actor
            row.save(update_fields=["ordinal"])
            moved.add(row.pk)
    return moved


@transaction.atomic
def _record_admin_status_change(meeting: Meeting, before: str, actor) -> None:
    """A superuser set the status in the admin: keep it in the meeting's steps, and make
    concluding mean what it means on the pages (each conclusion a task)."""
    if meeting.status == MeetingStatus.CONCLUDED:
        for conclusion in meeting.conclusions.select_related("task", "plan"):
            _sync_task(conclusion, actor=actor)
        meeting.concluded_at = timezone.now()
        meeting.concluded_by = actor
        meeting._history_user = actor
        meeting.save(update_fields=["concluded_at", "concluded_by", "updated_at"])
    MeetingEvent.objects.create(
        meeting=meeting,
        action="admin_status",
        from_status=before,
        to_status=meeting.status,
        note=gettext("Status changed in the administration."),
        actor=actor,
    )


# --- the event log --------------------------------------------------------------------------------
@admin.register(MeetingEvent)
class MeetingEventAdmin(WardScopedAdminMixin, admin.ModelAdmin):
    """Read-only: steps are written by the services."""

    ward_field = "meeting__ward"
    list_display = ["at", "meeting", "action", "from_status", "to_status", "actor", "note"]
    list_filter = ["action", "to_status"]
    list_select_related = ["meeting", "actor"]
    search_fields = ["meeting__search_key", "note"]
    readonly_fields = ["meeting", "action", "from_status", "to_status", "note", "actor", "at"]
    fields = readonly_fields
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- documents ------------------------------------------------------------------------------------
@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(WardScopedAdminMixin, SimpleHistoryAdmin):
    """Word layouts: a ward's office replaces its own; a superuser keeps the default one
    (no ward) that every ward without its own uses."""

    list_display = ["name", "kind", "ward_display", "is_active", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["ward", "uploaded_by"]
    search_fields = ["name"]
    fields = ["kind", "ward", "name", "file", "is_active", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]

    @admin.display(description=_("ward"), ordering="ward__name")
    def ward_display(self, obj: DocumentTemplate) -> str:
        return obj.ward.name if obj.ward_id else gettext("Every ward")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "ward" in form.base_fields:
            # Ward staff keep their own ward's layout, never the one every ward shares.
            form.base_fields["ward"].required = True
            form.base_fields["ward"].initial = request.user.ward_id
        return form

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data or not change:
            obj.uploaded_by = request.user
            obj.uploaded_at = timezone.now()
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(WardScopedAdminMixin, admin.ModelAdmin):
    """The register of numbered documents: numbers are reserved by the pages, never typed."""

    list_display = ["symbol", "kind", "issued_on", "meeting", "generated_at", "generated_by"]
    list_filter = ["kind", "year", "doc_type"]
    list_select_related = ["meeting", "generated_by"]
    search_fields = ["symbol", "title"]
    date_hierarchy = "issued_on"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in IssuedDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deletion: superusers only (WardScopedAdminMixin), e.g. a number reserved by mistake.


from meetings import review_admin  # noqa: E402,F401
