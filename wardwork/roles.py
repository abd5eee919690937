"""Who may do what, derived from a user's current positions.

Roles are computed once per user object (one query, cached on the instance), and exposed
as ``rules`` predicates so views, templates (``{% has_perm %}``) and services share them.

- ward staff: secretary, deputies or office staff of the ward Party committee or its
  standing committee: everything in their ward;
- Khối Dân vận member: any current position in the ward's mass mobilisation bloc: sees
  everything in the ward, reviews registrations, records supervision;
- unit manager: cell secretary, head or deputy head of an organisation: that unit's data;
- superuser: every ward.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rules
from django.core.exceptions import PermissionDenied

from wardwork.models import Organization, OrganizationKind, Position, PositionRole, Ward

WARD_STAFF_KINDS = {OrganizationKind.WARD_COMMITTEE, OrganizationKind.STANDING_COMMITTEE}
WARD_STAFF_ROLES = {
    PositionRole.SECRETARY,
    PositionRole.STANDING_DEPUTY_SECRETARY,
    PositionRole.DEPUTY_SECRETARY,
    PositionRole.STAFF,
}
UNIT_MANAGER_ROLES = {
    PositionRole.CELL_SECRETARY,
    PositionRole.SECRETARY,
    PositionRole.HEAD,
    PositionRole.DEPUTY_HEAD,
}


@dataclass
class RoleSet:
    """What one user is, right now, in their ward."""

    is_superuser: bool = False
    ward_id: int | None = None
    is_ward_staff: bool = False
    is_ward_secretary: bool = False
    is_mass_mobilization_member: bool = False
    managed_unit_ids: frozenset[int] = frozenset()
    positions: list[Position] = field(default_factory=list)

    @property
    def sees_whole_ward(self) -> bool:
        return self.is_superuser or self.is_ward_staff or self.is_mass_mobilization_member

    def labels(self) -> list[str]:
        """Human labels of the current positions, for the home page and the navigation."""
        return [f"{p.get_role_display()} – {p.organization.display_name}" for p in self.positions]


def roles_of(user) -> RoleSet:
    """The user's :class:`RoleSet`, computed with one query and cached on the instance."""
    cached = getattr(user, "_wardwork_roles", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        roles = RoleSet()
    else:
        positions: list[Position] = []
        if user.person_id:
            positions = list(
                Position.objects.current()
                .filter(person_id=user.person_id, organization__is_active=True)
                .select_related("organization")
                .order_by("organization__kind", "organization__name")
            )
        # A position only counts inside the user's own ward: an account moved to another
        # ward keeps no power over the old one.
        own = [p for p in positions if p.organization.ward_id == user.ward_id]
        roles = RoleSet(
            is_superuser=user.is_superuser,
            ward_id=user.ward_id,
            positions=own,
            is_ward_staff=any(
                p.organization.kind in WARD_STAFF_KINDS and p.role in WARD_STAFF_ROLES for p in own
            ),
            is_ward_secretary=any(
                p.organization.kind == OrganizationKind.WARD_COMMITTEE
                and p.role == PositionRole.SECRETARY
                for p in own
            ),
            is_mass_mobilization_member=any(
                p.organization.kind == OrganizationKind.MASS_MOBILIZATION_BLOC for p in own
            ),
            managed_unit_ids=frozenset(
                p.organization_id for p in own if p.role in UNIT_MANAGER_ROLES
            ),
        )
    user._wardwork_roles = roles
    return roles


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (403) unless ``allowed``: the first line of every action."""
    if not allowed:
        raise PermissionDenied


def _ward_id_of(obj) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Ward):
        return obj.pk
    return getattr(obj, "ward_id", None)


# --- predicates ---------------------------------------------------------------------------------
@rules.predicate
def is_superuser(user) -> bool:
    return roles_of(user).is_superuser


@rules.predicate
def is_ward_staff(user, obj=None) -> bool:
    """Ward staff of the object's ward (of their own ward when no object is given)."""
    roles = roles_of(user)
    if not roles.is_ward_staff:
        return False
    return obj is None or _ward_id_of(obj) == roles.ward_id


@rules.predicate
def is_ward_secretary(user, obj=None) -> bool:
    roles = roles_of(user)
    if not roles.is_ward_secretary:
        return False
    return obj is None or _ward_id_of(obj) == roles.ward_id


@rules.predicate
def is_mass_mobilization_member(user, obj=None) -> bool:
    roles = roles_of(user)
    if not roles.is_mass_mobilization_member:
        return False
    return obj is None or _ward_id_of(obj) == roles.ward_id


@rules.predicate
def is_in_ward(user, obj=None) -> bool:
    """Any active account of the object's ward."""
    roles = roles_of(user)
    if roles.ward_id is None:
        return False
    return obj is None or _ward_id_of(obj) == roles.ward_id


@rules.predicate
def is_unit_manager(user, organization=None) -> bool:
    """Cell secretary / head / deputy head of ``organization`` (of any unit when None)."""
    roles = roles_of(user)
    if organization is None:
        return bool(roles.managed_unit_ids)
    org_id = organization.pk if isinstance(organization, Organization) else organization
    return org_id in roles.managed_unit_ids


sees_whole_ward = is_superuser | is_ward_staff | is_mass_mobilization_member
manages_ward = is_superuser | is_ward_staff

# Named rules (not Django model permissions: those stay with the admin's own groups).
rules.add_rule("wardwork.sees_whole_ward", sees_whole_ward)
rules.add_rule("wardwork.manages_ward", manages_ward)
rules.add_rule("wardwork.is_ward_secretary", is_superuser | is_ward_secretary)
