"""Django admin for the "Dân vận khéo" registry.

- ``Field`` (lĩnh vực) is a lookup edited in its list; every ward reads it, only superusers
  add, change or delete a field.
- ``Registration`` and its quarterly updates and recognitions are scoped to the user's ward.
  The admin never bypasses the workflow: the status and the review note are read-only except
  for superusers (whose corrections are recorded as an event), a new registration is a draft
  whose author is recorded, a quarterly update needs an approved or recognised model, and a
  new recognition goes through ``services.registration_recognize`` (which makes the model
  exemplary and records the step). Events and revisions are shown read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from models_registry.models import (
    CONTENT_FIELDS,
    Field,
    Recognition,
    Registration,
    RegistrationEvent,
    RegistrationRevision,
    RegistrationStatus,
    RegistrationUpdate,
)
from models_registry.services import (
    MESSAGE_CANNOT_CONCLUDE,
    MESSAGE_CANNOT_UPDATE,
    MESSAGE_DUPLICATE,
    registration_duplicate,
    registration_recognize,
)
from wardwork.admin_concurrency import CHANGE_FORM_TEMPLATE, VersionedAdminForm
from wardwork.admin_mixins import (
    FoldedSearchAdminMixin,
    ReadOnlyInlineMixin,
    SuperuserDeletionMixin,
    WardScopedAdminMixin,
)
from wardwork.periods import period_closed_message
from wardwork.roles import is_ward_staff
from wardwork.text import fold

S = RegistrationStatus
UPDATABLE_STATUSES = (S.APPROVED, S.RECOGNIZED)
RECOGNIZABLE_STATUSES = (S.APPROVED, S.RECOGNIZED)
TEXTAREA_SMALL = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}


def _may_recognize(user, registration=None) -> bool:
    """Recognitions are decided by the committee's staff (not the Khối Dân vận alone)."""
    return user.is_superuser or is_ward_staff(user, registration)


