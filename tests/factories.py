"""Factories for the core models; every app's tests build on these."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from wardwork.models import (
    Organization,
    OrganizationKind,
    Person,
    Position,
    PositionRole,
    User,
    Ward,
)


class WardFactory(DjangoModelFactory[Ward]):
    class Meta:
        model = Ward
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    place_name = factory.LazyAttribute(lambda o: o.name.removeprefix("Phường "))
    parent_name = "Quận Long Biên, Thành phố Hà Nội"


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    ward = factory.SubFactory(WardFactory)
    name = factory.Sequence(lambda n: f"Chi bộ Khu dân cư số {n}")
    short_name = ""
    kind = OrganizationKind.PARTY_CELL
    symbol_code = ""


class HigherCommitteeFactory(OrganizationFactory):
    """A Quận ủy as a ward records it: pass ``ward=`` the ward that refers to it."""

    name = factory.Sequence(lambda n: f"Quận ủy Thử Nghiệm {n}")
    kind = OrganizationKind.HIGHER_COMMITTEE
    symbol_code = "QU"


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    ward = factory.SubFactory(WardFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Người{n}")
    organization = None
    title = ""


class PositionFactory(DjangoModelFactory[Position]):
    class Meta:
        model = Position
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(
        OrganizationFactory, ward=factory.SelfAttribute("..person.ward")
    )
    role = PositionRole.MEMBER
    started_on = dt.date(2020, 7, 1)
    ended_on = None


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    ward = factory.SubFactory(WardFactory)
    person = factory.SubFactory(PersonFactory, ward=factory.SelfAttribute("..ward"))
    password = factory.django.Password("correct-horse-battery")
