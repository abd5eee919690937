"""Django admin of the registry on the demo data: pages load, accent-free search, ward scoping,
the field list kept by superusers, and no way around the workflow."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from models_registry import services
from models_registry.models import (
    Field,
    Recognition,
    Registration,
    RegistrationRevision,
    RegistrationStatus,
    RegistrationUpdate,
)
from wardwork.models import User, Ward

pytestmark = pytest.mark.django_db

S = RegistrationStatus
MODELS = [Registration, Field, RegistrationUpdate, Recognition]
CELL_1 = "Chi bộ Khu dân cư số 1"


def _admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def exemplary(demo):
    """Chi bộ 1's 2020 model: events, a quarter IV update and a recognition."""
    return Registration.objects.get(year=2020, title="Camera an ninh khu dân cư")


@pytest.fixture
def adjusted(demo):
    """Chi bộ 1's approved 2021 model, adjusted once by cb01 (so it has a revision)."""
    registration = Registration.objects.get(
        year=2021, registered_by_unit__name=CELL_1, status=S.APPROVED
    )
    services.registration_adjust(
        actor=User.objects.get(username="cb01"),
        registration=registration,
        changes={"schedule": "Quý II: ra quân chỉnh trang ngõ; quý III–IV: duy trì."},
        reason="Rà soát theo kết luận hội nghị quý I/2021.",
    )
    return registration


def _objects(exemplary):
    return {
        Registration: exemplary,
        Field: exemplary.field,
        RegistrationUpdate: exemplary.updates.get(),
        Recognition: exemplary.recognitions.get(),
    }


def _form_data(form) -> dict:
    """What the browser would post back for ``form`` as rendered."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(value, bool) or value is None:
            if value:
                data[key] = "on"
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
            continue
        formatted = field.widget.format_value(value)
        if isinstance(formatted, list):
            formatted = formatted[0] if formatted else ""
        data[key] = "" if formatted is None else str(formatted)
    return data


def _change_form_post(response, **changes) -> dict:
    """The change form of ``response`` (a GET of an admin change page) posted back unchanged,
    inlines included, with ``changes`` applied."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(changes)
    data["_save"] = "Save"
    return data


# --- pages load ---------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS)
def test_pages_load_for_superuser(admin_client, exemplary, model):
    obj = _objects(exemplary)[model]
    assert admin_client.get(_admin_url(model)).status_code == 200
    assert admin_client.get(_admin_url(model, "add")).status_code == 200
    assert admin_client.get(_admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_admin_url(model, "history", obj.pk)).status_code == 200


def test_registration_page_shows_its_events_revisions_updates_and_recognitions(
    admin_client, exemplary, adjusted
):
    page = admin_client.get(_admin_url(Registration, "change", exemplary.pk))
    html = page.content.decode()
    assert "215-QĐ/ĐU" in html  # the recognition
    assert "updates-TOTAL_FORMS" in html and "recognitions-TOTAL_FORMS" in html
    assert "Lắp đặt 16 camera" in html  # the quarter IV/2020 update
    events = [
        f
        for f in page.context["inline_admin_formsets"]
        if f.opts.model.__name__ == ("RegistrationEvent")
    ]
    assert len(events) == 1 and len(events[0].formset.forms) == 4
    html = admin_client.get(_admin_url(Registration, "change", adjusted.pk)).content.decode()
    assert "Rà soát theo kết luận hội nghị quý I/2021." in html
    revision = RegistrationRevision.objects.get(registration=adjusted)
    assert revision.previous["schedule"] in html  # the content before the adjustment


def test_changelist_columns_and_filters(admin_client, demo):
    response = admin_client.get(
        _admin_url(Registration), {"year": "2021", "status__exact": S.DRAFT}
    )
    rows = list(response.context["cl"].result_list)
    assert {r.registered_by_unit.name for r in rows} == {CELL_1, "Chi bộ Khu dân cư số 2"}
    assert response.context["cl"].list_display[1:] == [
        "title",
        "year",
        "kind",
        "registered_by_unit",
        "field",
        "status",
    ]
    gpmb = Field.objects.get(name="Giải phóng mặt bằng")
    response = admin_client.get(
        _admin_url(Registration), {"field__id__exact": gpmb.pk, "kind__exact": "individual"}
    )
    assert [r.person.full_name for r in response.context["cl"].result_list] == ["Lê Văn Chiến"]


# --- search ---------------------------------------------------------------------------------------
def _search(client, model, term):
    return list(client.get(_admin_url(model), {"q": term}).context["cl"].result_list)


def test_search_without_accents_finds_the_registration(admin_client, demo):
    found = _search(admin_client, Registration, "khu dan cu so 1 sach dep")
    assert [r.title for r in found] == ["Khu dân cư số 1 sạch – đẹp – an toàn"]
    titles = {r.title for r in _search(admin_client, Registration, "BEP THAN TO ONG")}
    assert "Tổ dân phố số 9 không sử dụng bếp than tổ ong" in titles
    assert _search(admin_client, Registration, "khong co mo hinh nay") == []
    updates = _search(admin_client, RegistrationUpdate, "tui ni long")
    assert [u.registration.title for u in updates] == ["Phụ nữ Phúc Đồng nói không với túi ni lông"]
    assert [f.name for f in _search(admin_client, Field, "giai phong")] == ["Giải phóng mặt bằng"]


