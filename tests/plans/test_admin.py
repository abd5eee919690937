"""Django admin of plans: pages load, accent-free search, saving validates, ward scoping."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from plans.models import DocumentSequence, Plan, ProgressReport, Task, TaskStatus
from plans.services import document_number_next
from wardwork.models import Organization, User

pytestmark = pytest.mark.django_db

MODELS = [Plan, Task, ProgressReport, DocumentSequence]


def _admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def ward_plan(demo):
    return Plan.objects.get(symbol="28-KH/ĐU")


@pytest.fixture
def sequence(ward_plan):
    document_number_next(issuer=ward_plan.issuer, doc_type="KH", on=dt.date(2021, 4, 1))
    return DocumentSequence.objects.get(issuer=ward_plan.issuer, doc_type="KH")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _objects(ward_plan, sequence):
    task = ward_plan.tasks.get(ordinal=1)
    return {
        Plan: ward_plan,
        Task: task,
        ProgressReport: task.reports.first(),
        DocumentSequence: sequence,
    }


@pytest.mark.parametrize("model", MODELS)
def test_pages_load_for_superuser(admin_client, ward_plan, sequence, model):
    obj = _objects(ward_plan, sequence)[model]
    assert admin_client.get(_admin_url(model)).status_code == 200
    assert admin_client.get(_admin_url(model, "add")).status_code == 200
    assert admin_client.get(_admin_url(model, "change", obj.pk)).status_code == 200
    if model is not DocumentSequence:
        assert admin_client.get(_admin_url(model, "history", obj.pk)).status_code == 200


def test_plan_page_lists_its_tasks_inline(admin_client, ward_plan):
    page = admin_client.get(_admin_url(Plan, "change", ward_plan.pk)).content.decode()
    assert "tasks-TOTAL_FORMS" in page
    assert "bếp than tổ ong" in page


def test_sequence_starts_after_the_numbers_used(sequence):
    assert sequence.last_number == 29  # 28-KH/ĐU is recorded in the 2020–2025 term


def _search(client, model, term):
    return list(client.get(_admin_url(model), {"q": term}).context["cl"].result_list)


def test_search_without_accents_finds_the_plan(admin_client, ward_plan):
    assert ward_plan in _search(admin_client, Plan, "ke hoach dan van")
    assert ward_plan in _search(admin_client, Plan, "Kế hoạch số 28")
    assert ward_plan in _search(admin_client, Plan, "giai phong mat bang")
    assert _search(admin_client, Plan, "28-KH") == [ward_plan]
    assert _search(admin_client, Plan, "nghi quyet dan van") == []
    tasks = _search(admin_client, Task, "bep than to ong")
    assert [t.ordinal for t in tasks] == [8]
    reports = _search(admin_client, ProgressReport, "phu nu rac thai nhua")
    assert reports and all(r.organization.short_name == "Hội Phụ nữ" for r in reports)


def _plan_post_data(plan_values, tasks=()):
    data = {
        "tasks-TOTAL_FORMS": str(len(tasks)),
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        "is_active": "on",
        **plan_values,
    }
    for index, task in enumerate(tasks):
        for name, value in task.items():
            data[f"tasks-{index}-{name}"] = value
    return data


def test_adding_a_plan_with_tasks_through_the_admin(admin_client, superuser, ward_plan):
    committee = ward_plan.issuer
    cell = Organization.objects.get(name="Chi bộ Khu dân cư số 1")
    data = _plan_post_data(
        {
            "ward": str(ward_plan.ward_id),
            "symbol": "35-KH/ĐU",
            "issuer": str(committee.pk),
            "issued_on": "20/04/2021",
            "year": "2021",
            "title": "Tổ chức tọa đàm “Thực trạng hoạt động mô hình Tổ dân vận khéo”",
            "implements": str(ward_plan.implements_id),
        },
        tasks=[
            {
                "ordinal": str(ordinal),
                "title": title,
                "lead_organization": str(cell.pk),
                "due_quarter": "II/2021",
                "status": TaskStatus.OPEN,
            }
            for ordinal, title in [(1, "Tổ chức tọa đàm"), (2, "Báo cáo kết quả tọa đàm")]
        ],
    )
    response = admin_client.post(_admin_url(Plan, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan = Plan.objects.get(symbol="35-KH/ĐU")
    assert (plan.doc_type, plan.number) == ("KH", 35)  # read from the symbol
    assert plan.created_by == superuser
    assert plan.history.latest().history_user == superuser
    tasks = list(plan.tasks.order_by("ordinal"))
    assert [t.ordinal for t in tasks] == [1, 2]
    for task in tasks:
        assert task.ward_id == plan.ward_id
        assert task.created_by == superuser
        assert str(task.due_quarter) == "Quý II/2021"


def test_the_admin_refuses_what_the_model_refuses(admin_client, ward_plan):
    committee = ward_plan.issuer
    values = {
        "ward": str(ward_plan.ward_id),
        "symbol": "28-KH/ĐU",
        "issuer": str(committee.pk),
        "issued_on": "15/01/2021",
        "year": "2021",
        "title": "Bản trùng",
    }
    response = admin_client.post(_admin_url(Plan, "add"), _plan_post_data(values))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "28-KH/ĐU" in str(errors["symbol"])  # names the plan already recorded
    values.update(symbol="không phải ký hiệu", title="Sai ký hiệu")
    response = admin_client.post(_admin_url(Plan, "add"), _plan_post_data(values))
    assert "symbol" in response.context["adminform"].form.errors
    values.update(symbol="40-KH/ĐU", year="2020")  # the year before it was issued
    response = admin_client.post(_admin_url(Plan, "add"), _plan_post_data(values))
    assert "year" in response.context["adminform"].form.errors
    sai_dong_cell = Organization.objects.get(name="Chi bộ Sài Đồng số 1")
    values.update(year="2021", symbol="41-KH/ĐU")
    data = _plan_post_data(
        values,
        tasks=[
            {
                "ordinal": "1",
                "title": "Nhiệm vụ giao nhầm phường",
                "lead_organization": str(sai_dong_cell.pk),
                "status": TaskStatus.OPEN,
            }
        ],
    )
    response = admin_client.post(_admin_url(Plan, "add"), data)
    assert response.status_code == 200
    assert not Plan.objects.filter(symbol="41-KH/ĐU").exists()
    assert Plan.objects.count() == 2


def test_a_report_only_comes_from_an_assigned_unit(admin_client, superuser, ward_plan):
    task = ward_plan.tasks.get(ordinal=9)  # plastic waste: Hội Phụ nữ leads
    outsider = Organization.objects.get(name="Chi bộ Khu dân cư số 9")
    data = {
        "task": str(task.pk),
        "organization": str(outsider.pk),
        "year": "2021",
        "quarter": "2",
        "status": TaskStatus.IN_PROGRESS,
        "percent": "50",
        "narrative": "Không được giao",
    }
    response = admin_client.post(_admin_url(ProgressReport, "add"), data)
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    data.update(organization=str(task.lead_organization_id), status=TaskStatus.DONE)
    response = admin_client.post(_admin_url(ProgressReport, "add"), data)
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=task, year=2021, quarter=2)
    assert report.percent == 100
    assert report.reported_by == superuser


def test_a_sequence_cannot_go_below_a_number_used(admin_client, sequence):
    url = _admin_url(DocumentSequence, "change", sequence.pk)
    response = admin_client.post(url, {"last_number": "10"})
    assert response.status_code == 200
    assert "last_number" in response.context["adminform"].form.errors
    assert admin_client.post(url, {"last_number": "30"}).status_code == 302
    sequence.refresh_from_db()
    assert sequence.last_number == 30


def test_other_wards_staff_see_none_of_phuc_dongs_plans(client, ward_plan, sequence):
    saidong = User.objects.get(username="saidong")
    assert saidong.ward.name == "Phường Sài Đồng" and saidong.is_staff
    client.force_login(saidong)
    response = client.get(_admin_url(Plan))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "28-KH/ĐU" not in response.content.decode()
    assert _search(client, Plan, "28-KH") == []
    assert list(client.get(_admin_url(Task)).context["cl"].result_list) == []
    assert list(client.get(_admin_url(ProgressReport)).context["cl"].result_list) == []
    assert client.get(_admin_url(Plan, "change", ward_plan.pk)).status_code in (302, 404)
    task = ward_plan.tasks.first()
    assert client.get(_admin_url(Task, "change", task.pk)).status_code in (302, 404)
    report = task.reports.first()
    assert client.get(_admin_url(ProgressReport, "change", report.pk)).status_code in (302, 404)
    assert client.get(_admin_url(Plan, "history", ward_plan.pk)).status_code == 404
    form = client.get(_admin_url(Plan, "add")).context["adminform"].form
    assert set(form.fields["ward"].queryset) == {saidong.ward}
    assert ward_plan.issuer not in form.fields["issuer"].queryset


def test_ward_staff_see_their_own_plans(client, ward_plan):
    client.force_login(User.objects.get(username="ngoc"))
    rows = list(client.get(_admin_url(Plan)).context["cl"].result_list)
    assert {p.symbol for p in rows} == {"18-KH/QU", "28-KH/ĐU"}
    assert client.get(_admin_url(Plan, "change", ward_plan.pk)).status_code == 200


def _autocomplete(client, model, field_name, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": model._meta.app_label,
            "model_name": model._meta.model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_autocomplete_is_folded_and_scoped(client, ward_plan):
    client.force_login(User.objects.get(username="ngoc"))
    assert any(t.startswith("18-KH/QU") for t in _autocomplete(client, Plan, "implements", "18"))
    assert _autocomplete(client, ProgressReport, "task", "bep than")[0].startswith("8. ")
    client.force_login(User.objects.get(username="saidong"))
    assert _autocomplete(client, Plan, "implements", "18") == []
    assert _autocomplete(client, ProgressReport, "task", "bep than") == []
