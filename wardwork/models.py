"""Core models: the ward (tenant), its organisations and people, login accounts, positions.

Permissions are derived from a person's *current* positions (see ``wardwork.roles``).
Every searchable model keeps ``search_key``, the folded form of its names, updated on save.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wardwork.tenancy import WardFillingQuerySet, WardOwnedModel
from wardwork.text import fold, name_sort_string, normalize


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def include_derived(kwargs: dict, *names: str) -> None:
    """A save limited to ``update_fields`` also writes the columns derived in ``save()``."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None:
        kwargs["update_fields"] = {*update_fields, *names}


class WorkflowEvent(models.Model):
    """Abstract audit row of one workflow step: what was done, from which status to which,
    by whom, when and why. Each app adds the foreign key to the object the step was on."""

    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class SearchableModel(TimeStampedModel):
    """Keeps a folded, accent-insensitive copy of its names in ``search_key``."""

    # No B-tree: searches use LIKE '%word%', which only a trigram index serves (PostgreSQL;
    # see wardwork/trigram.py and the migrations that add one per searchable model).
    search_key = models.CharField(max_length=600, editable=False, default="")

    class Meta:
        abstract = True

    derived_fields: tuple[str, ...] = ("search_key",)

    def save(self, *args, **kwargs):
        self.fill_derived()
        include_derived(kwargs, *self.derived_fields)
        super().save(*args, **kwargs)

    def fill_derived(self) -> None:
        """Set the columns computed from the others. ``save()`` calls it; so does any code
        that inserts rows without ``save()`` (``bulk_create``, COPY)."""
        self.search_key = fold(" ".join(t for t in self.search_texts() if t))[:600]

    def search_texts(self) -> list[str]:
        raise NotImplementedError


class SearchQuerySet(models.QuerySet):
    def search(self, text: str | None):
        """Every folded word of ``text`` must appear in the row's search key."""
        qs = self
        for word in fold(text).split():
            qs = qs.filter(search_key__contains=word)
        return qs


# --- Ward ---------------------------------------------------------------------------------------
class Ward(SearchableModel):
    name = models.CharField(_("name"), max_length=200, unique=True, help_text=_("Phường Phúc Đồng"))
    place_name = models.CharField(
        _("place name"),
        max_length=100,
        help_text=_(
            'As written before the date in documents: "Phúc Đồng, ngày 13 tháng 4 năm 2021".'
        ),
    )
    parent_name = models.CharField(
        _("parent unit"),
        max_length=200,
        blank=True,
        help_text=_("Quận Long Biên / Thành phố Hà Nội"),
    )
    history = HistoricalRecords()

    objects = SearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("ward")
        verbose_name_plural = _("wards")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def search_texts(self) -> list[str]:
        return [self.name, self.place_name, self.parent_name]

    def clean(self) -> None:
        self.name = normalize(self.name)
        self.place_name = normalize(self.place_name)
        self.parent_name = normalize(self.parent_name)


# --- Organization -------------------------------------------------------------------------------
class OrganizationKind(models.TextChoices):
    WARD_COMMITTEE = "ward_committee", _("Ward Party committee")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee")
    PARTY_CELL = "party_cell", _("Party cell")
    PEOPLE_COMMITTEE = "people_committee", _("People's Committee")
    PEOPLE_COUNCIL = "people_council", _("People's Council")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front committee")
    MASS_ORGANIZATION = "mass_organization", _("Mass organisation")
    MASS_MOBILIZATION_BLOC = "mass_mobilization_bloc", _("Mass mobilisation bloc")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")
    HIGHER_COMMITTEE = "higher_committee", _("Higher Party committee")
    OTHER = "other", _("Other")


MESSAGE_CHOOSE_WARD = _("Choose the ward this organisation belongs to.")