# --- ward scoping ---------------------------------------------------------------------------------
def test_saidong_sees_none_of_phuc_dongs_registrations(client, exemplary):
    saidong = User.objects.get(username="saidong")
    assert saidong.is_staff and not saidong.is_superuser
    assert saidong.ward.name == "Phường Sài Đồng"
    client.force_login(saidong)
    for model in (Registration, RegistrationUpdate, Recognition):
        response = client.get(_admin_url(model))
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []
    assert _search(client, Registration, "camera an ninh") == []
    assert "Camera an ninh" not in client.get(_admin_url(Registration)).content.decode()
    objects = _objects(exemplary)
    for model in (Registration, RegistrationUpdate, Recognition):
        obj = objects[model]
        assert client.get(_admin_url(model, "change", obj.pk)).status_code in (302, 404)
        assert client.get(_admin_url(model, "history", obj.pk)).status_code == 404
    draft = Registration.objects.get(registered_by_unit__name="Chi bộ Khu dân cư số 2")
    assert client.get(_admin_url(Registration, "change", draft.pk)).status_code in (302, 404)
    form = client.get(_admin_url(Registration, "add")).context["adminform"].form
    assert set(form.fields["ward"].queryset) == {saidong.ward}
    assert not form.fields["registered_by_unit"].queryset.filter(ward__name="Phường Phúc Đồng")


def test_ward_staff_see_their_wards_registrations(client, demo):
    client.force_login(User.objects.get(username="ngoc"))
    rows = client.get(_admin_url(Registration)).context["cl"].result_list
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    assert {r.pk for r in rows} == set(
        Registration.objects.filter(ward=ward).values_list("pk", flat=True)
    )


# --- the field list -------------------------------------------------------------------------------
def test_only_superusers_change_the_field_list(client, admin_client, demo):
    field = Field.objects.get(name="Chuyển đổi số")
    response = admin_client.get(_admin_url(Field))
    assert "form-TOTAL_FORMS" in response.content.decode()  # editable in the list
    client.force_login(User.objects.get(username="khanh"))
    response = client.get(_admin_url(Field))
    assert response.status_code == 200
    assert field in response.context["cl"].result_list
    assert "form-TOTAL_FORMS" not in response.content.decode()
    assert client.get(_admin_url(Field, "add")).status_code == 403
    assert client.get(_admin_url(Field, "change", field.pk)).status_code == 200  # read-only
    post = client.post(_admin_url(Field, "change", field.pk), {"name": "Đổi tên", "position": 1})
    assert post.status_code == 403
    assert client.post(_admin_url(Field, "delete", field.pk), {"post": "yes"}).status_code == 403
    field.refresh_from_db()
    assert field.name == "Chuyển đổi số"


# --- no way around the workflow -------------------------------------------------------------------
def test_status_is_read_only_for_ward_staff(client, demo):
    ngoc = User.objects.get(username="ngoc")
    registration = Registration.objects.get(
        year=2021, title="Nói không với rác thải nhựa tại khu dân cư"
    )
    assert registration.status == S.SUBMITTED
    client.force_login(ngoc)
    url = _admin_url(Registration, "change", registration.pk)
    page = client.get(url)
    form = page.context["adminform"].form
    assert "status" not in form.fields
    assert "review_note" not in form.fields
    assert {"title", "content"} <= set(form.fields)
    events = registration.events.count()
    data = _change_form_post(
        page, status=S.APPROVED, review_note="Duyệt qua admin", content="Nội dung đã chỉnh."
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert registration.content == "Nội dung đã chỉnh."
    assert registration.status == S.SUBMITTED
    assert registration.review_note == ""
    assert registration.events.count() == events
    assert registration.history.first().history_user == ngoc


def test_a_superuser_correction_of_the_status_is_recorded(admin_client, superuser, demo):
    registration = Registration.objects.get(
        year=2021, title="Nói không với rác thải nhựa tại khu dân cư"
    )
    url = _admin_url(Registration, "change", registration.pk)
    page = admin_client.get(url)
    assert "status" in page.context["adminform"].form.fields
    response = admin_client.post(url, _change_form_post(page, status=S.APPROVED))
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration.refresh_from_db()
    assert registration.status == S.APPROVED
    event = registration.events.order_by("-at", "-pk").first()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "corrected",
        S.SUBMITTED,
        S.APPROVED,
        superuser,
    )


def _add_form_post(response, **values) -> dict:
    """The add form of ``response`` (a GET of an admin add page) with its empty inlines."""
    data = {"_save": "Save", **values}
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_data(inline.formset.management_form))
    return data


