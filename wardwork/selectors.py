"""Reads scoped to the requesting user: the only way views fetch core objects.

Every function takes the user first and returns only rows of the wards that user may
see: their own ward, every ward for a superuser. ``get_for_user`` raises ``Http404`` for
a row outside that scope, so another ward's objects do not even show that they exist.
"""

from __future__ import annotations

from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404

from wardwork.models import Organization, Person, Position, Ward
from wardwork.roles import roles_of


def visible_ward_ids(user) -> list[int] | None:
    """Ward ids the user may read; ``None`` means every ward (superuser)."""
    roles = roles_of(user)
    if roles.is_superuser:
        return None
    return [roles.ward_id] if roles.ward_id else []


def scope_to_user(queryset: QuerySet, user, ward_field: str = "ward") -> QuerySet:
    """Filter any queryset with a ward foreign key down to the user's wards."""
    ward_ids = visible_ward_ids(user)
    if ward_ids is None:
        return queryset
    return queryset.filter(**{f"{ward_field}__in": ward_ids})


def get_for_user(queryset: QuerySet, user, ward_field: str = "ward", **lookup) -> Model:
    """One row of ``queryset`` within the user's scope, or ``Http404``."""
    try:
        return scope_to_user(queryset, user, ward_field).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def ward_list(*, user) -> QuerySet[Ward]:
    return scope_to_user(Ward.objects.all(), user, ward_field="pk")


def ward_for_request(request) -> Ward | None:
    """The ward a page works on: the user's own; a superuser may pick one with ?ward=,
    else keeps their own or the first ward by name."""
    user = request.user
    if user.ward_id and not user.is_superuser:
        return user.ward
    wanted = str(request.GET.get("ward") or request.POST.get("ward") or "")
    wards = ward_list(user=user).order_by("name")
    chosen = wards.filter(pk=wanted).first() if wanted.isdigit() else None
    return chosen or user.ward or wards.first()


def organization_list(*, user, search: str = "", kind: str = "", include_inactive=False):
    """Organisations of the user's ward(s), with their parent and ward, by kind then name."""
    qs = scope_to_user(Organization.objects.select_related("ward", "parent"), user)
    if not include_inactive:
        qs = qs.active()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.search(search).order_by("ward__name", "kind", "name")


def organization_get(*, user, pk) -> Organization:
    """One organisation with its current positions and their people; 404 outside scope."""
    current = (
        Position.objects.current().select_related("person").order_by("role", "person__sort_key")
    )
    qs = Organization.objects.select_related("ward", "parent").prefetch_related(
        Prefetch("positions", queryset=current, to_attr="current_positions"),
        Prefetch("children", queryset=Organization.objects.active().order_by("name")),
    )
    return get_for_user(qs, user, pk=pk)


def person_list(*, user, search: str = "", organization_id=None):
    """People of the user's ward(s) in Vietnamese name order, with their main unit."""
    qs = scope_to_user(Person.objects.select_related("organization", "ward"), user)
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    return qs.search(search).by_name()


def person_get(*, user, pk) -> Person:
    current = (
        Position.objects.current().select_related("organization").order_by("organization__name")
    )
    qs = Person.objects.select_related("organization", "ward").prefetch_related(
        Prefetch("positions", queryset=current, to_attr="current_positions")
    )
    return get_for_user(qs, user, pk=pk)


def units_of_user(*, user) -> list[Organization]:
    """The organisations the user manages (cell secretary, head, deputy head)."""
    return [
        p.organization
        for p in roles_of(user).positions
        if p.organization_id in roles_of(user).managed_unit_ids
    ]
