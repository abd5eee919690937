"""The quarterly review (sơ kết quý): one per ward and quarter, the page that gathers the
quarter's plans, progress, registrations and review meeting, the quarterly report's text,
and the lock that finalising puts on the quarter.

open -> in_review (the review meeting is prepared) -> finalized (locked; the figures are
kept as they were). The ward secretary can reopen a finalised quarter with a reason.
Every step is a service (``review_services.py``) that leaves a ``QuarterlyReviewEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wardwork.concurrency import VersionedModel
from wardwork.models import Organization, TimeStampedModel, Ward, WorkflowEvent
from wardwork.quarters import Quarter
from wardwork.tenancy import WardOwnedModel


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In review")
    FINALIZED = "finalized", _("Finalised")


# The narrative sections of the quarterly report, in the order the report prints them.
REPORT_SECTIONS = ("leadership_text", "results_text", "assessment_text", "direction_text")


class QuarterlyReview(VersionedModel, TimeStampedModel):
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="quarterly_reviews"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("review meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quarterly_reviews",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    # The report's narrative, pre-filled from the data and edited on the page.
    leadership_text = models.TextField(_("leadership and direction"), blank=True)
    results_text = models.TextField(_("results"), blank=True)
    assessment_text = models.TextField(_("assessment"), blank=True)
    direction_text = models.TextField(_("next quarter's direction"), blank=True)
    text_edited_at = models.DateTimeField(_("text edited at"), null=True, blank=True)
    text_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("text edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The figures as they stood when the quarter was finalised (the page shows these then).
    figures = models.JSONField(_("figures at finalisation"), null=True, blank=True, editable=False)
    finalized_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["figures"])

    class Meta:
        verbose_name = _("quarterly review")
        verbose_name_plural = _("quarterly reviews")
        ordering = ["-year", "-quarter", "ward__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "year", "quarter"],
                name="quarterly_review_one_per_ward_quarter",
                violation_error_message=_("This ward already has a review of this quarter."),
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1) & models.Q(quarter__lte=4),
                name="quarterly_review_quarter_range",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"], name="review_period_status_idx")
        ]

    def __str__(self) -> str:
        return f"{self.ward} – {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def is_finalized(self) -> bool:
        return self.status == ReviewStatus.FINALIZED


class QuarterlyReviewEvent(WardOwnedModel, WorkflowEvent):
    """A step of a quarterly review (started, text saved, report generated, finalised,
    reopened, reminders sent): who, when, why."""

    ward_parent = "review"

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="events")

    class Meta:
        verbose_name = _("quarterly review event")
        verbose_name_plural = _("quarterly review events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.action}"


class Reminder(models.Model):
    """One reminder email to a unit about a quarter: what it listed and who it went to.
    At most one per unit, quarter and day, so a cron job and a click on the same day do not
    email a unit twice."""

    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="reminders"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the daily job sent it."),
    )
    recipients = models.TextField(_("recipients"), blank=True)
    missing_reports = models.PositiveIntegerField(_("missing reports"), default=0)
    overdue_tasks = models.PositiveIntegerField(_("overdue tasks"), default=0)
    body = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "organization", "year", "quarter", "sent_on"],
                name="reminder_one_per_unit_quarter_day",
            )
        ]
        indexes = [
            models.Index(fields=["ward", "year", "quarter"], name="reminder_ward_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.sent_on:%d/%m/%Y}"
