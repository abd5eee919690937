"""Shared fixtures: two wards and one user per role, as the permission tests need them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import (
    HigherCommitteeFactory,
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
    UserFactory,
    WardFactory,
)
from wardwork.models import OrganizationKind as K
from wardwork.models import PositionRole as R
from wardwork.text import fold


@dataclass
class WardSetup:
    """One ward with its committee, bloc, two cells, a mass organisation and a user per role."""

    ward: object
    committee: object
    bloc: object
    cell: object
    other_cell: object
    women: object
    secretary: object  # ward secretary (ward staff)
    staff: object  # Party office staff (ward staff)
    dvk: object  # Khối Dân vận member
    cell_secretary: object  # of ``cell``
    other_cell_secretary: object  # of ``other_cell``
    mass_head: object  # head of ``women``
    plain: object  # an account with no current position


def make_ward_setup(name: str) -> WardSetup:
    ward = WardFactory(name=name, place_name=name.removeprefix("Phường "))
    district = HigherCommitteeFactory(ward=ward)  # the ward's copy of its Quận ủy
    committee = OrganizationFactory(
        ward=ward, name=f"Đảng ủy {name}", kind=K.WARD_COMMITTEE, symbol_code="ĐU", parent=district
    )
    bloc = OrganizationFactory(
        ward=ward, name=f"Khối Dân vận {name}", kind=K.MASS_MOBILIZATION_BLOC
    )
    cell = OrganizationFactory(ward=ward, name=f"Chi bộ số 1 {name}", parent=committee)
    other_cell = OrganizationFactory(ward=ward, name=f"Chi bộ số 2 {name}", parent=committee)
    women = OrganizationFactory(ward=ward, name=f"Hội Phụ nữ {name}", kind=K.MASS_ORGANIZATION)

    def account(username, organization, role, full_name):
        person = PersonFactory(ward=ward, full_name=full_name, organization=organization)
        if organization is not None:
            PositionFactory(person=person, organization=organization, role=role)
        return UserFactory(username=username, ward=ward, person=person)

    slug = fold(name.removeprefix("Phường ")).replace(" ", "")
    return WardSetup(
        ward=ward,
        committee=committee,
        bloc=bloc,
        cell=cell,
        other_cell=other_cell,
        women=women,
        secretary=account(f"secretary_{slug}", committee, R.SECRETARY, "Nguyễn Thị Ngọc"),
        staff=account(f"staff_{slug}", committee, R.STAFF, "Hoàng Thị Trang"),
        dvk=account(f"dvk_{slug}", bloc, R.MEMBER, "Đỗ Thị Phương"),
        cell_secretary=account(f"cb_{slug}", cell, R.CELL_SECRETARY, "Trần Văn Hùng"),
        other_cell_secretary=account(f"cb2_{slug}", other_cell, R.CELL_SECRETARY, "Phạm Thị Lan"),
        mass_head=account(f"head_{slug}", women, R.HEAD, "Lê Thị Hà"),
        plain=account(f"plain_{slug}", None, None, "Vũ Văn Long"),
    )


@pytest.fixture
def home(db) -> WardSetup:
    """The ward under test."""
    return make_ward_setup("Phường Phúc Đồng")


@pytest.fixture
def away(db) -> WardSetup:
    """Another ward: its users must never reach ``home``'s data, nor the reverse."""
    return make_ward_setup("Phường Sài Đồng")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", ward=None, person=None, is_superuser=True, is_staff=True)
