"""Directive documents (Plan), the tasks they assign (Task), and unit progress reports."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.symbols import symbol_key
from wardwork.concurrency import VersionedModel
from wardwork.fields import QuarterField
from wardwork.models import (
    Organization,
    SearchableModel,
    SearchQuerySet,
    TimeStampedModel,
    Ward,
)
from wardwork.periods import ensure_period_open, quarter_or_none
from wardwork.quarters import Quarter
from wardwork.tenancy import WardOwnedModel, fill_wards
from wardwork.text import fold, normalize
from wardwork.uploads import validate_document_file


def _upload_to(instance, filename):
    return f"plans/{timezone.localdate():%Y/%m}/{filename}"


class WardUniqueValidationMixin:
    """Form validation of unique constraints that include a ward taken from the parent.

    The ward of a :class:`~wardwork.tenancy.WardOwnedModel` is never a form field, so a
    ModelForm leaves it out of the validation and Django skips every unique constraint
    naming it: a duplicate would reach the database (an error page) instead of the form.
    Here the ward is filled from the parent before the constraints are checked and is
    checked with it; the message names the fields as before (without the ward, which the
    user never chose)."""

    def _ward_in_checks(self, exclude):
        if exclude and "ward" in exclude:
            exclude = set(exclude) - {"ward"}
        return exclude

    def _follow_parent(self) -> bool:
        """Take the ward of the parent in hand (a row moved to another parent moves with it),
        else of the parent in the database (one query) while the ward is empty. True when
        the ward changed."""
        before = self.ward_id
        field = self._meta.get_field(self.ward_parent)
        parent = field.get_cached_value(self, None) if field.is_cached(self) else None
        if parent is not None and parent.ward_id is not None:
            self.ward_id = parent.ward_id
        elif self.ward_id is None and getattr(self, field.attname) is not None:
            fill_wards(type(self), [self])
        return self.ward_id != before

    def validate_constraints(self, exclude=None):
        self._follow_parent()
        super().validate_constraints(exclude=self._ward_in_checks(exclude))

    def save(self, *args, **kwargs):
        if self._follow_parent() and kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ward"}
        super().save(*args, **kwargs)

    def _get_unique_checks(self, exclude=None, include_meta_constraints=False):
        # Inline formsets compare their rows with these checks (the ward is never in the
        # forms' data, so the rows are compared on the other fields, as before).
        return super()._get_unique_checks(
            exclude=self._ward_in_checks(exclude),
            include_meta_constraints=include_meta_constraints,
        )

    def unique_error_message(self, model_class, unique_check):
        if len(unique_check) > 1 and "ward" in unique_check:
            unique_check = tuple(name for name in unique_check if name != "ward")
        return super().unique_error_message(model_class, unique_check)


# --- Plan ---------------------------------------------------------------------------------------
class PlanQuerySet(SearchQuerySet):
    def search(self, text: str | None):
        """Folded words, and document types in words: "ke hoach so 28" finds 28-KH/ĐU."""
        from plans.search import plan_search_condition

        return self.filter(plan_search_condition(text or "")) if fold(text) else self

    def active(self):
        return self.filter(is_active=True)


class Plan(VersionedModel, SearchableModel):
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="plans"
    )
    doc_type = models.CharField(_("document type"), max_length=10)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    issuer = models.ForeignKey(
        Organization,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="issued_plans",
    )
    symbol = models.CharField(
        _("symbol"),
        max_length=60,
        help_text=_('As written on the document: "18-KH/QU", "123/KH-UBND".'),
    )
    symbol_key = models.CharField(max_length=60, editable=False, default="", db_index=True)
    issued_on = models.DateField(_("issued on"))
    title = models.TextField(
        pgettext_lazy("document", "title"), help_text=_("Trích yếu: what the document is about.")
    )
    theme = models.CharField(_("theme"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1945), MaxValueValidator(2100)]
    )
    implements = models.ForeignKey(
        "self",
        verbose_name=_("implements"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implemented_by",
        help_text=_("The plan this one carries out (28-KH/ĐU implements 18-KH/QU)."),
    )
    attachment = models.FileField(
        _("attachment"), upload_to=_upload_to, blank=True, validators=[validate_document_file]
    )
    is_active = models.BooleanField(_("being followed"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "issuer", "year", "symbol_key"],
                name="plan_unique_symbol_per_issuer_year",
                violation_error_message=_(
                    "This symbol from this issuer is already recorded for the year."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["ward", "year", "doc_type"], name="plan_ward_year_type_idx"),
            models.Index(
                fields=["ward", "is_active", "-issued_on"], name="plan_ward_active_issued_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} – {self.title[:80]}"

    derived_fields = (*SearchableModel.derived_fields, "symbol_key")

    def fill_derived(self) -> None:
        self.symbol = normalize(self.symbol)
        self.symbol_key = symbol_key(self.symbol)
        super().fill_derived()

    def search_texts(self) -> list[str]:
        return [self.symbol, self.title, self.theme]

    @property
    def label(self) -> str:
        """ "Kế hoạch số 18-KH/QU" style label."""
        from plans.symbols import DOC_TYPES

        name = DOC_TYPES.get(self.doc_type)
        if not name:
            return self.symbol
        return gettext("%(type)s No. %(symbol)s") % {"type": name, "symbol": self.symbol}

    def chain_up(self) -> list[Plan]:
        """The plans this one implements, nearest first (cycle-safe)."""
        chain, seen, current = [], {self.pk}, self.implements
        while current is not None and current.pk not in seen:
            chain.append(current)
            seen.add(current.pk)
            current = current.implements
        return chain

    def clean(self) -> None:
        self.title = normalize(self.title)
        self.theme = normalize(self.theme)
        if self.issued_on and self.year and self.issued_on.year > self.year:
            raise ValidationError(
                {"year": _("The plan's year cannot be before the year it was issued.")}
            )
        if self.implements_id:
            if self.implements_id == self.pk:
                raise ValidationError({"implements": _("A plan cannot implement itself.")})
            if self.implements.ward_id != self.ward_id:
                raise ValidationError({"implements": _("That plan belongs to another ward.")})
            if self.pk and any(p.pk == self.pk for p in self.implements.chain_up()):
                raise ValidationError(
                    {"implements": _("That would make a circle of plans implementing each other.")}
                )
        if self.issuer_id and self.issuer.ward_id not in (None, self.ward_id):
            raise ValidationError({"issuer": _("This issuer belongs to another ward.")})


# --- Task ---------------------------------------------------------------------------------------
class TaskStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class TaskQuerySet(SearchQuerySet):
    def overdue(self, today: dt.date | None = None):
        """Unfinished tasks whose due date, or the end of whose due quarter, has passed."""
        today = today or timezone.localdate()
        this_quarter = Quarter.containing(today).slug
        return self.filter(status__in=OPEN_STATUSES).filter(
            Q(due_date__lt=today) | Q(due_date__isnull=True, due_quarter__lt=this_quarter)
        )

    def live_in(self, quarter: Quarter):
        """Tasks already given by the end of ``quarter``: those a unit could report on then."""
        end = quarter.end
        return self.filter(
            Q(assigned_on__lte=end)
            | Q(assigned_on__isnull=True, plan__issued_on__lte=end)
            | Q(assigned_on__isnull=True, plan__isnull=True, created_at__date__lte=end)
        )

    def assigned_to(self, organization_ids):
        """Tasks an organisation leads or supports."""
        return self.filter(
            Q(lead_organization_id__in=organization_ids)
            | Q(supporting_organizations__id__in=organization_ids)
        ).distinct()


class TaskSupportingOrganization(WardUniqueValidationMixin, WardOwnedModel):
    """A supporting unit of a task (the table of ``Task.supporting_organizations``), in the
    task's ward."""

    ward_parent = "task"

    # Declared before Task: its history of supporting units is built from this model.
    task = models.ForeignKey(
        "plans.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("supporting unit"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "plans_task_supporting_organizations"  # the many-to-many's own table
        verbose_name = _("supporting unit")
        verbose_name_plural = _("supporting units")
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "task", "organization"],
                name="task_supporting_organization_unique",
                violation_error_message=_("This unit already supports the task."),
            )
        ]

    def __str__(self) -> str:
        return str(self.organization)


