"""XLSX of registrations: the export, the import template and the all-or-nothing import."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from models_registry import spreadsheet_columns as cols
from models_registry.models import (
    Field,
    Registration,
    RegistrationEvent,
    RegistrationKind,
    RegistrationStatus,
)
from models_registry.services import MESSAGE_DUPLICATE
from models_registry.spreadsheets import (
    ImportResult,
    RowError,
    import_registrations,
    import_template,
    registrations_workbook,
)
from plans.models import Plan
from tests.factories import OrganizationFactory, PersonFactory

HEADERS = [column.label for column in cols.IMPORT_COLUMNS]


def field(name: str) -> Field:
    return Field.objects.get(name=name)


def registration(setup, **values) -> Registration:
    defaults = {
        "ward": setup.ward,
        "year": 2021,
        "kind": RegistrationKind.COLLECTIVE,
        "organization": setup.cell,
        "registered_by_unit": setup.cell,
        "title": "Dân vận khéo trong giải phóng mặt bằng",
        "field": field("Giải phóng mặt bằng"),
    }
    defaults.update(values)
    return Registration.objects.create(**defaults)


def xlsx(rows, *, headers=HEADERS, before=()) -> bytes:
    """A workbook whose first sheet has ``before`` rows, the headers, then ``rows`` (dicts
    by column name, or lists in header order)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in before:
        sheet.append(row)
    sheet.append(headers)
    names = [column.name for column in cols.IMPORT_COLUMNS]
    for row in rows:
        sheet.append([row.get(name) for name in names] if isinstance(row, dict) else row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "dang-ky.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def row(**values) -> dict:
    base = {
        "year": 2021,
        "kind": "tập thể",
        "organization": "Chi bộ số 1 Phường Phúc Đồng",
        "registered_by_unit": "Chi bộ số 1 Phường Phúc Đồng",
        "title": "Tuyên truyền giảm rác thải nhựa",
        "field": "Giảm rác thải nhựa",
    }
    base.update(values)
    return base


def only_error(result: ImportResult) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- export -------------------------------------------------------------------------------------
def test_export_has_a_title_bold_headers_and_one_row_per_registration(home):
    plan = Plan.objects.create(
        ward=home.ward,
        doc_type="KH",
        number=28,
        issuer=home.committee,
        symbol="28-KH/ĐU",
        issued_on="2021-01-15",
        year=2021,
        title="Triển khai chủ đề Năm Dân vận khéo",
    )
    exemplary = registration(
        home, year=2020, title="Ngõ phố văn minh", status=RegistrationStatus.RECOGNIZED
    )
    person = PersonFactory(ward=home.ward, full_name="Nguyễn Văn An", organization=home.women)
    registration(home, plan=plan, replicates=exemplary, content="=1+1", review_note="Tốt")
    registration(
        home,
        kind=RegistrationKind.INDIVIDUAL,
        organization=home.women,
        person=person,
        registered_by_unit=home.women,
        title="Vận động hội viên phân loại rác",
        status=RegistrationStatus.SUBMITTED,
    )
    qs = Registration.objects.filter(ward=home.ward).order_by("year", "kind", "title")

    with translation.override("vi"):
        content = registrations_workbook(qs)
        kind_label = str(RegistrationKind.INDIVIDUAL.label)
        status_label = str(RegistrationStatus.SUBMITTED.label)
        title = str(translation.gettext("Dân vận khéo registrations"))
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0][0] == title
    assert rows[1][0] == "STT"  # translated in the catalogue
    assert all(cell.font.b for cell in sheet[2])
    assert len(rows[1]) == 16
    assert len(rows) == 2 + 3
    by_title = {r[6]: r for r in rows[2:]}
    assert [r[0] for r in rows[2:]] == [1, 2, 3]
    replicate = by_title["Dân vận khéo trong giải phóng mặt bằng"]
    assert replicate[1] == 2021
    assert replicate[3] == home.cell.name
    assert replicate[5] == home.cell.name
    assert replicate[7] == "Giải phóng mặt bằng"
    assert replicate[8] == "=1+1"  # kept as text, never a formula
    assert sheet.cell(row=rows.index(replicate) + 1, column=9).data_type == "s"
    assert replicate[12] == "28-KH/ĐU"
    assert replicate[13] == "Ngõ phố văn minh"
    assert replicate[15] == "Tốt"
    individual = by_title["Vận động hội viên phân loại rác"]
    assert individual[2] == kind_label
    assert individual[4] == "Nguyễn Văn An"
    assert individual[14] == status_label


