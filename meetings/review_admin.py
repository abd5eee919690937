"""Django admin of quarterly reviews and reminders (registered from ``meetings.admin``).

The quarter page runs the workflow (start, meeting, report, finalise, reopen); the admin is
for looking things up and small corrections, scoped to the user's ward:

- a review's ward, quarter, meeting, status, finalisation and figures are read-only: they
  change only through the services; the report's text may be corrected while the quarter
  is open, and that goes through ``review_text_save`` (same rights, same audit row);
- a finalised review is read-only for everyone (reopen it from the quarter page);
- reviews are created by the quarter page, never here; a superuser may delete one that is
  not finalised (a finalised one carries the quarter's lock and its frozen figures);
- its steps are listed read-only below it; its history is simple_history's;
- reminders are a read-only log.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from meetings.models import (
    REPORT_SECTIONS,
    QuarterlyReview,
    QuarterlyReviewEvent,
    Reminder,
)
from meetings.review_services import review_text_save
from wardwork.admin_mixins import ReadOnlyInlineMixin, WardScopedAdminMixin
from wardwork.quarters import Quarter


def _local(value) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if value else "–"


class QuarterlyReviewEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The review's steps (created, started, text saved, report generated, reminded,
    finalised, reopened with the reason), never edited."""

    model = QuarterlyReviewEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    verbose_name_plural = _("steps")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(WardScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "ward",
        "period_display",
        "status",
        "meeting",
        "finalized_at_display",
        "finalized_by",
    ]
    list_filter = ["status", "year", "quarter", "ward"]
    list_select_related = ["ward", "meeting", "finalized_by"]
    search_fields = ["ward__name", "meeting__title"]
    fieldsets = [
        (None, {"fields": ["ward", "period_display", "status", "meeting", "page_link"]}),
        (
            _("Report text"),
            {"fields": [*REPORT_SECTIONS, "text_edited_at", "text_edited_by"]},
        ),
        (
            _("Record"),
            {
                "fields": [
                    "finalized_at",
                    "finalized_by",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (_("Figures at finalisation"), {"fields": ["figures_display"]}),
    ]
    readonly_fields = [
        "ward",
        "period_display",
        "status",
        "meeting",
        "page_link",
        "text_edited_at",
        "text_edited_by",
        "finalized_at",
        "finalized_by",
        "created_by",
        "created_at",
        "updated_at",
        "figures_display",
    ]
    inlines = [QuarterlyReviewEventInline]

    @admin.display(description=_("quarter"), ordering="quarter")
    def period_display(self, obj: QuarterlyReview) -> str:
        return obj.period.short_label

    @admin.display(description=_("finalised at"), ordering="finalized_at")
    def finalized_at_display(self, obj: QuarterlyReview) -> str:
        return _local(obj.finalized_at)

    @admin.display(description=_("quarter page"))
    def page_link(self, obj: QuarterlyReview) -> str:
        try:
            url = reverse("quarters:page", args=[Quarter(obj.year, obj.quarter)])
        except NoReverseMatch:
            return "–"
        return format_html('<a href="{}?ward={}">{}</a>', url, obj.ward_id, str(obj.period))

    @admin.display(description=_("figures"))
    def figures_display(self, obj: QuarterlyReview) -> str:
        if not obj.figures:
            return gettext(
                "Not frozen: the quarter page computes the figures from the data until the "
                "quarter is finalised."
            )
        text = json.dumps(obj.figures, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    # --- what may be done here ----------------------------------------------------------------
    def has_add_permission(self, request):
        return False  # the quarter page creates a review on its first visit

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_finalized:
            return False  # locked: reopen it from the quarter page
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_finalized:
            return False
        return super().has_delete_permission(request, obj)  # superusers only

    def get_actions(self, request):
        actions = super().get_actions(request)
        # The bulk delete would not ask each review whether it is finalised.
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        """Only the report's text is editable: saved by the service (rights, lock, step)."""
        texts = {
            name: form.cleaned_data[name] for name in REPORT_SECTIONS if name in form.changed_data
        }
        if texts:
            saved = review_text_save(actor=request.user, review=obj, **texts)
            obj.text_edited_at, obj.text_edited_by = saved.text_edited_at, saved.text_edited_by


@admin.register(Reminder)
class ReminderAdmin(WardScopedAdminMixin, admin.ModelAdmin):
    """Read-only: reminders are written when they are sent."""

    list_display = [
        "sent_at_display",
        "organization",
        "period_display",
        "missing_reports",
        "overdue_tasks",
        "recipients",
        "sent_by_display",
    ]
    list_filter = ["year", "quarter", "sent_on", "organization"]
    list_select_related = ["organization", "sent_by"]
    search_fields = ["organization__name", "recipients"]
    date_hierarchy = "sent_on"
    fields = [
        "ward",
        "organization",
        "period_display",
        "sent_at_display",
        "sent_by_display",
        "recipients",
        "missing_reports",
        "overdue_tasks",
        "body",
    ]
    readonly_fields = fields

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent_at_display(self, obj: Reminder) -> str:
        return _local(obj.sent_at)

    @admin.display(description=_("quarter"), ordering="quarter")
    def period_display(self, obj: Reminder) -> str:
        return Quarter(obj.year, obj.quarter).short_label

    @admin.display(description=_("sent by"), ordering="sent_by")
    def sent_by_display(self, obj: Reminder) -> str:
        return str(obj.sent_by) if obj.sent_by_id else gettext("the daily job")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
