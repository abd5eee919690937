"""Review meetings (hội nghị): who attended, the report presented, the contributions heard,
and the numbered conclusions that become tracked tasks (``plans.Task``).

A meeting goes planned -> held -> concluded. Concluding creates one task per conclusion;
a concluded meeting is read-only until the ward secretary reopens it with a reason. Every
step is a service (``services.py``) that leaves a ``MeetingEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Plan, Task
from wardwork.concurrency import VersionedModel
from wardwork.fields import QuarterField
from wardwork.models import (
    Organization,
    Person,
    SearchableModel,
    SearchQuerySet,
    Ward,
    WorkflowEvent,
)
from wardwork.periods import ensure_period_open, quarter_or_none
from wardwork.quarters import Quarter
from wardwork.tenancy import WardOwnedModel, fill_wards
from wardwork.text import normalize
from wardwork.uploads import validate_document_file


class MeetingKind(models.TextChoices):
    QUARTERLY_REVIEW = "quarterly_review", _("Quarterly review")
    SEMINAR = "seminar", _("Seminar")
    BRIEFING = "briefing", _("Briefing")
    SEMIANNUAL_REVIEW = "semiannual_review", _("Semi-annual review")
    ANNUAL_REVIEW = "annual_review", _("Annual review")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CONCLUDED = "concluded", _("Concluded")


# The many-to-many tables of a meeting, with the meeting's ward (the tables Django first made
# for ``Meeting.chairs`` and ``Meeting.reviewed_plans``, kept with their rows).


class MeetingChair(WardOwnedModel):
    """A person chairing the meeting."""

    # Declared before Meeting: its history of chairs is built from this model.
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="chair_rows",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )

    ward_parent = "meeting"

    class Meta:
        db_table = "meetings_meeting_chairs"
        verbose_name = _("meeting chair")
        verbose_name_plural = _("meeting chairs")
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "meeting", "person"], name="meeting_chair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.person_id}"


class MeetingReviewedPlan(WardOwnedModel):
    """A plan the meeting reviews."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="reviewed_plan_rows",
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+"
    )

    ward_parent = "meeting"

    class Meta:
        db_table = "meetings_meeting_reviewed_plans"
        verbose_name = _("plan under review")
        verbose_name_plural = _("plans under review")
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "meeting", "plan"], name="meeting_reviewed_plan_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.plan_id}"


