"""XLSX of 'Dân vận khéo' registrations: the list export, the import template, the import.

The export streams its rows (openpyxl write-only, inline strings, the queryset read by key
in chunks of ``EXPORT_CHUNK``), so memory does not grow with the number of registrations,
with or without server-side cursors. The import lives in
``spreadsheet_import`` and is re-exported here: all rows or none, see its docstring.
"""

from __future__ import annotations

from io import BytesIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from models_registry import spreadsheet_columns as cols
from models_registry.models import Field, RegistrationKind, RegistrationStatus
from models_registry.spreadsheet_import import ImportResult, RowError, import_registrations
from wardwork import xlsx

__all__ = [
    "ImportResult",
    "RowError",
    "import_registrations",
    "import_template",
    "registrations_workbook",
]

BOLD = Font(bold=True)
EXPORT_CHUNK = 1000  # registrations read per query by the export


# --- export -------------------------------------------------------------------------------------
def _cell(sheet, value, *, bold: bool = False):
    """A value to append: clean text, never a formula (``wardwork.xlsx``), bold on asking."""
    return xlsx.cell(sheet, value, font=BOLD if bold else None)


def _widths(sheet, columns) -> None:
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width


# What a row of the export shows, as read from the database (one tuple per registration).
VALUES = (
    "year",
    "kind",
    "organization__name",
    "person__full_name",
    "registered_by_unit__name",
    "title",
    "field__name",
    "content",
    "solutions",
    "schedule",
    "expected_results",
    "plan__symbol",
    "replicates__title",
    "status",
    "review_note",
)


def _values_of(r) -> tuple:
    """The ``VALUES`` of a registration already in memory (an iterable was given)."""
    return (
        r.year,
        r.kind,
        r.organization.name,
        r.person.full_name if r.person_id else None,
        r.registered_by_unit.name,
        r.title,
        r.field.name,
        r.content,
        r.solutions,
        r.schedule,
        r.expected_results,
        r.plan.symbol if r.plan_id else None,
        r.replicates.title if r.replicates_id else None,
        r.status,
        r.review_note,
    )


def _in_chunks(registrations: QuerySet, size: int | None = None):
    """The ``VALUES`` of the queryset's rows in its own order, read ``EXPORT_CHUNK`` rows
    per query.

    Not ``.iterator()``: behind PgBouncer in transaction pooling server-side cursors are off
    (``DISABLE_SERVER_SIDE_CURSORS``, docs/scaling.md) and psycopg2 then reads the whole
    result at once. Here one query reads the keys in order (an integer per row, whatever
    the ordering, filters or slice), and each chunk of keys is fetched with the names of
    its related rows by one ``pk IN (...)`` query, as plain tuples (no model instances), so
    memory holds one chunk at a time with or without server-side cursors:
    1 + rows / EXPORT_CHUNK queries.
    """
    size = size or EXPORT_CHUNK
    keys = list(registrations.values_list("pk", flat=True))
    rows = registrations.model._base_manager.order_by().values_list("pk", *VALUES)
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        by_key = {row[0]: row[1:] for row in rows.filter(pk__in=chunk)}
        # A row deleted since the keys were read is left out; the order stays the keys'.
        yield from (by_key[key] for key in chunk if key in by_key)
        by_key = None  # not held while the next chunk is read: the peak is one chunk


def registrations_workbook(registrations) -> bytes:
    """The given registrations (a queryset or any iterable) as one sheet: a title row, the
    bold column titles, one row per registration."""
    workbook = Workbook(write_only=True)  # rows stream out; memory does not grow with them
    sheet = workbook.create_sheet(_("Registrations"))
    _widths(sheet, cols.EXPORT_COLUMNS)
    sheet.freeze_panes = "A3"
    sheet.append([_cell(sheet, _("Dân vận khéo registrations"), bold=True)])
    sheet.append([_cell(sheet, column.label, bold=True) for column in cols.EXPORT_COLUMNS])
    if isinstance(registrations, QuerySet):
        rows = _in_chunks(registrations)
    else:
        rows = (_values_of(r) for r in registrations)
    # The labels once, not through get_FOO_display() per row (it hashes and translates
    # every choice on each call: half the export's time at 10,000 rows).
    kinds = {value: str(label) for value, label in RegistrationKind.choices}
    statuses = {value: str(label) for value, label in RegistrationStatus.choices}
    for number, row in enumerate(rows, start=1):
        (year, kind, organization, person, unit, title, field, content, solutions, schedule,
         expected, plan, replicates, status, review_note) = row  # fmt: skip
        values = (
            number,
            year,
            kinds.get(kind, kind),
            organization,
            person or "",
            unit,
            title,
            field,
            content,
            solutions,
            schedule,
            expected,
            plan or "",
            replicates or "",
            statuses.get(status, status),
            review_note,
        )
        sheet.append([_cell(sheet, value) for value in values])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- template -----------------------------------------------------------------------------------
