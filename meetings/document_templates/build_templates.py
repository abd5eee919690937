"""Build the built-in Word layouts of the Party documents (Hướng dẫn 36-HD/VPTW).

    .venv/bin/python meetings/document_templates/build_templates.py [kind ...]

writes ``<kind>.docx`` next to this file for each kind in ``BUILDERS`` (all by default).
The files are committed: the application only reads them, and an office that wants other
wording or another letterhead uploads its own template instead (``DocumentTemplate``);
opening one of these in Word is the easiest way to start one. The placeholders are listed
in ``meetings/documents.py``.

Layout: A4; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt
(recipients 12 pt); a borderless two-column header (the issuing committee and its number on
the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date on the right); page numbers from
the second page, top centre.

Adding a kind (the quarterly report): write ``build_quarterly_report(doc)`` with the helpers
below (``party_header``, ``title_block``, ``body``, ``loop``, ``signature_block``), add it to
``BUILDERS`` and run the script. docxtpl reads a tag only when it is in one run: each tag is
written with one ``add_run`` call, and a ``{%p … %}`` tag alone in its paragraph.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
LEFT_COLUMN_MM = 80
RIGHT_COLUMN_MM = TEXT_WIDTH_MM - LEFT_COLUMN_MM
CENTER, JUSTIFY, LEFT, RIGHT = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
)


# --- the document and its styles ----------------------------------------------------------------


def new_document():
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(language)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # Off: LibreOffice then honours "keep with next" on headings (with widow control on it
    # leaves a heading alone at the foot of a page when the paragraph after it moves).
    normal.paragraph_format.widow_control = False
    _page_numbers(section)
    doc.core_properties.author = ""
    doc.core_properties.last_modified_by = ""
    doc.core_properties.comments = "Wardwork: built-in layout (build_templates.py)"
    return doc


def _page_numbers(section) -> None:
    """Page number at the top centre, from the second page (36-HD)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        run = paragraph.add_run()  # one run per field part, as Word writes them
        run.font.size = Pt(14)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def paragraph(
    container,
    *runs: str | tuple[str, dict],
    align=JUSTIFY,
    indent_mm: float = 0,
    before: float = 0,
    after: float = 6,
    size: float | None = None,
    line: float = 1.1,
    keep_with_next: bool = False,
):
    """A paragraph of runs; a run is text, or (text, {"bold":…, "italic":…, "underline":…,
    "size":…}). Each run is written in one piece, so a tag in it stays whole."""
    par = container.add_paragraph()
    fmt = par.paragraph_format
    par.alignment = align
    fmt.first_line_indent = Mm(indent_mm) if indent_mm else None
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = line
    fmt.keep_with_next = keep_with_next or None
    for item in runs:
        text, options = (item, {}) if isinstance(item, str) else item
        run = par.add_run(text)
        run.bold = options.get("bold")
        run.italic = options.get("italic")
        run.underline = options.get("underline")
        if options.get("size") or size:
            run.font.size = Pt(options.get("size") or size)
    return par


def body(container, *runs, **options):
    """Running text: justified, first line indented 10 mm."""
    return paragraph(container, *runs, **{"indent_mm": 10, **options})


def heading(container, text: str, **options):
    return paragraph(
        container, (text, {"bold": True}), **{"before": 6, "keep_with_next": True, **options}
    )


def tag(container, text: str):
    """A paragraph holding only a ``{%p … %}`` tag: docxtpl drops the paragraph itself."""
    return paragraph(container, text, after=0)


def loop(container, header: str, footer: str, fill: Callable[[object], None]) -> None:
    tag(container, header)
    fill(container)
    tag(container, footer)


# --- tables without borders ---------------------------------------------------------------------


