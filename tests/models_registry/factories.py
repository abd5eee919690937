"""Factories for the registry: Field, Registration, RegistrationUpdate, Recognition.

They write rows directly (no workflow): a ``RegistrationFactory(status="approved")`` is an
approved row without events. Tests of the workflow go through ``models_registry.services``.
Wards stay consistent: the registering unit and the collective are units of the
registration's ward; an individual's person is of that ward too.
"""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from models_registry.models import (
    Field,
    Recognition,
    RecognitionLevel,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
)
from tests.factories import OrganizationFactory, PersonFactory, WardFactory


class FieldFactory(DjangoModelFactory[Field]):
    """A field (lĩnh vực); the seeded ones are reused by name."""

    class Meta:
        model = Field
        django_get_or_create = ("name",)
        skip_postgeneration_save = True

    name = "Kinh tế"
    is_official = False
    position = 50
    is_active = True


class RegistrationFactory(DjangoModelFactory[Registration]):
    """A collective draft of 2021 registered by its own organisation.

    ``RegistrationFactory(individual=True)`` makes an individual registration with a person
    of the unit; pass ``organization=`` to choose the unit (and ``registered_by_unit=`` when
    another unit owns it).
    """

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    class Params:
        individual = factory.Trait(
            kind=RegistrationKind.INDIVIDUAL,
            person=factory.SubFactory(
                PersonFactory,
                ward=factory.SelfAttribute("..ward"),
                organization=factory.SelfAttribute("..organization"),
            ),
        )

    ward = factory.SubFactory(WardFactory)
    year = 2021
    kind = RegistrationKind.COLLECTIVE
    organization = factory.SubFactory(OrganizationFactory, ward=factory.SelfAttribute("..ward"))
    person = None
    registered_by_unit = factory.SelfAttribute("organization")
    title = factory.Sequence(lambda n: f"Mô hình Dân vận khéo số {n}")
    field = factory.SubFactory(FieldFactory)
    content = "Tuyên truyền, vận động nhân dân thực hiện chủ trương của Đảng."
    solutions = "Đảng viên gương mẫu; gặp gỡ từng hộ."
    schedule = "Quý I: tuyên truyền; quý II–IV: thực hiện."
    expected_results = "100% hộ gia đình đồng thuận."
    plan = None
    replicates = None
    status = RegistrationStatus.DRAFT
    review_note = ""


class RegistrationUpdateFactory(DjangoModelFactory[RegistrationUpdate]):
    """Quarter I/2021 results of an approved registration."""

    class Meta:
        model = RegistrationUpdate
        skip_postgeneration_save = True

    registration = factory.SubFactory(RegistrationFactory, status=RegistrationStatus.APPROVED)
    year = 2021
    quarter = 1
    results = "Đã vận động 12 hộ dân thực hiện."
    percent = 30
    reported_by = None


class RecognitionFactory(DjangoModelFactory[Recognition]):
    """A ward-level "Điển hình tiêu biểu" of a recognised 2020 registration."""

    class Meta:
        model = Recognition
        skip_postgeneration_save = True

    registration = factory.SubFactory(
        RegistrationFactory, status=RegistrationStatus.RECOGNIZED, year=2020
    )
    level = RecognitionLevel.WARD
    title = "Điển hình tiêu biểu"
    decision_symbol = "215-QĐ/ĐU"
    decided_on = dt.date(2020, 12, 22)
    issuer = None
    recorded_by = None
