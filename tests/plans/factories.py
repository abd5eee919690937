"""Factories for plans: Plan, Task, ProgressReport, DocumentSequence.

Wards stay consistent: a plan's issuer is its ward's committee (or a body above wards), a
task lives in its plan's ward and its lead unit in that ward, a report is by the task's
lead unit unless told otherwise.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.db.models import Max
from factory.django import DjangoModelFactory

from plans.models import DocumentSequence, Plan, ProgressReport, Task, TaskStatus
from plans.symbols import format_party_symbol
from tests.factories import OrganizationFactory, WardFactory
from wardwork.models import Organization, OrganizationKind


def ward_committee(ward) -> Organization:
    """The ward's Party committee ("ĐU"), created when the ward has none yet."""
    committee = Organization.objects.filter(ward=ward, kind=OrganizationKind.WARD_COMMITTEE).first()
    if committee is None:
        committee = OrganizationFactory(
            ward=ward,
            name=f"Đảng ủy {ward.name}",
            kind=OrganizationKind.WARD_COMMITTEE,
            symbol_code="ĐU",
        )
    return committee


class PlanFactory(DjangoModelFactory[Plan]):
    """A Party plan ("18-KH/ĐU") issued by its ward's committee unless ``issuer`` is given."""

    class Meta:
        model = Plan
        skip_postgeneration_save = True

    ward = factory.SubFactory(WardFactory)
    issuer = factory.LazyAttribute(lambda o: ward_committee(o.ward))
    doc_type = "KH"
    number = factory.Sequence(lambda n: n + 1)
    symbol = factory.LazyAttribute(
        lambda o: format_party_symbol(o.number, o.doc_type, o.issuer.symbol_code or "ĐU")
    )
    issued_on = dt.date(2021, 4, 13)
    year = factory.LazyAttribute(lambda o: o.issued_on.year)
    title = factory.Sequence(lambda n: f"Kế hoạch thực hiện Năm Dân vận khéo số {n}")
    theme = ""
    implements = None
    is_active = True


def _next_ordinal(plan) -> int:
    if plan is None or plan.pk is None:
        return 1
    return (plan.tasks.aggregate(m=Max("ordinal"))["m"] or 0) + 1


class TaskFactory(DjangoModelFactory[Task]):
    """A task of a plan (the next free number in it), led by a unit of the plan's ward.

    ``TaskFactory(plan=p)`` puts the task in ``p.ward``; ``TaskFactory(ward=w)`` creates its
    plan in ``w``; ``TaskFactory(plan=None, ward=w)`` is a task a meeting assigned.
    ``supporting_organizations=[...]`` sets the supporting units.
    """

    class Meta:
        model = Task
        skip_postgeneration_save = True

    ward = factory.SubFactory(WardFactory)
    plan = factory.SubFactory(PlanFactory, ward=factory.SelfAttribute("..ward"))
    ordinal = factory.LazyAttribute(lambda o: _next_ordinal(o.plan))
    title = factory.Sequence(lambda n: f"Tuyên truyền, vận động nhân dân số {n}")
    description = ""
    lead_organization = factory.SubFactory(
        OrganizationFactory, ward=factory.SelfAttribute("..ward")
    )
    due_date = None
    due_quarter = None
    status = TaskStatus.OPEN

    @classmethod
    def _generate(cls, strategy, params):
        # A given plan decides the ward (unless the ward is given too).
        plan = params.get("plan")
        if plan is not None and "ward" not in params:
            params = {**params, "ward": plan.ward}
        return super()._generate(strategy, params)

    @factory.post_generation
    def supporting_organizations(self, create, extracted, **kwargs):
        if create and extracted:
            self.supporting_organizations.set(extracted)


class ProgressReportFactory(DjangoModelFactory[ProgressReport]):
    """The lead unit's report on a task for quarter I/2021."""

    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    organization = factory.SelfAttribute("task.lead_organization")
    year = 2021
    quarter = 1
    status = TaskStatus.IN_PROGRESS
    percent = 50
    narrative = "Đã tổ chức tuyên truyền tại các tổ dân phố."
    reported_by = None


class DocumentSequenceFactory(DjangoModelFactory[DocumentSequence]):
    """The numbering of KH documents of a ward committee in the 2020–2025 term."""

    class Meta:
        model = DocumentSequence
        skip_postgeneration_save = True

    issuer = factory.SubFactory(
        OrganizationFactory, kind=OrganizationKind.WARD_COMMITTEE, symbol_code="ĐU"
    )
    doc_type = "KH"
    term_start_year = 2020
    last_number = 0
