"""Django admin: every core page loads, search ignores accents, ward staff stay in their ward."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import PersonFactory
from wardwork.models import MESSAGE_CHOOSE_WARD, Organization, Person, Position, User, Ward

pytestmark = pytest.mark.django_db

MODELS = [Ward, Organization, Person, Position, User]


def _admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def _make_ward_admin(user):
    group, _ = Group.objects.get_or_create(name="ward admins")
    group.permissions.set(Permission.objects.filter(content_type__app_label="wardwork"))
    user.groups.add(group)
    user.is_staff = True
    user.save()
    return user


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_change_pages_load_for_superuser(client, home, superuser, model):
    client.force_login(superuser)
    obj = {
        Ward: home.ward,
        Organization: home.cell,
        Person: home.secretary.person,
        Position: home.secretary.person.positions.first(),
        User: home.secretary,
    }[model]
    assert client.get(_admin_url(model)).status_code == 200
    assert client.get(_admin_url(model, "add")).status_code == 200
    assert client.get(_admin_url(model, "change", obj.pk)).status_code == 200
    assert client.get(_admin_url(model, "history", obj.pk)).status_code == 200


def test_search_is_accent_insensitive(client, home, superuser):
    client.force_login(superuser)
    response = client.get(_admin_url(Ward), {"q": "phuc dong"})
    assert [w.name for w in response.context["cl"].result_list] == ["Phường Phúc Đồng"]
    response = client.get(_admin_url(Person), {"q": "NGOC"})
    assert [p.full_name for p in response.context["cl"].result_list] == ["Nguyễn Thị Ngọc"]


def test_positions_are_inline_on_people_and_organisations(client, home, superuser):
    client.force_login(superuser)
    page = client.get(_admin_url(Person, "change", home.secretary.person.pk)).content.decode()
    assert "positions-TOTAL_FORMS" in page
    page = client.get(_admin_url(Organization, "change", home.committee.pk)).content.decode()
    assert "positions-TOTAL_FORMS" in page


def test_ward_admin_sees_only_own_ward(client, home, away):
    PersonFactory(ward=home.ward, full_name="Người Phúc Đồng")
    user = _make_ward_admin(away.secretary)
    client.force_login(user)
    for model in [Ward, Organization, Person, Position]:
        rows = list(client.get(_admin_url(model)).context["cl"].result_list)
        assert rows, model
        for row in rows:
            ward_id = (
                row.pk
                if model is Ward
                else (row.person.ward_id if model is Position else row.ward_id)
            )
            assert ward_id == away.ward.pk, (model, row)
    assert client.get(_admin_url(Person, "change", home.secretary.person.pk)).status_code == 302
    assert client.get(_admin_url(Organization, "change", home.cell.pk)).status_code == 302
    page = client.get(_admin_url(Person), {"q": "phuc dong"}).content.decode()
    assert "Người Phúc Đồng" not in page
    person = home.secretary.person
    assert client.get(_admin_url(Person, "history", person.pk)).status_code == 404
    version = person.history.latest().history_id
    history_form = reverse("admin:wardwork_person_simple_history", args=[person.pk, version])
    assert client.get(history_form).status_code == 404


def test_ward_admin_choices_are_limited_to_own_ward(client, home, away):
    client.force_login(_make_ward_admin(away.secretary))
    form = client.get(_admin_url(Person, "add")).context["adminform"].form
    assert set(form.fields["ward"].queryset) == {away.ward}
    assert home.cell not in form.fields["organization"].queryset


def test_ward_admin_cannot_grant_superuser(client, home):
    user = _make_ward_admin(home.secretary)
    client.force_login(user)
    form = client.get(_admin_url(User, "change", home.plain.pk)).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "is_staff" not in form.fields


def test_changes_in_admin_are_recorded_with_who(client, home, superuser):
    client.force_login(superuser)
    person = home.secretary.person
    person.title = "Bí thư Đảng ủy, Chủ tịch HĐND phường"
    person._history_user = superuser
    person.save()
    record = person.history.latest()
    assert record.history_user == superuser
    assert record.history_type == "~"


def _organization_post(**overrides):
    data = {
        "name": "Quận ủy Long Biên",
        "short_name": "Quận ủy",
        "kind": "higher_committee",
        "symbol_code": "QU",
        "is_active": "on",
        "positions-TOTAL_FORMS": "0",
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", ["higher_committee", "party_cell"])
def test_an_organisation_of_any_kind_needs_its_ward_in_the_admin(client, home, superuser, kind):
    client.force_login(superuser)
    response = client.post(_admin_url(Organization, "add"), _organization_post(kind=kind))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["ward"] == [str(MESSAGE_CHOOSE_WARD)]
    assert str(MESSAGE_CHOOSE_WARD) in response.content.decode()
    assert not Organization.objects.filter(name="Quận ủy Long Biên").exists()


def test_the_superuser_records_a_wards_copy_of_the_district(client, home, away, superuser):
    client.force_login(superuser)
    for setup in (home, away):
        response = client.post(
            _admin_url(Organization, "add"), _organization_post(ward=setup.ward.pk)
        )
        assert response.status_code == 302
    copies = Organization.objects.filter(name="Quận ủy Long Biên")
    assert {o.ward for o in copies} == {home.ward, away.ward}
    assert {o.kind for o in copies} == {"higher_committee"}


def test_a_ward_admin_records_its_wards_copy_of_the_district(client, home, away):
    client.force_login(_make_ward_admin(away.secretary))
    form = client.get(_admin_url(Organization, "add")).context["adminform"].form
    assert form["ward"].value() == away.ward.pk  # chosen already: their only ward
    assert set(form.fields["parent"].queryset) == set(Organization.objects.filter(ward=away.ward))
    response = client.post(
        _admin_url(Organization, "add"),
        _organization_post(ward=away.ward.pk, parent=away.committee.parent.pk),
    )
    assert response.status_code == 302
    district = Organization.objects.get(name="Quận ủy Long Biên")
    assert district.ward == away.ward
    response = client.post(
        _admin_url(Organization, "add"),
        _organization_post(name="Thành ủy", ward=away.ward.pk, parent=home.committee.parent.pk),
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
