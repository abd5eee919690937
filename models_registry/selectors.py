"""Reads of registrations, scoped to the requesting user.

Reviewers (ward staff, Khối Dân vận, superusers) see every registration of their ward(s);
other users of the ward see their own units' registrations in any status and the other
units' approved, recognised or not-achieved ones, never another unit's draft. ``*_get``
raises ``Http404`` for anything outside that. Query counts do not grow with the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from models_registry.models import (
    COUNTED_STATUSES,
    PUBLIC_STATUSES,
    Recognition,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
)
from models_registry.rules import reviews_registrations
from wardwork.quarters import Quarter
from wardwork.roles import roles_of
from wardwork.selectors import get_for_user, scope_to_user
from wardwork.text import two_digits

# Pseudo-statuses of the registry filter: groups of statuses the quarter page counts.
STATUS_COUNTED = "counted"  # COUNTED_STATUSES: what the totals count
STATUS_RUNNING = "running"  # approved or recognised: the models that send quarterly updates
STATUS_GROUPS = {
    STATUS_COUNTED: COUNTED_STATUSES,
    STATUS_RUNNING: (RegistrationStatus.APPROVED, RegistrationStatus.RECOGNIZED),
}


def visible_registrations(*, user) -> QuerySet[Registration]:
    qs = scope_to_user(Registration.objects.all(), user)
    if reviews_registrations(user):
        return qs
    own_units = roles_of(user).managed_unit_ids
    return qs.filter(Q(registered_by_unit_id__in=own_units) | Q(status__in=PUBLIC_STATUSES))


# The related rows a list shows (its row template: the registrant, the owning unit, the
# field). One join per relation shown and no more: at city scale PostgreSQL takes longer to
# plan a join of seven tables (about 15 ms) than to run it (about 1 ms); of five, about 2 ms.
LIST_RELATED = ("organization", "person", "registered_by_unit", "field")


def _with_related(qs, *extra):
    return qs.select_related(*LIST_RELATED, *extra)


def _quarter_bounds(quarter: Quarter) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the quarter and of the next one, in the project's time zone."""
    first = timezone.make_aware(dt.datetime.combine(quarter.start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(quarter.next().start, dt.time.min))
    return first, after


def _quarter_filters(qs: QuerySet[Registration], filters: dict) -> QuerySet[Registration]:
    """The filters the quarter page's figures link with; each keeps exactly the rows its
    figure counts (see ``meetings.review_figures``)."""
    if quarter := filters.get("as_of"):
        after = _quarter_bounds(quarter)[1]
        qs = qs.filter(Q(submitted_at__isnull=True) | Q(submitted_at__lt=after))
    if quarter := filters.get("submitted_in"):
        first, after = _quarter_bounds(quarter)
        qs = qs.filter(submitted_at__gte=first, submitted_at__lt=after)
    # The rows of a registration are looked up in its own ward (their tables carry it):
    # an update by the unique index (ward, registration, year, quarter).
    if quarter := filters.get("recognised_in"):
        recognised = Recognition.objects.filter(
            ward=OuterRef("ward"),
            registration=OuterRef("pk"),
            decided_on__gte=quarter.start,
            decided_on__lte=quarter.end,
        )
        qs = qs.filter(Exists(recognised))
    for name, keep in (("updated_in", True), ("not_updated_in", False)):
        if quarter := filters.get(name):
            updated = Exists(
                RegistrationUpdate.objects.filter(
                    ward=OuterRef("ward"),
                    registration=OuterRef("pk"),
                    year=quarter.year,
                    quarter=quarter.number,
                )
            )
            qs = qs.filter(updated if keep else ~updated)
    if filters.get("replicates"):
        qs = qs.filter(replicates__isnull=False)
    return qs


def registration_list(*, user, filters: dict | None = None) -> QuerySet[Registration]:
    """The registry: filters year, kind, field, unit (owner), status (a status, or a group:
    "counted", "running"), q (accent-insensitive), ward, and the quarter filters of
    ``_quarter_filters``."""
    filters = filters or {}
    qs = visible_registrations(user=user)
    for name in ("year", "kind", "field", "ward"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    status = filters.get("status")
    if status in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[status])
    elif status:
        qs = qs.filter(status=status)
    if filters.get("unit"):
        qs = qs.filter(registered_by_unit=filters["unit"])
    qs = _quarter_filters(qs, filters)
    if filters.get("q"):
        qs = qs.search(filters["q"])
    return _with_related(qs, "replicates").order_by(
        "-year", "kind", "registered_by_unit__name", "title", "pk"
    )


def registration_get(*, user, pk) -> Registration:
    """One registration with everything its page shows; 404 outside what the user may see."""
    # Not the reviewer (the page names them from the events it loads anyway) nor the
    # creator: two more joins double the time PostgreSQL takes to plan the query.
    qs = _with_related(visible_registrations(user=user), "plan", "replicates", "ward")
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


def attach_reviewer(registration: Registration, events) -> None:
    """Set the reviewer with their person, from the review step's event when it names them
    (the services record both; ``events`` loaded with their actors' people), so the page
    reads no user again; else with one query."""
    if registration.reviewed_by_id is None:
        return
    for event in events:
        if event.actor_id == registration.reviewed_by_id:
            registration.reviewed_by = event.actor
            return
    registration.reviewed_by = (
        get_user_model()
        .objects.select_related("person")
        .filter(pk=registration.reviewed_by_id)
        .first()
    )


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
    """Totals for the year in the user's ward(s) or ``ward``, in one aggregate query.

    ``collective``, ``individual`` and ``by_field`` count the registrations that count
    (submitted, approved, recognised, not achieved); ``by_status`` counts every status,
    drafts and withdrawn included, so reviewers see the whole pipeline. ``by_field`` is
    ordered most first, then by name (the database's order of the names)."""
    qs = scope_to_user(Registration.objects.filter(year=year), user)
    if ward is not None:
        qs = qs.filter(ward=ward)
    rows = (
        qs.values("status", "kind", "field__name").annotate(n=Count("pk")).order_by("field__name")
    )
    by_status: dict[str, int] = {}
    by_kind = {kind: 0 for kind in RegistrationKind.values}
    by_field: dict[str, int] = {}  # in the database's order of the names
    for row in rows:
        n = row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + n
        if row["status"] in COUNTED_STATUSES:
            by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + n
            by_field[row["field__name"]] = by_field.get(row["field__name"], 0) + n
    return Totals(
        collective=by_kind[RegistrationKind.COLLECTIVE],
        individual=by_kind[RegistrationKind.INDIVIDUAL],
        by_status=by_status,
        # A stable sort: equal counts keep the names' order.
        by_field=sorted(by_field.items(), key=lambda item: -item[1]),
    )


def exemplary_models(*, user) -> QuerySet[Registration]:
    """Recognised models with how often each was replicated, most replicated first."""
    qs = scope_to_user(Registration.objects.exemplary(), user)
    # The count as ``exemplary_with_counts`` gives it, from a correlated subquery (index on
    # ``replicates``) instead of a join grouped by every column of the page's five tables.
    replications = (
        Registration.objects.filter(replicates=OuterRef("pk"), status__in=COUNTED_STATUSES)
        .order_by()
        .values("replicates")
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    qs = qs.annotate(replication_count=Coalesce(Subquery(replications), 0))
    return _with_related(qs).order_by("-replication_count", "-year", "title")
