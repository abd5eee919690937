"""The plans demo: the article's two plans, 28-KH/ĐU's tasks, quarter I/2021 reports."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command

from plans.models import Plan, ProgressReport, Task, TaskStatus
from wardwork.demo import WARD_ADMIN_GROUP
from wardwork.models import Organization, User, Ward

pytestmark = pytest.mark.django_db


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def ward_plan(demo):
    return Plan.objects.select_related("issuer", "implements__issuer").get(symbol="28-KH/ĐU")


def test_28_kh_du_implements_18_kh_qu(ward_plan):
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    district_plan = ward_plan.implements
    assert district_plan.symbol == "18-KH/QU"
    assert district_plan.issuer.name == "Quận ủy Long Biên"
    assert district_plan.issuer.ward == ward  # the ward's own copy of the Quận ủy
    assert district_plan.issued_on == dt.date(2020, 12, 30)
    assert (district_plan.doc_type, district_plan.number, district_plan.year) == ("KH", 18, 2021)
    assert district_plan.ward == ward
    assert "Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng" in district_plan.title
    assert ward_plan.issuer.name == "Đảng ủy phường Phúc Đồng"
    assert ward_plan.issuer.symbol_code == "ĐU"
    assert (ward_plan.issued_on.year, ward_plan.issued_on.month) == (2021, 1)
    assert (ward_plan.doc_type, ward_plan.number, ward_plan.year) == ("KH", 28, 2021)
    assert ward_plan.ward == ward
    assert (
        ward_plan.theme
        == district_plan.theme
        == ("Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng")
    )
    assert ward_plan.chain_up() == [district_plan]


def test_demo_rows_pass_model_validation(demo):
    for plan in Plan.objects.all():
        plan.full_clean()
    for task in Task.objects.all():
        task.full_clean()
    for report in ProgressReport.objects.all():
        # Units without a login (UBND, UB MTTQ, …) have reports with nobody recorded.
        report.full_clean(exclude=[] if report.reported_by_id else ["reported_by"])


def test_the_plan_has_tasks_each_with_a_lead_unit(ward_plan):
    tasks = list(ward_plan.tasks.select_related("lead_organization"))
    assert len(tasks) >= 10
    assert sorted(t.ordinal for t in tasks) == list(range(1, len(tasks) + 1))
    for task in tasks:
        assert task.lead_organization.ward_id == ward_plan.ward_id, task
        assert task.ward_id == ward_plan.ward_id
        assert task.due_date or task.due_quarter, task
        assert (task.due_date or task.due_quarter.start).year == 2021
        assert task.lead_organization not in task.supporting_organizations.all()
    titles = " ".join(t.title.lower() for t in tasks)
    for topic in [
        "giải phóng mặt bằng",
        "chỉnh trang đô thị",
        "an ninh trật tự",
        "vệ sinh môi trường",
        "chăn nuôi",
        "bếp than tổ ong",
        "rác thải nhựa",
        "tư tưởng",
        "đất đai",
        "dân vận khéo",
    ]:
        assert topic in titles, topic


def test_cb01s_cell_is_assigned_tasks(ward_plan):
    cb01 = User.objects.select_related("person__organization").get(username="cb01")
    cell = cb01.person.organization
    assert cell.name == "Chi bộ Khu dân cư số 1"
    assigned = Task.objects.assigned_to([cell.pk])
    assert assigned.count() >= 3
    assert ProgressReport.objects.filter(organization=cell, reported_by=cb01).exists()


def test_quarter_one_reports_and_who_has_not_reported(ward_plan):
    reports = ProgressReport.objects.filter(task__plan=ward_plan, year=2021, quarter=1)
    assert reports.count() >= 30
    assert reports.filter(status=TaskStatus.DONE).exists()
    for report in reports:
        assert report.narrative
        assert report.reported_at.date() >= dt.date(2021, 3, 20)
        assert report.reported_at.date() <= dt.date(2021, 3, 31)
        if report.status == TaskStatus.DONE:
            assert report.percent == 100
    missing = []
    for task in ward_plan.tasks.prefetch_related("supporting_organizations"):
        reported = set(reports.filter(task=task).values_list("organization_id", flat=True))
        assigned = {task.lead_organization_id, *(o.pk for o in task.supporting_organizations.all())}
        assert reported <= assigned, task
        missing += [pk for pk in assigned - reported]
    names = set(Organization.objects.filter(pk__in=missing).values_list("name", flat=True))
    assert {
        "Chi bộ Khu dân cư số 2",
        "Chi bộ Khu dân cư số 5",
        "Hội Người cao tuổi phường Phúc Đồng",
    } <= names


def test_task_status_follows_the_lead_units_report(ward_plan):
    for task in ward_plan.tasks.all():
        lead_report = task.reports.filter(
            organization=task.lead_organization, year=2021, quarter=1
        ).first()
        if lead_report and lead_report.status == TaskStatus.DONE:
            assert task.status == TaskStatus.DONE, task
        elif task.reports.exists():
            assert task.status == TaskStatus.IN_PROGRESS, task
        else:
            assert task.status == TaskStatus.OPEN, task
    assert ward_plan.tasks.filter(status=TaskStatus.DONE).exists()
    assert ward_plan.tasks.filter(status=TaskStatus.IN_PROGRESS).exists()


def test_reports_are_by_the_units_managers(ward_plan):
    women = Organization.objects.get(name="Hội Liên hiệp Phụ nữ phường Phúc Đồng")
    for report in ProgressReport.objects.filter(organization=women):
        assert report.reported_by.username == "phunu"
    people_committee = Organization.objects.get(name="Ủy ban nhân dân phường Phúc Đồng")
    assert not ProgressReport.objects.filter(
        organization=people_committee, reported_by__isnull=False
    ).exists()


def test_ward_admin_group_may_keep_plans(demo):
    khanh = User.objects.get(username="khanh")
    assert khanh.groups.filter(name=WARD_ADMIN_GROUP).exists()
    for codename in ["view_plan", "add_plan", "change_plan", "change_task", "add_progressreport"]:
        assert khanh.has_perm(f"plans.{codename}"), codename


def test_loading_twice_changes_no_row_count(demo, capsys):
    before = _row_counts()
    call_command("load_demo")
    assert _row_counts() == before
    assert "nothing changed" in capsys.readouterr().out