class Meeting(VersionedModel, SearchableModel):
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=300)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    held_at = models.DateTimeField(_("date and time"))
    venue = models.CharField(
        _("venue"), max_length=255, blank=True, help_text=_("Phòng họp 2 trụ sở phường")
    )
    chairs = models.ManyToManyField(
        Person,
        verbose_name=_("chaired by"),
        blank=True,
        related_name="chaired_meetings",
        through=MeetingChair,
    )
    reviewed_plans = models.ManyToManyField(
        Plan,
        verbose_name=_("plans under review"),
        blank=True,
        related_name="review_meetings",
        through=MeetingReviewedPlan,
    )
    presenter = models.ForeignKey(
        Person,
        verbose_name=_("report presented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presented_meetings",
    )
    report_summary = models.TextField(_("report presented"), blank=True)
    next_period_direction = models.TextField(_("next period's direction"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[chairs, reviewed_plans])

    objects = SearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-pk"]
        indexes = [
            models.Index(fields=["ward", "year", "quarter"], name="meeting_ward_period_idx"),
            models.Index(
                fields=["ward", "status", "-held_at"], name="meeting_ward_status_held_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.held_at):%d/%m/%Y})"

    def search_texts(self) -> list[str]:
        return [self.title, self.venue]

    @property
    def period(self) -> Quarter | None:
        """The quarter reviewed; None without one (or with values no quarter has)."""
        return quarter_or_none(self.year, self.quarter) if self.quarter else None

    @property
    def is_read_only(self) -> bool:
        return self.status == MeetingStatus.CONCLUDED

    def clean(self) -> None:
        self.title = normalize(self.title)
        self.venue = normalize(self.venue)
        self.report_summary = normalize(self.report_summary)
        self.next_period_direction = normalize(self.next_period_direction)
        if not self.title:
            raise ValidationError({"title": _("Give the meeting a title.")})
        if self.kind == MeetingKind.QUARTERLY_REVIEW and not self.quarter:
            raise ValidationError(
                {"quarter": _("A quarterly review is about a quarter: choose it.")}
            )
        if self.presenter_id and self.presenter.ward_id != self.ward_id:
            raise ValidationError({"presenter": _("This person belongs to another ward.")})
        # No meeting is recorded in, or moved into or out of, a finalised quarter.
        if self.ward_id and self.period is not None:
            ensure_period_open(self.ward_id, self.period, field="quarter")
        if self.pk:
            stored = Meeting.objects.filter(pk=self.pk).values("ward_id", "year", "quarter").first()
            if stored and stored["quarter"]:
                stored_period = quarter_or_none(stored["year"], stored["quarter"])
                ensure_period_open(stored["ward_id"], stored_period)

    @property
    def closed_period_message(self) -> str | None:
        """Why the meeting's quarter is locked (finalised), or None."""
        from wardwork.periods import period_closed_message

        return period_closed_message(self.ward_id, self.period)


class MeetingRowModel(WardOwnedModel):
    """A row of a meeting (attendance, contribution, conclusion): its ward is the meeting's.

    The ward is no form field, so a ModelForm leaves it out of validation, and Django skips
    every unique constraint naming a field left out: here the ward is filled from the
    meeting before validation and counts as present whenever the meeting does, so a
    duplicate is still a form error (worded as before, without the ward), not an
    ``IntegrityError``. The ward's own field check is skipped: the meeting's is enough."""

    ward_parent = "meeting"

    class Meta:
        abstract = True

    def _with_ward(self, exclude) -> set:
        """``exclude`` without the ward when the meeting is validated, the ward filled."""
        exclude = set(exclude or ())
        if self.ward_parent not in exclude:
            if self.ward_id is None and getattr(self, f"{self.ward_parent}_id") is not None:
                fill_wards(type(self), [self])
            exclude.discard("ward")
        return exclude

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*self._with_ward(exclude), "ward"})

    def validate_constraints(self, exclude=None):
        super().validate_constraints(exclude=self._with_ward(exclude))

    def _get_unique_checks(self, exclude=None, include_meta_constraints=False):
        # Inline formsets compare their rows with each other: the rows share the meeting,
        # hence the ward, so each check is made on its other fields.
        exclude = set(exclude or ())
        if self.ward_parent not in exclude:
            exclude.discard("ward")
        unique_checks, date_checks = super()._get_unique_checks(
            exclude=exclude, include_meta_constraints=include_meta_constraints
        )
        unique_checks = [
            (model, tuple(f for f in check if f != "ward") or check)
            for model, check in unique_checks
        ]
        return unique_checks, date_checks

    def unique_error_message(self, model_class, unique_check):
        rest = tuple(f for f in unique_check if f != "ward")
        return super().unique_error_message(model_class, rest or unique_check)


def _ensure_meeting_open(row) -> None:
    """A row of a meeting whose quarter is finalised is not added or changed."""
    if row.meeting_id:
        meeting = row.meeting
        if meeting.period is not None:
            ensure_period_open(meeting.ward_id, meeting.period)


class MeetingEvent(WardOwnedModel, WorkflowEvent):
    """A step of a meeting (held, concluded, reopened): who, when, why."""

    ward_parent = "meeting"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")

    class Meta:
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.action}"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(MeetingRowModel):
    """A person (or a body as a whole) invited to a meeting, and whether they came."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The body the person represents, or the invited body itself."),
    )
    status = models.CharField(
        _("attendance"),
        max_length=20,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "organization__kind", "organization__name", "person__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendance_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["ward", "meeting", "organization"],
                condition=Q(person__isnull=True),
                name="attendance_one_per_body",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organization__isnull=False),
                name="attendance_someone",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organization)

    def clean(self) -> None:
        _ensure_meeting_open(self)


class Contribution(MeetingRowModel):
    """Ý kiến đóng góp: numbered in the order they were heard."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="contributions")
    ordinal = models.PositiveSmallIntegerField(_("number"))
    speaker = models.ForeignKey(
        Person,
        verbose_name=_("speaker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    content = models.TextField(_("content"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["meeting", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "meeting", "ordinal"], name="contribution_unique_ordinal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.content[:60]}"

    def clean(self) -> None:
        _ensure_meeting_open(self)


# The bodies of a conclusion, with its ward (the tables Django first made for
# ``Conclusion.lead_organizations`` and ``Conclusion.supporting_organizations``, kept).


class ConclusionLeadOrganization(WardOwnedModel):
    """A body leading the conclusion's task."""

    # Declared before Conclusion: its history of bodies is built from this model.
    conclusion = models.ForeignKey(
        "meetings.Conclusion",
        verbose_name=_("conclusion"),
        on_delete=models.CASCADE,
        related_name="lead_rows",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )

    ward_parent = "conclusion"

    class Meta:
        db_table = "meetings_conclusion_lead_organizations"
        verbose_name = _("lead body")
        verbose_name_plural = _("lead bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "conclusion", "organization"],
                name="conclusion_lead_organization_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conclusion_id}: {self.organization_id}"


class ConclusionSupportingOrganization(WardOwnedModel):
    """A body supporting the conclusion's task."""

    conclusion = models.ForeignKey(
        "meetings.Conclusion",
        verbose_name=_("conclusion"),
        on_delete=models.CASCADE,
        related_name="supporting_rows",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )

    ward_parent = "conclusion"

    class Meta:
        db_table = "meetings_conclusion_supporting_organizations"
        verbose_name = _("supporting body")
        verbose_name_plural = _("supporting bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "conclusion", "organization"],
                name="conclusion_supporting_organization_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conclusion_id}: {self.organization_id}"


class Conclusion(MeetingRowModel, VersionedModel):
    """Kết luận chỉ đạo: a numbered direction with the bodies that carry it out; concluding
    the meeting turns it into a ``plans.Task`` followed up next quarter."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="conclusions")
    ordinal = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("conclusion"))
    lead_organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("lead bodies"),
        related_name="led_conclusions",
        through=ConclusionLeadOrganization,
    )
    supporting_organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("supporting bodies"),
        blank=True,
        related_name="supported_conclusions",
        through=ConclusionSupportingOrganization,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_quarter = QuarterField(_("due quarter"), null=True, blank=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Link the task to a plan only when the conclusion belongs to one."),
    )
    # At most one conclusion per task (``conclusion_one_per_task``): a foreign key, not a
    # one-to-one, so that the uniqueness can include the ward. ``Task.objects.filter(
    # conclusion__meeting=...)`` still reads; a task's conclusion: ``task_conclusion(task)``.
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conclusions",
        related_query_name="conclusion",
    )
    history = HistoricalRecords(
        m2m_fields=[lead_organizations, supporting_organizations],
        # ``Task.objects.filter(conclusion__...)`` means the conclusions, not their history.
        excluded_field_kwargs={"task": {"related_query_name"}},
    )

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")
        ordering = ["meeting", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "meeting", "ordinal"], name="conclusion_unique_ordinal"
            ),
            # At most one conclusion per task (``task_conclusion()`` in selectors.py).
            models.UniqueConstraint(fields=["ward", "task"], name="conclusion_one_per_task"),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal}. {self.text[:60]}"

    def clean(self) -> None:
        _ensure_meeting_open(self)
        self.text = normalize(self.text)
        if not self.text:
            raise ValidationError({"text": _("Write the conclusion.")})
        if self.due_date and self.due_quarter:
            raise ValidationError(
                {"due_quarter": _("Give either a due date or a due quarter, not both.")}
            )


# --- Documents ------------------------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    MINUTES = "minutes", _("Minutes")
    CONCLUSION_NOTICE = "conclusion_notice", _("Conclusion notice")
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly report")


# The type part of each document's symbol: "35-TB/ĐU" (Hướng dẫn 36-HD/VPTW).
DOCUMENT_DOC_TYPES = {
    DocumentKind.MINUTES: "BB",
    DocumentKind.CONCLUSION_NOTICE: "TB",
    DocumentKind.QUARTERLY_REPORT: "BC",
}


def _template_upload_to(instance, filename):
    return f"document_templates/{instance.kind}/{filename}"


def validate_docx_name(upload) -> None:
    """A document template is a Word document (.docx); older .doc files cannot hold the
    placeholders."""
    if not (getattr(upload, "name", "") or "").lower().endswith(".docx"):
        raise ValidationError(
            _("A document template must be a Word document (.docx)."), code="not_docx"
        )


class DocumentTemplate(models.Model):
    """A Word layout an administrator uploaded for a kind of document, with docxtpl (Jinja)
    placeholders: for one ward, or for every ward when ``ward`` is empty. Without an active
    one, the built-in layout in ``meetings/document_templates/<kind>.docx`` is used. The
    placeholders available are listed in ``meetings/documents.py``."""

    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    ward = models.ForeignKey(
        Ward,
        verbose_name=_("ward"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="document_templates",
        help_text=_("Empty: the layout of every ward that has none of its own."),
    )
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(
        _("Word template (.docx)"),
        upload_to=_template_upload_to,
        validators=[validate_docx_name, validate_document_file],
    )
    is_active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "ward__name", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ward"],
                condition=Q(is_active=True, ward__isnull=False),
                name="document_template_one_active_per_ward",
                violation_error_message=_(
                    "This ward already has a template in use for this document: "
                    "take that one out of use first."
                ),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_active=True, ward__isnull=True),
                name="document_template_one_active_default",
                violation_error_message=_(
                    "There is already a template in use for every ward for this document: "
                    "take that one out of use first."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    def clean(self) -> None:
        self.name = normalize(self.name)
        if not self.name:
            raise ValidationError({"name": _("Give the template a name.")})
        if self.file and self.file.name.lower().endswith(".docx"):
            from meetings.document_render import DocumentTemplateError, template_check

            try:
                template_check(self.file, kind=self.kind, label=self.name)
            except DocumentTemplateError as exc:
                raise ValidationError({"file": exc.message}) from exc


class IssuedDocument(models.Model):
    """A numbered document the ward committee issued from the tracker (the conclusion notice
    35-TB/ĐU, the minutes, the quarterly report). Its number is reserved once, the first
    time the document is generated; every later generation reuses it, so the symbol stays
    the same however often the file is printed again."""

    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="issued_documents"
    )
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_documents",
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    issuer = models.ForeignKey(
        Organization, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="+"
    )
    doc_type = models.CharField(_("document type"), max_length=10)
    number = models.PositiveIntegerField(_("number"))
    term_start_year = models.PositiveSmallIntegerField(_("committee term"))
    symbol = models.CharField(_("symbol"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    title = models.CharField(_("summary"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("numbered at"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last generated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    generated_at = models.DateTimeField(_("last generated at"), null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    content_size = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # Numbers restart with each committee term, so "01-TB/ĐU" recurs across terms.
            models.UniqueConstraint(
                fields=["ward", "issuer", "doc_type", "term_start_year", "number"],
                name="issued_document_unique_number",
            ),
            models.UniqueConstraint(
                fields=["ward", "meeting", "kind"],
                condition=Q(meeting__isnull=False),
                name="issued_document_one_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["ward", "kind", "year", "quarter"],
                condition=Q(meeting__isnull=True, year__isnull=False, quarter__isnull=False),
                name="issued_document_one_per_quarter",
            ),
        ]
        indexes = [
            models.Index(fields=["ward", "kind", "-issued_on"], name="issued_doc_ward_kind_idx")
        ]

    def __str__(self) -> str:
        return f"{self.symbol} ({self.issued_on:%d/%m/%Y})"


# The quarterly review lives in its own module; imported here so Django registers its models.
from meetings.review_models import (  # noqa: E402, F401
    REPORT_SECTIONS,
    QuarterlyReview,
    QuarterlyReviewEvent,
    Reminder,
    ReviewStatus,
)