class Task(VersionedModel, SearchableModel):
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="tasks"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    # No default: services give a new task the next free number of its plan.
    ordinal = models.PositiveSmallIntegerField(_("number"), blank=True)
    title = models.CharField(_("task"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    lead_organization = models.ForeignKey(
        Organization,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    supporting_organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("supporting units"),
        blank=True,
        related_name="supported_tasks",
        through=TaskSupportingOrganization,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_quarter = QuarterField(_("due quarter"), blank=True, null=True)
    assigned_on = models.DateField(
        _("assigned on"),
        null=True,
        blank=True,
        help_text=_("When the task was given: the plan's date, or the meeting's."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[supporting_organizations])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan_id", "ordinal", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "plan", "ordinal"],
                condition=Q(plan__isnull=False),
                name="task_unique_ordinal_per_plan",
                violation_error_message=_("A task with this number already exists in the plan."),
            )
        ]
        indexes = [
            models.Index(fields=["ward", "status"], name="task_ward_status_idx"),
            models.Index(fields=["lead_organization", "status"], name="task_lead_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.title}"

    def search_texts(self) -> list[str]:
        return [self.title, self.description]

    @property
    def deadline(self) -> dt.date | None:
        if self.due_date:
            return self.due_date
        return self.due_quarter.end if self.due_quarter else None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Derived, never stored: unfinished and past its deadline."""
        deadline = self.deadline
        today = today or timezone.localdate()
        return self.status in OPEN_STATUSES and deadline is not None and deadline < today

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def clean(self) -> None:
        self.title = normalize(self.title)
        self.description = normalize(self.description)
        if not self.title:
            raise ValidationError({"title": _("Write what the task is.")})
        if self.plan_id and self.plan.ward_id != self.ward_id:
            raise ValidationError({"plan": _("That plan belongs to another ward.")})
        if self.lead_organization_id and self.lead_organization.ward_id not in (None, self.ward_id):
            raise ValidationError({"lead_organization": _("This unit belongs to another ward.")})


# --- ProgressReport -----------------------------------------------------------------------------
class ProgressReport(WardUniqueValidationMixin, WardOwnedModel, VersionedModel, TimeStampedModel):
    """A unit's report on one task for one quarter, in the task's ward. One per task, unit
    and quarter: a second submission updates it, and the history keeps every version."""

    ward_parent = "task"

    # No index of its own: report_task_unit_period_idx (task, organization, year, quarter)
    # starts with it and serves every lookup by task.
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="reports",
        db_index=False,
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices)
    percent = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("what was done"), blank=True)
    attachment = models.FileField(
        _("evidence"), upload_to=_upload_to, blank=True, validators=[validate_document_file]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # empty for a unit without a login, whose report the office typed in
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-year", "-quarter", "task_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "task", "organization", "year", "quarter"],
                name="progress_report_one_per_task_unit_quarter",
                violation_error_message=_(
                    "This unit already reported on this task for the quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="progress_report_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4),
                name="progress_report_quarter_range",
            ),
        ]
        indexes = [
            # A ward's reports of a quarter (by unit).
            models.Index(
                fields=["ward", "year", "quarter", "organization"], name="report_period_unit_idx"
            ),
            # Lookups by task (the unique constraint starts with the ward): a task's reports,
            # a unit's report on a task for a quarter.
            models.Index(
                fields=["task", "organization", "year", "quarter"],
                name="report_task_unit_period_idx",
            ),
            # "Has this unit finished this task (by some quarter)?": the EXISTS of the quarter
            # page, the matrix, "my tasks" and the city view; answered from the index alone.
            models.Index(
                fields=["task", "organization", "year", "quarter"],
                condition=Q(status=TaskStatus.DONE),
                name="report_done_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} – {self.organization} – {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    def clean(self) -> None:
        # A finalised quarter is locked: no report of it is added or changed (any path).
        period = quarter_or_none(self.year, self.quarter)
        if self.task_id and period is not None:
            ensure_period_open(self.task.ward_id, period)
            if self.pk:
                stored = ProgressReport.objects.filter(pk=self.pk).values("year", "quarter").first()
                if stored and (stored["year"], stored["quarter"]) != (self.year, self.quarter):
                    stored_period = quarter_or_none(stored["year"], stored["quarter"])
                    ensure_period_open(self.task.ward_id, stored_period)


# --- Numbering ----------------------------------------------------------------------------------
class DocumentSequence(WardUniqueValidationMixin, WardOwnedModel):
    """The last number an issuer gave to a document type within a committee term, in the
    issuer's ward."""

    ward_parent = "issuer"

    issuer = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="document_sequences"
    )
    doc_type = models.CharField(max_length=10)
    term_start_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document numbering")
        verbose_name_plural = _("document numbering")
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "issuer", "doc_type", "term_start_year"],
                name="document_sequence_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.doc_type}/{self.issuer.symbol_code} {self.term_start_year}: {self.last_number}"
        )