def _copy_saved(target: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved instance stand for the row a service saved."""
    for f in target._meta.concrete_fields:
        setattr(target, f.attname, getattr(saved, f.attname))
    target._state.adding = False
    target._state.db = saved._state.db


# --- Field ------------------------------------------------------------------------------------
@admin.register(Field)
class FieldAdmin(SuperuserDeletionMixin, admin.ModelAdmin):
    list_display = ["name", "is_official", "position", "is_active"]
    list_editable = ["is_official", "position", "is_active"]
    list_filter = ["is_official", "is_active"]
    search_fields = ["name"]

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term).split()
        if not words:
            return queryset, False
        matching = [f.pk for f in queryset if all(w in fold(f.name) for w in words)]
        return queryset.filter(pk__in=matching), False

    # Every ward shares the field list: ward admins may read it, only superusers edit it.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    # Deletion: superusers only (SuperuserDeletionMixin).


# --- inlines of a registration ------------------------------------------------------------------
class _ReadOnlyRegistrationInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Shown to whoever may see the registration; never edited in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.has_perm("models_registry.view_registration") or user.has_perm(
            "models_registry.change_registration"
        )


class RegistrationEventInline(_ReadOnlyRegistrationInline):
    model = RegistrationEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    verbose_name_plural = _("workflow history")


class RegistrationRevisionInline(_ReadOnlyRegistrationInline):
    model = RegistrationRevision
    fields = ["number", "changed_at", "changed_by", "reason", "previous_content"]
    readonly_fields = fields
    ordering = ["-number"]

    @admin.display(description=_("previous content"))
    def previous_content(self, obj: RegistrationRevision):
        labels = {
            f.attname: f.verbose_name
            for f in Registration._meta.concrete_fields
            if f.attname in CONTENT_FIELDS
        }
        previous = obj.previous or {}
        names = {
            "field_id": dict(Field.objects.values_list("pk", "name")),
        }
        rows = []
        for attname in CONTENT_FIELDS:
            if attname not in previous:
                continue
            value = previous[attname]
            value = names.get(attname, {}).get(value, value)
            rows.append((labels.get(attname, attname), "" if value is None else value))
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", rows)


class RegistrationUpdateForm(forms.ModelForm):
    """Quarterly results are reported for approved or recognised models only."""

    class Meta:
        model = RegistrationUpdate
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields shown

    def clean(self):
        cleaned = super().clean()
        registration = cleaned.get("registration") or (
            self.instance.registration if self.instance.registration_id else None
        )
        if (
            registration is not None
            and self.instance.pk is None
            and registration.status not in UPDATABLE_STATUSES
        ):
            raise forms.ValidationError(str(MESSAGE_CANNOT_UPDATE))
        return cleaned


class RegistrationUpdateInlineFormSet(forms.BaseInlineFormSet):
    """An update of a finalised quarter is not deleted from its registration's page either
    (a deleted row is not validated, so its model ``clean()`` cannot refuse it)."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.instance.pk and self.can_delete and self._should_delete_form(form):
                stored = RegistrationUpdate.objects.select_related("registration").get(
                    pk=form.instance.pk
                )
                message = period_closed_message(stored.registration.ward_id, stored.period)
                if message:
                    raise forms.ValidationError(message)


class RegistrationUpdateInline(WardScopedAdminMixin, admin.TabularInline):
    model = RegistrationUpdate
    form = RegistrationUpdateForm
    formset = RegistrationUpdateInlineFormSet
    ward_field = "registration__ward"
    fields = ["year", "quarter", "results", "percent", "attachment", "reported_by", "reported_at"]
    readonly_fields = ["reported_by", "reported_at"]
    extra = 0
    formfield_overrides = {models.TextField: TEXTAREA_SMALL}
    # Deletion: superusers only (WardScopedAdminMixin).


class RecognitionForm(forms.ModelForm):
    """A model is recognised once approved (or again, at a higher level, once recognised)."""

    class Meta:
        model = Recognition
        fields = "__all__"  # noqa: DJ007 - the admin chooses the fields shown

    def clean(self):
        cleaned = super().clean()
        registration = cleaned.get("registration")
        if (
            registration is not None
            and self.instance.pk is None
            and registration.status not in RECOGNIZABLE_STATUSES
        ):
            if "registration" in self.fields and not isinstance(
                self.fields["registration"], forms.models.InlineForeignKeyField
            ):
                self.add_error("registration", str(MESSAGE_CANNOT_CONCLUDE))
            else:
                raise forms.ValidationError(str(MESSAGE_CANNOT_CONCLUDE))
        return cleaned


class RecognitionInline(WardScopedAdminMixin, admin.TabularInline):
    model = Recognition
    form = RecognitionForm
    ward_field = "registration__ward"
    fields = ["level", "title", "decision_symbol", "decided_on", "issuer", "recorded_by"]
    readonly_fields = ["recorded_by"]
    autocomplete_fields = ["issuer"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_recognize(request.user, obj)

    # Deletion: superusers only (WardScopedAdminMixin).


# --- Registration -----------------------------------------------------------------------------
class RegistrationAdminForm(VersionedAdminForm):
    """The model's own validation (what each kind needs, units of the ward, replication of an
    exemplary model) plus the services' duplicate check: one title per unit and year."""

    class Meta:
        model = Registration
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        unit, year, title = (
            cleaned.get("registered_by_unit"),
            cleaned.get("year"),
            cleaned.get("title"),
        )
        if unit is not None and year and title:
            ward = cleaned.get("ward")
            probe = Registration(
                pk=self.instance.pk,
                ward_id=ward.pk if ward is not None else self.instance.ward_id or unit.ward_id,
                registered_by_unit=unit,
                year=year,
                title=title,
            )
            if registration_duplicate(registration=probe):
                self.add_error("title", str(MESSAGE_DUPLICATE))
        return cleaned


@admin.register(Registration)
class RegistrationAdmin(FoldedSearchAdminMixin, WardScopedAdminMixin, SimpleHistoryAdmin):
    form = RegistrationAdminForm
    change_form_template = CHANGE_FORM_TEMPLATE
    list_display = ["title", "year", "kind", "registered_by_unit", "field", "status"]
    list_filter = ["year", "kind", "status", "field"]
    list_select_related = ["registered_by_unit", "field"]
    autocomplete_fields = ["organization", "person", "registered_by_unit", "plan", "replicates"]
    fieldsets = [
        (
            None,
            {"fields": ["ward", "year", "kind", "organization", "person", "registered_by_unit"]},
        ),
        (
            None,
            {
                "fields": [
                    "title",
                    "field",
                    "content",
                    "solutions",
                    "schedule",
                    "expected_results",
                    "plan",
                    "replicates",
                ]
            },
        ),
        (
            _("Review"),
            {"fields": ["status", "review_note", "submitted_at", "reviewed_at", "reviewed_by"]},
        ),
        (_("Record"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]
    inlines = [
        RegistrationEventInline,
        RegistrationRevisionInline,
        RegistrationUpdateInline,
        RecognitionInline,
    ]
    ALWAYS_READ_ONLY = (
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "created_by",
        "created_at",
        "updated_at",
    )
    # Set by the workflow services only; a superuser may correct them.
    WORKFLOW_FIELDS = ("status", "review_note")

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.ALWAYS_READ_ONLY]
        if obj is not None:
            fields.append("ward")  # its events, revisions, updates and recognitions carry it
        if not request.user.is_superuser:
            fields += self.WORKFLOW_FIELDS
        return fields

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        before = form.initial.get("status") if change else ""
        if not change:
            obj.created_by = request.user
            if not request.user.is_superuser:
                obj.status = S.DRAFT
        super().save_model(request, obj, form, change)
        if not change:
            RegistrationEvent.objects.create(
                registration=obj,
                action="created",
                from_status="",
                to_status=obj.status,
                actor=request.user,
                note=str(_("Entered in the admin.")),
            )
        elif before and before != obj.status:
            RegistrationEvent.objects.create(
                registration=obj,
                action="corrected",
                from_status=before,
                to_status=obj.status,
                actor=request.user,
                note=str(_("Status corrected in the admin.")),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model not in (RegistrationUpdate, Recognition):
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if formset.model is Recognition and obj.pk is None:
                _recognize(request, obj)
                continue
            if formset.model is RegistrationUpdate and obj.pk is None:
                obj.reported_by = request.user
            obj._history_user = request.user
            obj.save()
        formset.save_m2m()
        return None


def _recognize(request, obj: Recognition) -> None:
    """Record a new recognition through the workflow (status, event, history)."""
    saved = registration_recognize(
        actor=request.user,
        registration=obj.registration,
        level=obj.level,
        title=obj.title,
        decision_symbol=obj.decision_symbol,
        decided_on=obj.decided_on,
        issuer=obj.issuer,
    )
    _copy_saved(obj, saved)


# --- RegistrationUpdate -------------------------------------------------------------------------
@admin.register(RegistrationUpdate)
class RegistrationUpdateAdmin(WardScopedAdminMixin, SimpleHistoryAdmin):
    form = RegistrationUpdateForm
    ward_field = "registration__ward"
    list_display = ["registration", "period", "percent", "reported_by", "reported_at"]
    list_filter = ["year", "quarter"]
    list_select_related = ["registration", "reported_by__person"]
    search_fields = ["registration__search_key"]
    autocomplete_fields = ["registration"]
    readonly_fields = ["reported_by", "reported_at", "created_at", "updated_at"]
    fields = [
        "registration",
        "year",
        "quarter",
        "results",
        "percent",
        "attachment",
        "reported_by",
        "reported_at",
        "created_at",
        "updated_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "registration"] if obj is not None else fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and _update_locked(obj):
            return False  # a finalised quarter's update is read-only, superusers included
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _update_locked(obj):
            return False  # a finalised quarter's update stays, superusers included
        return super().has_delete_permission(request, obj)  # superusers only

    def save_model(self, request, obj, form, change):
        if not change:
            obj.reported_by = request.user
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


# --- Recognition --------------------------------------------------------------------------------
@admin.register(Recognition)
class RecognitionAdmin(WardScopedAdminMixin, SimpleHistoryAdmin):
    form = RecognitionForm
    ward_field = "registration__ward"
    list_display = ["title", "registration", "level", "decision_symbol", "decided_on", "issuer"]
    list_filter = ["level"]
    list_select_related = ["registration", "issuer"]
    search_fields = ["registration__search_key", "decision_symbol"]
    autocomplete_fields = ["registration", "issuer"]
    readonly_fields = ["recorded_by", "created_at", "updated_at"]
    fields = [
        "registration",
        "level",
        "title",
        "decision_symbol",
        "decided_on",
        "issuer",
        "recorded_by",
        "created_at",
        "updated_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "registration"] if obj is not None else fields

    def has_add_permission(self, request):
        return super().has_add_permission(request) and _may_recognize(request.user)

    # Deletion: superusers only (WardScopedAdminMixin).

    def save_model(self, request, obj, form, change):
        if not change:
            _recognize(request, obj)
            return
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


def _update_locked(update: RegistrationUpdate) -> bool:
    return bool(period_closed_message(update.registration.ward_id, update.period))