def test_adding_a_registration_makes_a_draft_by_its_author(client, demo):
    khanh = User.objects.get(username="khanh")
    cell = khanh.ward.organizations.get(name=CELL_1)
    client.force_login(khanh)
    url = _admin_url(Registration, "add")
    data = _add_form_post(
        client.get(url),
        ward=str(khanh.ward_id),
        year="2021",
        kind="collective",
        organization=str(cell.pk),
        registered_by_unit=str(cell.pk),
        title="Tổ dân phố số 1 không pháo nổ",
        field=str(Field.objects.get(name="An ninh trật tự").pk),
        content="Vận động các hộ không đốt pháo nổ dịp Tết.",
        status=S.APPROVED,  # not a field of the form for ward staff
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    registration = Registration.objects.get(title="Tổ dân phố số 1 không pháo nổ")
    assert registration.status == S.DRAFT
    assert registration.created_by == khanh
    assert registration.history.first().history_user == khanh
    event = registration.events.get()
    assert (event.action, event.to_status, event.actor) == ("created", S.DRAFT, khanh)
    # the same title again in the unit and year, written differently: refused on the title
    again = client.post(url, {**data, "title": "TO DAN PHO SO 1 KHONG PHAO NO"})
    assert again.status_code == 200
    assert "title" in again.context["adminform"].form.errors
    # an individual registration without its person: refused on the person
    alone = client.post(url, {**data, "kind": "individual", "title": "Cá nhân gương mẫu"})
    assert alone.status_code == 200
    assert "person" in alone.context["adminform"].form.errors
    assert Registration.objects.filter(registered_by_unit=cell, year=2021).count() == 3


def test_a_recognition_added_in_the_admin_goes_through_the_workflow(admin_client, superuser, demo):
    approved = Registration.objects.get(year=2021, title="Camera an ninh – mắt thần khu dân cư")
    draft = Registration.objects.get(year=2021, registered_by_unit__name="Chi bộ Khu dân cư số 2")
    values = {
        "level": "ward",
        "title": "Điển hình tiêu biểu",
        "decision_symbol": "301-QĐ/ĐU",
        "decided_on": "22/12/2021",
    }
    refused = admin_client.post(
        _admin_url(Recognition, "add"), {**values, "registration": str(draft.pk)}
    )
    assert refused.status_code == 200
    assert "registration" in refused.context["adminform"].form.errors
    response = admin_client.post(
        _admin_url(Recognition, "add"), {**values, "registration": str(approved.pk)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    approved.refresh_from_db()
    assert approved.status == S.RECOGNIZED
    recognition = approved.recognitions.get()
    assert (recognition.decision_symbol, recognition.recorded_by) == ("301-QĐ/ĐU", superuser)
    event = approved.events.order_by("-at", "-pk").first()
    assert (event.action, event.actor) == ("recognized", superuser)


def test_a_quarterly_update_needs_an_approved_model(client, demo):
    khanh = User.objects.get(username="khanh")
    client.force_login(khanh)
    draft = Registration.objects.get(year=2021, registered_by_unit__name="Chi bộ Khu dân cư số 2")
    approved = Registration.objects.get(
        year=2021, title="Cán bộ, công chức phường thân thiện, tận tụy phục vụ nhân dân"
    )
    values = {"year": "2021", "quarter": "1", "results": "Không có hồ sơ trễ hẹn.", "percent": "25"}
    refused = client.post(
        _admin_url(RegistrationUpdate, "add"), {**values, "registration": str(draft.pk)}
    )
    assert refused.status_code == 200
    assert not RegistrationUpdate.objects.filter(registration=draft).exists()
    response = client.post(
        _admin_url(RegistrationUpdate, "add"), {**values, "registration": str(approved.pk)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    update = approved.updates.get(year=2021, quarter=1)
    assert update.reported_by == khanh
    assert update.history.first().history_user == khanh


def test_inline_recognitions_and_updates_follow_the_workflow(admin_client, superuser, demo):
    approved = Registration.objects.get(year=2021, title="Camera an ninh – mắt thần khu dân cư")
    url = _admin_url(Registration, "change", approved.pk)
    page = admin_client.get(url)
    data = _change_form_post(page)
    data.update(
        {
            "recognitions-TOTAL_FORMS": "1",
            "recognitions-0-level": "district",
            "recognitions-0-title": "Giấy khen",
            "recognitions-0-decision_symbol": "2011-QĐ/QU",
            "recognitions-0-decided_on": "28/12/2021",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    approved.refresh_from_db()
    assert approved.status == S.RECOGNIZED
    assert approved.recognitions.get().recorded_by == superuser
    assert approved.events.filter(action="recognized", actor=superuser).count() == 1

    submitted = Registration.objects.get(
        year=2021, title="Nói không với rác thải nhựa tại khu dân cư"
    )
    url = _admin_url(Registration, "change", submitted.pk)
    data = _change_form_post(admin_client.get(url))
    for prefix, row in {
        "recognitions": {"level": "ward", "title": "Điển hình tiêu biểu"},
        "updates": {"year": "2021", "quarter": "1", "results": "Chưa duyệt.", "percent": "5"},
    }.items():
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data.update({f"{prefix}-0-{key}": value for key, value in row.items()})
        response = admin_client.post(url, data)
        assert response.status_code == 200, prefix
        assert response.context["errors"], prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not submitted.recognitions.exists() and not submitted.updates.exists()
