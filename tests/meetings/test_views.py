"""Meeting pages: what each role may do on every URL, ward isolation, the read-only rule,
htmx recording, bad input, query counts and the Word downloads."""

# The fixtures come from page_fixtures by import, so each test's argument "redefines" them.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils import translation
from docx import Document

from meetings import services
from meetings.models import Attendance, Conclusion, Contribution, Meeting, MeetingEvent
from plans.models import Task
from tests.factories import OrganizationFactory, PersonFactory
from tests.meetings.page_fixtures import (  # noqa: F401 (fixtures by import)
    TZ,
    media_root,
    meetings_away,
    meetings_home,
    new_meeting,
    record,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "plain",
    "cell_secretary",
    "other_cell_secretary",
    "mass_head",
    "dvk",
    "staff",
    "secretary",
    "superuser",
]
READERS = ROLES[1:]
MANAGERS = {"staff", "secretary", "superuser"}


def _only(allowed, ok):
    return {role: ok if role in allowed else 403 for role in READERS}


# What each role gets on each URL of the meetings app, for objects of its own ward (the held
# meeting unless said otherwise). 200 page or file, 302 redirect after a change, 403
# forbidden; anonymous is always sent to the login page.
OWN_WARD = {
    "meeting_list": dict.fromkeys(READERS, 200),
    "meeting_detail": dict.fromkeys(READERS, 200),
    "minutes_print": dict.fromkeys(READERS, 200),
    # The first download numbers the document: ward staff only (readers get it once issued,
    # see test_a_reader_downloads_a_document_once_issued).
    "minutes_docx": _only(MANAGERS, 200),
    "conclusion_notice_docx": _only(MANAGERS, 200),  # of the concluded meeting
    "meeting_create": _only(MANAGERS, 200),
    "meeting_update": _only(MANAGERS, 200),
    "meeting_conclude": _only(MANAGERS, 200),  # GET: the confirmation page
    "meeting_reopen": _only({"secretary", "superuser"}, 200),  # GET, the concluded meeting
    "conclusion_update": _only(MANAGERS, 200),
    # POST
    "meeting_hold": _only(MANAGERS, 302),  # the planned meeting
    "meeting_invite": _only(MANAGERS, 302),
    "attendance_mark": _only(MANAGERS, 302),
    "contribution_add": _only(MANAGERS | {"dvk"}, 302),  # Khối Dân vận records too
    "contribution_delete": _only(MANAGERS | {"dvk"}, 302),
    "conclusion_create": _only(MANAGERS, 302),
    "conclusion_delete": _only(MANAGERS, 302),
}
POST_DATA = {
    "meeting_hold": {},
    "meeting_invite": {"groups": ["ward_leaders"]},
    "attendance_mark": {"a{attendance}-status": "excused", "a{attendance}-note": "Đi công tác"},
    "contribution_add": {"content": "Đề nghị làm rõ tiến độ giải phóng mặt bằng."},
    "contribution_delete": {},
    "conclusion_create": {"text": "Rà soát các hộ chưa bàn giao mặt bằng.", "lead": True},
    "conclusion_delete": {},
}
LISTS = {"meeting_list", "meeting_create"}


def _url(name, setup):
    args = {
        "meeting_hold": [setup.planned.pk],
        "meeting_reopen": [setup.concluded.pk],
        "conclusion_notice_docx": [setup.concluded.pk],
        "attendance_mark": [setup.attendance.pk],
        "contribution_delete": [setup.contribution.pk],
        "conclusion_update": [setup.conclusion.pk],
        "conclusion_delete": [setup.conclusion.pk],
    }.get(name, [] if name in LISTS else [setup.held.pk])
    return reverse(f"meetings:{name}", args=args)


def _post_data(name, setup, ward_setup):
    data = {}
    for key, value in POST_DATA[name].items():
        if key == "lead":
            data["lead_organizations"] = [ward_setup.cell.pk]
        else:
            data[key.format(attendance=setup.attendance.pk)] = value
    return data


def _messages(response) -> list[str]:
    """The messages the response leaves for the next page. The test client does not follow
    the redirect, so its cookie still holds them: drop it, so the next request starts clean."""
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    client_cookies = getattr(response, "client", None)
    if client_cookies is not None:
        response.client.cookies.pop("messages", None)
    return texts