def layout_table(doc, widths_mm: tuple[float, ...], rows: int = 1):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # adds <w:tblLayout w:type="fixed"/>
    # Word insists on the schema's order: tblW, jc, tblBorders, tblLayout, tblCellMar, tblLook.
    properties = table._tbl.tblPr
    layout = properties.find(qn("w:tblLayout"))
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    layout.addprevious(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "57")  # 1 mm
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    layout.addnext(margins)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def keep_row_on_one_page(row) -> None:
    """A signature block is never split across two pages."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    properties.append(element)


def cell(table, row: int, column: int):
    """An empty cell to write into (its first, empty paragraph is removed at the end)."""
    return table.cell(row, column)


def drop_first_empty_paragraph(container) -> None:
    first = container.paragraphs[0]
    if not first.text and len(container.paragraphs) > 1:
        first._element.getparent().remove(first._element)


# --- the parts every Party document shares ------------------------------------------------------


def party_header(doc) -> None:
    """36-HD header: issuer block left (committee above, issuer in bold, "*", number),
    "ĐẢNG CỘNG SẢN VIỆT NAM" right, bold and underlined, the place and date under it in
    italics, level with the number."""
    loop(
        doc,
        "{%p if is_draft %}",
        "{%p endif %}",
        lambda c: paragraph(c, ("DỰ THẢO", {"bold": True, "size": 12}), align=RIGHT),
    )
    table = layout_table(doc, (LEFT_COLUMN_MM, RIGHT_COLUMN_MM), rows=2)
    left, right = cell(table, 0, 0), cell(table, 0, 1)
    paragraph(left, "{{ parent_committee }}", align=CENTER, after=0)
    paragraph(left, ("{{ committee }}", {"bold": True}), align=CENTER, after=0)
    paragraph(left, "*", align=CENTER, after=0)
    paragraph(
        right, ("ĐẢNG CỘNG SẢN VIỆT NAM", {"bold": True, "underline": True, "size": 15}),
        align=CENTER, after=0,
    )  # fmt: skip
    left, right = cell(table, 1, 0), cell(table, 1, 1)
    paragraph(left, "{{ number_line }}", align=CENTER, after=0)
    paragraph(right, ("{{ place_date }}", {"italic": True}), align=CENTER, after=0)
    for row in table.rows:
        for item in row.cells:
            drop_first_empty_paragraph(item)


def title_block(doc, name_placeholder: str = "{{ document_name }}") -> None:
    """The kind of document in capitals, the summary under it in bold, a short rule."""
    paragraph(doc, (name_placeholder, {"bold": True, "size": 16}), align=CENTER, before=18, after=0)
    paragraph(doc, ("{{ subject }}", {"bold": True}), align=CENTER, after=0)
    paragraph(doc, "-----", align=CENTER, after=12)


def conclusion_items(doc) -> None:
    """The numbered conclusions, each with the bodies that carry it out, in italics."""

    def fill(container):
        body(container, ("{{ c.number }}.", {"bold": True}), " {{ c.text }}")
        loop(
            container,
            "{%p if c.assignment %}",
            "{%p endif %}",
            lambda inner: body(inner, ("{{ c.assignment }}", {"italic": True})),
        )

    loop(doc, "{%p for c in conclusions %}", "{%p endfor %}", fill)


def signature_block(
    doc, *, recipients: bool, left: tuple[str, ...] = (), right: tuple[str, ...] = ()
) -> None:
    """Bottom of the document: "Nơi nhận" (or a second signature) left, signature right.
    ``left`` / ``right`` are the capitalised lines above the space for signing, the last
    item of each is the name."""
    table = layout_table(doc, (LEFT_COLUMN_MM, RIGHT_COLUMN_MM))
    keep_row_on_one_page(table.rows[0])
    left_cell, right_cell = cell(table, 0, 0), cell(table, 0, 1)
    if recipients:
        paragraph(left_cell, ("Nơi nhận:", {"underline": True}), align=LEFT, before=6, after=0)
        loop(
            left_cell,
            "{%p for r in recipients %}",
            "{%p endfor %}",
            lambda c: paragraph(c, "{{ r }}", align=LEFT, after=0, size=12, line=1.0),
        )
    else:
        _signature_lines(left_cell, left)
    _signature_lines(right_cell, right)
    for item in table.rows[0].cells:
        drop_first_empty_paragraph(item)


def _signature_lines(container, lines: tuple[str, ...]) -> None:
    *titles, name = lines
    for index, line in enumerate(titles):
        if line.startswith("{%p"):
            tag(container, line)
        else:
            before = 6 if index == 0 else 0
            paragraph(container, (line, {"bold": True}), align=CENTER, before=before, after=0)
    for _ in range(4):
        paragraph(container, "", align=CENTER, after=0)
    paragraph(container, (name, {"bold": True}), align=CENTER, after=0)


# --- the conclusion notice ----------------------------------------------------------------------


def build_conclusion_notice(doc) -> None:
    party_header(doc)
    title_block(doc)
    body(doc, "{{ opening }}")
    body(doc, "{{ conclusions_intro }}")
    conclusion_items(doc)
    body(doc, "{{ closing }}", after=12, keep_with_next=True)
    signature_block(
        doc,
        recipients=True,
        right=(
            "{{ signer.authority }}",
            "{%p if signer.deputy_line %}",
            "{{ signer.deputy_line }}",
            "{%p endif %}",
            "{{ signer.title }}",
            "{{ signer.name }}",
        ),
    )


# --- the minutes --------------------------------------------------------------------------------


def build_minutes(doc) -> None:
    party_header(doc)
    title_block(doc)
    heading(doc, "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    body(doc, ("Thời gian: ", {"bold": True}), "{{ time_line }}", after=3)
    loop(
        doc,
        "{%p if venue_line %}",
        "{%p endif %}",
        lambda c: body(c, ("Địa điểm: ", {"bold": True}), "{{ venue_line }}", after=3),
    )
    loop(
        doc,
        "{%p if chairs_line %}",
        "{%p endif %}",
        lambda c: body(c, ("Chủ trì: ", {"bold": True}), "{{ chairs_line }}", after=3),
    )
    body(doc, ("Thành phần: ", {"bold": True}), "{{ attendance.summary }}", after=3)

    def present(container):
        body(container, ("Đại biểu có mặt:", {"italic": True}), after=0)
        loop(
            container,
            "{%p for p in present %}",
            "{%p endfor %}",
            lambda c: body(c, "{{ p }}", after=0),
        )

    loop(doc, "{%p if present %}", "{%p endif %}", present)

    heading(doc, "II. NỘI DUNG HỘI NGHỊ", before=12)
    heading(doc, "1. Báo cáo", indent_mm=10)
    loop(doc, "{%p if report_intro %}", "{%p endif %}", lambda c: body(c, "{{ report_intro }}"))
    loop(doc, "{%p if report_summary %}", "{%p endif %}", lambda c: body(c, "{{ report_summary }}"))
    heading(doc, "2. Ý kiến đóng góp", indent_mm=10)
    body(doc, "{{ contributions_intro }}")
    loop(
        doc,
        "{%p for k in contributions %}",
        "{%p endfor %}",
        lambda c: body(
            c, ("{{ k.number }}. {{ k.who }}:", {"italic": True, "bold": True}), " {{ k.content }}"
        ),
    )
    heading(doc, "3. Kết luận của chủ trì hội nghị", indent_mm=10)
    body(doc, "{{ conclusions_intro }}")
    conclusion_items(doc)

    def direction(container):
        heading(container, "4. {{ direction_heading }}", indent_mm=10)
        body(container, "{{ direction }}")

    loop(doc, "{%p if direction %}", "{%p endif %}", direction)
    body(doc, "{{ closing }}", before=6, after=12, keep_with_next=True)
    signature_block(
        doc,
        recipients=False,
        left=("{{ clerk.title }}", "{{ clerk.name }}"),
        right=("{{ chair.title }}", "{{ chair.name }}"),
    )


# --- the quarterly report -----------------------------------------------------------------------


def grid_table(doc, widths_mm: tuple[float, ...], rows: int):
    """A table with thin black borders (the tables of figures in a report)."""
    table = layout_table(doc, widths_mm, rows=rows)
    for edge in table._tbl.tblPr.find(qn("w:tblBorders")):
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")  # 1/2 pt
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
    return table


def _fill_row(table, row: int, texts: tuple[str, ...], *, bold: bool = False) -> None:
    for column, text in enumerate(texts):
        container = cell(table, row, column)
        align = LEFT if column == 1 else CENTER
        paragraph(container, (text, {"bold": bold}), align=align, after=0, size=12, line=1.0)
        drop_first_empty_paragraph(container)


def units_table(doc) -> None:
    """Tasks by unit: one row per unit (``{%tr for u in units %}``) and a total row; the
    title row is repeated on every page and no row is split across two pages."""
    widths = (10, 55, 20, 20, 20, 20, 20)
    table = grid_table(doc, widths, rows=5)
    _fill_row(
        table,
        0,
        ("TT", "Đơn vị", "Được giao", "Hoàn thành", "Đang thực hiện", "Chậm tiến độ",
         "Chưa báo cáo"),
        bold=True,
    )  # fmt: skip
    _fill_row(table, 1, ("{%tr for u in units %}", *[""] * (len(widths) - 1)))
    _fill_row(
        table,
        2,
        ("{{ u.number }}", "{{ u.name }}", "{{ u.assigned }}", "{{ u.done }}",
         "{{ u.in_progress }}", "{{ u.late }}", "{{ u.not_reported }}"),
    )  # fmt: skip
    _fill_row(table, 3, ("{%tr endfor %}", *[""] * (len(widths) - 1)))
    _fill_row(
        table,
        4,
        ("", "Tổng cộng", "{{ units_total.assigned }}", "{{ units_total.done }}",
         "{{ units_total.in_progress }}", "{{ units_total.late }}",
         "{{ units_total.not_reported }}"),
        bold=True,
    )  # fmt: skip
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
    for row in table.rows:
        keep_row_on_one_page(row)


def build_quarterly_report(doc) -> None:
    party_header(doc)
    title_block(doc)
    heading(doc, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ {{ quarter.title }}")
    heading(doc, "1. Công tác lãnh đạo, chỉ đạo", indent_mm=10)
    body(doc, "{{ leadership_text }}")
    heading(doc, "2. Kết quả thực hiện nhiệm vụ", indent_mm=10)
    body(doc, "{{ results_text }}")

    def table(container):
        paragraph(
            container,
            ("Kết quả thực hiện nhiệm vụ theo đơn vị", {"bold": True}),
            align=CENTER,
            before=6,
            after=3,
            keep_with_next=True,
        )
        units_table(container)
        paragraph(
            container,
            (
                "Mỗi đơn vị chủ trì hoặc phối hợp thực hiện một nhiệm vụ được tính một nhiệm vụ "
                "được giao; chi tiết tại phụ lục kèm theo.",
                {"italic": True},
            ),
            before=3,
            size=12,
        )

    loop(doc, "{%p if units %}", "{%p endif %}", table)
    heading(doc, "3. Kết quả đăng ký mô hình “Dân vận khéo”", indent_mm=10)
    body(doc, "{{ registrations.sentence }}")
    loop(
        doc,
        "{%p for d in registrations.details %}",
        "{%p endfor %}",
        lambda c: body(c, "{{ d }}", after=0),
    )

    def by_field(container):
        body(container, "{{ registrations.by_field_intro }}", before=3, after=0)
        loop(
            container,
            "{%p for f in registrations.by_field %}",
            "{%p endfor %}",
            lambda c: body(c, "{{ f.line }}", after=0),
        )

    loop(doc, "{%p if registrations.by_field %}", "{%p endif %}", by_field)

    heading(doc, "II. HỘI NGHỊ SƠ KẾT {{ quarter.title }}", before=12)
    body(doc, "{{ meeting_opening }}")

    def contributions(container):
        body(container, "{{ contributions_intro }}")
        loop(
            container,
            "{%p for k in contributions %}",
            "{%p endfor %}",
            lambda c: body(
                c, ("{{ k.number }}. {{ k.who }}:", {"italic": True}), " {{ k.content }}"
            ),
        )

    loop(doc, "{%p if contributions %}", "{%p endif %}", contributions)

    def conclusions(container):
        body(container, "{{ conclusions_intro }}")
        conclusion_items(container)

    loop(doc, "{%p if conclusions %}", "{%p endif %}", conclusions)

    heading(doc, "III. ĐÁNH GIÁ CHUNG", before=12)
    body(doc, "{{ assessment_text }}")
    heading(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ {{ quarter.next_title }}", before=12)
    body(doc, "{{ direction_text }}")
    body(doc, "{{ closing }}", before=6, after=12, keep_with_next=True)
    signature_block(
        doc,
        recipients=True,
        right=(
            "{{ signer.authority }}",
            "{%p if signer.deputy_line %}",
            "{{ signer.deputy_line }}",
            "{%p endif %}",
            "{{ signer.title }}",
            "{{ signer.name }}",
        ),
    )


BUILDERS: dict[str, Callable] = {
    "conclusion_notice": build_conclusion_notice,
    "minutes": build_minutes,
    "quarterly_report": build_quarterly_report,
}


def build(kind: str, directory: Path = HERE) -> Path:
    doc = new_document()
    drop = doc.paragraphs[0] if doc.paragraphs else None  # python-docx starts with none
    BUILDERS[kind](doc)
    if drop is not None and not drop.text:
        drop._element.getparent().remove(drop._element)
    paragraph(doc, "", after=0)  # Word wants a paragraph, not a table, before the end
    path = directory / f"{kind}.docx"
    doc.save(path)
    return path


def main(argv: list[str]) -> int:
    kinds = argv or list(BUILDERS)
    unknown = [k for k in kinds if k not in BUILDERS]
    if unknown:
        sys.stderr.write(f"Unknown kind(s): {', '.join(unknown)}; known: {', '.join(BUILDERS)}\n")
        return 2
    for kind in kinds:
        sys.stdout.write(f"{build(kind)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
