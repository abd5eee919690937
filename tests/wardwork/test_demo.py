"""The demo loader: the article's ward and people, idempotent, refuses production."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from wardwork.models import Organization, OrganizationKind, Person, Position, User, Ward
from wardwork.roles import is_mass_mobilization_member, is_unit_manager, is_ward_staff

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


def test_loading_twice_changes_nothing(demo, settings, capsys):
    before = _row_counts()
    call_command("load_demo")
    assert _row_counts() == before
    assert "nothing changed" in capsys.readouterr().out


def test_refuses_when_debug_is_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")
    assert not Ward.objects.exists()
    call_command("load_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Ward.objects.filter(name="Phường Phúc Đồng").exists()


def test_the_articles_ward_and_leaders(demo):
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    assert ward.place_name == "Phúc Đồng"
    # Each ward records its own copy of the Quận ủy, above its committee.
    district = Organization.objects.get(ward=ward, name="Quận ủy Long Biên")
    assert (district.symbol_code, district.kind) == ("QU", OrganizationKind.HIGHER_COMMITTEE)
    committee = Organization.objects.get(ward=ward, kind=OrganizationKind.WARD_COMMITTEE)
    assert committee.symbol_code == "ĐU"
    assert committee.parent == district
    sai_dong = Organization.objects.get(ward__name="Phường Sài Đồng", name="Quận ủy Long Biên")
    assert sai_dong != district
    assert not Organization.objects.filter(ward__isnull=True).exists()
    ngoc = Person.objects.get(full_name="Nguyễn Thị Ngọc")
    assert ngoc.title == "Bí thư Đảng ủy, Chủ tịch HĐND phường"
    khanh = Person.objects.get(full_name="Nguyễn Hữu Khanh")
    assert Position.objects.filter(person=khanh, role="standing_deputy_secretary").exists()


def test_the_bodies_the_article_names(demo):
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    kinds = set(ward.organizations.values_list("kind", flat=True))
    assert {
        "ward_committee",
        "standing_committee",
        "people_committee",
        "people_council",
        "fatherland_front",
        "mass_organization",
        "mass_mobilization_bloc",
        "party_cell",
        "residential_group",
    } <= kinds
    short_names = set(ward.organizations.values_list("short_name", flat=True))
    assert {
        "Hội Phụ nữ",
        "Đoàn Thanh niên",
        "Hội CCB",
        "Hội NCT",
        "Công đoàn",
        "UB MTTQ",
    } <= short_names
    cells = ward.organizations.filter(kind="party_cell")
    assert cells.count() >= 12
    assert cells.filter(name__contains="Trường").count() >= 3
    for cell in cells:
        assert cell.positions.filter(role="cell_secretary").exists(), cell
    for org in ward.organizations.filter(kind__in=["mass_organization", "fatherland_front"]):
        assert org.positions.filter(role="head").exists(), org


def test_demo_logins_have_their_roles(demo):
    phuc_dong = Ward.objects.get(name="Phường Phúc Đồng")
    users = {u.username: u for u in User.objects.select_related("person", "ward")}
    assert users["admin"].is_superuser
    assert is_ward_staff(users["ngoc"], phuc_dong)
    assert is_ward_staff(users["khanh"], phuc_dong)
    assert is_mass_mobilization_member(users["dvk"], phuc_dong)
    for number in range(1, 13):
        user = users[f"cb{number:02d}"]
        assert user.ward == phuc_dong
        assert is_unit_manager(user, user.person.organization)
    assert is_unit_manager(
        users["phunu"], Organization.objects.get(short_name="Hội Phụ nữ", ward=phuc_dong)
    )
    saidong = users["saidong"]
    assert saidong.ward.name == "Phường Sài Đồng"
    assert is_ward_staff(saidong, saidong.ward)
    assert not is_ward_staff(saidong, phuc_dong)


def test_demo_password_works(demo, client, settings):
    response = client.post(
        "/accounts/login/", {"username": "cb01", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_saidong_never_sees_phuc_dong(demo, client):
    client.force_login(User.objects.get(username="saidong"))
    for url in [
        "/directory/organizations/",
        "/directory/people/",
        "/admin/wardwork/person/",
        "/admin/wardwork/organization/",
    ]:
        page = client.get(url).content.decode()
        assert "Phúc Đồng" not in page, url
        assert "Nguyễn Thị Ngọc" not in page, url