def test_export_query_count_does_not_grow_with_rows(home, django_assert_max_num_queries):
    for number in range(30):
        registration(home, title=f"Mô hình {number}")
    with django_assert_max_num_queries(2):
        registrations_workbook(Registration.objects.filter(ward=home.ward))


def test_export_of_nothing_is_a_sheet_with_headers(db):
    sheet = load_workbook(BytesIO(registrations_workbook(Registration.objects.none()))).active
    assert sheet.max_row == 2


def test_an_exported_list_can_be_imported_again_for_another_year(home):
    registration(home, title="Ngõ phố văn minh")
    exported = load_workbook(BytesIO(registrations_workbook(Registration.objects.all())))
    sheet = exported.active
    sheet.cell(row=3, column=2, value=2022)
    buffer = BytesIO()
    exported.save(buffer)

    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(buffer.getvalue()))

    assert result.ok, result.errors
    assert [(r.year, r.title) for r in result.created] == [(2022, "Ngõ phố văn minh")]


# --- template -----------------------------------------------------------------------------------
def test_template_has_the_headers_and_an_instructions_sheet_that_imports_nothing(home):
    with translation.override("vi"):
        workbook = load_workbook(BytesIO(import_template()))
        instructions = translation.gettext("Instructions")
    data, guide = workbook.worksheets
    assert [cell.value for cell in data[1]] == HEADERS
    assert all(cell.font.b for cell in data[1])
    assert data.max_row == 1
    assert guide.title == instructions
    texts = {cell for row in guide.iter_rows(values_only=True) for cell in row if cell}
    assert {"tập thể", "cá nhân"} <= texts
    assert set(Field.objects.filter(is_active=True).values_list("name", flat=True)) <= texts
    assert "28-KH/ĐU" in texts  # the example row, on the instructions sheet

    result = import_registrations(actor=home.staff, ward=home.ward, file=import_template())
    assert only_error(result).message == str(cols.MESSAGE_NO_ROWS)


# --- import: good files -------------------------------------------------------------------------
def test_good_file_creates_every_row_as_a_draft(home):
    plan = Plan.objects.create(
        ward=home.ward,
        doc_type="KH",
        number=28,
        issuer=home.committee,
        symbol="28-KH/ĐU",
        issued_on="2021-01-15",
        year=2021,
        title="Triển khai chủ đề Năm Dân vận khéo",
    )
    exemplary = registration(
        home, year=2020, title="Ngõ phố văn minh", status=RegistrationStatus.RECOGNIZED
    )
    person = PersonFactory(ward=home.ward, full_name="Lê Thị Mai", organization=home.women)
    content = xlsx(
        [
            row(plan="28-kh/du", replicates="ngo pho van minh", content="Tuyên truyền"),
            row(
                kind="cá nhân",
                organization="",
                person="le thi mai",
                registered_by_unit=home.women.name,
                title="Vận động hội viên phân loại rác",
                field="van hoa - xa hoi",
            ),
            [],  # an empty row in between is skipped
            row(kind="Collective", year="2021", title="Camera an ninh", field="An ninh trật tự"),
        ]
    )

    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))

    assert result.ok, result.errors
    assert len(result.created) == 3
    created = {r.title: r for r in Registration.objects.exclude(pk=exemplary.pk)}
    assert set(created) == {
        "Tuyên truyền giảm rác thải nhựa",
        "Vận động hội viên phân loại rác",
        "Camera an ninh",
    }
    assert {r.status for r in created.values()} == {RegistrationStatus.DRAFT}
    assert {r.year for r in created.values()} == {2021}
    first = created["Tuyên truyền giảm rác thải nhựa"]
    assert (first.organization, first.registered_by_unit) == (home.cell, home.cell)
    assert (first.plan, first.replicates, first.content) == (plan, exemplary, "Tuyên truyền")
    assert first.field == field("Giảm rác thải nhựa")
    assert first.created_by == home.staff
    individual = created["Vận động hội viên phân loại rác"]
    assert individual.kind == RegistrationKind.INDIVIDUAL
    assert (individual.person, individual.organization) == (person, home.women)
    assert individual.registered_by_unit == home.women
    assert individual.field == field("Văn hóa – xã hội")
    assert created["Camera an ninh"].kind == RegistrationKind.COLLECTIVE
    assert RegistrationEvent.objects.filter(action="created").count() == 3


