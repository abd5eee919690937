"""The quarterly report's Excel annex: the detailed tables behind the report's figures.

Five sheets, each with a title row (ward and quarter), bold column titles frozen under it,
column widths, and numbers and dates stored as numbers and dates:
    "Nhiệm vụ theo đơn vị"  the table of tasks by unit, with a total row;
    "Nhiệm vụ"              one row per task of the quarter;
    "Mô hình"               the year's registrations, one per row, with the counts (by kind,
                            new, replications, recognised, updates, by field, by status)
                            beside them;
    "Kết luận quý trước"    the follow-up of the previous review meeting's conclusions;
    "Bốn quý"               the last four quarters side by side.
Every figure comes from the figures dict (frozen at finalisation); only the list of
registrations is read from the database (one query). The wording is Vietnamese,
as in the report.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from meetings.review_figures import quarter_start_datetime
from models_registry.models import (
    COUNTED_STATUSES,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from plans.models import TaskStatus
from wardwork import xlsx

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "DD/MM/YYYY"

CATEGORY_WORDS = {
    "done": "Hoàn thành",
    "in_progress": "Đang thực hiện",
    "late": "Chậm tiến độ",
    "not_reported": "Chưa báo cáo",
}
KIND_WORDS = {RegistrationKind.COLLECTIVE: "Tập thể", RegistrationKind.INDIVIDUAL: "Cá nhân"}


def _labels(choices) -> dict[str, str]:
    """Choice labels in Vietnamese whatever the reader's language: the annex is a document."""
    with translation.override("vi"):
        return {value: str(label) for value, label in choices}


class _Sheet:
    """A write-only sheet: title row, bold column titles frozen under it, then rows."""

    def __init__(self, workbook: Workbook, name: str, title: str, columns):
        self.sheet = workbook.create_sheet(name)
        for index, (_label, width) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A3"
        self.sheet.append([self.cell(title, font=TITLE)])
        self.sheet.append([self.cell(label, font=BOLD) for label, _width in columns])

    def cell(self, value, *, font=None, wrap: bool = False):
        """A value as a cell: text cleaned of what XLSX cannot hold and never read as a
        formula; a date with the dd/mm/yyyy format."""
        if isinstance(value, str):
            value = xlsx.clean_text(value)
        cell = xlsx.guard(WriteOnlyCell(self.sheet, value=value))
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        if font is not None:
            cell.font = font
        if wrap:
            cell.alignment = WRAP
        return cell

    def row(self, *values, bold: bool = False, wrap: tuple[int, ...] = ()):
        self.sheet.append(
            [
                self.cell(v, font=BOLD if bold else None, wrap=i in wrap)
                for i, v in enumerate(values)
            ]
        )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _units(workbook, heading: str, tasks: dict) -> None:
    sheet = _Sheet(
        workbook,
        "Nhiệm vụ theo đơn vị",
        f"{heading} – Kết quả thực hiện nhiệm vụ theo đơn vị",
        [
            ("TT", 6),
            ("Đơn vị", 34),
            ("Được giao", 11),
            ("Hoàn thành", 12),
            ("Đang thực hiện", 15),
            ("Chậm tiến độ", 13),
            ("Chưa báo cáo", 13),
            ("Tỷ lệ hoàn thành (%)", 14),
        ],
    )
    columns = ("assigned", "done", "in_progress", "late", "not_reported")
    for number, unit in enumerate(tasks["units"], start=1):
        sheet.row(number, unit["name"], *(unit[c] for c in columns), unit["percent_done"])
    totals = [sum(unit[c] for unit in tasks["units"]) for c in columns]
    percent = round(100 * totals[1] / totals[0]) if totals[0] else 0
    sheet.row("", "Tổng cộng", *totals, percent, bold=True)


def _tasks(workbook, heading: str, tasks: dict) -> None:
    sheet = _Sheet(
        workbook,
        "Nhiệm vụ",
        f"{heading} – Nhiệm vụ trong quý",
        [
            ("TT", 6),
            ("Văn bản", 14),
            ("Số thứ tự", 9),
            ("Nhiệm vụ", 60),
            ("Đơn vị chủ trì", 24),
            ("Thời hạn", 12),
            ("Tình trạng", 16),
            ("Tiến độ (%)", 11),
            ("Đơn vị thực hiện", 50),
        ],
    )
    for number, row in enumerate(tasks["rows"], start=1):
        sheet.row(
            number,
            row["plan_symbol"] or "Kết luận hội nghị",
            row["ordinal"],
            row["title"],
            row["lead"],
            _date(row["deadline"]),
            CATEGORY_WORDS.get(row["category"], row["category"]),
            row["percent"],
            ", ".join(row["units"]),
            wrap=(3, 8),
        )


def _registration_rows(review, year: int) -> list[tuple[Registration, bool]]:
    """The year's registrations (every status but withdrawn), each with whether it counts
    in the figures (a counted status, sent in by the end of the quarter). One query."""
    sent_by_end = quarter_start_datetime(review.period.next())
    rows = (
        Registration.objects.filter(ward_id=review.ward_id, year=year)
        .exclude(status=RegistrationStatus.WITHDRAWN)
        .select_related("person", "registered_by_unit", "field", "replicates")
        .order_by("kind", "registered_by_unit__name", "title", "pk")
    )
    return [
        (
            r,
            r.status in COUNTED_STATUSES
            and (r.submitted_at is None or r.submitted_at < sent_by_end),
        )
        for r in rows
    ]


