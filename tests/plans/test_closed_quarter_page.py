"""The unit's task page says a finalised quarter is locked instead of offering report forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import QuarterlyReview, ReviewStatus
from tests.plans.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _page(client, user, quarter="2021-Q1"):
    client.force_login(user)
    return client.get(reverse("plans:my_tasks"), {"quarter": quarter})


def _finalise(ward, year=2021, quarter=1):
    return QuarterlyReview.objects.create(
        ward=ward,
        year=year,
        quarter=quarter,
        status=ReviewStatus.FINALIZED,
        finalized_at=dt.datetime(2021, 4, 20, 2, 0, tzinfo=dt.UTC),
    )


def test_an_open_quarter_offers_the_report_form(client, home):
    task = TaskFactory(ward=home.ward, lead_organization=home.cell, assigned_on=dt.date(2021, 1, 5))
    response = _page(client, home.cell_secretary)
    assert reverse("plans:report_submit", args=[task.pk]).encode() in response.content
    assert b'data-testid="quarter-closed"' not in response.content


def test_a_finalised_quarter_shows_the_lock_and_no_form(client, home):
    task = TaskFactory(ward=home.ward, lead_organization=home.cell, assigned_on=dt.date(2021, 1, 5))
    _finalise(home.ward)
    response = _page(client, home.cell_secretary)
    assert response.status_code == 200
    assert b'data-testid="quarter-closed"' in response.content
    assert "20/04/2021" in response.content.decode()
    assert reverse("plans:report_submit", args=[task.pk]).encode() not in response.content
    # The next quarter is open again.
    response = _page(client, home.cell_secretary, "2021-Q2")
    assert reverse("plans:report_submit", args=[task.pk]).encode() in response.content


def test_another_wards_finalised_quarter_does_not_lock_this_one(client, home, away):
    task = TaskFactory(ward=home.ward, lead_organization=home.cell, assigned_on=dt.date(2021, 1, 5))
    _finalise(away.ward)
    response = _page(client, home.cell_secretary)
    assert reverse("plans:report_submit", args=[task.pk]).encode() in response.content
