"""Every table of plans carries its ward (Citus distributes by ward, issue #8).

What a user would notice: the reports, supporting units and document numbers written by the
pages, the services and the admin carry the ward of their task (or issuer); a duplicate is
still refused with the form's message, not an error page; the administrator still edits a
task's supporting units, and their history is still kept.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from plans.models import (
    DocumentSequence,
    ProgressReport,
    Task,
    TaskStatus,
    TaskSupportingOrganization,
)
from plans.services import document_number_next, progress_report_submit, task_save
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

Q1 = Quarter(2021, 1)
MESSAGE_TASK_NUMBER = {
    "en": "A task with this number already exists in the plan.",
    "vi": "Văn bản đã có nhiệm vụ mang số này.",
}
MESSAGE_REPORT = {
    "en": "This unit already reported on this task for the quarter.",
    "vi": "Đơn vị này đã báo cáo nhiệm vụ này trong quý.",
}


def _admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _supporting_units(task) -> set:
    return set(task.supporting_organizations.all())


# --- rows written by the services and the pages -----------------------------------------------


def test_a_submitted_report_and_its_history_carry_the_tasks_ward(home, plans_home):
    result = progress_report_submit(
        actor=home.cell_secretary,
        task=plans_home.task,
        organization=home.cell,
        quarter=Q1,
        status=TaskStatus.IN_PROGRESS,
        percent=30,
    )
    report = ProgressReport.objects.get(pk=result.report.pk)
    assert report.ward_id == home.ward.pk
    assert ProgressReport.history.filter(id=report.pk).latest().ward_id == home.ward.pk
    # a second submission updates the same report
    again = progress_report_submit(
        actor=home.cell_secretary,
        task=plans_home.task,
        organization=home.cell,
        quarter=Q1,
        status=TaskStatus.DONE,
        percent=100,
    )
    assert (again.created, again.report.pk, again.report.ward_id) == (
        False,
        report.pk,
        home.ward.pk,
    )


def test_supporting_units_chosen_on_the_task_page_carry_the_ward(client, home, plans_home):
    client.force_login(home.secretary)
    response = client.post(
        reverse("plans:task_create", args=[plans_home.ward_plan.pk]),
        {
            "title": "Ra quân vệ sinh môi trường",
            "lead_organization": home.cell.pk,
            "supporting_organizations": [home.women.pk, home.other_cell.pk],
            "due_quarter": "II/2021",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get(title="Ra quân vệ sinh môi trường")
    assert _supporting_units(task) == {home.women, home.other_cell}
    rows = TaskSupportingOrganization.objects.filter(task=task)
    assert {row.ward_id for row in rows} == {home.ward.pk}


def test_supporting_units_keep_their_history_with_the_ward(home, plans_home):
    task = plans_home.task  # supported by women
    task_save(actor=home.secretary, task=task, supporting_organizations=[home.other_cell])
    task_save(actor=home.secretary, task=task, supporting_organizations=[home.women, home.bloc])
    assert _supporting_units(task) == {home.women, home.bloc}
    assert {row.ward_id for row in TaskSupportingOrganization.objects.filter(task=task)} == {
        home.ward.pk
    }
    records = list(task.history.order_by("history_date", "history_id"))
    kept = [{row.organization_id for row in r.supporting_organizations.all()} for r in records]
    assert {home.other_cell.pk} in kept
    assert kept[-1] == {home.women.pk, home.bloc.pk}
    latest = records[-1]
    assert latest.history_user == home.secretary
    assert {row.ward_id for row in latest.supporting_organizations.all()} == {home.ward.pk}


def test_a_supporting_unit_added_directly_takes_the_tasks_ward(home, plans_home):
    plans_home.other_task.supporting_organizations.add(home.bloc)
    row = TaskSupportingOrganization.objects.get(task=plans_home.other_task)
    assert (row.organization, row.ward_id) == (home.bloc, home.ward.pk)


def test_document_numbers_are_kept_per_issuer_in_its_ward(home, away):
    day = dt.date(2021, 4, 1)
    assert document_number_next(issuer=home.committee, doc_type="KH", on=day) == 1
    assert document_number_next(issuer=home.committee, doc_type="KH", on=day) == 2
    assert document_number_next(issuer=away.committee, doc_type="KH", on=day) == 1
    home_row = DocumentSequence.objects.get(issuer=home.committee)
    away_row = DocumentSequence.objects.get(issuer=away.committee)
    assert (home_row.ward_id, home_row.last_number) == (home.ward.pk, 2)
    assert (away_row.ward_id, away_row.last_number) == (away.ward.pk, 1)


# --- duplicates: the form's message, in both languages ----------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_taken_task_number_is_refused_with_the_message(home, plans_home, language):
    task = Task(
        ward=home.ward,
        plan=plans_home.ward_plan,
        ordinal=1,  # plans_home.task has it
        title="Trùng số",
        lead_organization=home.cell,
    )
    with translation.override(language), pytest.raises(ValidationError) as error:
        task_save(actor=home.secretary, task=task)
    with translation.override(language):
        assert MESSAGE_TASK_NUMBER[language] in error.value.messages
    assert Task.objects.filter(plan=plans_home.ward_plan, ordinal=1).count() == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_admin_refuses_a_second_report_with_the_message(
    admin_client, home, plans_home, language
):
    existing = plans_home.report  # other_cell on other_task, I/2021
    data = {
        "task": str(existing.task_id),
        "organization": str(existing.organization_id),
        "year": "2021",
        "quarter": "1",
        "status": TaskStatus.IN_PROGRESS,
        "percent": "60",
        "narrative": "Báo cáo lần hai",
    }
    with translation.override(language):
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = admin_client.post(_admin_url(ProgressReport, "add"), data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.non_field_errors()
        assert MESSAGE_REPORT[language] in errors
    assert ProgressReport.objects.filter(task=existing.task).count() == 1


def _task_change_data(task, *, supporting, reports=()):
    data = {
        "ward": str(task.ward_id),
        "plan": str(task.plan_id),
        "ordinal": str(task.ordinal),
        "title": task.title,
        "description": task.description,
        "lead_organization": str(task.lead_organization_id),
        "supporting_units": [str(o.pk) for o in supporting],
        "due_date": "",
        "due_quarter": "IV/2021",
        "status": task.status,
        "version": str(task.version),
        "reports-TOTAL_FORMS": str(len(reports)),
        "reports-INITIAL_FORMS": "0",
        "reports-MIN_NUM_FORMS": "0",
        "reports-MAX_NUM_FORMS": "1000",
    }
    for index, report in enumerate(reports):
        for name, value in {"id": "", "task": str(task.pk), **report}.items():
            data[f"reports-{index}-{name}"] = value
    return data


def test_two_equal_report_rows_under_a_task_are_refused_not_an_error_page(
    admin_client, home, plans_home
):
    task = plans_home.task
    row = {
        "organization": str(home.cell.pk),
        "year": "2021",
        "quarter": "2",
        "status": TaskStatus.IN_PROGRESS,
        "percent": "10",
        "narrative": "Hai dòng giống nhau",
    }
    data = _task_change_data(task, supporting=[home.women], reports=[row, row])
    response = admin_client.post(_admin_url(Task, "change", task.pk), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    message = " ".join(formset.non_form_errors())
    assert "organization" in message and "quarter" in message
    assert "ward" not in message  # the ward is the task's, never typed in a row
    assert not ProgressReport.objects.filter(task=task).exists()


def test_a_second_numbering_row_is_refused_in_the_admin(admin_client, home):
    document_number_next(issuer=home.committee, doc_type="KH", on=dt.date(2021, 4, 1))
    data = {
        "issuer": str(home.committee.pk),
        "doc_type": "KH",
        "term_start_year": "2020",
        "last_number": "5",
    }
    with translation.override("en"):
        admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = admin_client.post(_admin_url(DocumentSequence, "add"), data)
        assert response.status_code == 200
        message = " ".join(response.context["adminform"].form.non_field_errors())
    assert "already exists" in message
    assert "Ward" not in message  # named by the fields the administrator chose
    assert DocumentSequence.objects.count() == 1


# --- the administrator edits a task's supporting units ----------------------------------------


def test_the_admin_shows_and_changes_a_tasks_supporting_units(
    admin_client, superuser, home, plans_home
):
    task = plans_home.task  # lead: cell, supporting: women
    url = _admin_url(Task, "change", task.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form["supporting_units"].value() == [home.women.pk]
    assert 'name="supporting_units"' in page.content.decode()

    data = _task_change_data(task, supporting=[home.women, home.other_cell])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _supporting_units(task) == {home.women, home.other_cell}
    rows = TaskSupportingOrganization.objects.filter(task=task)
    assert {row.ward_id for row in rows} == {home.ward.pk}
    latest = task.history.latest()
    assert latest.history_user == superuser
    assert {r.organization_id for r in latest.supporting_organizations.all()} == {
        home.women.pk,
        home.other_cell.pk,
    }

    task.refresh_from_db()
    response = admin_client.post(url, _task_change_data(task, supporting=[]))
    assert response.status_code == 302
    assert _supporting_units(task) == set()


def test_the_admin_refuses_the_lead_or_another_wards_unit_as_support(
    admin_client, home, away, plans_home
):
    task = plans_home.task
    url = _admin_url(Task, "change", task.pk)
    for wrong in (home.cell, away.women):  # the lead; a unit of another ward
        response = admin_client.post(url, _task_change_data(task, supporting=[wrong]))
        assert response.status_code == 200
        assert "supporting_units" in response.context["adminform"].form.errors
    assert _supporting_units(task) == {home.women}


def test_ward_staff_pick_supporting_units_of_their_ward_only(client, home, away, plans_home):
    from django.contrib.auth.models import Permission

    staff = home.staff
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_task", "change_task", "view_organization"])
    )
    client.force_login(staff)
    task = plans_home.task
    url = _admin_url(Task, "change", task.pk)
    form = client.get(url).context["adminform"].form
    choices = set(form.fields["supporting_units"].queryset)
    assert home.other_cell in choices and away.women not in choices
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "plans",
            "model_name": "task",
            "field_name": "supporting_organizations",
            "term": "Hội Phụ nữ",
        },
    ).json()["results"]
    assert [row["id"] for row in found] == [str(home.women.pk)]
    response = client.post(url, _task_change_data(task, supporting=[away.women]))
    assert response.status_code == 200
    assert "supporting_units" in response.context["adminform"].form.errors
    response = client.post(url, _task_change_data(task, supporting=[home.other_cell]))
    assert response.status_code == 302
    assert _supporting_units(task) == {home.other_cell}
