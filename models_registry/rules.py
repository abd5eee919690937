"""Who may see and do what with registrations.

- the owning unit's managers create drafts, edit them while draft or returned, submit,
  withdraw before approval, adjust an approved model, and report its quarterly results;
- every user of the ward reads approved, recognised and not-achieved models of any unit,
  but never another unit's draft, submitted, returned or withdrawn registration;
- ward staff and Khối Dân vận members see everything in the ward and review (approve,
  return, recognise, mark not achieved); superusers everywhere.
"""

import rules

from models_registry.models import PUBLIC_STATUSES
from wardwork.roles import (
    is_in_ward,
    is_mass_mobilization_member,
    is_superuser,
    is_ward_staff,
    roles_of,
)

reviews_registrations = is_superuser | is_ward_staff | is_mass_mobilization_member


@rules.predicate
def owns_registration(user, registration) -> bool:
    if registration is None:
        return bool(roles_of(user).managed_unit_ids)
    return registration.registered_by_unit_id in roles_of(user).managed_unit_ids


@rules.predicate
def is_public(user, registration) -> bool:
    return registration is not None and registration.status in PUBLIC_STATUSES


can_view_registration = reviews_registrations | (is_in_ward & (owns_registration | is_public))
can_edit_registration = is_in_ward & owns_registration
can_review_registration = reviews_registrations

rules.add_rule("models_registry.view", can_view_registration)
rules.add_rule("models_registry.edit", can_edit_registration)
rules.add_rule("models_registry.review", can_review_registration)