def _registrations(workbook, heading: str, review, figures: dict) -> None:
    r = figures["registrations"]
    sheet = _Sheet(
        workbook,
        "Mô hình",
        f"{heading} – Mô hình “Dân vận khéo” năm {r['year']}",
        [
            ("TT", 6),
            ("Loại", 10),
            ("Đơn vị", 28),
            ("Cá nhân", 22),
            ("Tên mô hình", 50),
            ("Lĩnh vực", 24),
            ("Trạng thái", 18),
            ("Nhân rộng từ", 30),
            ("Tính vào kết quả quý", 12),
            ("", 3),
            ("Chỉ tiêu", 34),
            ("Số lượng", 10),
        ],
    )
    statuses = _labels(RegistrationStatus.choices)
    side = [
        ("Tập thể", r["collective"]),
        ("Cá nhân", r["individual"]),
        ("Tổng số", r["total"]),
        ("Đăng ký mới trong quý", r["new"]),
        ("Nhân rộng điển hình", r["replications"]),
        ("Được công nhận trong quý", r["recognised"]),
        ("Mô hình phải cập nhật kết quả", r["updates_expected"]),
        ("Mô hình đã cập nhật kết quả trong quý", r["updates_received"]),
        None,
        ("Lĩnh vực", "Số mô hình", True),
        *((row["name"], row["count"]) for row in r["by_field"]),
        None,
        ("Trạng thái (cả năm)", "Số mô hình", True),
        *((statuses.get(row["status"], row["status"]), row["count"]) for row in r["by_status"]),
    ]
    rows = _registration_rows(review, r["year"])
    for index in range(max(len(rows), len(side))):
        values: list = [""] * 9
        if index < len(rows):
            reg, counted = rows[index]
            values = [
                index + 1,
                KIND_WORDS.get(reg.kind, reg.kind),
                reg.registered_by_unit.name,
                reg.person.full_name if reg.person_id else "",
                reg.title,
                reg.field.name,
                statuses.get(reg.status, reg.status),
                reg.replicates.title if reg.replicates_id else "",
                "x" if counted else "",
            ]
        cells = [sheet.cell(v, wrap=i == 4) for i, v in enumerate(values)]
        extra = side[index] if index < len(side) else None
        if extra:
            bold = BOLD if len(extra) > 2 else None
            cells += [
                sheet.cell(""),
                sheet.cell(extra[0], font=bold),
                sheet.cell(extra[1], font=bold),
            ]
        sheet.sheet.append(cells)


def _follow_up(workbook, heading: str, review, figures: dict) -> None:
    sheet = _Sheet(
        workbook,
        "Kết luận quý trước",
        f"{heading} – Thực hiện kết luận hội nghị sơ kết quý "
        f"{review.period.previous().short_label}",
        [
            ("TT", 6),
            ("Kết luận", 60),
            ("Đơn vị chủ trì", 30),
            ("Tình trạng nhiệm vụ", 18),
            ("Báo cáo trong quý", 12),
            ("Tiến độ (%)", 11),
            ("Thời hạn", 12),
        ],
    )
    statuses = _labels(TaskStatus.choices)
    if not figures["follow_up"]:
        sheet.row("", "Quý trước không có hội nghị sơ kết, hoặc hội nghị không có kết luận.")
    for row in figures["follow_up"]:
        sheet.row(
            row["ordinal"],
            row["text"],
            ", ".join(row["leads"]),
            statuses.get(row["task_status"], "") if row["task_status"] else "",
            "Đã báo cáo" if row["reported"] else "Chưa báo cáo",
            row["percent"],
            _date(row["deadline"]),
            wrap=(1, 2),
        )


def _history(workbook, heading: str, figures: dict) -> None:
    sheet = _Sheet(
        workbook,
        "Bốn quý",
        f"{heading} – Bốn quý gần nhất",
        [
            ("Quý", 10),
            ("Nhiệm vụ", 11),
            ("Hoàn thành", 12),
            ("Báo cáo của đơn vị chủ trì", 16),
            ("Mô hình đăng ký trong năm", 16),
            ("Ý kiến đóng góp", 12),
            ("Kết luận", 10),
        ],
    )
    for row in figures["history"]:
        sheet.row(
            row["label"],
            row["tasks"],
            row["tasks_done"],
            row["tasks_reported"],
            row["registrations"],
            row["contributions"],
            row["conclusions"],
        )


def annex_xlsx(*, review, figures: dict) -> bytes:
    """The annex as XLSX bytes (write-only workbook: rows stream out)."""
    heading = f"{review.ward.name} – Quý {review.period.short_label}"
    workbook = Workbook(write_only=True)
    _units(workbook, heading, figures["tasks"])
    _tasks(workbook, heading, figures["tasks"])
    _registrations(workbook, heading, review, figures)
    _follow_up(workbook, heading, review, figures)
    _history(workbook, heading, figures)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