class OrganizationQuerySet(SearchQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_ward(self, ward):
        return self.filter(ward=ward)


class Organization(SearchableModel):
    ward = models.ForeignKey(
        Ward,
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        related_name="organizations",
        # Every kind belongs to a ward: a higher committee (Quận ủy) is the ward's own copy.
        error_messages={"null": MESSAGE_CHOOSE_WARD, "blank": MESSAGE_CHOOSE_WARD},
        help_text=_(
            "The ward that records this organisation. A body above the ward (Quận ủy, Thành ủy) "
            "is recorded by each ward that refers to it, as a higher Party committee."
        ),
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    symbol_code = models.CharField(
        _("symbol code"),
        max_length=20,
        blank=True,
        help_text=_('Issuer part of a document symbol: "ĐU", "QU", "TU".'),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "name"], name="organization_unique_name_per_ward"
            ),
        ]
        indexes = [
            models.Index(fields=["ward", "kind", "is_active"], name="organization_ward_kind_idx")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def search_texts(self) -> list[str]:
        return [self.name, self.short_name, self.symbol_code]

    def clean(self) -> None:
        self.name = normalize(self.name)
        self.short_name = normalize(self.short_name)
        self.symbol_code = normalize(self.symbol_code)
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own parent.")})
        if self.parent_id and self.parent.ward_id != self.ward_id:
            raise ValidationError({"parent": _("The parent organisation belongs to another ward.")})


# --- Person -------------------------------------------------------------------------------------
class PersonQuerySet(SearchQuerySet):
    def in_ward(self, ward):
        return self.filter(ward=ward)

    def by_name(self):
        """Vietnamese order: given name first, then family and middle names."""
        return self.order_by("sort_key", "pk")


class Person(SearchableModel):
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), on_delete=models.PROTECT, related_name="people"
    )
    full_name = models.CharField(_("full name"), max_length=200, help_text=_("Family name first."))
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("main unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    title = models.CharField(
        pgettext_lazy("person", "title"),
        max_length=255,
        blank=True,
        help_text=_("Chức vụ, as written."),
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    sort_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_key", "pk"]
        indexes = [models.Index(fields=["ward", "sort_key"], name="person_ward_sort_idx")]

    def __str__(self) -> str:
        return self.full_name

    derived_fields = (*SearchableModel.derived_fields, "sort_key")

    def fill_derived(self) -> None:
        self.full_name = normalize(self.full_name)
        self.sort_key = name_sort_string(self.full_name)
        super().fill_derived()

    def search_texts(self) -> list[str]:
        return [self.full_name, self.title]

    def clean(self) -> None:
        self.full_name = normalize(self.full_name)
        self.title = normalize(self.title)
        if not self.full_name:
            raise ValidationError({"full_name": _("Enter the person's full name.")})
        if self.organization_id and self.organization.ward_id != self.ward_id:
            raise ValidationError({"organization": _("This unit belongs to another ward.")})


# --- User ---------------------------------------------------------------------------------------
class User(AbstractUser):
    """A login account. Many people never log in; a user usually points at its person."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        # No database constraint: accounts are a global table (a Citus reference table), which
        # may not reference a distributed one; Django's SET_NULL still clears it on delete.
        db_constraint=False,
    )
    ward = models.ForeignKey(
        Ward,
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The ward whose data this account works on. Empty only for superusers."),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        if self.person_id:
            return f"{self.person.full_name} ({self.username})"
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.person_id and self.ward_id and self.person.ward_id != self.ward_id:
            raise ValidationError({"person": _("This person belongs to another ward.")})
        if not self.ward_id and not self.is_superuser:
            raise ValidationError({"ward": _("Choose the ward this account works on.")})


# --- Position -----------------------------------------------------------------------------------
class PositionRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    STANDING_DEPUTY_SECRETARY = "standing_deputy_secretary", _("Standing deputy secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    CELL_SECRETARY = "cell_secretary", _("Cell secretary")
    HEAD = "head", _("Head")
    DEPUTY_HEAD = "deputy_head", _("Deputy head")
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff")


class PositionQuerySet(WardFillingQuerySet):
    def current(self, on: dt.date | None = None):
        """Positions held on ``on`` (today in Asia/Ho_Chi_Minh by default)."""
        day = on or timezone.localdate()
        return self.filter(Q(started_on__isnull=True) | Q(started_on__lte=day)).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )


class Position(WardOwnedModel, TimeStampedModel):
    ward_parent = "person"

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="positions"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    role = models.CharField(_("role"), max_length=32, choices=PositionRole.choices)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["organization__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="position_ends_after_start",
                violation_error_message=_("A position cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["person", "organization", "role"], name="position_person_org_role_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.organization}"

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A position cannot end before it starts.")})
        if (
            self.person_id
            and self.organization_id
            and self.organization.ward_id is not None
            and self.organization.ward_id != self.person.ward_id
        ):
            raise ValidationError({"organization": _("This organisation belongs to another ward.")})
