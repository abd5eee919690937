"""The admin's change forms of shared records refuse a save made stale by someone else's,
as the pages do (wardwork/admin_concurrency.py): who saved and the new value are shown at
the field, the typed value is kept, and saving again goes through."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import Meeting
from models_registry.models import Registration
from plans.models import Plan, Task
from tests.meetings.conftest import make_meeting
from tests.meetings.test_admin import _change_data
from tests.models_registry.factories import RegistrationFactory
from tests.plans.factories import PlanFactory, TaskFactory
from wardwork.models import User


def _make(kind, home):
    if kind == "plan":
        return PlanFactory(ward=home.ward), "title"
    if kind == "task":
        return TaskFactory(ward=home.ward, lead_organization=home.cell), "title"
    if kind == "registration":
        return RegistrationFactory(ward=home.ward, organization=home.cell), "content"
    return make_meeting(home), "venue"


MODELS = {"plan": Plan, "task": Task, "registration": Registration, "meeting": Meeting}


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_second_admin_save_is_refused_and_kept(home, superuser, kind):
    obj, field = _make(kind, home)
    other = User.objects.create_superuser("operator2", "op2@example.org", "x-Very-long-pass-1")
    first, second = Client(), Client()
    first.force_login(superuser)
    second.force_login(other)
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data_first = _change_data(first.get(url))
    data_second = _change_data(second.get(url))
    assert data_first["version"] == data_second["version"]

    response = first.post(url, {**data_first, field: "Bản của người thứ nhất"})
    assert response.status_code == 302, response.context["adminform"].form.errors

    response = second.post(url, {**data_second, field: "Bản của người thứ hai"})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(str(superuser) in e for e in form.non_field_errors())
    assert any("Bản của người thứ nhất" in e for e in form.errors[field])
    assert form[field].value() == "Bản của người thứ hai"
    model = MODELS[kind]
    assert getattr(model.objects.get(pk=obj.pk), field) == "Bản của người thứ nhất"

    again = {**data_second, field: form[field].value(), "version": form["version"].value()}
    assert int(again["version"]) > int(data_second["version"])
    assert second.post(url, again).status_code == 302
    assert getattr(model.objects.get(pk=obj.pk), field) == "Bản của người thứ hai"


def test_reverting_from_the_history_is_not_refused(home, superuser):
    """The history page's revert form posts no version: a deliberate return, not a clash."""
    plan = PlanFactory(ward=home.ward, title="Bản đầu")
    first_record = plan.history.earliest()
    plan.title = "Bản sau"
    plan.save()
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, first_record.history_id])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="version"' not in response.content
    form = response.context["adminform"].form
    data = {n: form[n].value() for n in form.fields if form[n].value() is not None}
    data["issued_on"] = plan.issued_on.strftime("%d/%m/%Y")
    data.pop("version", None)
    data.pop("attachment", None)
    for name in [n for n, v in data.items() if v is False]:
        data.pop(name)
    data = {**data, "is_active": "on", "tasks-TOTAL_FORMS": 0, "tasks-INITIAL_FORMS": 0}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Plan.objects.get(pk=plan.pk).title == "Bản đầu"
