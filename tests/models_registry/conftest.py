"""Registrations in ``home`` (and ``away``) in every status, built through the services so
each carries the events, revisions and updates its status implies.

``registry_home``:
- ``draft``: home.cell's draft (only its unit and the reviewers may open it);
- ``other_draft``: home.other_cell's draft;
- ``submitted``: home.cell's, waiting for review;
- ``returned``: home.cell's, returned with a note;
- ``approved``: home.cell's, approved, with a quarter I/2021 update carrying a PDF;
- ``exemplary``: home.other_cell's 2020 model, recognised;
- ``replication``: home.women's 2021 individual model replicating ``exemplary``, approved.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import translation

from models_registry import services
from models_registry.models import (
    Field,
    RecognitionLevel,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
)
from tests.factories import PersonFactory
from wardwork.quarters import Quarter

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
S = RegistrationStatus


def manager_of(setup, unit):
    """The user who manages ``unit`` in the ward setup (ward staff for any other unit)."""
    return {
        setup.cell.pk: setup.cell_secretary,
        setup.other_cell.pk: setup.other_cell_secretary,
        setup.women.pk: setup.mass_head,
    }.get(unit.pk, setup.staff)


def make_registration(
    setup,
    *,
    title: str,
    unit=None,
    status: str = S.DRAFT,
    year: int = 2021,
    kind: str = RegistrationKind.COLLECTIVE,
    person=None,
    field: str = "Kinh tế",
    replicates=None,
    content: str = "Tuyên truyền, vận động nhân dân trong khu dân cư.",
) -> Registration:
    """A registration of ``unit`` (default ``setup.cell``) taken to ``status`` the way the
    pages would: drafted by the unit's manager, reviewed and recognised by ward staff."""
    unit = unit or setup.cell
    owner = manager_of(setup, unit)
    if kind == RegistrationKind.INDIVIDUAL and person is None:
        person = PersonFactory(ward=setup.ward, organization=unit, full_name="Nguyễn Thị Hoa")
    registration = services.registration_save_draft(
        actor=owner,
        registration=Registration(
            ward=setup.ward,
            year=year,
            kind=kind,
            organization=unit,
            person=person,
            registered_by_unit=unit,
            title=title,
            field=Field.objects.get(name=field),
            content=content,
            solutions="Họp dân, thăm hỏi từng hộ.",
            schedule="Quý I: tuyên truyền; quý II: triển khai.",
            expected_results="100% hộ gia đình đồng thuận.",
            replicates=replicates,
        ),
    )
    if status == S.DRAFT:
        return registration
    if status == S.WITHDRAWN:
        return services.registration_withdraw(actor=owner, registration=registration)
    registration = services.registration_submit(actor=owner, registration=registration)
    if status == S.SUBMITTED:
        return registration
    if status == S.RETURNED:
        return services.registration_return(
            actor=setup.staff, registration=registration, note="Bổ sung tiến độ theo từng quý."
        )
    registration = services.registration_approve(actor=setup.staff, registration=registration)
    if status == S.RECOGNIZED:
        services.registration_recognize(
            actor=setup.staff,
            registration=registration,
            level=RecognitionLevel.WARD,
            title="Điển hình tiêu biểu",
            decision_symbol="12-QĐ/ĐU",
        )
    elif status == S.NOT_ACHIEVED:
        services.registration_mark_not_achieved(
            actor=setup.staff, registration=registration, note="Không đạt kết quả đăng ký."
        )
    registration.refresh_from_db()
    return registration


FIRST_QUARTER = Quarter(2021, 1)


def add_update(setup, registration, quarter=FIRST_QUARTER, *, evidence=False):
    return services.registration_update_submit(
        actor=manager_of(setup, registration.registered_by_unit),
        registration=registration,
        quarter=quarter,
        results="Đã vận động 25 hộ dân bàn giao mặt bằng.",
        percent=40,
        attachment=ContentFile(PDF, name="ket-qua.pdf") if evidence else None,
    )


@dataclass
class RegistrySetup:
    draft: Registration
    other_draft: Registration
    submitted: Registration
    returned: Registration
    approved: Registration
    exemplary: Registration
    replication: Registration
    update: RegistrationUpdate


def make_registry(setup) -> RegistrySetup:
    exemplary = make_registration(
        setup,
        title="Dân vận khéo trong xây dựng khu dân cư văn minh",
        unit=setup.other_cell,
        year=2020,
        status=S.RECOGNIZED,
        field="Văn minh đô thị",
    )
    approved = make_registration(
        setup,
        title="Vận động nhân dân giải phóng mặt bằng đường Phúc Đồng",
        status=S.APPROVED,
        field="Giải phóng mặt bằng",
    )
    return RegistrySetup(
        draft=make_registration(setup, title="Phân loại rác thải tại nguồn"),
        other_draft=make_registration(setup, title="Tổ hòa giải ở cơ sở", unit=setup.other_cell),
        submitted=make_registration(
            setup, title="Camera an ninh khu dân cư", status=S.SUBMITTED, field="An ninh trật tự"
        ),
        returned=make_registration(setup, title="Nói không với rác thải nhựa", status=S.RETURNED),
        approved=approved,
        exemplary=exemplary,
        replication=make_registration(
            setup,
            title="Phụ nữ Phúc Đồng giữ gìn khu dân cư văn minh",
            unit=setup.women,
            kind=RegistrationKind.INDIVIDUAL,
            status=S.APPROVED,
            replicates=exemplary,
            field="Văn minh đô thị",
        ),
        update=add_update(setup, approved, evidence=True),
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registry_home(home) -> RegistrySetup:
    return make_registry(home)


@pytest.fixture
def registry_away(away) -> RegistrySetup:
    return make_registry(away)


@pytest.fixture
def english(client):
    """The test client with English chosen in the language switcher: messages added by this
    app can be asserted as written, whatever the state of the Vietnamese catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    # The request activated English in this thread; later tests compare in the default.
    translation.activate(settings.LANGUAGE_CODE)
