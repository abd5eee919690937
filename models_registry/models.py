"""'Dân vận khéo' model registrations: who registers what, its review, its yearly life.

A registration belongs to a ward and a year; it is either a collective's (tập thể: the
organisation itself) or an individual's (cá nhân: a person, with the unit they belong to).
It is owned by ``registered_by_unit`` (usually a chi bộ or a mass organisation), whose
managers edit it while it is a draft or returned. Every workflow step is a service in
``services.py`` and leaves a ``RegistrationEvent``; every adjustment of an approved model
leaves a ``RegistrationRevision`` with the previous content. Those rows, the quarterly
updates and the recognitions carry the registration's ward (``RegistrationChild``), and
every unique constraint starts with the ward (a Citus distribution by ward).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models import Plan
from wardwork.concurrency import VersionedModel
from wardwork.models import (
    Organization,
    Person,
    SearchableModel,
    SearchQuerySet,
    TimeStampedModel,
    Ward,
    WorkflowEvent,
)
from wardwork.periods import ensure_period_open, quarter_or_none
from wardwork.quarters import Quarter
from wardwork.tenancy import WardOwnedModel, fill_wards
from wardwork.text import fold, normalize
from wardwork.uploads import validate_document_file


class Field(models.Model):
    """Lĩnh vực: the four official fields and local topics; edited in the admin."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    is_official = models.BooleanField(
        _("official field"),
        default=False,
        help_text=_("One of the four fields of the Dân vận khéo movement."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["-is_official", "position", "name"]

    def __str__(self) -> str:
        return self.name


class RegistrationKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    RECOGNIZED = "recognized", _("Recognised")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = RegistrationStatus
EDITABLE_BY_OWNER = (S.DRAFT, S.RETURNED)
# Statuses other units of the ward may read (never another unit's drafts).
PUBLIC_STATUSES = (S.APPROVED, S.RECOGNIZED, S.NOT_ACHIEVED)
COUNTED_STATUSES = (S.SUBMITTED, S.APPROVED, S.RECOGNIZED, S.NOT_ACHIEVED)
# The fields an adjustment may change, and a revision keeps.
CONTENT_FIELDS = (
    "title",
    "field_id",
    "content",
    "solutions",
    "schedule",
    "expected_results",
    "plan_id",
)


class RegistrationQuerySet(SearchQuerySet):
    def counted(self):
        """Registrations that count in the ward's totals: sent in, and not withdrawn."""
        return self.filter(status__in=COUNTED_STATUSES)

    def exemplary(self):
        """Recognised models: the ones others replicate (điển hình)."""
        return self.filter(status=S.RECOGNIZED)

    def totals_by_kind(self) -> dict[str, int]:
        rows = self.values("kind").annotate(n=Count("pk")).order_by()
        totals = {kind: 0 for kind in RegistrationKind.values}
        totals.update({row["kind"]: row["n"] for row in rows})
        return totals


class Registration(VersionedModel, SearchableModel):
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="registrations"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RegistrationKind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("collective or unit"),
        on_delete=models.PROTECT,
        related_name="registrations",
        help_text=_("The collective that registers, or the unit an individual belongs to."),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("individual"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    registered_by_unit = models.ForeignKey(
        Organization,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="owned_registrations",
        help_text=_("The cell or organisation that owns the registration."),
    )
    title = models.CharField(_("model name"), max_length=300)
    title_key = models.CharField(max_length=300, editable=False, default="", db_index=True)
    field = models.ForeignKey(
        Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="registrations"
    )
    content = models.TextField(_("content"), blank=True)
    solutions = models.TextField(_("solutions"), blank=True)
    schedule = models.TextField(
        _("schedule"), blank=True, help_text=_("Tiến độ: what will be done by when.")
    )
    expected_results = models.TextField(_("expected results"), blank=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("implements plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    replicates = models.ForeignKey(
        "self",
        verbose_name=_("replicates"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replications",
        help_text=_("The exemplary model this one copies (nhân rộng)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, default=S.DRAFT
    )
    review_note = models.TextField(_("review note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Dân vận khéo registration")
        verbose_name_plural = _("Dân vận khéo registrations")
        ordering = ["-year", "kind", "registered_by_unit__name", "title"]
        constraints = [
            # One model of a given name per unit and year (accents and case ignored); a
            # withdrawn one frees its name.
            models.UniqueConstraint(
                fields=["ward", "registered_by_unit", "year", "title_key"],
                condition=~Q(status="withdrawn"),
                name="registration_unique_title_per_unit_year",
                violation_error_message=_(
                    "This unit already registered a model with this name for the year."
                ),
            )
        ]
        indexes = [
            models.Index(fields=["ward", "year", "status"], name="registration_ward_status_idx"),
            models.Index(fields=["ward", "year", "kind"], name="registration_ward_kind_idx"),
            models.Index(fields=["registered_by_unit", "year"], name="registration_unit_year_idx"),
            models.Index(fields=["status", "submitted_at"], name="registration_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    derived_fields = (*SearchableModel.derived_fields, "title_key")

    def fill_derived(self) -> None:
        self.title_key = fold(self.title)[:300]
        super().fill_derived()

    def search_texts(self) -> list[str]:
        return [self.title, self.content]

    @property
    def is_editable_by_owner(self) -> bool:
        return self.status in EDITABLE_BY_OWNER

    @property
    def registrant_name(self) -> str:
        return self.person.full_name if self.person_id else self.organization.name

    def clean(self) -> None:
        for name in (
            "title",
            "content",
            "solutions",
            "schedule",
            "expected_results",
            "review_note",
        ):
            setattr(self, name, normalize(getattr(self, name)))
        errors: dict[str, list[str]] = {}
        if not self.title:
            errors.setdefault("title", []).append(_("Give the model a name."))
        if self.kind == RegistrationKind.INDIVIDUAL and not self.person_id:
            errors.setdefault("person", []).append(
                _("An individual registration needs the person who registers.")
            )
        if self.kind == RegistrationKind.COLLECTIVE and self.person_id:
            errors.setdefault("person", []).append(
                _("A collective registration is the organisation's own: leave the person empty.")
            )
        if self.person_id and self.organization_id and self.person.ward_id != self.ward_id:
            errors.setdefault("person", []).append(_("This person belongs to another ward."))
        for name in ("organization", "registered_by_unit"):
            org = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if org is not None and org.ward_id != self.ward_id:
                errors.setdefault(name, []).append(_("This unit belongs to another ward."))
        if self.plan_id and self.plan.ward_id != self.ward_id:
            errors.setdefault("plan", []).append(_("That plan belongs to another ward."))
        if self.replicates_id:
            if self.replicates_id == self.pk:
                errors.setdefault("replicates", []).append(_("A model cannot replicate itself."))
            elif self.replicates.ward_id != self.ward_id:
                errors.setdefault("replicates", []).append(_("That model belongs to another ward."))
            elif self.replicates.status != S.RECOGNIZED:
                errors.setdefault("replicates", []).append(
                    _("Only a recognised, exemplary model can be replicated.")
                )
        if errors:
            raise ValidationError(errors)

    def content_snapshot(self) -> dict:
        return {name: getattr(self, name) for name in CONTENT_FIELDS}


class RegistrationChild(WardOwnedModel):
    """A row of one registration (event, revision, update, recognition): it carries the
    registration's ward, filled on save and bulk_create (``wardwork.tenancy``)."""

    ward_parent = "registration"

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        # Django skips a unique constraint naming a field left out of the form, or empty. The
        # ward is never a form field (editable=False), and the registration is left out of an
        # inline's form or shown read-only: the duplicate would reach the database (an
        # IntegrityError, a 500). Once the registration is known, both are known.
        if self.registration_id is not None:
            if self.ward_id is None:
                fill_wards(type(self), [self])
            if exclude:
                exclude = set(exclude) - {"ward", "registration"}
        super().validate_constraints(exclude=exclude)


class RegistrationEvent(RegistrationChild, WorkflowEvent):
    """One workflow step of a registration: who, when, from what to what, and why."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")

    class Meta:
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.from_status} → {self.to_status}"

    @property
    def to_status_label(self) -> str:
        return (
            RegistrationStatus(self.to_status).label
            if self.to_status in RegistrationStatus.values
            else ""
        )


class RegistrationRevision(RegistrationChild):
    """The content of an approved registration before an adjustment, with who, when, why."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    previous = models.JSONField(_("previous content"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration revision")
        verbose_name_plural = _("registration revisions")
        ordering = ["registration", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "registration", "number"], name="registration_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} v{self.number}"


class RegistrationUpdate(RegistrationChild, VersionedModel, TimeStampedModel):
    """What a model achieved in a quarter, reported by its owning unit."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="updates")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    results = models.TextField(_("results"))
    percent = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    attachment = models.FileField(
        _("evidence"),
        upload_to="registrations/%Y/%m/",
        blank=True,
        validators=[validate_document_file],
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quarterly update")
        verbose_name_plural = _("quarterly updates")
        ordering = ["registration", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "registration", "year", "quarter"],
                name="registration_update_one_per_quarter",
                violation_error_message=_("This model already has an update for the quarter."),
            )
        ]
        indexes = [models.Index(fields=["year", "quarter"], name="registration_update_period_idx")]

    def __str__(self) -> str:
        return f"{self.registration} – {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    def clean(self) -> None:
        # A finalised quarter is locked: no update of it is added or changed (any path).
        period = quarter_or_none(self.year, self.quarter)
        if self.registration_id and period is not None:
            ensure_period_open(self.registration.ward_id, period)
            if self.pk:
                stored = (
                    RegistrationUpdate.objects.filter(pk=self.pk).values("year", "quarter").first()
                )
                if stored and (stored["year"], stored["quarter"]) != (self.year, self.quarter):
                    stored_period = quarter_or_none(stored["year"], stored["quarter"])
                    ensure_period_open(self.registration.ward_id, stored_period)


class RecognitionLevel(models.TextChoices):
    WARD = "ward", _("Ward")
    DISTRICT = "district", _("District")
    CITY = "city", _("City")


class Recognition(RegistrationChild, TimeStampedModel):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="recognitions"
    )
    level = models.CharField(_("level"), max_length=20, choices=RecognitionLevel.choices)
    title = models.CharField(
        _("recognition"),
        max_length=200,
        help_text=_('"Điển hình tiêu biểu", Giấy khen, Bằng khen …'),
    )
    decision_symbol = models.CharField(_("decision symbol"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    issuer = models.ForeignKey(
        Organization,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} – {self.registration}"


def exemplary_with_counts(qs):
    """Exemplary models with how often each was replicated (counted replications only)."""
    return qs.exemplary().annotate(
        replication_count=Count(
            "replications", filter=Q(replications__status__in=COUNTED_STATUSES), distinct=True
        )
    )