def test_names_match_without_accents_or_capitals(home):
    unit = OrganizationFactory(ward=home.ward, name="Chi bộ Khu dân cư số 1", short_name="KDC1")
    content = xlsx(
        [
            row(organization="chi bo khu dan cu so 1", registered_by_unit="CHI BỘ KHU DÂN CƯ SỐ 1"),
            row(organization="kdc1", registered_by_unit="kdc1", title="Mô hình thứ hai"),
        ],
        headers=[h.upper() for h in HEADERS],
    )

    result = import_registrations(actor=home.secretary, ward=home.ward, file=upload(content))

    assert result.ok, result.errors
    assert {(r.organization, r.registered_by_unit) for r in result.created} == {(unit, unit)}


def test_headers_are_found_below_a_title_row_and_in_vietnamese(home):
    headers = ["Năm", "Loại", "Tập thể/đơn vị", "Họ và tên", "Đơn vị đăng ký", "Tên mô hình"]
    headers += ["Lĩnh vực"]
    content = xlsx(
        [[2021, "tập thể", home.cell.name, None, home.cell.name, "Mô hình A", "Kinh tế"]],
        headers=headers,
        before=[["DANH SÁCH ĐĂNG KÝ MÔ HÌNH DÂN VẬN KHÉO NĂM 2021"], []],
    )

    result = import_registrations(actor=home.staff, ward=home.ward, file=content)

    assert result.ok, result.errors
    assert result.created[0].field == field("Kinh tế")


def test_a_unit_manager_may_leave_the_owning_unit_empty(home):
    content = xlsx([row(registered_by_unit=None)])

    result = import_registrations(actor=home.cell_secretary, ward=home.ward, file=upload(content))

    assert result.ok, result.errors
    assert result.created[0].registered_by_unit == home.cell


def test_a_minimal_file_from_a_cell_secretary(home):
    headers = ["Năm", "Loại", "Tên mô hình", "Lĩnh vực"]
    content = xlsx([[2021, "tập thể", "Ngõ phố sạch", "Môi trường"]], headers=headers)

    result = import_registrations(actor=home.cell_secretary, ward=home.ward, file=BytesIO(content))

    assert result.ok, result.errors
    created = result.created[0]
    assert (created.organization, created.registered_by_unit) == (home.cell, home.cell)
    assert created.created_by == home.cell_secretary


def test_namesakes_are_told_apart_by_their_unit(home):
    PersonFactory(ward=home.ward, full_name="Nguyễn Văn An", organization=home.cell)
    in_women = PersonFactory(ward=home.ward, full_name="Nguyễn Văn An", organization=home.women)
    individual = {"kind": "cá nhân", "person": "Nguyễn Văn An"}
    good = xlsx([row(**individual, organization=home.women.name)])
    unclear = xlsx([row(**individual, organization="")])

    result = import_registrations(actor=home.staff, ward=home.ward, file=good)
    assert result.ok, result.errors
    assert result.created[0].person == in_women

    result = import_registrations(actor=home.staff, ward=home.ward, file=unclear)
    assert only_error(result).message == str(cols.MESSAGE_PERSON_AMBIGUOUS) % {
        "name": "Nguyễn Văn An"
    }


def test_an_inactive_unit_is_refused(home):
    home.women.is_active = False
    home.women.save()
    content = xlsx([row(organization=home.women.name)])
    result = import_registrations(actor=home.staff, ward=home.ward, file=content)
    assert only_error(result).message == str(cols.MESSAGE_UNIT_INACTIVE) % {"name": home.women.name}


def test_ward_staff_must_fill_in_the_owning_unit(home):
    content = xlsx([row(registered_by_unit="")])

    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))

    error = only_error(result)
    assert (error.row, error.message) == (2, str(cols.MESSAGE_OWNER_REQUIRED))
    assert error.column == cols.IMPORT_BY_NAME["registered_by_unit"].label
    assert not Registration.objects.exists()


# --- import: all or nothing ---------------------------------------------------------------------
def test_one_bad_row_creates_nothing_and_names_that_row(home):
    content = xlsx(
        [
            row(title="Mô hình 1"),
            row(title="Mô hình 2"),
            row(title="Mô hình 3", organization="Chi bộ không tồn tại"),
            row(title="Mô hình 4"),
        ]
    )

    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))

    assert not result.ok
    assert result.created == []
    error = only_error(result)
    assert error.row == 4  # header on row 1, the third registration on row 4
    assert error.column == cols.IMPORT_BY_NAME["organization"].label
    assert "Chi bộ không tồn tại" in error.message
    assert not Registration.objects.exists()
    assert not RegistrationEvent.objects.exists()