def _vi(text) -> str:
    with translation.override("vi"):
        return str(text)


def _log_in(client, home, superuser, role):
    if role == "superuser":
        client.force_login(superuser)
    elif role != "anonymous":
        client.force_login(getattr(home, role))


def test_expectation_table_covers_every_url_of_the_app():
    names = {
        p.name for p in get_resolver("meetings.urls").url_patterns if isinstance(p, URLPattern)
    }
    # Restoring a removed line needs a removed line: every role and ward is checked in
    # tests/meetings/test_restore_removed.py and tests/test_authorization_matrix.py.
    restores = {"contribution_restore", "conclusion_restore"}
    assert restores <= names
    assert names - restores == set(OWN_WARD)
    assert set(POST_DATA) <= names


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OWN_WARD))
def test_every_url_as_every_role_in_own_ward(client, home, superuser, meetings_home, role, name):
    _log_in(client, home, superuser, role)
    url = _url(name, meetings_home)
    if name in POST_DATA:
        response = client.post(url, _post_data(name, meetings_home, home))
    else:
        response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == OWN_WARD[name][role], (name, role, response.status_code)
        if response.status_code == 302:
            assert not any("error" in m.tags for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("name", sorted(set(OWN_WARD) - LISTS))
def test_another_wards_objects_are_404_even_for_its_secretary(
    client, home, away, meetings_home, name
):
    client.force_login(away.secretary)
    url = _url(name, meetings_home)
    if name in POST_DATA:
        response = client.post(url, _post_data(name, meetings_home, home))
    else:
        response = client.get(url)
    assert response.status_code == 404


def test_lists_never_show_another_ward(client, home, away, meetings_home, meetings_away):
    client.force_login(away.plain)
    listed = list(client.get(reverse("meetings:meeting_list")).context["page_obj"])
    assert len(listed) == 3 and {m.ward_id for m in listed} == {away.ward.pk}


def test_list_filters_and_counts(client, home, meetings_home):
    client.force_login(home.plain)

    def found(**query):
        page = client.get(reverse("meetings:meeting_list"), query).context["page_obj"]
        return [m.title for m in page]

    assert found(status="concluded") == ["Hội nghị tọa đàm Dân vận khéo"]
    assert found(q="so ket quy i") == ["Hội nghị sơ kết quý I/2021"]
    assert found(kind="seminar") == []
    assert len(found(year=2021)) == 3 and found(year=2020) == []
    held = next(
        m
        for m in client.get(reverse("meetings:meeting_list")).context["page_obj"]
        if m.pk == meetings_home.held.pk
    )
    assert (held.contribution_count, held.conclusion_count, held.present_count) == (2, 2, 1)
    assert held.invited_count == 3  # two cell secretaries and the bloc member


def test_bad_filter_values_are_field_errors_not_500(client, home, meetings_home):
    client.force_login(home.plain)
    response = client.get(
        reverse("meetings:meeting_list"), {"year": "hai nghìn", "kind": "x", "page": "z"}
    )
    assert response.status_code == 200
    assert {"year", "kind"} <= set(response.context["form"].errors)


# --- the meeting page -----------------------------------------------------------------------------


def test_meeting_page_shows_every_tab_with_computed_counts(client, home, meetings_home):
    client.force_login(home.plain)
    response = client.get(_url("meeting_detail", meetings_home))
    context = response.context
    assert list(context["tabs"]) == [
        "overview",
        "attendance",
        "contributions",
        "conclusions",
        "history",
    ]
    assert context["contribution_count"] == "02" and context["conclusion_count"] == "02"
    counts = context["counts"]
    assert (counts.present, counts.absent, counts.excused, counts.unmarked) == (1, 0, 0, 2)
    page = response.content.decode()
    for pane in context["tabs"]:
        assert f'id="{pane}"' in page and f'href="?tab={pane}#{pane}"' in page
    assert "28-KH/ĐU" in page  # plans reviewed
    assert "Ý kiến số 2 về giải phóng mặt bằng." in page
    assert 'data-testid="contribution-form"' not in page  # a plain member only reads
    assert 'data-testid="attendance-save"' not in page


def test_tab_in_the_query_opens_that_tab(client, home, meetings_home):
    client.force_login(home.plain)
    url = _url("meeting_detail", meetings_home)
    assert client.get(url, {"tab": "conclusions"}).context["tab"] == "conclusions"
    assert client.get(url, {"tab": "../etc"}).context["tab"] == "overview"


def test_khoi_dan_van_records_contributions_but_not_conclusions(client, home, meetings_home):
    client.force_login(home.dvk)
    page = client.get(_url("meeting_detail", meetings_home)).content.decode()
    assert 'data-testid="contribution-form"' in page
    assert 'data-testid="conclusion-form"' not in page
    assert 'data-testid="meeting-edit"' not in page


def test_htmx_add_contribution_returns_the_list_with_its_number_and_count(
    client, home, meetings_home
):
    client.force_login(home.dvk)
    response = client.post(
        _url("contribution_add", meetings_home),
        {"speaker": home.mass_head.person.pk, "content": "Hội Phụ nữ nhận vận động 12 hộ."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="contribution"') == 3
    assert 'data-ordinal="3"' in page and "Hội Phụ nữ nhận vận động 12 hộ." in page
    assert response.context["contribution_count"] == "03"
    assert 'id="tab-count-contributions"' in page and 'hx-swap-oob="true"' in page
    added = Contribution.objects.get(meeting=meetings_home.held, ordinal=3)
    assert added.organization == home.women  # the speaker's unit by default
    assert added.recorded_by == home.dvk


def test_add_contribution_without_javascript_redirects_to_the_tab(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.post(
        _url("contribution_add", meetings_home), {"content": "Một ý kiến không tên."}
    )
    assert response["Location"].endswith("?tab=contributions#contributions")
    assert meetings_home.held.contributions.count() == 3


def test_deleting_a_contribution_renumbers_the_rest(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.post(_url("contribution_delete", meetings_home), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert list(meetings_home.held.contributions.values_list("ordinal", "content")) == [
        (1, "Ý kiến số 2 về giải phóng mặt bằng.")
    ]
    assert response.context["contribution_count"] == "01"


def test_htmx_add_conclusion_appends_it(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.post(
        _url("conclusion_create", meetings_home),
        {
            "text": "Chi bộ rà soát các hộ chưa bàn giao mặt bằng.",
            "lead_organizations": [home.other_cell.pk],
            "supporting_organizations": [home.women.pk],
            "due_quarter": "III/2021",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="conclusion"') == 3
    assert response.context["conclusion_count"] == "03"
    conclusion = Conclusion.objects.get(meeting=meetings_home.held, ordinal=3)
    assert list(conclusion.lead_organizations.all()) == [home.other_cell]
    assert conclusion.due_quarter.short_label == "III/2021"


def test_attendance_mark_by_htmx_swaps_the_row_and_the_counts(client, home, meetings_home):
    client.force_login(home.staff)
    pk = meetings_home.attendance.pk
    response = client.post(
        _url("attendance_mark", meetings_home),
        {f"a{pk}-status": "absent", f"a{pk}-note": "Ốm"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="a{pk}"' in page and 'id="attendance-counts" hx-swap-oob="true"' in page
    assert response.context["oob_counts"].absent == 1
    assert response.context["oob_counts"].present == 0
    assert Attendance.objects.get(pk=pk).note == "Ốm"


def test_invite_by_group_adds_people_once(client, home, meetings_home):
    client.force_login(home.staff)
    url = _url("meeting_invite", meetings_home)
    client.post(url, {"groups": ["cell_secretaries", "mass_organization_heads"]})
    client.post(url, {"groups": ["cell_secretaries", "mass_organization_heads"]})
    people = meetings_home.held.attendances.values_list("person", flat=True)
    assert sorted(people) == sorted(
        {
            home.cell_secretary.person.pk,
            home.other_cell_secretary.person.pk,
            home.dvk.person.pk,
            home.mass_head.person.pk,
        }
    )


def test_the_whole_flow_hold_conclude_reopen(client, home, meetings_home):
    planned = meetings_home.planned
    client.force_login(home.secretary)
    client.post(
        reverse("meetings:conclusion_create", args=[planned.pk]),
        {"text": "Giao Chi bộ số 1 vận động.", "lead_organizations": [home.cell.pk]},
    )
    client.post(reverse("meetings:meeting_hold", args=[planned.pk]))
    confirm = client.get(reverse("meetings:meeting_conclude", args=[planned.pk]))
    assert "Giao Chi bộ số 1 vận động." in confirm.content.decode()
    response = client.post(reverse("meetings:meeting_conclude", args=[planned.pk]))
    assert response.status_code == 302
    task = Task.objects.get(conclusion__meeting=planned)
    assert task.lead_organization == home.cell and task.due_quarter is not None
    page = client.get(reverse("meetings:meeting_detail", args=[planned.pk])).content.decode()
    assert reverse("plans:task_detail", args=[task.pk]) in page
    assert 'data-testid="meeting-edit"' not in page and 'data-testid="meeting-reopen"' in page
    response = client.post(
        reverse("meetings:meeting_reopen", args=[planned.pk]), {"reason": "Sửa tên đơn vị"}
    )
    assert response.status_code == 302
    history = client.get(reverse("meetings:meeting_detail", args=[planned.pk]), {"tab": "history"})
    assert [e.action for e in history.context["events"]] == [
        "created",
        "held",
        "concluded",
        "reopened",
    ]
    assert "Sửa tên đơn vị" in history.content.decode()


def test_creating_a_meeting_reads_the_date_and_limits_choices_to_the_ward(
    client, home, away, meetings_home
):
    client.force_login(home.staff)
    form = client.get(reverse("meetings:meeting_create")).context["form"]
    assert away.secretary.person not in form.fields["chairs"].queryset
    assert set(form.fields["reviewed_plans"].queryset) == {meetings_home.plan}
    response = client.post(
        reverse("meetings:meeting_create"),
        {
            "kind": "quarterly_review",
            "title": "Hội nghị sơ kết quý II/2021",
            "quarter": "2",
            "held_at": "12/07/2021 08:30",
            "venue": "Hội trường",
            "chairs": [home.secretary.person.pk],
            "reviewed_plans": [meetings_home.plan.pk],
        },
    )
    meeting = Meeting.objects.get(title="Hội nghị sơ kết quý II/2021")
    assert response["Location"] == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert meeting.held_at == dt.datetime(2021, 7, 12, 8, 30, tzinfo=TZ)
    assert (meeting.year, meeting.quarter, meeting.ward) == (2021, 2, home.ward)
    assert list(meeting.chairs.all()) == [home.secretary.person]
    assert meeting.created_by == home.staff


def test_a_chair_from_another_ward_is_a_field_error(client, home, away, meetings_home):
    client.force_login(home.staff)
    response = client.post(
        reverse("meetings:meeting_create"),
        {
            "kind": "seminar",
            "title": "Tọa đàm",
            "held_at": "12/07/2021 08:30",
            "chairs": [away.secretary.person.pk],
        },
    )
    assert response.status_code == 400 and "chairs" in response.context["form"].errors


# --- bad input ------------------------------------------------------------------------------------


def test_impossible_date_is_an_error_at_the_field_and_keeps_the_input(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.post(
        reverse("meetings:meeting_create"),
        {
            "kind": "quarterly_review",
            "title": "Hội nghị giữ nguyên chữ",
            "held_at": "31/02/2021 08:00",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "held_at" in errors and "quarter" in errors  # a quarterly review needs its quarter
    assert "Hội nghị giữ nguyên chữ" in response.content.decode()
    assert not Meeting.objects.filter(title="Hội nghị giữ nguyên chữ").exists()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_empty_contribution_is_an_error_at_the_field(client, home, meetings_home, htmx):
    client.force_login(home.staff)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        _url("contribution_add", meetings_home),
        {"speaker": home.mass_head.person.pk, "content": "   "},
        **headers,
    )
    assert response.status_code == (200 if htmx else 400)
    form = response.context["contribution_form"]
    assert form.errors["content"] == [_vi(services.MESSAGE_EMPTY_CONTRIBUTION)]
    assert form["speaker"].value() == str(home.mass_head.person.pk)  # the choice is kept
    assert meetings_home.held.contributions.count() == 2
    if not htmx:
        assert response.context["tab"] == "contributions"


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_conclusion_without_bodies_keeps_the_text(client, home, meetings_home, htmx):
    client.force_login(home.staff)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        _url("conclusion_create", meetings_home),
        {"text": "Kết luận chưa có đơn vị chủ trì.", "due_date": "30/02/2021"},
        **headers,
    )
    assert response.status_code == (200 if htmx else 400)
    form = response.context["conclusion_form"]
    assert form.errors["lead_organizations"] == [_vi(services.MESSAGE_NO_LEAD)]
    assert "due_date" in form.errors
    assert "Kết luận chưa có đơn vị chủ trì." in response.content.decode()
    assert meetings_home.held.conclusions.count() == 2


def test_conclusion_edit_with_both_deadlines_is_refused_at_the_field(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.post(
        _url("conclusion_update", meetings_home),
        {
            "text": "Kết luận sửa",
            "lead_organizations": [home.cell.pk],
            "due_date": "30/06/2021",
            "due_quarter": "II/2021",
        },
    )
    assert response.status_code == 400 and "due_quarter" in response.context["form"].errors


def test_attendance_without_a_status_shows_the_error_in_the_row(client, home, meetings_home):
    client.force_login(home.staff)
    pk = meetings_home.attendance.pk
    response = client.post(
        _url("attendance_mark", meetings_home), {f"a{pk}-note": "ghi chú"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "status" in response.context["attendance"].form.errors
    assert "ghi chú" in response.content.decode()


def test_reopen_without_a_reason_is_an_error_at_the_field(client, home, meetings_home):
    client.force_login(home.secretary)
    response = client.post(_url("meeting_reopen", meetings_home), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [_vi(services.MESSAGE_REASON_REQUIRED)]
    meetings_home.concluded.refresh_from_db()
    assert meetings_home.concluded.is_read_only


def test_wrong_status_steps_are_messages_not_500(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.post(reverse("meetings:meeting_hold", args=[meetings_home.held.pk]))
    assert response.status_code == 302
    assert _messages(response) == [_vi(services.MESSAGE_CANNOT_HOLD)]
    for method in ("get", "post"):
        url = reverse("meetings:meeting_conclude", args=[meetings_home.planned.pk])
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert _messages(response) == [_vi(services.MESSAGE_CANNOT_CONCLUDE)]
    client.force_login(home.secretary)
    for method in ("get", "post"):
        url = reverse("meetings:meeting_reopen", args=[meetings_home.held.pk])
        response = getattr(client, method)(url, {"reason": "Sửa"} if method == "post" else {})
        assert response.status_code == 302
        assert _messages(response) == [_vi(services.MESSAGE_CANNOT_REOPEN)]
    assert meetings_home.planned.events.count() == 1  # nothing happened


JUNK = {
    "kind": "x",
    "title": "Tiêu đề\x00",
    "year": "-1",
    "quarter": "9",
    "held_at": "32/13/2021 25:61",
    "venue": "x" * 400,
    "chairs": ["abc", "999999"],
    "presenter": "999999",
    "reviewed_plans": ["0"],
    "groups": ["nope"],
    "speaker": "x",
    "organization": "-5",
    "content": "\x00",
    "text": "   ",
    "lead_organizations": ["abc"],
    "supporting_organizations": ["999999"],
    "due_date": "2021-02-30",
    "due_quarter": "V/2021",
    "plan": "x",
    "reason": "\x00",
}
FORMS = sorted(set(POST_DATA) | {"meeting_create", "meeting_update", "conclusion_update"})


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("name", FORMS)
def test_junk_input_is_never_a_500(client, home, meetings_home, name, htmx):
    client.force_login(home.secretary)
    data = {**JUNK, f"a{meetings_home.attendance.pk}-status": "zzz"}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(_url(name, meetings_home), data, **headers)
    assert response.status_code in (200, 302, 400), response.status_code
    assert Meeting.objects.filter(ward=home.ward).count() == 3


def test_junk_reopen_reason_is_refused_at_the_field(client, home, meetings_home):
    client.force_login(home.secretary)
    response = client.post(_url("meeting_reopen", meetings_home), JUNK)
    assert response.status_code == 400 and "reason" in response.context["form"].errors


# --- the read-only rule ---------------------------------------------------------------------------

WRITES = [
    ("meeting_update", "get"),
    ("meeting_update", "post"),
    ("meeting_hold", "post"),
    ("meeting_conclude", "get"),
    ("meeting_conclude", "post"),
    ("meeting_invite", "post"),
    ("attendance_mark", "post"),
    ("contribution_add", "post"),
    ("contribution_delete", "post"),
    ("conclusion_create", "post"),
    ("conclusion_update", "get"),
    ("conclusion_update", "post"),
    ("conclusion_delete", "post"),
]


def _concluded_url(name, setup):
    args = {
        "attendance_mark": setup.concluded_attendance.pk,
        "contribution_delete": setup.concluded_contribution.pk,
        "conclusion_update": setup.concluded_conclusion.pk,
        "conclusion_delete": setup.concluded_conclusion.pk,
    }.get(name, setup.concluded.pk)
    return reverse(f"meetings:{name}", args=[args])


def _snapshot(meeting):
    meeting.refresh_from_db()
    return (
        meeting.status,
        meeting.title,
        list(meeting.attendances.values_list("status", "note")),
        list(meeting.contributions.values_list("ordinal", "content")),
        list(meeting.conclusions.values_list("ordinal", "text")),
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("name", "method"), WRITES)
def test_every_write_url_of_a_concluded_meeting_refuses_read_only(
    client, home, meetings_home, name, method, htmx
):
    client.force_login(home.secretary)
    meeting = meetings_home.concluded
    before = _snapshot(meeting)
    url = _concluded_url(name, meetings_home)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if method == "post":
        data = {
            "title": "Đổi tên",
            "kind": "seminar",
            "held_at": "01/04/2021 08:00",
            "groups": ["ward_leaders"],
            f"a{meetings_home.concluded_attendance.pk}-status": "absent",
            "content": "Thêm ý kiến",
            "text": "Thêm kết luận",
            "lead_organizations": [home.cell.pk],
        }
        response = client.post(url, data, **headers)
    else:
        response = client.get(url, **headers)
    detail = reverse("meetings:meeting_detail", args=[meeting.pk])
    if htmx:
        assert response.status_code == 200 and response["HX-Redirect"].startswith(detail)
    else:
        assert response.status_code == 302 and response["Location"].startswith(detail)
    assert _messages(response) == [_vi(services.MESSAGE_READ_ONLY)]
    assert _snapshot(meeting) == before


def test_a_concluded_meeting_shows_no_edit_controls(client, home, meetings_home):
    client.force_login(home.secretary)
    response = client.get(reverse("meetings:meeting_detail", args=[meetings_home.concluded.pk]))
    page = response.content.decode()
    for control in (
        "meeting-edit",
        "meeting-hold",
        "meeting-conclude",
        "invite-form",
        "attendance-save",
        "contribution-form",
        "contribution-delete",
        "conclusion-form",
        "conclusion-edit",
        "conclusion-delete",
    ):
        assert f'data-testid="{control}"' not in page, control
    assert 'data-testid="read-only"' in page and 'data-testid="meeting-reopen"' in page
    assert 'data-testid="conclusion-task"' in page


# --- documents ------------------------------------------------------------------------------------


def _docx_text(response) -> str:
    assert response.status_code == 200, _messages(response)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    document = Document(BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


def test_conclusion_notice_download_is_a_docx_with_symbol_and_conclusion(
    client, home, meetings_home
):
    client.force_login(home.staff)
    response = client.get(_url("conclusion_notice_docx", meetings_home))
    text = _docx_text(response)
    issued = meetings_home.concluded.issued_documents.get(kind="conclusion_notice")
    assert issued.symbol.endswith("-TB/ĐU") and issued.symbol in text
    assert "Kết luận 1: vận động nhân dân." in text
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "TB-DU.docx" in disposition
    again = client.get(_url("conclusion_notice_docx", meetings_home))
    assert issued.symbol in _docx_text(again)  # the same number, not a new one
    assert meetings_home.concluded.issued_documents.count() == 1


def test_minutes_download_is_a_docx_with_the_contributions(client, home, meetings_home):
    client.force_login(home.secretary)
    text = _docx_text(client.get(_url("minutes_docx", meetings_home)))
    assert "-BB/ĐU" in text
    assert "Ý kiến số 2 về giải phóng mặt bằng." in text
    assert "Kết luận 2: vận động nhân dân." in text


def test_a_reader_downloads_a_document_once_issued(client, home, meetings_home):
    client.force_login(home.cell_secretary)
    assert client.get(_url("conclusion_notice_docx", meetings_home)).status_code == 403
    client.force_login(home.staff)
    client.get(_url("conclusion_notice_docx", meetings_home))
    client.force_login(home.cell_secretary)
    assert "-TB/ĐU" in _docx_text(client.get(_url("conclusion_notice_docx", meetings_home)))


def test_documents_not_ready_yet_are_a_message(client, home, meetings_home):
    client.force_login(home.staff)
    response = client.get(reverse("meetings:minutes_docx", args=[meetings_home.planned.pk]))
    assert response.status_code == 302 and len(_messages(response)) == 1
    response = client.get(reverse("meetings:conclusion_notice_docx", args=[meetings_home.held.pk]))
    assert response.status_code == 302 and len(_messages(response)) == 1
    draft = client.get(
        reverse("meetings:conclusion_notice_docx", args=[meetings_home.held.pk]), {"draft": "1"}
    )
    assert "Kết luận 1: vận động nhân dân." in _docx_text(draft)
    assert not meetings_home.held.issued_documents.exists()  # a draft takes no number


def test_printable_minutes_word_it_like_the_document(client, home, meetings_home):
    client.force_login(home.plain)
    response = client.get(_url("minutes_print", meetings_home))
    page = response.content.decode()
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in page and "BIÊN BẢN" in page
    assert "Phúc Đồng, ngày 13 tháng 4 năm 2021" in page
    assert page.count('data-testid="minutes-contribution"') == 2
    assert page.count('data-testid="minutes-conclusion"') == 2
    assert not meetings_home.held.issued_documents.exists()  # reading takes no number


# --- query counts ---------------------------------------------------------------------------------


def _grow(home, meeting, n):
    """``n`` more attendances, contributions and conclusions on ``meeting``, with their
    people and bodies, and ``n`` more meetings in the ward."""
    for i in range(n):
        unit = OrganizationFactory(ward=home.ward, name=f"Chi bộ thêm {i}")
        person = PersonFactory(ward=home.ward, full_name=f"Người Thêm {i}", organization=unit)
        Attendance.objects.create(meeting=meeting, person=person, organization=unit)
        services.contribution_add(
            actor=home.secretary, meeting=meeting, content=f"Ý kiến thêm {i}", speaker=person
        )
        services.conclusion_save(
            actor=home.secretary,
            conclusion=Conclusion(meeting=meeting, text=f"Kết luận thêm {i}"),
            lead_organizations=[unit],
            supporting_organizations=[home.women],
        )
        extra = new_meeting(home, title=f"Giao ban thêm {i}")
        record(home, extra, contributions=1, conclusions=1)


# Every page: the session, the user (with person and ward), the user's positions, the
# SAVEPOINT/RELEASE of ATOMIC_REQUESTS: 5 queries (the session is saved again only every few
# minutes, wardwork/middleware_sessions.py). The rest is the page's own.
BASE = 5
PAGE_QUERIES = {
    # the paginator's COUNT and the page of meetings, its counts as correlated subqueries
    "meeting_list": 2,
    # the meeting with its counts and, as JSON on its row, its chairs, reviewed plans,
    # events and issued documents (1); its attendances, contributions, conclusions with
    # their lead and supporting bodies as JSON on theirs (3); the choices of the forms:
    # speakers, units, lead bodies, supporting bodies, plans (5); the removed contributions
    # and conclusions (2, for those who may restore them); the change history and its
    # chairs (2)
    "meeting_detail": 13,
    # the meeting as above (4); the wording of the Word document
    # (document_context.minutes_context): the committee, the number already issued, the
    # signer's and the chairs' positions, the reviewed plans, the ward's Party cells, the
    # conclusions with their lead and supporting bodies, attendances, contributions (11)
    "minutes_print": 15,
}


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_query_counts_do_not_grow_with_the_meeting(client, home, meetings_home, name):
    client.force_login(home.secretary)
    url = reverse(
        f"meetings:{name}", args=[] if name == "meeting_list" else [meetings_home.held.pk]
    )
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(home, meetings_home.held, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"][:140] for q in large.captured_queries
    ]
    assert len(small.captured_queries) <= BASE + PAGE_QUERIES[name], [
        q["sql"][:140] for q in small.captured_queries
    ]


def test_history_names_who_did_each_step(client, home, meetings_home):
    client.force_login(home.plain)
    response = client.get(_url("meeting_detail", meetings_home), {"tab": "history"})
    events = response.context["events"]
    assert [e.action for e in events] == ["created", "held"]
    assert all(e.actor == home.secretary for e in events)
    assert MeetingEvent.objects.filter(meeting=meetings_home.held).count() == 2
    assert home.secretary.person.full_name in response.content.decode()
