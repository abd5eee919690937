"""Demo data: Phường Phúc Đồng, quận Long Biên, quarter I/2021, as in the seed article.

Loading is idempotent: every row is looked up by its natural key and saved only when a
value differs, so a second run writes nothing (not even a history row). Later apps add
their part in a ``demo.py`` of their own with a ``load(loader)`` function; the command
runs them in layer order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models

from wardwork.models import (
    Organization,
    OrganizationKind,
    Person,
    Position,
    PositionRole,
    User,
    Ward,
)

K = OrganizationKind
R = PositionRole
TERM_START = dt.date(2020, 7, 1)  # the 2020–2025 committee term

WARD_ADMIN_GROUP = "Quản trị phường"


@dataclass
class DemoLoader:
    """Idempotent writer: counts what it created and changed, per model."""

    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def ensure(self, model: type[models.Model], lookup: dict, **values) -> models.Model:
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            self.created[model.__name__] += 1
            return obj
        dirty = [name for name, value in values.items() if _differs(obj, name, value)]
        if dirty:
            for name in dirty:
                setattr(obj, name, values[name])
            obj.save()
            self.changed[model.__name__] += 1
        return obj

    def login(
        self,
        username: str,
        *,
        ward: Ward | None,
        person: Person | None,
        description: str,
        superuser: bool = False,
        staff: bool = False,
    ) -> User:
        user = User.objects.filter(username=username).first()
        values = {
            "ward": ward,
            "person": person,
            "is_superuser": superuser,
            "is_staff": staff or superuser,
            "email": f"{username}@demo.wardwork.vn",
        }
        if user is None:
            user = User(username=username, **values)
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
            self.created["User"] += 1
        else:
            dirty = [k for k, v in values.items() if _differs(user, k, v)]
            if dirty:
                for k in dirty:
                    setattr(user, k, values[k])
                user.save()
                self.changed["User"] += 1
        self.logins.append((username, description))
        return user


def _differs(obj, name, value) -> bool:
    current = getattr(obj, name)
    if isinstance(value, models.Model) or isinstance(current, models.Model):
        return getattr(current, "pk", None) != getattr(value, "pk", None)
    return current != value


# --- the data -----------------------------------------------------------------------------------
# (number, residential groups under the cell, cell secretary's name)
RESIDENTIAL_CELLS = [
    (1, [1, 2], "Trần Văn Hùng"),
    (2, [3], "Phạm Thị Lan"),
    (3, [4, 5], "Lê Văn Thắng"),
    (4, [6], "Ngô Thị Hoa"),
    (5, [7, 8], "Đỗ Văn Bình"),
    (6, [9], "Hoàng Thị Mai"),
    (7, [10, 11], "Vũ Văn Long"),
    (8, [12], "Bùi Thị Thu"),
    (9, [13, 14], "Đặng Văn Tuấn"),
]
OTHER_CELLS = [
    ("Chi bộ Trường Mầm non Phúc Đồng", "Nguyễn Thị Hằng"),
    ("Chi bộ Trường Tiểu học Phúc Đồng", "Lý Thị Nga"),
    ("Chi bộ Trường THCS Phúc Đồng", "Phan Văn Đức"),
    ("Chi bộ Cơ quan Đảng – Đoàn thể", "Trịnh Thị Huyền"),
    ("Chi bộ Quân sự", "Đinh Văn Cường"),
    ("Chi bộ Công an", "Cao Văn Thành"),
]
MASS_ORGANIZATIONS = [
    # (name, short name, kind, username or "", head's name, head's title)
    (
        "Ủy ban Mặt trận Tổ quốc Việt Nam phường Phúc Đồng",
        "UB MTTQ",
        K.FATHERLAND_FRONT,
        "",
        "Nguyễn Văn Tiến",
        "Chủ tịch Ủy ban MTTQ phường",
    ),
    (
        "Hội Liên hiệp Phụ nữ phường Phúc Đồng",
        "Hội Phụ nữ",
        K.MASS_ORGANIZATION,
        "phunu",
        "Lê Thị Thanh Hà",
        "Chủ tịch Hội Liên hiệp Phụ nữ phường",
    ),
    (
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường Phúc Đồng",
        "Đoàn Thanh niên",
        K.MASS_ORGANIZATION,
        "",
        "Nguyễn Minh Quân",
        "Bí thư Đoàn phường",
    ),
    (
        "Hội Cựu chiến binh phường Phúc Đồng",
        "Hội CCB",
        K.MASS_ORGANIZATION,
        "",
        "Trần Quốc Toản",
        "Chủ tịch Hội Cựu chiến binh phường",
    ),
    (
        "Hội Người cao tuổi phường Phúc Đồng",
        "Hội NCT",
        K.MASS_ORGANIZATION,
        "",
        "Phạm Văn Khải",
        "Chủ tịch Hội Người cao tuổi phường",
    ),
    (
        "Công đoàn cơ sở phường Phúc Đồng",
        "Công đoàn",
        K.MASS_ORGANIZATION,
        "",
        "Vũ Thị Kim Oanh",
        "Chủ tịch Công đoàn cơ sở phường",
    ),
]


DISTRICT = "Quận ủy Long Biên"


def load(loader: DemoLoader) -> None:
    _load_phuc_dong(loader)
    _load_sai_dong(loader)
    _ensure_ward_admin_group(loader)
    loader.login(
        "admin", ward=None, person=None, description="quản trị hệ thống (superuser)", superuser=True
    )


def _org(loader, ward, name, kind, *, short_name="", parent=None, symbol_code=""):
    return loader.ensure(
        Organization,
        {"ward": ward, "name": name},
        kind=kind,
        short_name=short_name,
        parent=parent,
        symbol_code=symbol_code,
        is_active=True,
    )


def _person(loader, ward, full_name, organization, title):
    return loader.ensure(
        Person, {"ward": ward, "full_name": full_name}, organization=organization, title=title
    )


def _position(loader, person, organization, role, started_on=TERM_START):
    return loader.ensure(
        Position,
        {"person": person, "organization": organization, "role": role},
        started_on=started_on,
        ended_on=None,
    )


def _district(loader, ward) -> Organization:
    """The Quận ủy above the ward: each ward records its own copy of it."""
    return _org(loader, ward, DISTRICT, K.HIGHER_COMMITTEE, short_name="Quận ủy", symbol_code="QU")


def _load_phuc_dong(loader: DemoLoader) -> None:
    ward = loader.ensure(
        Ward,
        {"name": "Phường Phúc Đồng"},
        place_name="Phúc Đồng",
        parent_name="Quận Long Biên, Thành phố Hà Nội",
    )
    district = _district(loader, ward)
    committee = _org(
        loader,
        ward,
        "Đảng ủy phường Phúc Đồng",
        K.WARD_COMMITTEE,
        short_name="Đảng ủy",
        parent=district,
        symbol_code="ĐU",
    )
    standing = _org(
        loader,
        ward,
        "Ban Thường vụ Đảng ủy phường Phúc Đồng",
        K.STANDING_COMMITTEE,
        short_name="Ban Thường vụ",
        parent=committee,
        symbol_code="ĐU",
    )
    people_committee = _org(
        loader,
        ward,
        "Ủy ban nhân dân phường Phúc Đồng",
        K.PEOPLE_COMMITTEE,
        short_name="UBND phường",
        symbol_code="UBND",
    )
    council = _org(
        loader,
        ward,
        "Hội đồng nhân dân phường Phúc Đồng",
        K.PEOPLE_COUNCIL,
        short_name="HĐND phường",
        symbol_code="HĐND",
    )
    bloc = _org(
        loader,
        ward,
        "Khối Dân vận Đảng ủy phường Phúc Đồng",
        K.MASS_MOBILIZATION_BLOC,
        short_name="Khối Dân vận",
        parent=committee,
    )

    # Ward leaders, as the article names them.
    ngoc = _person(
        loader, ward, "Nguyễn Thị Ngọc", committee, "Bí thư Đảng ủy, Chủ tịch HĐND phường"
    )
    _position(loader, ngoc, committee, R.SECRETARY)
    _position(loader, ngoc, standing, R.SECRETARY)
    _position(loader, ngoc, council, R.HEAD)
    khanh = _person(
        loader, ward, "Nguyễn Hữu Khanh", committee, "Phó Bí thư thường trực Đảng ủy phường"
    )
    _position(loader, khanh, committee, R.STANDING_DEPUTY_SECRETARY)
    _position(loader, khanh, standing, R.STANDING_DEPUTY_SECRETARY)
    _position(loader, khanh, bloc, R.HEAD)
    chairman = _person(
        loader, ward, "Lê Quang Minh", people_committee, "Phó Bí thư Đảng ủy, Chủ tịch UBND phường"
    )
    _position(loader, chairman, committee, R.DEPUTY_SECRETARY)
    _position(loader, chairman, people_committee, R.HEAD)
    office = _person(loader, ward, "Hoàng Thị Thu Trang", committee, "Cán bộ Văn phòng Đảng ủy")
    _position(loader, office, committee, R.STAFF)
    dvk = _person(loader, ward, "Đỗ Thị Phương", bloc, "Ủy viên Khối Dân vận, Trưởng ban Dân vận")
    _position(loader, dvk, bloc, R.MEMBER)
    _position(loader, dvk, committee, R.COMMITTEE_MEMBER)

    loader.login(
        "ngoc",
        ward=ward,
        person=ngoc,
        staff=True,
        description="Nguyễn Thị Ngọc, Bí thư Đảng ủy phường Phúc Đồng",
    )
    loader.login(
        "khanh",
        ward=ward,
        person=khanh,
        staff=True,
        description="Nguyễn Hữu Khanh, Phó Bí thư thường trực Đảng ủy",
    )
    loader.login("dvk", ward=ward, person=dvk, description="Đỗ Thị Phương, thành viên Khối Dân vận")

    # Mass organisations and their heads; every head sits in the mass mobilisation bloc.
    for name, short, kind, username, head_name, head_title in MASS_ORGANIZATIONS:
        org = _org(loader, ward, name, kind, short_name=short)
        head = _person(loader, ward, head_name, org, head_title)
        _position(loader, head, org, R.HEAD)
        _position(loader, head, bloc, R.MEMBER)
        if username:
            loader.login(username, ward=ward, person=head, description=f"{head_name}, {head_title}")

    # Party cells: residential ones with their residential groups, then schools and bodies.
    cell_number = 0
    for number, groups, secretary_name in RESIDENTIAL_CELLS:
        cell = _org(
            loader,
            ward,
            f"Chi bộ Khu dân cư số {number}",
            K.PARTY_CELL,
            short_name=f"Chi bộ {number}",
            parent=committee,
        )
        for group in groups:
            _org(
                loader,
                ward,
                f"Tổ dân phố số {group}",
                K.RESIDENTIAL_GROUP,
                short_name=f"TDP {group}",
                parent=cell,
            )
        cell_number += 1
        _cell_secretary(loader, ward, cell, secretary_name, cell_number)
    for name, secretary_name in OTHER_CELLS:
        cell = _org(
            loader,
            ward,
            name,
            K.PARTY_CELL,
            short_name=name.removeprefix("Chi bộ "),
            parent=committee,
        )
        cell_number += 1
        _cell_secretary(loader, ward, cell, secretary_name, cell_number)


def _cell_secretary(loader, ward, cell, name, number):
    person = _person(loader, ward, name, cell, f"Bí thư {cell.name}")
    _position(loader, person, cell, R.CELL_SECRETARY)
    if number <= 12:
        username = f"cb{number:02d}"
        loader.login(username, ward=ward, person=person, description=f"{name}, Bí thư {cell.name}")


def _load_sai_dong(loader: DemoLoader) -> None:
    ward = loader.ensure(
        Ward,
        {"name": "Phường Sài Đồng"},
        place_name="Sài Đồng",
        parent_name="Quận Long Biên, Thành phố Hà Nội",
    )
    district = _district(loader, ward)
    committee = _org(
        loader,
        ward,
        "Đảng ủy phường Sài Đồng",
        K.WARD_COMMITTEE,
        short_name="Đảng ủy",
        parent=district,
        symbol_code="ĐU",
    )
    _org(
        loader,
        ward,
        "Ủy ban nhân dân phường Sài Đồng",
        K.PEOPLE_COMMITTEE,
        short_name="UBND phường",
    )
    bloc = _org(
        loader,
        ward,
        "Khối Dân vận Đảng ủy phường Sài Đồng",
        K.MASS_MOBILIZATION_BLOC,
        short_name="Khối Dân vận",
        parent=committee,
    )
    women = _org(
        loader,
        ward,
        "Hội Liên hiệp Phụ nữ phường Sài Đồng",
        K.MASS_ORGANIZATION,
        short_name="Hội Phụ nữ",
    )
    secretary = _person(
        loader, ward, "Trần Thị Thanh Xuân", committee, "Bí thư Đảng ủy phường Sài Đồng"
    )
    _position(loader, secretary, committee, R.SECRETARY)
    head = _person(
        loader, ward, "Nguyễn Thị Bích Ngọc", women, "Chủ tịch Hội Phụ nữ phường Sài Đồng"
    )
    _position(loader, head, women, R.HEAD)
    _position(loader, head, bloc, R.MEMBER)
    for number, name in [(1, "Vương Văn Sơn"), (2, "Kiều Thị Dung"), (3, "Mạc Văn Lực")]:
        cell = _org(
            loader,
            ward,
            f"Chi bộ Sài Đồng số {number}",
            K.PARTY_CELL,
            short_name=f"Chi bộ {number}",
            parent=committee,
        )
        person = _person(loader, ward, name, cell, f"Bí thư {cell.name}")
        _position(loader, person, cell, R.CELL_SECRETARY)
    loader.login(
        "saidong",
        ward=ward,
        person=secretary,
        staff=True,
        description="Trần Thị Thanh Xuân, Bí thư Đảng ủy phường Sài Đồng",
    )


def _ensure_ward_admin_group(loader: DemoLoader) -> None:
    """Ward staff may use the admin for their own ward's organisations and people."""
    group, created = Group.objects.get_or_create(name=WARD_ADMIN_GROUP)
    if created:
        loader.created["Group"] += 1
    wanted = Permission.objects.filter(
        content_type__app_label="wardwork",
        codename__in=[
            "view_ward",
            "view_organization",
            "add_organization",
            "change_organization",
            "view_person",
            "add_person",
            "change_person",
            "view_position",
            "add_position",
            "change_position",
        ],
    )
    missing = set(wanted) - set(group.permissions.all())
    if missing:
        group.permissions.add(*missing)
        loader.changed["Group"] += 1
    for user in User.objects.filter(username__in=["ngoc", "khanh", "saidong"]):
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