def test_every_bad_row_is_listed_with_its_reason(home):
    Field.objects.filter(name="Chuyển đổi số").update(is_active=False)
    bad_rows = [
        row(title=""),
        row(kind="nhóm"),
        row(kind="cá nhân", person=""),
        row(kind="cá nhân", person="Người Không Có"),
        row(field="Chuyển đổi số"),
        row(year="năm nay"),
        row(year=1999),
        row(person="Trần Văn Hùng"),  # a collective names no person
        row(plan="99-KH/ĐU"),
        row(replicates="Mô hình chưa từng được công nhận"),
        row(title="x" * 301),
    ]
    for number, values in enumerate(bad_rows[1:-1]):
        values["title"] = f"Mô hình {number}"
    content = xlsx(bad_rows)

    with translation.override("en"):
        result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))

    # The column is named as the file writes it.
    labels = dict(zip([column.name for column in cols.IMPORT_COLUMNS], HEADERS, strict=True))
    got = {(e.row, e.column) for e in result.errors}
    assert got == {
        (2, labels["title"]),
        (3, labels["kind"]),
        (4, labels["person"]),
        (5, labels["person"]),
        (6, labels["field"]),
        (7, labels["year"]),
        (8, labels["year"]),
        (9, labels["person"]),
        (10, labels["plan"]),
        (11, labels["replicates"]),
        (12, labels["title"]),
    }
    messages = {e.row: e.message for e in result.errors}
    assert messages[2] == "Give the model a name."
    assert "nhóm" in messages[3]
    with translation.override("en"):  # the import ran in English
        assert messages[4] == str(cols.MESSAGE_PERSON_REQUIRED)
    assert "Người Không Có" in messages[5]
    assert "not in the list of fields" in messages[6]
    with translation.override("en"):
        assert messages[7] == messages[8] == str(cols.MESSAGE_YEAR)
    assert "99-KH/ĐU" in messages[10]
    assert "300" in messages[12]
    assert not Registration.objects.exists()


def test_messages_are_ready_for_vietnamese(home):
    content = xlsx([row(organization="Chi bộ X")])
    with translation.override("vi"):
        result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))
        expected = str(cols.MESSAGE_UNIT_NOT_FOUND) % {"name": "Chi bộ X"}
    assert only_error(result).message == expected


def test_duplicate_of_an_existing_registration_is_refused(home):
    registration(home, title="Tuyên truyền giảm rác thải nhựa")
    content = xlsx([row(title="Mô hình mới"), row(title="TUYÊN TRUYỀN GIẢM RÁC THẢI NHỰA")])

    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))

    error = only_error(result)
    assert error.row == 3
    assert error.column == cols.IMPORT_BY_NAME["title"].label
    assert error.message == str(MESSAGE_DUPLICATE)
    assert Registration.objects.count() == 1


def test_same_title_for_another_unit_or_year_is_not_a_duplicate(home):
    registration(home, title="Tuyên truyền giảm rác thải nhựa")
    content = xlsx(
        [
            row(registered_by_unit=home.other_cell.name),
            row(year=2022),
        ]
    )
    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))
    assert result.ok, result.errors


def test_duplicate_within_the_file_is_refused(home):
    content = xlsx([row(), row(title="Mô hình khác"), row(title="tuyen truyen giam rac thai nhua")])

    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))

    error = only_error(result)
    assert error.row == 4
    assert error.message == str(cols.MESSAGE_DUPLICATE_IN_FILE) % {"row": 2}
    assert not Registration.objects.exists()


# --- import: files that are not spreadsheets ----------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = "Năm,Loại,Tên mô hình\n2021,tập thể,Mô hình A\n".encode()


def _docx() -> bytes:
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _broken_xlsx() -> bytes:
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "not xml at all")
        archive.writestr("xl/workbook.xml", "<broken")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [PDF, CSV, b"", b"\x00\x01garbage" * 50, b"PK\x03\x04 not a zip", "_docx", "_broken_xlsx"],
    ids=["pdf", "csv", "empty", "random", "fake-zip", "docx", "broken-xlsx"],
)
def test_a_file_that_is_not_an_xlsx_gives_one_clear_error(home, content):
    if isinstance(content, str):
        content = globals()[content]()

    result = import_registrations(
        actor=home.staff, ward=home.ward, file=upload(content, "dang-ky.xlsx")
    )

    assert result.errors == [RowError(0, "", str(cols.MESSAGE_NOT_XLSX))]
    assert result.created == []
    assert not Registration.objects.exists()


