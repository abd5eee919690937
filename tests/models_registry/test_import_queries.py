"""The Excel import's cost and what it writes: its queries do not grow with the rows (only
the batches of the bulk inserts do), and each imported draft carries what a draft saved
from the form carries (its history row and its "created" event, signed by the importer)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from models_registry import services
from models_registry.models import (
    Field,
    Registration,
    RegistrationEvent,
    RegistrationKind,
    RegistrationStatus,
)
from models_registry.spreadsheets import import_registrations
from tests.models_registry.test_spreadsheets import registration, row, upload, xlsx

# Whole import of a few rows: SAVEPOINT/RELEASE of the import and of the bulk service, the
# ward's units and fields (read once), the names already taken, one existence check per
# related model (ward, units, field, user), the registrations, their history rows, their
# events (one INSERT each while the rows fit in one batch).
IMPORT_QUERIES = 15


def _file(rows: int, *, start: int = 0) -> bytes:
    return xlsx([row(title=f"Mô hình nhập số {start + n}") for n in range(rows)])


def _import(setup, rows: int, *, start: int = 0):
    with CaptureQueriesContext(connection) as captured:
        result = import_registrations(
            actor=setup.staff, ward=setup.ward, file=upload(_file(rows, start=start))
        )
    assert result.ok, result.errors
    assert len(result.created) == rows
    return len(captured), result


def test_import_queries_do_not_grow_with_the_rows(home):
    small, _ = _import(home, 10)
    large, _ = _import(home, 50, start=100)

    assert small <= IMPORT_QUERIES
    # 40 more rows: at most one more INSERT batch per table on SQLite (999 parameters per
    # query), none on PostgreSQL; it was 14 queries per row.
    assert large - small <= 3, (small, large)
    assert Registration.objects.count() == 60


def test_imported_drafts_have_their_history_and_event_signed_by_the_importer(home):
    _queries, result = _import(home, 3)

    for draft in result.created:
        draft.refresh_from_db()
        assert draft.status == RegistrationStatus.DRAFT
        assert draft.created_by == home.staff
        assert draft.title_key and "mo hinh nhap so" in draft.search_key
        assert draft.version == 1
        (created,) = draft.history.all()
        assert (created.history_type, created.history_user) == ("+", home.staff)
        assert created.title == draft.title
        (event,) = RegistrationEvent.objects.filter(registration=draft)
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            "created",
            "",
            RegistrationStatus.DRAFT,
            home.staff,
        )


def test_a_withdrawn_registrations_name_can_be_imported_again(home):
    registration(home, title="Tuyên truyền giảm rác thải nhựa", status=RegistrationStatus.WITHDRAWN)
    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(xlsx([row()])))
    assert result.ok, result.errors
    assert Registration.objects.count() == 2


def test_bulk_drafts_name_a_missing_related_row_as_full_clean_does(home):
    def draft(title, **values):
        return Registration(
            ward=home.ward,
            year=2021,
            kind=RegistrationKind.COLLECTIVE,
            organization=home.cell,
            registered_by_unit=home.cell,
            title=title,
            field=Field.objects.get(name="Kinh tế"),
            **values,
        )

    gone = draft("Mô hình có lĩnh vực đã xóa")
    gone.field_id = Field.objects.order_by("-pk").first().pk + 1

    results = services.registration_create_drafts(
        actor=home.staff, registrations=[draft("Mô hình tốt"), gone]
    )

    assert results[0] is None
    assert list(results[1].message_dict) == ["field"]
    assert not Registration.objects.exists()  # one refused: nothing written
