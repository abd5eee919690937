"""Every row of a registration carries the registration's ward (a Citus distribution by
ward, wardwork/tenancy.py), whichever way it is written, and the duplicate rules, whose
unique constraints now start with the ward, still answer with their message at the field
or on the form, never with a server error."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from models_registry import services
from models_registry.models import (
    Recognition,
    RecognitionLevel,
    Registration,
    RegistrationEvent,
    RegistrationRevision,
    RegistrationUpdate,
)
from models_registry.spreadsheets import import_registrations
from tests.models_registry.conftest import FIRST_QUARTER, add_update
from tests.models_registry.test_admin import _change_form_post
from tests.models_registry.test_spreadsheets import row, upload, xlsx
from tests.models_registry.test_views import _form_data

pytestmark = pytest.mark.django_db

ROWS = (RegistrationEvent, RegistrationRevision, RegistrationUpdate, Recognition)


def wards_of_rows(registration: Registration) -> dict[str, set]:
    """The wards written on each kind of row of ``registration`` (history rows included)."""
    found = {}
    for model in ROWS:
        found[model.__name__] = set(
            model.objects.filter(registration=registration).values_list("ward_id", flat=True)
        )
        if hasattr(model, "history"):
            found[f"Historical{model.__name__}"] = set(
                model.history.filter(registration_id=registration.pk).values_list(
                    "ward_id", flat=True
                )
            )
    return found


def adjust(setup, registration, **changes):
    return services.registration_adjust(
        actor=setup.staff,
        registration=registration,
        changes={"schedule": "Quý II: hoàn thành bàn giao mặt bằng.", **changes},
        reason="Điều chỉnh tiến độ theo kế hoạch của quận.",
    )


# --- rows written by the workflow carry the ward -------------------------------------------------
def test_rows_written_by_the_workflow_carry_their_registrations_ward(
    home, away, registry_home, registry_away
):
    for setup, registry in ((home, registry_home), (away, registry_away)):
        adjust(setup, registry.approved)
        services.registration_recognize(
            actor=setup.staff,
            registration=registry.approved,
            level=RecognitionLevel.DISTRICT,
            title="Giấy khen",
        )
        add_update(setup, registry.approved, FIRST_QUARTER.next())
        found = wards_of_rows(registry.approved)
        assert found == {name: {setup.ward.pk} for name in found}, setup.ward
    # and every row of every registration of both wards, each kind of row present
    for model in ROWS:
        assert model.objects.filter(ward=home.ward).exists(), model
        assert model.objects.filter(ward=away.ward).exists(), model
        assert not model.objects.exclude(ward=F("registration__ward")).exists(), model


def test_imported_drafts_and_their_events_carry_the_ward_with_no_lookup(home):
    with CaptureQueriesContext(connection) as queries:
        result = import_registrations(
            actor=home.staff,
            ward=home.ward,
            file=upload(xlsx([row(title=f"Mô hình nhập {n}") for n in range(3)])),
        )
    assert result.ok, result.errors
    events = RegistrationEvent.objects.filter(registration__in=result.created)
    assert sorted(events.values_list("ward_id", flat=True)) == [home.ward.pk] * 3
    # the events' ward came from the registrations in hand: no read of registrations by key
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "models_registry_registration"' in q["sql"]
    ]
    assert len(reads) == 1, reads  # the names already taken, once


def test_a_row_saved_with_only_the_registrations_key_gets_its_ward(home, registry_home):
    approved = registry_home.approved
    update = RegistrationUpdate.objects.create(
        registration_id=approved.pk, year=2021, quarter=3, results="Đã vận động 30 hộ.", percent=60
    )
    update.refresh_from_db()
    assert update.ward_id == home.ward.pk
    assert update.history.get().ward_id == home.ward.pk


# --- duplicates: the message, never an IntegrityError -------------------------------------------
def test_a_duplicate_name_is_shown_at_the_title_in_vietnamese(client, home, registry_home):
    client.force_login(home.cell_secretary)
    response = client.post(
        reverse("models_registry:create"), _form_data(home, title="Phân loại rác thải tại nguồn")
    )
    assert response.status_code == 400
    with translation.override("vi"):
        message = str(services.MESSAGE_DUPLICATE)
    assert message == "Đơn vị này đã đăng ký một mô hình cùng tên trong năm."
    assert response.context["form"].errors["title"] == [message]


def test_an_adjustment_to_a_name_taken_is_refused_at_the_title(home, registry_home):
    with pytest.raises(ValidationError) as refused:
        adjust(home, registry_home.approved, title=registry_home.draft.title)
    assert refused.value.message_dict == {"title": [str(services.MESSAGE_DUPLICATE)]}
    assert not RegistrationRevision.objects.exists()


def test_a_second_update_of_a_quarter_is_refused_by_validation(home, registry_home):
    twin = RegistrationUpdate(
        registration=registry_home.approved, year=2021, quarter=1, results="Lần hai.", percent=50
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert refused.value.messages == ["This model already has an update for the quarter."]
    assert twin.ward_id == home.ward.pk


def test_a_revision_number_taken_is_refused_by_validation(home, registry_home):
    revision = adjust(home, registry_home.approved)
    twin = RegistrationRevision(
        registration_id=revision.registration_id,
        number=revision.number,
        previous={"title": "x"},
        reason="x",
    )
    with pytest.raises(ValidationError) as refused:
        twin.validate_constraints()
    assert list(refused.value.message_dict) == [NON_FIELD_ERRORS]
    twin.number += 1
    twin.validate_constraints()
    assert twin.ward_id == home.ward.pk


def _admin_add_update(client, registration, quarter: int):
    return client.post(
        reverse("admin:models_registry_registrationupdate_add"),
        {
            "registration": str(registration.pk),
            "year": "2021",
            "quarter": str(quarter),
            "results": "Đã vận động 25 hộ dân.",
            "percent": "30",
        },
    )


def test_the_admin_refuses_a_second_update_of_a_quarter_with_its_message(
    client, superuser, registry_home
):
    client.force_login(superuser)
    approved = registry_home.approved  # has its quarter I/2021 update
    response = _admin_add_update(client, approved, quarter=1)
    assert response.status_code == 200
    message = "Mô hình này đã có báo cáo kết quả trong quý."
    assert list(response.context["adminform"].form.non_field_errors()) == [message]
    assert approved.updates.count() == 1
    assert _admin_add_update(client, approved, quarter=2).status_code == 302
    assert approved.updates.get(quarter=2).ward_id == approved.ward_id


def test_the_admin_inline_refuses_a_second_update_of_a_quarter(client, superuser, registry_home):
    client.force_login(superuser)
    approved = registry_home.approved
    url = reverse("admin:models_registry_registration_change", args=[approved.pk])
    data = _change_form_post(client.get(url))
    existing = int(data["updates-TOTAL_FORMS"])
    data["updates-TOTAL_FORMS"] = str(existing + 1)
    data.update(
        {
            f"updates-{existing}-{key}": value
            for key, value in {
                "year": "2021",
                "quarter": "1",
                "results": "Lần hai.",
                "percent": "50",
            }.items()
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Mô hình này đã có báo cáo kết quả trong quý." in response.content.decode()
    assert approved.updates.count() == 1


def test_a_registrations_ward_is_not_changed_in_the_admin(client, superuser, registry_home):
    """Its rows carry it: the ward is shown, not edited, once the registration exists."""
    client.force_login(superuser)
    url = reverse("admin:models_registry_registration_change", args=[registry_home.draft.pk])
    assert "ward" not in client.get(url).context["adminform"].form.fields
    add = client.get(reverse("admin:models_registry_registration_add"))
    assert "ward" in add.context["adminform"].form.fields