def test_a_file_over_the_upload_limit_is_refused_unread(home, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    result = import_registrations(
        actor=home.staff, ward=home.ward, file=upload(xlsx([row()]) + b"\0" * 1000)
    )
    assert only_error(result).row == 0
    assert "1000" in only_error(result).message.replace("\xa0", "")
    assert not Registration.objects.exists()


def test_too_many_rows_is_refused_with_the_limit(home, monkeypatch):
    monkeypatch.setattr(cols, "MAX_ROWS", 3)
    content = xlsx([row(title=f"Mô hình {n}") for n in range(4)])
    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))
    assert only_error(result).message == str(cols.MESSAGE_TOO_MANY_ROWS) % {"limit": 3}
    assert not Registration.objects.exists()


def test_a_sheet_without_the_columns_is_refused(home):
    content = xlsx([[2021, "Mô hình A"]], headers=["Năm", "Ghi chú"])
    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))
    assert only_error(result).message == str(cols.MESSAGE_NO_HEADER)


def test_a_missing_required_column_is_named(home):
    headers = [h for h in HEADERS if h != cols.IMPORT_BY_NAME["field"].label]
    content = xlsx([[2021]], headers=headers)
    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))
    error = only_error(result)
    assert (error.row, error.column) == (1, cols.IMPORT_BY_NAME["field"].label)
    assert error.message == str(cols.MESSAGE_MISSING_COLUMN)


# --- import: permissions ------------------------------------------------------------------------
def test_a_cell_secretary_cannot_import_for_another_unit(home):
    content = xlsx([row(), row(title="Mô hình khác", registered_by_unit=home.other_cell.name)])

    with pytest.raises(PermissionDenied) as raised:
        import_registrations(actor=home.cell_secretary, ward=home.ward, file=upload(content))

    assert home.other_cell.name in str(raised.value)
    assert not Registration.objects.exists()


def test_ward_staff_can_import_for_any_unit_of_the_ward(home):
    content = xlsx(
        [
            row(registered_by_unit=home.cell.name),
            row(registered_by_unit=home.other_cell.name),
            row(organization=home.women.name, registered_by_unit=home.women.name),
        ]
    )
    result = import_registrations(actor=home.secretary, ward=home.ward, file=upload(content))
    assert result.ok, result.errors
    assert {r.registered_by_unit for r in result.created} == {
        home.cell,
        home.other_cell,
        home.women,
    }


@pytest.mark.parametrize("who", ["plain", "dvk"])
def test_users_who_register_nothing_cannot_import(home, who):
    with pytest.raises(PermissionDenied):
        import_registrations(actor=getattr(home, who), ward=home.ward, file=xlsx([row()]))


def test_nobody_imports_into_another_ward(home, away):
    with pytest.raises(PermissionDenied):
        import_registrations(actor=away.staff, ward=home.ward, file=xlsx([row()]))
    with pytest.raises(PermissionDenied):
        import_registrations(actor=away.cell_secretary, ward=home.ward, file=xlsx([row()]))


def test_units_of_another_ward_are_not_found(home, away):
    content = xlsx([row(organization=away.cell.name, registered_by_unit=home.cell.name)])
    result = import_registrations(actor=home.staff, ward=home.ward, file=upload(content))
    assert only_error(result).column == cols.IMPORT_BY_NAME["organization"].label


def test_every_header_spelling_points_at_one_column():
    keys = cols.header_keys()
    for column in cols.IMPORT_COLUMNS:
        assert keys[cols.key(column.label)] == column.name
        for alias in column.aliases:
            assert keys[cols.key(alias)] == column.name, alias


# --- export read by key in chunks (no server-side cursor needed) --------------------------------


def exported_rows(queryset) -> list[tuple]:  # (imports local: this file mixes owners)
    sheet = load_workbook(BytesIO(registrations_workbook(queryset))).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


# The related rows a registration's export row names.
RELATED = ("organization", "person", "registered_by_unit", "field", "plan", "replicates")


def blank_as_none(row) -> tuple:
    """An empty cell reads back as None, whatever was written."""
    return tuple(None if value == "" else value for value in row)


