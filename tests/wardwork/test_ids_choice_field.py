"""Ids no database integer holds are a field error, on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganizationFactory, WardFactory
from wardwork.forms import DB_ID_MAX, IdsChoiceField
from wardwork.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [str(DB_ID_MAX + 1), str(2**70), "-" + str(2**64)])
def test_an_id_past_64_bits_is_an_invalid_choice_not_a_crash(value):
    field = IdsChoiceField(queryset=Organization.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean([value])
    assert refused.value.code == "invalid_pk_value"


def test_known_ids_are_still_chosen():
    unit = OrganizationFactory(ward=WardFactory())
    field = IdsChoiceField(queryset=Organization.objects.all())
    assert list(field.clean([str(unit.pk)])) == [unit]
