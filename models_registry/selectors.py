"""Reads of registrations, scoped to the requesting user.

Reviewers (ward staff, Khối Dân vận, superusers) see every registration of their ward(s);
other users of the ward see their own units' registrations in any status and the other
units' approved, recognised or not-achieved ones, never another unit's draft. ``*_get``
raises ``Http404`` for anything outside that. Query counts do not grow with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from models_registry.models import (
    COUNTED_STATUSES,
    PUBLIC_STATUSES,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    exemplary_with_counts,
)
from models_registry.rules import reviews_registrations
from wardwork.roles import roles_of
from wardwork.selectors import get_for_user, scope_to_user
from wardwork.text import two_digits


def visible_registrations(*, user) -> QuerySet[Registration]:
    qs = scope_to_user(Registration.objects.all(), user)
    if reviews_registrations(user):
        return qs
    own_units = roles_of(user).managed_unit_ids
    return qs.filter(Q(registered_by_unit_id__in=own_units) | Q(status__in=PUBLIC_STATUSES))


def _with_related(qs):
    return qs.select_related(
        "organization", "person", "registered_by_unit", "field", "plan", "replicates"
    )


def registration_list(*, user, filters: dict | None = None) -> QuerySet[Registration]:
    """The registry: filters year, kind, field, unit (owner), status, q (accent-insensitive)."""
    filters = filters or {}
    qs = visible_registrations(user=user)
    for name in ("year", "kind", "field", "status"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("unit"):
        qs = qs.filter(registered_by_unit=filters["unit"])
    if filters.get("q"):
        qs = qs.search(filters["q"])
    return _with_related(qs).order_by("-year", "kind", "registered_by_unit__name", "title", "pk")


def registration_get(*, user, pk) -> Registration:
    """One registration with everything its page shows; 404 outside what the user may see."""
    qs = _with_related(visible_registrations(user=user)).select_related(
        "ward", "reviewed_by", "created_by"
    )
    return get_for_user(qs, user, pk=pk)


def registration_page_data(*, registration: Registration, user) -> dict:
    """Events, revisions, updates, recognitions and visible replications of one model."""
    replications = (
        visible_registrations(user=user)
        .filter(replicates=registration)
        .select_related("registered_by_unit")
    )
    return {
        "events": registration.events.select_related("actor__person").order_by("at", "pk"),
        "revisions": registration.revisions.select_related("changed_by__person").order_by(
            "-number"
        ),
        "updates": registration.updates.select_related("reported_by__person").order_by(
            "-year", "-quarter"
        ),
        "recognitions": registration.recognitions.select_related("issuer").order_by(
            "-decided_on", "-pk"
        ),
        "replications": replications.order_by("-year", "title"),
    }


def review_queue(*, user) -> QuerySet[Registration]:
    """Submitted registrations of the reviewer's ward(s), oldest submission first."""
    if not reviews_registrations(user):
        return Registration.objects.none()
    qs = scope_to_user(Registration.objects.filter(status=RegistrationStatus.SUBMITTED), user)
    return _with_related(qs).order_by("submitted_at", "pk")


def unit_registrations(*, user, year: int | None = None) -> QuerySet[Registration]:
    """ "Mô hình của đơn vị": registrations owned by the units the user manages."""
    qs = scope_to_user(
        Registration.objects.filter(registered_by_unit_id__in=roles_of(user).managed_unit_ids), user
    )
    if year:
        qs = qs.filter(year=year)
    return _with_related(qs).order_by("-year", "status", "title")


@dataclass
class Totals:
    """Counts computed from the data, never typed: what the quarterly report quotes."""

    collective: int
    individual: int
    by_status: dict[str, int]
    by_field: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return self.collective + self.individual

    @property
    def sentence(self) -> str:
        """ "18 tập thể, 03 cá nhân" (two-digit counts, as in the reports)."""
        from django.utils.translation import gettext as _

        return _("%(collective)s collectives, %(individual)s individuals") % {
            "collective": two_digits(self.collective),
            "individual": two_digits(self.individual),
        }


def registration_totals(*, user, year: int, ward=None) -> Totals:
    """Totals for the year in the user's ward(s) or ``ward``, in three aggregate queries.

    ``collective``, ``individual`` and ``by_field`` count the registrations that count
    (submitted, approved, recognised, not achieved); ``by_status`` counts every status,
    drafts and withdrawn included, so reviewers see the whole pipeline."""
    qs = scope_to_user(Registration.objects.filter(year=year), user)
    if ward is not None:
        qs = qs.filter(ward=ward)
    by_status = {
        row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("pk")).order_by()
    }
    counted = qs.filter(status__in=COUNTED_STATUSES)
    by_kind = counted.totals_by_kind()
    by_field = [
        (row["field__name"], row["n"])
        for row in counted.values("field__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "field__name")
    ]
    return Totals(
        collective=by_kind[RegistrationKind.COLLECTIVE],
        individual=by_kind[RegistrationKind.INDIVIDUAL],
        by_status=by_status,
        by_field=by_field,
    )


def exemplary_models(*, user) -> QuerySet[Registration]:
    """Recognised models with how often each was replicated, most replicated first."""
    qs = exemplary_with_counts(scope_to_user(Registration.objects.all(), user))
    return _with_related(qs).order_by("-replication_count", "-year", "title")