def import_template() -> bytes:
    """The import template: the column titles on the first sheet (which imports nothing as
    it comes), and an instructions sheet with each column, the allowed kinds and fields, the
    year rule and an example row."""
    workbook = Workbook()
    data = workbook.active
    data.title = _("Registrations")
    data.append([column.label for column in cols.IMPORT_COLUMNS])
    for cell in data[1]:
        cell.font = BOLD
    for index, column in enumerate(cols.IMPORT_COLUMNS, start=1):
        data.column_dimensions[get_column_letter(index)].width = column.width
    data.freeze_panes = "A2"

    guide = workbook.create_sheet(_("Instructions"))
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")

    row = 0

    def line(*values, bold=False) -> int:
        nonlocal row
        row += 1
        for column, value in enumerate(values, start=1):
            cell = guide.cell(row=row, column=column, value=value)
            cell.alignment = wrap
            if bold:
                cell.font = BOLD
        return row

    line(_("How to fill in the registrations template"), bold=True)
    line(
        _(
            "Write one registration per row on the first sheet, under the column titles, and "
            "keep the titles as they are. Every row is checked before anything is saved: if a "
            "row is wrong, nothing is imported and each wrong row is listed with its reason. "
            "Imported registrations are drafts: check them, then submit them."
        )
    )
    line()
    line(_("Column"), _("Required"), _("What to write"), bold=True)
    for column in cols.IMPORT_COLUMNS:
        line(column.label, _("Yes") if column.required else "", str(column.help))
    line()
    line(_("Kind"), "", _('"tập thể" or "cá nhân" ("collective" or "individual")'), bold=True)
    line("tập thể", "", _("A collective: the organisation registers the model."))
    line("cá nhân", "", _("An individual: a person registers, with the unit they belong to."))
    line()
    line(_("Fields"), bold=True)
    fields = list(Field.objects.filter(is_active=True).values_list("name", flat=True))
    first_field_row = row + 1
    for name in fields:
        line(name)
    line()
    line(_("Example (on this sheet, so it is never imported)"), bold=True)
    line(*[column.label for column in cols.IMPORT_COLUMNS], bold=True)
    line(
        2021,
        "tập thể",
        "Chi bộ Khu dân cư số 1",
        "",
        "Chi bộ Khu dân cư số 1",
        "Vận động nhân dân tự nguyện bàn giao mặt bằng đúng tiến độ",
        next(
            (f for f in fields if cols.key(f) == "giai phong mat bang"), fields[0] if fields else ""
        ),
        "Tuyên truyền, đối thoại với từng hộ dân trong diện giải phóng mặt bằng",
        "Phân công đảng viên phụ trách từng hộ; phối hợp với Mặt trận và các đoàn thể",
        "Quý I – quý IV/2021",
        "100% hộ dân bàn giao mặt bằng đúng hạn",
        "28-KH/ĐU",
        "",
    )

    last = cols.MAX_ROWS + 1
    names = [column.name for column in cols.IMPORT_COLUMNS]
    kind_letter = get_column_letter(names.index("kind") + 1)
    kinds = DataValidation(type="list", formula1='"tập thể,cá nhân"', allow_blank=True)
    kinds.errorStyle = "warning"
    kinds.add(f"{kind_letter}2:{kind_letter}{last}")
    data.add_data_validation(kinds)
    if fields:
        field_letter = get_column_letter(names.index("field") + 1)
        source = "'{}'!$A${}:$A${}".format(
            guide.title.replace("'", "''"), first_field_row, first_field_row + len(fields) - 1
        )
        choices = DataValidation(type="list", formula1=source, allow_blank=True)
        choices.errorStyle = "warning"
        choices.add(f"{field_letter}2:{field_letter}{last}")
        data.add_data_validation(choices)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
