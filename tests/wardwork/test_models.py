import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    HigherCommitteeFactory,
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
    WardFactory,
)
from wardwork.models import (
    MESSAGE_CHOOSE_WARD,
    Organization,
    OrganizationKind,
    Person,
    Position,
    User,
)

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


@pytest.mark.parametrize("kind", [OrganizationKind.HIGHER_COMMITTEE, OrganizationKind.PARTY_CELL])
def test_every_kind_needs_a_ward_a_higher_committee_too(kind):
    with pytest.raises(ValidationError) as error:
        Organization(ward=None, name="Quận ủy Long Biên", kind=kind).full_clean()
    assert error.value.message_dict["ward"] == [str(MESSAGE_CHOOSE_WARD)]
    Organization(ward=WardFactory(), name="Quận ủy Long Biên", kind=kind).full_clean()


def test_each_ward_records_its_own_copy_of_the_district_committee():
    phuc_dong, sai_dong = WardFactory(), WardFactory()
    for ward in (phuc_dong, sai_dong):
        HigherCommitteeFactory(ward=ward, name="Quận ủy Long Biên")
    assert Organization.objects.filter(name="Quận ủy Long Biên").count() == 2
    twice = Organization(
        ward=phuc_dong, name="Quận ủy Long Biên", kind=OrganizationKind.HIGHER_COMMITTEE
    )
    with pytest.raises(ValidationError) as error:
        twice.full_clean()
    assert "__all__" in error.value.message_dict  # organization_unique_name_per_ward


def test_parent_must_be_in_the_same_ward():
    parent = OrganizationFactory()
    child = Organization(
        ward=WardFactory(), name="Tổ dân phố 1", kind="residential_group", parent=parent
    )
    with pytest.raises(ValidationError) as error:
        child.full_clean()
    assert "parent" in error.value.message_dict


def test_a_committee_hangs_under_its_own_wards_copy_of_the_district_only():
    ward, other = WardFactory(), WardFactory()
    own, others = HigherCommitteeFactory(ward=ward), HigherCommitteeFactory(ward=other)
    committee = Organization(
        ward=ward, name="Đảng ủy phường", kind=OrganizationKind.WARD_COMMITTEE, parent=others
    )
    with pytest.raises(ValidationError) as error:
        committee.full_clean()
    assert "parent" in error.value.message_dict
    committee.parent = own
    committee.full_clean()


def test_deleting_a_person_clears_the_accounts_link_without_a_database_constraint():
    assert User._meta.get_field("person").db_constraint is False
    person = PersonFactory()
    user = UserFactory(username="quan", ward=person.ward, person=person)
    person.delete()
    user.refresh_from_db()
    assert user.person is None


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
