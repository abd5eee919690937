import datetime as dt

import pytest
import rules

from tests.factories import PersonFactory, PositionFactory, UserFactory
from wardwork.models import PositionRole
from wardwork.roles import (
    is_in_ward,
    is_mass_mobilization_member,
    is_unit_manager,
    is_ward_secretary,
    is_ward_staff,
    roles_of,
)

pytestmark = pytest.mark.django_db


def test_ward_secretary_and_office_staff_are_ward_staff(home, away):
    assert is_ward_staff(home.secretary, home.ward)
    assert is_ward_staff(home.staff, home.ward)
    assert is_ward_secretary(home.secretary, home.ward)
    assert not is_ward_secretary(home.staff, home.ward)


def test_ward_staff_only_of_their_own_ward(home, away):
    assert not is_ward_staff(home.secretary, away.ward)
    assert not is_ward_staff(away.secretary, home.cell)
    assert is_ward_staff(home.secretary, home.cell)  # an object with a ward


def test_others_are_not_ward_staff(home):
    for user in (home.dvk, home.cell_secretary, home.mass_head, home.plain):
        assert not is_ward_staff(user, home.ward), user.username


def test_mass_mobilization_member(home, away):
    assert is_mass_mobilization_member(home.dvk, home.ward)
    assert not is_mass_mobilization_member(home.dvk, away.ward)
    assert not is_mass_mobilization_member(home.cell_secretary, home.ward)


def test_unit_manager_of_their_own_unit_only(home):
    assert is_unit_manager(home.cell_secretary, home.cell)
    assert not is_unit_manager(home.cell_secretary, home.other_cell)
    assert is_unit_manager(home.mass_head, home.women)
    assert not is_unit_manager(home.plain, home.cell)
    assert not is_unit_manager(home.dvk, home.bloc)  # a bloc member does not manage the bloc


def test_every_ward_account_is_in_the_ward(home, away):
    assert is_in_ward(home.plain, home.ward)
    assert not is_in_ward(home.plain, away.ward)


def test_ended_position_gives_no_power(home):
    user = UserFactory(ward=home.ward)
    PositionFactory(
        person=user.person,
        organization=home.committee,
        role=PositionRole.SECRETARY,
        started_on=dt.date(2015, 7, 1),
        ended_on=dt.date(2020, 6, 30),
    )
    assert not is_ward_staff(user, home.ward)


def test_position_in_another_ward_counts_for_nothing(home, away):
    # An account of Sài Đồng whose person somehow holds a Phúc Đồng position.
    person = PersonFactory(ward=home.ward)
    user = UserFactory(ward=away.ward, person=person)
    PositionFactory(person=person, organization=home.committee, role=PositionRole.SECRETARY)
    assert not is_ward_staff(user, home.ward)
    assert not is_ward_staff(user, away.ward)


def test_superuser_rules(home, superuser):
    assert rules.test_rule("wardwork.sees_whole_ward", superuser, home.ward)
    assert rules.test_rule("wardwork.manages_ward", superuser, home.ward)


def test_named_rules(home, away):
    assert rules.test_rule("wardwork.sees_whole_ward", home.dvk, home.ward)
    assert not rules.test_rule("wardwork.manages_ward", home.dvk, home.ward)
    assert rules.test_rule("wardwork.manages_ward", home.staff, home.ward)
    assert not rules.test_rule("wardwork.manages_ward", home.staff, away.ward)
    assert not rules.test_rule("wardwork.sees_whole_ward", home.cell_secretary, home.ward)


def test_inactive_account_has_no_role(home):
    home.secretary.is_active = False
    assert not is_ward_staff(home.secretary, home.ward)


def test_roles_are_computed_with_one_query_and_cached(home, django_assert_num_queries):
    user = type(home.secretary).objects.get(pk=home.secretary.pk)
    with django_assert_num_queries(1):  # the current positions with their organisations
        roles_of(user)
        is_ward_staff(user, home.ward)
        is_unit_manager(user, home.cell)
