"""The ward of a row that belongs to its ward through a parent (wardwork/tenancy.py): filled
by save(), create() and bulk_create(), from the parent in hand or with one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wardwork.models import Position, PositionRole

pytestmark = pytest.mark.django_db


def test_save_fills_the_ward_from_the_person(home):
    position = Position.objects.create(
        person=home.secretary.person,
        organization=home.committee,
        role=PositionRole.MEMBER,
    )
    position.refresh_from_db()
    assert position.ward_id == home.ward.pk
    assert position.history.first().ward_id == home.ward.pk


def test_bulk_create_fills_the_ward_with_one_query_for_parents_not_in_hand(home, away):
    rows = [
        Position(person_id=home.secretary.person.pk, organization=home.committee, role="member"),
        Position(person_id=away.secretary.person.pk, organization=away.committee, role="member"),
    ]
    with CaptureQueriesContext(connection) as queries:
        Position.objects.bulk_create(rows)
    lookups = [q for q in queries if "wardwork_person" in q["sql"]]
    assert len(lookups) == 1
    saved = dict(
        Position.objects.filter(pk__in=[r.pk for r in rows]).values_list("person_id", "ward_id")
    )
    assert saved == {
        home.secretary.person.pk: home.ward.pk,
        away.secretary.person.pk: away.ward.pk,
    }


def test_a_ward_given_is_kept(home):
    position = Position(person=home.secretary.person, organization=home.committee, role="member")
    position.ward_id = home.ward.pk
    with CaptureQueriesContext(connection) as queries:
        position.save()
    assert not [q for q in queries if "wardwork_person" in q["sql"]]