def expected_rows(queryset) -> list[tuple]:
    """The data rows the export must write for ``queryset``, in its order, built here from
    the model instances with their related rows (not the way the export reads them)."""
    return [
        blank_as_none(
            (
                number,
                r.year,
                r.get_kind_display(),
                r.organization.name,
                r.person.full_name if r.person else "",
                r.registered_by_unit.name,
                r.title,
                r.field.name,
                r.content,
                r.solutions,
                r.schedule,
                r.expected_results,
                r.plan.symbol if r.plan else "",
                r.replicates.title if r.replicates else "",
                r.get_status_display(),
                r.review_note,
            )
        )
        for number, r in enumerate(queryset.select_related(*RELATED), start=1)
    ]


def exported_data(queryset) -> list[tuple]:
    return [blank_as_none(row) for row in exported_rows(queryset)[2:]]


def registrations_naming_every_related_row(home) -> None:
    """Ten registrations of two units and three years; some name a person (individuals), a
    plan, or the exemplary model they replicate, so every column of the export is used."""
    plan = Plan.objects.create(
        ward=home.ward,
        doc_type="KH",
        number=28,
        issuer=home.committee,
        symbol="28-KH/ĐU",
        issued_on="2021-01-15",
        year=2021,
        title="Triển khai chủ đề Năm Dân vận khéo",
    )
    exemplary = registration(
        home, year=2019, title="Ngõ phố văn minh", status=RegistrationStatus.RECOGNIZED
    )
    person = PersonFactory(ward=home.ward, full_name="Nguyễn Văn An", organization=home.women)
    units = [home.cell, home.women]
    for number in range(9):
        unit = units[number % 2]
        individual = number % 3 == 1
        registration(
            home,
            title=f"Mô hình {number:02}",
            kind=RegistrationKind.INDIVIDUAL if individual else RegistrationKind.COLLECTIVE,
            person=person if individual else None,
            organization=home.women if individual else unit,
            registered_by_unit=unit,
            year=2020 + number % 3,
            plan=plan if number % 4 == 0 else None,
            replicates=exemplary if number % 4 == 2 else None,
            content=f"Nội dung {number}",
            status=RegistrationStatus.SUBMITTED if number % 2 else RegistrationStatus.DRAFT,
        )


def test_the_export_reads_one_query_per_chunk_not_per_row(home, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from models_registry import spreadsheets

    monkeypatch.setattr(spreadsheets, "EXPORT_CHUNK", 4)
    registrations_naming_every_related_row(home)
    # The registry's own order (not the keys'), as the export view passes it.
    ordered = Registration.objects.filter(ward=home.ward).order_by(
        "-year", "registered_by_unit__name", "-title", "pk"
    )
    with CaptureQueriesContext(connection) as queries:
        rows = exported_data(ordered)
    # the keys in order, then ceil(10 / 4) = 3 chunks with their related rows in one join
    assert len(queries.captured_queries) == 1 + 3
    assert rows == expected_rows(ordered)
    assert [r[6] for r in rows] == [r.title for r in ordered]
    assert [r[0] for r in rows] == list(range(1, 11))
    # every related column was read: people, plans and replicated models included
    assert {r[4] for r in rows} == {None, "Nguyễn Văn An"}
    assert {r[12] for r in rows} == {None, "28-KH/ĐU"}
    assert {r[13] for r in rows} == {None, "Ngõ phố văn minh"}


def test_a_sliced_export_keeps_its_slice_and_order(home, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from models_registry import spreadsheets

    monkeypatch.setattr(spreadsheets, "EXPORT_CHUNK", 3)
    for number in range(8):
        registration(home, title=f"Mô hình {number}")
    sliced = Registration.objects.order_by("-pk")[2:7]  # what the benchmarks export
    with CaptureQueriesContext(connection) as queries:
        rows = exported_data(sliced)
    assert len(queries.captured_queries) == 1 + 2
    assert [r[6] for r in rows] == [r.title for r in sliced]
    assert rows == expected_rows(sliced)


def test_the_export_does_not_use_a_server_side_cursor(home, monkeypatch):
    """Behind PgBouncer (transaction pooling) server-side cursors are disabled, and
    ``.iterator()`` would read every row at once: the export never calls it."""
    from django.db.models import QuerySet

    def refuse(self, *args, **kwargs):
        raise AssertionError("QuerySet.iterator() in the export")

    monkeypatch.setattr(QuerySet, "iterator", refuse)
    registration(home, title="Ngõ phố văn minh")
    rows = exported_rows(Registration.objects.filter(ward=home.ward))
    assert [r[6] for r in rows[2:]] == ["Ngõ phố văn minh"]
