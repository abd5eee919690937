"""Django admin of meetings: pages load, ward scoping, the read-only rule, numbering and
tasks kept in step when a superuser corrects a concluded meeting."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.forms import MultiWidget
from django.urls import reverse

from meetings.models import (
    Conclusion,
    Contribution,
    DocumentTemplate,
    IssuedDocument,
    Meeting,
    MeetingEvent,
    MeetingStatus,
)
from plans.models import Task, TaskStatus
from wardwork.models import User

pytestmark = pytest.mark.django_db

MODELS = [Meeting, MeetingEvent, DocumentTemplate, IssuedDocument]


def _admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def meeting(demo) -> Meeting:
    return Meeting.objects.get(ward__name="Phường Phúc Đồng", year=2021, quarter=1)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _login(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _rows(client, model, **params) -> list:
    response = client.get(_admin_url(model), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _change_data(response) -> dict:
    """The POST data of an admin change page as it was shown (every inline included)."""
    data: dict = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms += list(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            key = form.add_prefix(name)
            value = form[name].value()
            if isinstance(field.widget, MultiWidget):
                parts = field.widget.decompress(value)
                for index, part in enumerate(parts):
                    data[f"{key}_{index}"] = field.widget.widgets[index].format_value(part) or ""
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is not None:
                formatted = field.widget.format_value(value)
                if isinstance(formatted, list):  # a select's chosen values
                    formatted = formatted[0] if formatted else ""
                data[key] = "" if formatted is None else str(formatted)
    return data


def _prefix(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no {model.__name__} inline")


def _add_row(data: dict, prefix: str, values: dict) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value


def _row_index(data: dict, prefix: str, pk: int) -> int:
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and str(value) == str(pk):
            return int(key.split("-")[-2])
    raise AssertionError(f"row {pk} not on the page")


# --- pages --------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_changelists_load_for_superuser(admin_client, meeting, model):
    assert admin_client.get(_admin_url(model)).status_code == 200


def test_meeting_pages_load_for_superuser(admin_client, meeting):
    assert admin_client.get(_admin_url(Meeting, "add")).status_code == 200
    page = admin_client.get(_admin_url(Meeting, "change", meeting.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tăng cường công tác kiểm tra, hướng dẫn, đôn đốc thực hiện" in html
    assert "attendances-TOTAL_FORMS" in html
    assert "contributions-TOTAL_FORMS" in html
    assert "conclusions-TOTAL_FORMS" in html
    assert admin_client.get(_admin_url(Meeting, "history", meeting.pk)).status_code == 200
    event = meeting.events.first()
    assert admin_client.get(_admin_url(MeetingEvent, "change", event.pk)).status_code == 200
    assert admin_client.get(_admin_url(DocumentTemplate, "add")).status_code == 200


def test_changelist_counts_contributions_and_conclusions(admin_client, meeting):
    html = admin_client.get(_admin_url(Meeting)).content.decode()
    row = next(r for r in _rows(admin_client, Meeting) if r.pk == meeting.pk)
    assert (row._contributions, row._conclusions) == (5, 6)
    assert "13/04/2021" in html


def test_search_without_accents_finds_the_meeting(admin_client, meeting):
    assert _rows(admin_client, Meeting, q="danh gia quy I/2021") == [meeting]
    assert _rows(admin_client, Meeting, q="hoi nghi giao ban") == []


# --- ward scoping -------------------------------------------------------------------------------
def test_saidong_sees_none_of_phuc_dongs_meetings(client, meeting):
    saidong = User.objects.get(username="saidong")
    assert saidong.is_staff and saidong.ward.name == "Phường Sài Đồng"
    _login(client, "saidong")
    assert client.get(reverse("admin:index")).status_code == 200
    assert _rows(client, Meeting) == []
    assert _rows(client, Meeting, q="danh gia") == []
    assert _rows(client, MeetingEvent) == []
    assert client.get(_admin_url(Meeting, "change", meeting.pk)).status_code in (302, 404)
    assert client.get(_admin_url(Meeting, "history", meeting.pk)).status_code == 404
    event = meeting.events.first()
    assert client.get(_admin_url(MeetingEvent, "change", event.pk)).status_code in (302, 404)
    form = client.get(_admin_url(Meeting, "add")).context["adminform"].form
    assert set(form.fields["ward"].queryset) == {saidong.ward}
    assert meeting.presenter not in form.fields["presenter"].queryset


def test_ward_staff_see_their_meetings(client, meeting):
    _login(client, "ngoc")
    # The 13/04/2021 review and the small review of quarter IV/2020 (08/01/2021).
    ours = list(Meeting.objects.filter(ward=meeting.ward))
    assert len(ours) == 2 and meeting in ours
    assert sorted(m.pk for m in _rows(client, Meeting)) == sorted(m.pk for m in ours)
    assert (
        len(_rows(client, MeetingEvent))
        == MeetingEvent.objects.filter(meeting__ward=meeting.ward).count()
    )


# --- the read-only rule -------------------------------------------------------------------------
def test_a_concluded_meeting_is_read_only_for_ward_staff(client, meeting):
    _login(client, "ngoc")
    response = client.get(_admin_url(Meeting, "change", meeting.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission
    response = client.post(_admin_url(Meeting, "change", meeting.pk), {"title": "Sửa"})
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).title == meeting.title


def test_the_status_is_read_only_for_ward_staff(client, demo):
    ngoc = User.objects.get(username="ngoc")
    planned = Meeting.objects.create(
        ward=ngoc.ward,
        kind="briefing",
        title="Giao ban Khối Dân vận tháng 5/2021",
        year=2021,
        held_at=Meeting.objects.get(year=2021, quarter=1).held_at,
    )
    _login(client, "ngoc")
    response = client.get(_admin_url(Meeting, "change", planned.pk))
    assert response.context["has_change_permission"] is True
    assert "status" not in response.context["adminform"].form.fields
    data = _change_data(response)
    data["status"] = MeetingStatus.CONCLUDED
    response = client.post(_admin_url(Meeting, "change", planned.pk), data)
    assert response.status_code == 302
    assert Meeting.objects.get(pk=planned.pk).status == MeetingStatus.PLANNED


def test_a_superuser_changing_the_status_is_recorded(admin_client, superuser, demo):
    planned = Meeting.objects.create(
        ward=Meeting.objects.get(year=2021, quarter=1).ward,
        kind="briefing",
        title="Giao ban Khối Dân vận tháng 5/2021",
        year=2021,
        held_at=Meeting.objects.get(year=2021, quarter=1).held_at,
    )
    data = _change_data(admin_client.get(_admin_url(Meeting, "change", planned.pk)))
    data["status"] = MeetingStatus.HELD
    response = admin_client.post(_admin_url(Meeting, "change", planned.pk), data)
    assert response.status_code == 302
    event = planned.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "admin_status",
        "planned",
        "held",
        superuser,
    )


# --- corrections --------------------------------------------------------------------------------
def test_ward_staff_add_a_contribution_without_a_number(client, home, held_meeting):
    home.staff.is_staff = True
    home.staff.save()
    home.staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="meetings"))
    client.force_login(home.staff)
    response = client.get(_admin_url(Meeting, "change", held_meeting.pk))
    assert "status" not in response.context["adminform"].form.fields
    data = _change_data(response)
    prefix = _prefix(response, Contribution)
    _add_row(
        data,
        prefix,
        {"speaker": str(home.cell_secretary.person_id), "content": "Ý kiến bổ sung tại hội nghị"},
    )
    response = client.post(_admin_url(Meeting, "change", held_meeting.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = held_meeting.contributions.get(ordinal=3)
    assert added.content == "Ý kiến bổ sung tại hội nghị"
    assert added.recorded_by == home.staff
    assert added.history.latest().history_user == home.staff


def test_rows_of_another_ward_are_refused(admin_client, away, held_meeting):
    response = admin_client.get(_admin_url(Meeting, "change", held_meeting.pk))
    data = _change_data(response)
    _add_row(
        data,
        _prefix(response, Contribution),
        {"speaker": str(away.cell_secretary.person_id), "content": "Người phường khác"},
    )
    response = admin_client.post(_admin_url(Meeting, "change", held_meeting.pk), data)
    assert response.status_code == 200
    assert held_meeting.contributions.count() == 2


def test_a_superuser_corrects_a_concluded_meeting_and_the_tasks_follow(admin_client, meeting):
    response = admin_client.get(_admin_url(Meeting, "change", meeting.pk))
    data = _change_data(response)
    prefix = _prefix(response, Conclusion)
    third = meeting.conclusions.get(ordinal=3)
    fourth = meeting.conclusions.get(ordinal=4)
    index = _row_index(data, prefix, third.pk)
    data[f"{prefix}-{index}-text"] = "Lãnh đạo UBND phường thường xuyên thông tin với khối vận."
    data[f"{prefix}-{index - 1}-DELETE"] = "on"  # conclusion 2
    second = meeting.conclusions.get(ordinal=2)
    assert data[f"{prefix}-{index - 1}-id"] == str(second.pk)
    tasks = Task.objects.count()
    response = admin_client.post(_admin_url(Meeting, "change", meeting.pk), data)
    assert response.status_code == 302, [
        f.errors for f in response.context["inline_admin_formsets"][2].formset
    ]
    assert list(meeting.conclusions.values_list("ordinal", flat=True)) == [1, 2, 3, 4, 5]
    assert Task.objects.get(pk=second.task_id).status == TaskStatus.CANCELLED
    third.refresh_from_db()
    assert third.ordinal == 2
    assert third.task.title == "Lãnh đạo UBND phường thường xuyên thông tin với khối vận."
    assert third.task.ordinal == 2
    fourth.refresh_from_db()
    assert (fourth.ordinal, fourth.task.ordinal) == (3, 3)
    assert Task.objects.count() == tasks
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CONCLUDED


def test_the_event_log_is_read_only(admin_client, meeting):
    assert admin_client.get(_admin_url(MeetingEvent, "add")).status_code == 403
    event = meeting.events.first()
    response = admin_client.get(_admin_url(MeetingEvent, "change", event.pk))
    assert response.context["has_change_permission"] is False
    assert admin_client.get(_admin_url(MeetingEvent, "delete", event.pk)).status_code == 403


def test_ward_staff_keep_only_their_own_wards_document_layout(client, meeting):
    _login(client, "ngoc")
    response = client.get(_admin_url(DocumentTemplate, "add"))
    assert response.status_code == 200
    field = response.context["adminform"].form.fields["ward"]
    assert field.required
    assert set(field.queryset) == {meeting.ward}
