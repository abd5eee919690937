"""The plans issue's acceptance, on the demo data."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import Plan, ProgressReport, Task
from wardwork.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {u.username: u for u in User.objects.all()}


def test_plan_page_shows_the_chain_tasks_and_leads(client, demo):
    plan = Plan.objects.get(symbol="28-KH/ĐU")
    client.force_login(demo["ngoc"])
    page = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert "Kế hoạch số 28-KH/ĐU" in page
    assert "18-KH/QU" in page and "Quận ủy" in page
    for task in plan.tasks.select_related("lead_organization"):
        assert task.title in page or task.title[:60] in page
        assert task.lead_organization.display_name in page


def test_matrix_for_quarter_one_shows_who_has_not_reported(client, demo):
    client.force_login(demo["ngoc"])
    response = client.get(reverse("plans:progress_matrix"), {"quarter": "I/2021"})
    missing = {unit.name for unit in response.context["matrix"].units_missing}
    assert "Chi bộ Khu dân cư số 2" in missing
    assert "Chi bộ Khu dân cư số 5" in missing
    assert "Hội Người cao tuổi phường Phúc Đồng" in missing
    assert "Chi bộ Khu dân cư số 1" not in missing
    assert "Chưa báo cáo" in response.content.decode()


def test_cb01_reports_on_its_task_but_cannot_edit_the_plan(client, demo):
    cb01 = demo["cb01"]
    cell = cb01.person.organization
    # A task of 28-KH/ĐU (the meeting's conclusions are tasks without a plan).
    task = Task.objects.filter(plan__symbol="28-KH/ĐU", supporting_organizations=cell).first()
    plan = task.plan
    client.force_login(cb01)
    prefix = f"r{task.pk}-{cell.pk}"
    response = client.post(
        reverse("plans:report_submit", args=[task.pk]),
        {
            "unit": cell.pk,
            "quarter": "2021-Q2",
            f"{prefix}-status": "in_progress",
            f"{prefix}-percent": "50",
        },
    )
    assert response.status_code == 302
    assert ProgressReport.objects.filter(
        task=task, organization=cell, year=2021, quarter=2
    ).exists()
    assert client.get(reverse("plans:plan_update", args=[plan.pk])).status_code == 403

    client.force_login(demo["saidong"])
    assert client.get(reverse("plans:plan_update", args=[plan.pk])).status_code == 404
    response = client.post(
        reverse("plans:report_submit", args=[task.pk]),
        {
            "unit": cell.pk,
            "quarter": "2021-Q2",
            f"{prefix}-status": "done",
            f"{prefix}-percent": "100",
        },
    )
    assert response.status_code == 404
