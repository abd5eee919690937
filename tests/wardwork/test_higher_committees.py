"""A higher Party committee (Quận ủy) is a row of each ward that records it: what a ward's
staff notice is that the district's plans and the choices they get are their ward's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.forms import PlanForm
from plans.models import Plan
from wardwork.models import Organization, OrganizationKind

pytestmark = pytest.mark.django_db


def _post_the_districts_plan(client, setup):
    client.force_login(setup.staff)
    response = client.post(
        reverse("plans:plan_create"),
        {
            "symbol": "18-KH/QU",
            "issued_on": "30/12/2020",
            "title": "Thực hiện chủ đề Năm Dân vận khéo",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    return Plan.objects.get(ward=setup.ward, symbol="18-KH/QU")


def test_a_plan_issued_by_the_district_is_recorded_with_the_wards_own_copy(client, home, away):
    home_plan = _post_the_districts_plan(client, home)
    away_plan = _post_the_districts_plan(client, away)
    assert home_plan.issuer == home.committee.parent
    assert away_plan.issuer == away.committee.parent
    for plan in (home_plan, away_plan):
        assert plan.issuer.kind == OrganizationKind.HIGHER_COMMITTEE
        assert plan.issuer.ward == plan.ward


def test_the_issuers_offered_are_the_wards_own_the_district_included(home, away):
    issuers = set(PlanForm(ward=home.ward).fields["issuer"].queryset)
    assert home.committee.parent in issuers
    assert away.committee.parent not in issuers
    assert issuers <= set(Organization.objects.filter(ward=home.ward))
