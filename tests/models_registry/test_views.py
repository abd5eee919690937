"""Registry pages: what each role sees and may do, forms, review in place, totals, export
and query counts."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils.text import capfirst
from openpyxl import Workbook, load_workbook

from models_registry import services
from models_registry.forms import MESSAGE_COLLECTIVE_UNIT, MESSAGE_INDIVIDUAL_UNIT
from models_registry.models import (
    Field,
    Recognition,
    Registration,
    RegistrationEvent,
    RegistrationKind,
    RegistrationRevision,
    RegistrationStatus,
    RegistrationUpdate,
)
from tests.factories import PersonFactory
from tests.models_registry.conftest import add_update, make_registration
from wardwork.quarters import Quarter
from wardwork.text import two_digits

pytestmark = pytest.mark.django_db

S = RegistrationStatus
ROLES = [
    "anonymous",
    "plain",
    "cell_secretary",
    "other_cell_secretary",
    "mass_head",
    "dvk",
    "staff",
    "secretary",
]
EVERYONE = dict.fromkeys(ROLES[1:], 200)
REVIEWERS = {"dvk", "staff", "secretary"}
WARD_STAFF = {"staff", "secretary"}
MANAGERS = {"cell_secretary", "other_cell_secretary", "mass_head"}


def _table(default: int, **special: int) -> dict[str, int]:
    return {**dict.fromkeys(ROLES[1:], default), **special}


# What each role gets on each URL of the app, for objects of its own ward. The objects are
# home.cell's (cell_secretary's unit): 200 page, 302 redirect after success, 403 forbidden,
# 404 for a registration the role may not even see (another unit's draft or submission).
# Anonymous is always sent to the login page.
HIDDEN = {"plain": 404, "other_cell_secretary": 404, "mass_head": 404}
OWN_WARD = {
    "list": EVERYONE,
    "export": EVERYONE,
    "exemplary": EVERYONE,
    "unit_list": EVERYONE,  # says "you manage no unit" to those who do not
    "review_queue": _table(403, dvk=200, staff=200, secretary=200),
    "create": _table(200, plain=403, dvk=403),
    "import": _table(200, plain=403, dvk=403),
    "import_template": _table(200, plain=403, dvk=403),
    # the draft: its unit and the reviewers see it; the bloc reads but does not edit
    "detail": _table(200, **HIDDEN),
    "edit": _table(200, **HIDDEN, dvk=403),
    "submit": _table(302, **HIDDEN, dvk=403),
    "withdraw": _table(302, **HIDDEN, dvk=403),
    # the submitted registration: reviewers act, its unit sees it, the rest cannot
    "approve": _table(403, **HIDDEN, dvk=302, staff=302, secretary=302),
    "return": _table(403, **HIDDEN, dvk=302, staff=302, secretary=302),
    # the approved model: public in the ward; its unit and ward staff act on it
    "update": _table(403, cell_secretary=200, staff=200, secretary=200),
    "adjust": _table(403, cell_secretary=200, staff=200, secretary=200),
    "update_evidence": EVERYONE,
    # recognitions are decided by the committee's staff, not the bloc alone
    "recognize": _table(403, staff=200, secretary=200),
    "not_achieved": _table(403, staff=200, secretary=200),
}
POST_ONLY = {"submit", "withdraw", "approve", "return"}
LISTS = {"list", "export", "exemplary", "unit_list", "review_queue", "create", "import"}
LISTS |= {"import_template"}


def _url(name, setup):
    target = {
        "detail": setup.draft,
        "edit": setup.draft,
        "submit": setup.draft,
        "withdraw": setup.draft,
        "approve": setup.submitted,
        "return": setup.submitted,
        "update": setup.approved,
        "adjust": setup.approved,
        "recognize": setup.approved,
        "not_achieved": setup.approved,
        "update_evidence": setup.update,
    }.get(name)
    return reverse(f"models_registry:{name}", args=[target.pk] if target else [])


def test_expectation_table_covers_every_url_of_the_app():
    patterns = get_resolver("models_registry.urls").url_patterns
    names = {p.name for p in patterns if isinstance(p, URLPattern)}
    assert names == set(OWN_WARD)
    assert LISTS | {n for n in names if n not in LISTS} == names


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OWN_WARD))
def test_every_url_as_every_role_in_own_ward(client, home, registry_home, role, name):
    url = _url(name, registry_home)
    if role != "anonymous":
        client.force_login(getattr(home, role))
    if name in POST_ONLY:
        prefix = f"r{registry_home.submitted.pk}"
        response = client.post(url, {f"{prefix}-note": "Ghi rõ số hộ tham gia."})
    else:
        response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == OWN_WARD[name][role], (name, role, response.status_code)


@pytest.mark.parametrize("name", sorted(set(OWN_WARD) - LISTS))
def test_another_wards_objects_are_404_even_for_its_staff(client, home, away, registry_home, name):
    client.force_login(away.secretary)
    url = _url(name, registry_home)
    response = client.post(url, {}) if name in POST_ONLY else client.get(url)
    assert response.status_code == 404


def test_lists_never_show_another_ward(client, home, away, registry_home, registry_away):
    client.force_login(away.secretary)
    home_ids = set(Registration.objects.filter(ward=home.ward).values_list("pk", flat=True))
    for name in ("list", "exemplary", "review_queue"):
        page = client.get(reverse(f"models_registry:{name}"), {"year": "all"})
        listed = {r.pk for r in page.context["page_obj"]}
        assert listed and not listed & home_ids, name
    totals = client.get(reverse("models_registry:list"), {"year": 2021}).context["totals"]
    assert totals.total == 3  # submitted + approved + replication of away only


def test_cell_secretary_cannot_open_another_units_draft_but_reads_its_approved_model(
    client, home, registry_home
):
    client.force_login(home.cell_secretary)
    other = registry_home.other_draft
    assert client.get(reverse("models_registry:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("models_registry:edit", args=[other.pk])).status_code == 404
    approved_elsewhere = registry_home.exemplary  # other_cell's recognised model
    page = client.get(reverse("models_registry:detail", args=[approved_elsewhere.pk]))
    assert page.status_code == 200
    assert page.context["actions"] == dict.fromkeys(page.context["actions"], False)
    registry = client.get(reverse("models_registry:list"), {"year": "all"})
    listed = {r.pk for r in registry.context["page_obj"]}
    assert other.pk not in listed
    assert {registry_home.draft.pk, registry_home.exemplary.pk} <= listed


# --- the registration form ----------------------------------------------------------------------


def _form_data(home, **overrides):
    data = {
        "year": "2021",
        "kind": RegistrationKind.COLLECTIVE,
        "registered_by_unit": home.cell.pk,
        "organization": home.cell.pk,
        "title": "Dân vận khéo trong vận động hiến đất mở đường",
        "field": Field.objects.get(name="Giải phóng mặt bằng").pk,
        "content": "Vận động 40 hộ hiến đất mở rộng ngõ 52.",
        "solutions": "Họp dân theo tổ; đảng viên gương mẫu đi đầu.",
        "schedule": "Quý II/2021",
        "expected_results": "Mở rộng ngõ 52 lên 4 m.",
    }
    data.update(overrides)
    return data


def test_save_draft_then_submit_from_the_form(client, home, registry_home):
    client.force_login(home.cell_secretary)
    response = client.post(reverse("models_registry:create"), _form_data(home, save="1"))
    created = Registration.objects.get(title="Dân vận khéo trong vận động hiến đất mở đường")
    assert response["Location"] == reverse("models_registry:detail", args=[created.pk])
    assert created.status == S.DRAFT and created.ward == home.ward
    assert created.created_by == home.cell_secretary
    response = client.post(
        reverse("models_registry:edit", args=[created.pk]),
        _form_data(home, submit="1", schedule="Quý II và quý III/2021"),
    )
    created.refresh_from_db()
    assert response.status_code == 302
    assert (created.status, created.schedule) == (S.SUBMITTED, "Quý II và quý III/2021")
    assert list(created.events.values_list("action", flat=True)) == ["created", "submitted"]


def test_the_only_unit_a_manager_has_is_chosen_for_them(client, home):
    client.force_login(home.cell_secretary)
    form = client.get(reverse("models_registry:create")).context["form"]
    assert form.initial["registered_by_unit"] == home.cell.pk
    assert list(form.fields["registered_by_unit"].queryset) == [home.cell]


def test_ward_staff_may_register_for_any_unit_of_the_ward_only(client, home, away):
    client.force_login(home.staff)
    form = client.get(reverse("models_registry:create")).context["form"]
    owners = set(form.fields["registered_by_unit"].queryset)
    assert {home.cell, home.other_cell, home.women} <= owners
    assert not {away.cell, away.women} & owners


def test_a_unit_not_managed_is_refused_at_the_field(client, home):
    client.force_login(home.cell_secretary)
    response = client.post(
        reverse("models_registry:create"), _form_data(home, registered_by_unit=home.women.pk)
    )
    assert response.status_code == 400
    assert "registered_by_unit" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_units_and_people_of_another_ward_are_refused_at_the_field(client, home, away):
    client.force_login(home.staff)
    stranger = PersonFactory(ward=away.ward, organization=away.cell)
    response = client.post(
        reverse("models_registry:create"),
        _form_data(
            home,
            kind=RegistrationKind.INDIVIDUAL,
            organization=away.cell.pk,
            person=stranger.pk,
        ),
    )
    errors = response.context["form"].errors
    assert {"organization", "person"} <= set(errors)
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"organization": ""},
            "organization",
            "A collective registration names the collective that registers.",
        ),
        (
            {"kind": RegistrationKind.INDIVIDUAL},
            "person",
            "An individual registration needs the person who registers.",
        ),
        (
            {"kind": "", "organization": ""},
            "kind",
            "Choose who registers: a collective or an individual.",
        ),
        ({"title": "  "}, "title", "Give the model a name."),
        ({"field": ""}, "field", "Choose the field of the model."),
    ],
    ids=["collective-without-unit", "individual-without-person", "no-kind", "no-title", "field"],
)
def test_kind_specific_messages_at_the_field(english, home, overrides, field, message):
    english.force_login(home.cell_secretary)
    response = english.post(reverse("models_registry:create"), _form_data(home, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    page = response.content.decode()
    assert message in page
    # nothing typed is lost
    assert "Vận động 40 hộ hiến đất mở rộng ngõ 52." in page
    assert not Registration.objects.exists()


def test_collective_with_a_person_is_told_to_leave_it_empty(english, home):
    english.force_login(home.cell_secretary)
    person = PersonFactory(ward=home.ward, organization=home.cell)
    response = english.post(reverse("models_registry:create"), _form_data(home, person=person.pk))
    assert response.context["form"].errors["person"] == [
        "A collective registration is the organisation's own: leave the person empty."
    ]


def test_an_individual_belongs_to_the_persons_unit_when_none_is_chosen(client, home):
    client.force_login(home.cell_secretary)
    person = PersonFactory(ward=home.ward, organization=home.cell, full_name="Lê Thị Mai")
    response = client.post(
        reverse("models_registry:create"),
        _form_data(home, kind=RegistrationKind.INDIVIDUAL, organization="", person=person.pk),
    )
    assert response.status_code == 302
    created = Registration.objects.get()
    assert (created.person, created.organization) == (person, home.cell)


def test_an_individual_without_any_unit_is_told_to_name_it(client, home):
    client.force_login(home.cell_secretary)
    person = PersonFactory(ward=home.ward, organization=None)
    response = client.post(
        reverse("models_registry:create"),
        _form_data(home, kind=RegistrationKind.INDIVIDUAL, organization="", person=person.pk),
    )
    assert response.context["form"].errors["organization"] == [str(MESSAGE_INDIVIDUAL_UNIT)]
    assert str(MESSAGE_COLLECTIVE_UNIT) not in response.content.decode()


def test_a_duplicate_title_is_refused_at_the_title(english, home, registry_home):
    english.force_login(home.cell_secretary)
    response = english.post(
        reverse("models_registry:create"),
        _form_data(home, title="PHAN LOAI rác thải tại nguồn"),  # the draft's title, folded
    )
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == [str(services.MESSAGE_DUPLICATE)]


def test_bad_year_is_an_error_at_the_field(client, home):
    client.force_login(home.cell_secretary)
    response = client.post(reverse("models_registry:create"), _form_data(home, year="hai"))
    assert response.status_code == 400
    assert "year" in response.context["form"].errors


def test_only_recognised_models_of_the_ward_can_be_replicated(client, home, registry_home):
    client.force_login(home.cell_secretary)
    form = client.get(reverse("models_registry:create")).context["form"]
    assert list(form.fields["replicates"].queryset) == [registry_home.exemplary]
    response = client.post(
        reverse("models_registry:create"), _form_data(home, replicates=registry_home.approved.pk)
    )
    assert "replicates" in response.context["form"].errors


def test_an_approved_model_is_not_edited_but_adjusted(client, home, registry_home):
    client.force_login(home.cell_secretary)
    url = reverse("models_registry:edit", args=[registry_home.approved.pk])
    response = client.get(url)
    assert response["Location"] == reverse(
        "models_registry:detail", args=[registry_home.approved.pk]
    )


# --- workflow buttons ---------------------------------------------------------------------------


def test_withdraw_from_the_detail_page(client, home, registry_home):
    client.force_login(home.cell_secretary)
    client.post(
        reverse("models_registry:withdraw", args=[registry_home.submitted.pk]),
        {"reason": "Đơn vị gộp vào mô hình khác."},
    )
    registry_home.submitted.refresh_from_db()
    assert registry_home.submitted.status == S.WITHDRAWN
    event = registry_home.submitted.events.last()
    assert (event.action, event.note) == ("withdrawn", "Đơn vị gộp vào mô hình khác.")


def test_a_refused_step_is_a_message_not_an_error_page(english, home, registry_home):
    english.force_login(home.cell_secretary)
    response = english.post(
        reverse("models_registry:withdraw", args=[registry_home.approved.pk]), follow=True
    )
    assert response.status_code == 200
    assert str(services.MESSAGE_CANNOT_WITHDRAW) in response.content.decode()
    registry_home.approved.refresh_from_db()
    assert registry_home.approved.status == S.APPROVED


# --- review queue -------------------------------------------------------------------------------


def test_queue_lists_submissions_oldest_first(client, home, registry_home):
    newer = make_registration(home, title="Tiếng kẻng an ninh", status=S.SUBMITTED)
    client.force_login(home.dvk)
    listed = list(client.get(reverse("models_registry:review_queue")).context["page_obj"])
    assert listed == [registry_home.submitted, newer]


def test_htmx_approve_replaces_the_row_with_a_confirmation(client, home, registry_home):
    client.force_login(home.dvk)
    pk = registry_home.submitted.pk
    response = client.post(reverse("models_registry:approve", args=[pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="review-{pk}"' in html and 'data-testid="review-done"' in html
    assert "<html" not in html  # only the row, not a page
    registry_home.submitted.refresh_from_db()
    assert registry_home.submitted.status == S.APPROVED
    assert registry_home.submitted.reviewed_by == home.dvk


def test_htmx_return_with_a_note(client, home, registry_home):
    client.force_login(home.staff)
    pk = registry_home.submitted.pk
    response = client.post(
        reverse("models_registry:return", args=[pk]),
        {f"r{pk}-note": "Ghi rõ số hộ tham gia."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'data-testid="review-done"' in html and "Ghi rõ số hộ tham gia." in html
    registry_home.submitted.refresh_from_db()
    assert registry_home.submitted.status == S.RETURNED
    assert registry_home.submitted.review_note == "Ghi rõ số hộ tham gia."


def test_htmx_return_without_a_note_keeps_the_row_with_the_error(english, home, registry_home):
    english.force_login(home.staff)
    pk = registry_home.submitted.pk
    response = english.post(
        reverse("models_registry:return", args=[pk]),
        {f"r{pk}-note": "   "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only successful responses
    html = response.content.decode()
    assert 'data-testid="review-row"' in html
    assert str(services.MESSAGE_NOTE_REQUIRED) in html
    registry_home.submitted.refresh_from_db()
    assert registry_home.submitted.status == S.SUBMITTED


def test_without_javascript_review_posts_and_comes_back_to_the_queue(client, home, registry_home):
    client.force_login(home.secretary)
    pk = registry_home.submitted.pk
    response = client.post(reverse("models_registry:approve", args=[pk]))
    assert response["Location"] == reverse("models_registry:review_queue")
    other = make_registration(home, title="Tiếng kẻng an ninh", status=S.SUBMITTED)
    response = client.post(reverse("models_registry:return", args=[other.pk]), {})
    assert response.status_code == 400  # the queue again, the error at the row's note
    assert response.context["page_obj"][0].return_form.errors["note"]
    response = client.post(
        reverse("models_registry:return", args=[other.pk]),
        {f"r{other.pk}-note": "Bổ sung giải pháp.", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("models_registry:review_queue")


def test_reviewing_twice_says_why_it_cannot(english, home, registry_home):
    english.force_login(home.staff)
    url = reverse("models_registry:approve", args=[registry_home.submitted.pk])
    english.post(url)
    response = english.post(url, HTTP_HX_REQUEST="true")
    assert str(services.MESSAGE_CANNOT_REVIEW) in response.content.decode()


# --- after approval -----------------------------------------------------------------------------


def test_quarterly_update_defaults_to_the_registrations_year_and_saves(client, home, registry_home):
    client.force_login(home.cell_secretary)
    url = reverse("models_registry:update", args=[registry_home.approved.pk])
    page = client.get(url)
    assert str(page.context["quarter"].year) == "2021"  # a 2021 model: the last quarter of 2021
    page = client.get(url, {"quarter": "2021-Q1"})
    assert page.context["form"].initial["percent"] == 40  # the existing I/2021 update
    response = client.post(
        url, {"quarter": "2021-Q2", "results": "Bàn giao 30 hộ.", "percent": "70"}
    )
    assert response.status_code == 302
    update = RegistrationUpdate.objects.get(registration=registry_home.approved, quarter=2)
    assert (update.percent, update.reported_by) == (70, home.cell_secretary)


@pytest.mark.parametrize("quarter", ["9999-Q4", "Q5/2021", "x", "1899-Q1"])
def test_update_with_an_impossible_quarter_shows_the_default(client, home, registry_home, quarter):
    client.force_login(home.cell_secretary)
    url = reverse("models_registry:update", args=[registry_home.approved.pk])
    response = client.get(url, {"quarter": quarter})
    assert response.status_code == 200
    assert response.context["quarter"] == Quarter(2021, 4)


def test_update_with_bad_input_shows_errors_and_keeps_the_text(client, home, registry_home):
    client.force_login(home.cell_secretary)
    url = reverse("models_registry:update", args=[registry_home.approved.pk])
    response = client.post(
        url,
        {
            "quarter": "2021-Q2",
            "results": "Nội dung đã nhập",
            "percent": "150",
            "attachment": SimpleUploadedFile("ket-qua.pdf", b"not a pdf"),
        },
    )
    assert response.status_code == 400
    assert {"percent", "attachment"} <= set(response.context["form"].errors)
    assert "Nội dung đã nhập" in response.content.decode()
    assert not RegistrationUpdate.objects.filter(quarter=2).exists()


def test_update_evidence_is_served_to_who_may_see_the_model(client, home, registry_home):
    client.force_login(home.plain)
    url = reverse("models_registry:update_evidence", args=[registry_home.update.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_recognise_makes_the_model_exemplary(client, home, registry_home):
    client.force_login(home.secretary)
    response = client.post(
        reverse("models_registry:recognize", args=[registry_home.approved.pk]),
        {
            "level": "district",
            "title": "Giấy khen",
            "decision_symbol": "45-QĐ/QU",
            "decided_on": "20/12/2021",
            "issuer": home.committee.parent.pk,
        },
    )
    assert response.status_code == 302
    recognition = Recognition.objects.get(registration=registry_home.approved)
    assert (recognition.title, str(recognition.decided_on)) == ("Giấy khen", "2021-12-20")
    registry_home.approved.refresh_from_db()
    assert registry_home.approved.status == S.RECOGNIZED


def test_recognise_with_bad_input_is_shown_at_the_fields(client, home, registry_home):
    client.force_login(home.secretary)
    response = client.post(
        reverse("models_registry:recognize", args=[registry_home.approved.pk]),
        {"level": "planet", "title": "", "decided_on": "31/02/2021"},
    )
    assert response.status_code == 400
    assert {"level", "title", "decided_on"} <= set(response.context["form"].errors)
    assert not Recognition.objects.filter(registration=registry_home.approved).exists()


def test_mark_not_achieved_needs_a_note(client, home, registry_home):
    client.force_login(home.staff)
    url = reverse("models_registry:not_achieved", args=[registry_home.approved.pk])
    assert client.post(url, {"note": ""}).status_code == 400
    assert client.post(url, {"note": "Không triển khai."}).status_code == 302
    registry_home.approved.refresh_from_db()
    assert registry_home.approved.status == S.NOT_ACHIEVED


def _adjust_data(registration, **overrides):
    data = {
        "title": registration.title,
        "field": registration.field_id,
        "content": registration.content,
        "solutions": registration.solutions,
        "schedule": "Quý II: hoàn thành bàn giao mặt bằng.",
        "expected_results": registration.expected_results,
        "plan": "",
        "reason": "Điều chỉnh tiến độ theo kế hoạch của quận.",
    }
    data.update(overrides)
    return data


def test_adjust_keeps_the_previous_version_readable_on_the_page(client, home, registry_home):
    approved = registry_home.approved
    old_schedule = approved.schedule
    client.force_login(home.cell_secretary)
    response = client.post(
        reverse("models_registry:adjust", args=[approved.pk]), _adjust_data(approved)
    )
    assert response.status_code == 302
    revision = RegistrationRevision.objects.get(registration=approved)
    assert revision.previous["schedule"] == old_schedule
    client.force_login(home.plain)  # anyone of the ward reads the previous versions
    page = client.get(reverse("models_registry:detail", args=[approved.pk]))
    rows = page.context["revisions"]
    assert len(rows) == 1 and rows[0]["revision"] == revision
    previous = {item["name"]: item["value"] for item in rows[0]["previous"]}
    assert previous["schedule"] == old_schedule
    assert previous["field"] == "Giải phóng mặt bằng"  # a name, not an id
    assert rows[0]["changed"] == [capfirst(Registration._meta.get_field("schedule").verbose_name)]
    html = page.content.decode()
    assert old_schedule in html and "Điều chỉnh tiến độ theo kế hoạch của quận." in html


def test_adjust_without_reason_or_change_is_refused_at_the_form(english, home, registry_home):
    approved = registry_home.approved
    english.force_login(home.cell_secretary)
    url = reverse("models_registry:adjust", args=[approved.pk])
    response = english.post(url, _adjust_data(approved, reason=""))
    assert response.context["form"].errors["reason"] == [str(services.MESSAGE_REASON_REQUIRED)]
    assert "Quý II: hoàn thành bàn giao mặt bằng." in response.content.decode()
    response = english.post(url, _adjust_data(approved, schedule=approved.schedule))
    assert response.context["form"].non_field_errors() == [str(services.MESSAGE_NOTHING_CHANGED)]
    assert not RegistrationRevision.objects.exists()


def test_detail_page_shows_history_updates_recognitions_and_replications(
    client, home, registry_home
):
    client.force_login(home.plain)
    exemplary = registry_home.exemplary
    page = client.get(reverse("models_registry:detail", args=[exemplary.pk]))
    assert [e.action for e in page.context["events"]] == [
        "created",
        "submitted",
        "approved",
        "recognized",
    ]
    assert list(page.context["replications"]) == [registry_home.replication]
    assert page.context["recognitions"][0].title == "Điển hình tiêu biểu"
    html = page.content.decode()
    assert "Phụ nữ Phúc Đồng giữ gìn khu dân cư văn minh" in html
    assert "Điển hình tiêu biểu" in html
    replication = client.get(reverse("models_registry:detail", args=[registry_home.replication.pk]))
    assert exemplary.title in replication.content.decode()
    approved = client.get(reverse("models_registry:detail", args=[registry_home.approved.pk]))
    assert "Đã vận động 25 hộ dân bàn giao mặt bằng." in approved.content.decode()


def test_returned_registration_shows_its_note_to_its_unit(client, home, registry_home):
    client.force_login(home.cell_secretary)
    unit_page = client.get(reverse("models_registry:unit_list")).content.decode()
    assert "Bổ sung tiến độ theo từng quý." in unit_page
    form_page = client.get(reverse("models_registry:edit", args=[registry_home.returned.pk]))
    assert "Bổ sung tiến độ theo từng quý." in form_page.content.decode()


def test_unit_list_holds_only_the_units_registrations(client, home, registry_home):
    client.force_login(home.cell_secretary)
    listed = set(client.get(reverse("models_registry:unit_list")).context["page_obj"])
    assert listed == {
        registry_home.draft,
        registry_home.submitted,
        registry_home.returned,
        registry_home.approved,
    }


# --- the registry list: filters, totals, export -------------------------------------------------


def test_registry_filters_and_searches_without_accents(client, home, registry_home):
    client.force_login(home.staff)

    def found(**query):
        query.setdefault("year", "all")
        page = client.get(reverse("models_registry:list"), query).context["page_obj"]
        return {r.title for r in page}

    assert found(q="phan loai rac") == {"Phân loại rác thải tại nguồn"}
    assert found(kind="individual") == {"Phụ nữ Phúc Đồng giữ gìn khu dân cư văn minh"}
    assert found(status="returned") == {"Nói không với rác thải nhựa"}
    assert found(unit=home.other_cell.pk) == {
        "Tổ hòa giải ở cơ sở",
        "Dân vận khéo trong xây dựng khu dân cư văn minh",
    }
    assert found(field=Field.objects.get(name="An ninh trật tự").pk) == {
        "Camera an ninh khu dân cư"
    }
    assert found(year="2020") == {"Dân vận khéo trong xây dựng khu dân cư văn minh"}


def test_registry_bad_filter_values_are_field_errors_not_500(client, home, registry_home):
    client.force_login(home.staff)
    response = client.get(
        reverse("models_registry:list"),
        {"year": "hai nghìn", "unit": "x", "kind": "planet", "page": "999"},
    )
    assert response.status_code == 200
    assert {"year", "unit", "kind"} <= set(response.context["form"].errors)


def test_registry_defaults_to_the_latest_year_with_registrations(client, home, registry_home):
    client.force_login(home.plain)
    response = client.get(reverse("models_registry:list"))
    assert response.context["totals_year"] == 2021  # no registration this year: the latest
    assert {r.year for r in response.context["page_obj"]} == {2021}


def test_totals_sentence_is_computed_from_the_data(client, home):
    for i in range(3):
        make_registration(home, title=f"Mô hình tập thể {i}", status=S.APPROVED)
    make_registration(
        home, title="Mô hình cá nhân", kind=RegistrationKind.INDIVIDUAL, status=S.SUBMITTED
    )
    make_registration(home, title="Bản nháp không tính")  # drafts do not count
    make_registration(home, title="Đã rút", status=S.WITHDRAWN)  # nor withdrawn ones
    client.force_login(home.plain)
    response = client.get(reverse("models_registry:list"), {"year": 2021})
    totals = response.context["totals"]
    assert (two_digits(totals.collective), two_digits(totals.individual)) == ("03", "01")
    assert totals.sentence in response.content.decode()
    assert "03" in totals.sentence and "01" in totals.sentence
    assert dict(response.context["by_status"]) == {
        str(S.DRAFT.label): 1,
        str(S.SUBMITTED.label): 1,
        str(S.APPROVED.label): 3,
        str(S.WITHDRAWN.label): 1,
    }
    assert totals.by_field == [("Kinh tế", 4)]


def test_export_holds_the_filtered_list(client, home, registry_home):
    client.force_login(home.staff)
    response = client.get(reverse("models_registry:export"), {"year": "2021", "kind": "collective"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "2021" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    text = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    for registration in (registry_home.draft, registry_home.submitted, registry_home.approved):
        assert registration.title in text
    assert registry_home.replication.title not in text  # an individual's
    assert registry_home.exemplary.title not in text  # 2020


def test_export_never_holds_what_the_user_may_not_see(client, home, registry_home):
    client.force_login(home.cell_secretary)
    response = client.get(reverse("models_registry:export"), {"year": "all"})
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    text = "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert registry_home.other_draft.title not in text
    assert registry_home.exemplary.title in text


# --- import page --------------------------------------------------------------------------------


def _xlsx_with_rows(rows):
    from models_registry import spreadsheet_columns as cols

    book = Workbook()
    sheet = book.active
    sheet.append([c.label for c in cols.IMPORT_COLUMNS])
    for row in rows:
        sheet.append([row.get(c.name) for c in cols.IMPORT_COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("dang-ky.xlsx", buffer.getvalue())


def _row(home, title):
    return {
        "year": 2021,
        "kind": "tập thể",
        "organization": home.cell.name,
        "registered_by_unit": home.cell.name,
        "title": title,
        "field": "Môi trường",
    }


def test_import_page_offers_the_template(client, home):
    client.force_login(home.staff)
    page = client.get(reverse("models_registry:import")).content.decode()
    assert reverse("models_registry:import_template") in page
    template = client.get(reverse("models_registry:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(BytesIO(template.content)).worksheets


def test_import_creates_every_row(client, home):
    client.force_login(home.staff)
    upload = _xlsx_with_rows([_row(home, "Mô hình A"), _row(home, "Mô hình B")])
    response = client.post(reverse("models_registry:import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert set(Registration.objects.values_list("title", flat=True)) == {"Mô hình A", "Mô hình B"}


def test_import_with_a_bad_row_creates_nothing_and_lists_it(client, home):
    client.force_login(home.staff)
    upload = _xlsx_with_rows([_row(home, "Mô hình A"), {**_row(home, "Mô hình B"), "field": "?"}])
    response = client.post(reverse("models_registry:import"), {"file": upload})
    assert response.status_code == 400
    result = response.context["result"]
    assert not result.ok and {e.row for e in result.errors} == {3}
    assert 'data-testid="import-errors"' in response.content.decode()
    assert not Registration.objects.exists()


def test_import_of_something_else_is_an_error_at_the_field(client, home):
    client.force_login(home.staff)
    response = client.post(
        reverse("models_registry:import"),
        {"file": SimpleUploadedFile("danh-sach.csv", b"a,b,c\n")},
    )
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    response = client.post(
        reverse("models_registry:import"),
        {"file": SimpleUploadedFile("danh-sach.xlsx", b"not a zip")},
    )
    assert response.status_code == 400
    assert response.context["result"].errors[0].row == 0


def test_import_naming_another_unit_is_refused_with_its_reason(client, home):
    client.force_login(home.cell_secretary)
    row = {**_row(home, "Mô hình A"), "registered_by_unit": home.women.name}
    response = client.post(reverse("models_registry:import"), {"file": _xlsx_with_rows([row])})
    assert response.status_code == 403
    assert response.context["form"].errors["file"]
    assert not Registration.objects.exists()


# --- query counts -------------------------------------------------------------------------------


def _grow(home, n):
    """More registrations of every kind, each with events, an update and a replication."""
    exemplary = make_registration(
        home, title="Điển hình thêm", unit=home.other_cell, year=2020, status=S.RECOGNIZED
    )
    for i in range(n):
        registration = make_registration(
            home,
            title=f"Mô hình thêm {i}",
            status=S.APPROVED if i % 2 else S.SUBMITTED,
            kind=RegistrationKind.INDIVIDUAL if i % 3 == 0 else RegistrationKind.COLLECTIVE,
            replicates=exemplary,
        )
        if registration.status == S.APPROVED:
            add_update(home, registration)


def _history_for(home, registration):
    """An adjusted, recognised model with one replication: every part of its page in use."""
    services.registration_adjust(
        actor=home.staff,
        registration=registration,
        changes={"schedule": "Tiến độ điều chỉnh"},
        reason="Theo kế hoạch của quận",
    )
    services.registration_recognize(
        actor=home.staff, registration=registration, level="ward", title="Điển hình tiêu biểu"
    )
    registration.refresh_from_db()
    make_registration(home, title="Nhân rộng 0", unit=home.women, replicates=registration)


def _grow_one(home, registration):
    """More of everything on one model: updates, revisions, events, recognitions, replications."""
    for quarter in (2, 3, 4):
        add_update(home, registration, Quarter(2021, quarter), evidence=True)
    previous = registration.content_snapshot()
    RegistrationRevision.objects.bulk_create(
        RegistrationRevision(
            registration=registration,
            number=10 + i,
            previous={**previous, "schedule": f"Tiến độ {i}", "plan_id": None},
            reason=f"Lý do {i}",
            changed_by=home.staff,
        )
        for i in range(5)
    )
    RegistrationEvent.objects.bulk_create(
        RegistrationEvent(registration=registration, action="adjusted", to_status=S.RECOGNIZED)
        for _ in range(5)
    )
    services.registration_recognize(
        actor=home.staff, registration=registration, level="district", title="Giấy khen"
    )
    for i in range(1, 6):
        make_registration(
            home,
            title=f"Nhân rộng {i}",
            unit=home.women,
            status=S.APPROVED,
            replicates=registration,
        )


# Every page: the session, the user, the user's current positions (roles), SAVEPOINT and
# RELEASE around the view (ATOMIC_REQUESTS): 5 queries (the session is saved again only every
# few minutes, wardwork/middleware_sessions.py); the rest is the page's own, listed per page.
BASE = 5


@pytest.mark.parametrize(
    ("name", "role", "own"),
    [
        # years for the filter, units for the filter, fields for the filter, COUNT, the page
        # (registrations with their units, people, field and replicated model in one
        # join), the year's totals (by status, kind and field in one grouped query)
        ("list", "staff", 6),
        ("review_queue", "dvk", 2),  # COUNT, the page (one join)
        ("unit_list", "cell_secretary", 2),  # COUNT, the page (one join)
        ("exemplary", "plain", 2),  # COUNT, the page with its replication counts
        # the registration (one join), events (with their actors: the reviewer is named
        # from them), revisions, updates, recognitions, replications, the field names and
        # plan symbols the revisions name, and the change history
        ("detail", "plain", 9),
    ],
)
def test_query_counts_do_not_grow_with_the_data(client, home, registry_home, name, role, own):
    client.force_login(getattr(home, role))
    target = registry_home.approved
    if name == "detail":
        _history_for(home, target)
    url = (
        reverse("models_registry:detail", args=[target.pk])
        if name == "detail"
        else reverse(f"models_registry:{name}")
    )
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    if name == "detail":
        _grow_one(home, target)
    _grow(home, 10)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"][:150] for q in large.captured_queries
    ]
    assert len(small.captured_queries) <= BASE + own, [
        q["sql"][:150] for q in small.captured_queries
    ]


def _review_note_signature(client, registration) -> str:
    page = client.get(reverse("models_registry:detail", args=[registration.pk])).content.decode()
    note = page.split('data-testid="review-note"')[1]
    return note.split('<div class="small text-muted">')[1].split("</div>")[0]


def test_the_review_note_names_the_reviewer_from_the_steps_or_else_from_the_account(
    client, home, registry_home
):
    returned = registry_home.returned  # returned by ward staff, with its "returned" step
    client.force_login(home.cell_secretary)
    assert home.staff.person.full_name in _review_note_signature(client, returned)

    # A reviewer no step names (set outside the workflow) is still named.
    Registration.objects.filter(pk=returned.pk).update(reviewed_by=home.dvk)
    signature = _review_note_signature(client, returned)
    assert home.dvk.person.full_name in signature
    assert home.staff.person.full_name not in signature


def test_the_registry_pages_keep_the_filters_and_the_search(client, home, registry_home):
    from models_registry.view_helpers import PAGE_SIZE

    rows = [
        Registration(
            ward=home.ward,
            year=2021,
            kind=RegistrationKind.COLLECTIVE,
            organization=home.women,
            registered_by_unit=home.women,
            title=f"Vận động hội viên {n:02d}",
            field=Field.objects.get(name="Kinh tế"),
            status=S.APPROVED if n % 4 else S.DRAFT,
        )
        for n in range(PAGE_SIZE + 12)
    ]
    for registration in rows:
        registration.fill_derived()
    Registration.objects.bulk_create(rows)
    wanted = {r.title for r in rows if r.status == S.APPROVED}
    client.force_login(home.staff)

    first = client.get(
        reverse("models_registry:list"), {"year": 2021, "status": "approved", "q": "vận động hội"}
    )
    assert first.context["page_obj"].paginator.count == len(wanted)
    next_link = first.content.decode().split('class="page-link" href="')[1].split('"')[0]
    assert "status=approved" in next_link and "q=v%E1%BA%ADn" in next_link, next_link
    second = client.get(reverse("models_registry:list") + next_link.replace("&amp;", "&"))

    shown = [r.title for page in (first, second) for r in page.context["page_obj"]]
    assert sorted(shown) == sorted(wanted)
