import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganizationFactory, PersonFactory, PositionFactory, WardFactory
from wardwork.models import Organization, OrganizationKind, Person, Position

pytestmark = pytest.mark.django_db


def test_search_key_is_kept_folded_on_save():
    person = PersonFactory(full_name="Nguyễn Thị Ngọc", title="Bí thư Đảng ủy")
    assert person.search_key == "nguyen thi ngoc bi thu dang uy"
    person.full_name = "Nguyễn Hữu Khanh"
    person.save(update_fields=["full_name"])
    person.refresh_from_db()
    assert "khanh" in person.search_key


def test_search_is_accent_insensitive():
    ward = WardFactory(name="Phường Phúc Đồng")
    OrganizationFactory(ward=ward, name="Hội Liên hiệp Phụ nữ phường Phúc Đồng")
    OrganizationFactory(ward=ward, name="Đoàn Thanh niên")
    found = Organization.objects.search("phuc dong hoi")
    assert [o.name for o in found] == ["Hội Liên hiệp Phụ nữ phường Phúc Đồng"]
    assert Organization.objects.search("ĐOÀN").get().name == "Đoàn Thanh niên"


def test_person_name_stored_nfc_and_ordered_by_given_name():
    ward = WardFactory()
    PersonFactory(ward=ward, full_name=unicodedata.normalize("NFD", "Trần Thị Bình"))
    PersonFactory(ward=ward, full_name="Phạm Thị Ánh")
    names = list(Person.objects.filter(ward=ward).by_name().values_list("full_name", flat=True))
    assert names == ["Phạm Thị Ánh", "Trần Thị Bình"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_higher_committee_has_no_ward_and_ward_bodies_need_one():
    ward = WardFactory()
    with pytest.raises(ValidationError) as error:
        Organization(ward=ward, name="Quận ủy", kind=OrganizationKind.HIGHER_COMMITTEE).full_clean()
    assert "ward" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Organization(ward=None, name="Chi bộ 1", kind=OrganizationKind.PARTY_CELL).full_clean()
    assert "ward" in error.value.message_dict


def test_parent_must_be_in_the_same_ward():
    parent = OrganizationFactory()
    child = Organization(
        ward=WardFactory(), name="Tổ dân phố 1", kind="residential_group", parent=parent
    )
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "parent" in error.value.message_dict


def test_position_cannot_end_before_it_starts():
    position = PositionFactory.build(
        person=PersonFactory(), started_on=dt.date(2021, 1, 1), ended_on=dt.date(2020, 1, 1)
    )
    position.organization = OrganizationFactory(ward=position.person.ward)
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert "ended_on" in error.value.message_dict


def test_current_positions_exclude_ended_and_future_ones():
    person = PersonFactory()
    held = PositionFactory(person=person, started_on=dt.date(2020, 1, 1))
    PositionFactory(person=person, started_on=dt.date(2015, 1, 1), ended_on=dt.date(2020, 6, 30))
    PositionFactory(person=person, started_on=dt.date(2099, 1, 1))
    assert list(Position.objects.filter(person=person).current()) == [held]
    assert Position.objects.filter(person=person).current(on=dt.date(2018, 1, 1)).count() == 1


def test_position_in_another_wards_organisation_is_refused():
    person = PersonFactory()
    position = Position(person=person, organization=OrganizationFactory(), role="member")
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert "organization" in error.value.message_dict
