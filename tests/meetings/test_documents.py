"""The minutes and conclusion notice as Party-format Word documents: contents read back with
python-docx, numbering taken once, uploaded templates, broken templates, permissions."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import threading
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from docx import Document

from meetings import document_context, documents
from meetings.documents import (
    BUILT_IN_TEMPLATES,
    CONTEXT_KEYS,
    MESSAGE_NOT_CONCLUDED,
    DocumentTemplateError,
    conclusion_notice_docx,
    document_filename,
    minutes_docx,
    parent_committee_line,
    party_header,
    render_party_document,
    vietnamese_date_line,
)
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    DocumentKind,
    DocumentTemplate,
    IssuedDocument,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from plans.models import DocumentSequence, Plan
from tests.factories import OrganizationFactory, PersonFactory, PositionFactory
from wardwork.models import OrganizationKind as K
from wardwork.models import PositionRole as R
from wardwork.quarters import Quarter

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SYMBOL_TB = re.compile(r"^Số \d{2,}-TB/ĐU$")

CONCLUSIONS = [
    "Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU ngày 30/12/2020.",
    "Khối Dân vận Đảng ủy giám sát thường xuyên việc thực hiện Kế hoạch 18-KH/QU.\n"
    "Các tập thể, cá nhân rà soát lại các nội dung đã đăng ký.",
    "Rà soát, biểu dương & khen thưởng những mô hình <tiêu biểu>.",
]


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bodies(home):
    """The district above the ward and the bodies the conclusions name."""
    district = home.committee.parent
    district.name = "Quận ủy Long Biên"
    district.save()
    ubnd = OrganizationFactory(
        ward=home.ward,
        name="Ủy ban nhân dân phường Phúc Đồng",
        short_name="UBND phường",
        kind=K.PEOPLE_COMMITTEE,
    )
    mttq = OrganizationFactory(
        ward=home.ward,
        name="Ủy ban MTTQ Việt Nam phường Phúc Đồng",
        short_name="UB MTTQ phường",
        kind=K.FATHERLAND_FRONT,
    )
    ngoc = home.secretary.person
    ngoc.title = "Bí thư Đảng ủy, Chủ tịch HĐND phường"
    ngoc.save()
    khanh = PersonFactory(
        ward=home.ward,
        full_name="Nguyễn Hữu Khanh",
        organization=home.committee,
        title="Phó Bí thư thường trực Đảng ủy",
    )
    PositionFactory(person=khanh, organization=home.committee, role=R.STANDING_DEPUTY_SECRETARY)
    return {"district": district, "ubnd": ubnd, "mttq": mttq, "ngoc": ngoc, "khanh": khanh}


def make_meeting(home, bodies, *, day=dt.date(2021, 4, 13), status=MeetingStatus.CONCLUDED):
    meeting = Meeting.objects.create(
        ward=home.ward,
        kind=MeetingKind.QUARTERLY_REVIEW,
        title="Hội nghị đánh giá kết quả thực hiện chủ đề năm của Quận ủy quý I/2021",
        year=day.year,
        quarter=Quarter.containing(day).previous().number,
        held_at=dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=HANOI),
        venue="Phòng họp 2 trụ sở phường",
        presenter=bodies["khanh"],
        report_summary="Đảng ủy đã xây dựng Kế hoạch số 28-KH/ĐU.\n\n"
        "Đã có 18 tập thể, 03 cá nhân đăng ký mô hình.",
        next_period_direction="Tập trung công tác giải phóng mặt bằng quý II.",
        status=status,
    )
    # Chairs are stored unordered; the secretary must still come first.
    meeting.chairs.set([bodies["khanh"], bodies["ngoc"]])
    plan, _created = Plan.objects.get_or_create(
        ward=home.ward,
        issuer=bodies["district"],
        symbol="18-KH/QU",
        defaults={
            "doc_type": "KH",
            "number": 18,
            "issued_on": dt.date(2020, 12, 30),
            "year": 2021,
            "title": "Thực hiện chủ đề “Năm Dân vận khéo” năm 2021",
        },
    )
    meeting.reviewed_plans.set([plan])
    for person, org, status_ in [
        (bodies["ngoc"], home.committee, AttendanceStatus.PRESENT),
        (bodies["khanh"], home.committee, AttendanceStatus.PRESENT),
        (home.cell_secretary.person, home.cell, AttendanceStatus.PRESENT),
        (home.mass_head.person, home.women, AttendanceStatus.EXCUSED),
        (home.other_cell_secretary.person, home.other_cell, AttendanceStatus.ABSENT),
    ]:
        Attendance.objects.create(meeting=meeting, person=person, organization=org, status=status_)
    Attendance.objects.create(meeting=meeting, organization=bodies["mttq"], status="present")
    Contribution.objects.create(
        meeting=meeting,
        ordinal=1,
        speaker=home.cell_secretary.person,
        organization=home.cell,
        content="Đề nghị hướng dẫn tiêu chí đánh giá mô hình Dân vận khéo.",
    )
    Contribution.objects.create(
        meeting=meeting,
        ordinal=2,
        speaker=home.mass_head.person,
        organization=home.women,
        content="Đề nghị nhân rộng mô hình nói không với túi ni lông.",
    )
    assignments = [
        ([bodies["ubnd"]], [bodies["mttq"], home.women], {"due_quarter": Quarter(2021, 2)}),
        ([home.bloc], [home.cell], {"due_date": dt.date(2021, 6, 30)}),
        ([home.cell, home.other_cell], [], {}),
    ]
    for number, (text, (leads, supporting, due)) in enumerate(
        zip(CONCLUSIONS, assignments, strict=True), start=1
    ):
        conclusion = Conclusion.objects.create(meeting=meeting, ordinal=number, text=text, **due)
        conclusion.lead_organizations.set(leads)
        conclusion.supporting_organizations.set(supporting)
    return meeting


@pytest.fixture
def meeting(home, bodies):
    return make_meeting(home, bodies)


def lines(data: bytes) -> list[str]:
    """Every paragraph of the document in reading order, table cells included."""
    document = Document(io.BytesIO(data))
    found = []
    for block in document.element.body.iter():
        if block.tag.endswith("}p"):
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            found.append(text)
    return found


def joined(data: bytes) -> str:
    return "\n".join(lines(data))


def tiny_template(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(home, text: str, *, ward="home", kind=DocumentKind.CONCLUSION_NOTICE, name="Mẫu"):
    return DocumentTemplate(
        kind=kind,
        ward=home.ward if ward == "home" else ward,
        name=name,
        file=ContentFile(tiny_template(text), name="mau.docx"),
        uploaded_by=home.staff,
    )


# --- dates and header ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 2, 5), "Phúc Đồng, ngày 05 tháng 02 năm 2021"),
        (dt.date(2021, 4, 13), "Phúc Đồng, ngày 13 tháng 4 năm 2021"),
        (dt.date(2021, 12, 1), "Phúc Đồng, ngày 01 tháng 12 năm 2021"),
        (dt.date(2021, 1, 31), "Phúc Đồng, ngày 31 tháng 01 năm 2021"),
        (dt.date(2021, 3, 9), "Phúc Đồng, ngày 09 tháng 3 năm 2021"),
        (dt.date(2021, 10, 10), "Phúc Đồng, ngày 10 tháng 10 năm 2021"),
    ],
)
def test_date_line_pads_days_below_10_and_months_1_and_2(day, expected):
    assert vietnamese_date_line("Phúc Đồng", day) == expected


@pytest.mark.parametrize(
    ("parent", "expected"),
    [
        ("Quận ủy Long Biên", "ĐẢNG BỘ QUẬN LONG BIÊN"),
        ("Quận uỷ Long Biên", "ĐẢNG BỘ QUẬN LONG BIÊN"),
        ("Thành ủy Hà Nội", "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI"),
        ("Huyện ủy Gia Lâm", "ĐẢNG BỘ HUYỆN GIA LÂM"),
        ("Đảng bộ Khối cơ quan", "ĐẢNG BỘ KHỐI CƠ QUAN"),
    ],
)
def test_parent_committee_line_names_the_party_organisation_above(home, parent, expected):
    home.committee.parent.name = parent
    assert parent_committee_line(home.committee, home.ward) == expected


def test_parent_committee_line_falls_back_on_the_wards_parent_unit(home):
    home.committee.parent = None
    home.ward.parent_name = "Quận Long Biên, Thành phố Hà Nội"
    assert parent_committee_line(home.committee, home.ward) == "ĐẢNG BỘ QUẬN LONG BIÊN"


def test_signer_is_a_deputy_when_the_ward_has_no_secretary(home, bodies):
    home.secretary.person.positions.update(ended_on=dt.date(2020, 12, 31))
    header = party_header(
        ward=home.ward,
        committee=home.committee,
        doc_type="TB",
        number=3,
        issued_on=dt.date(2021, 4, 13),
    )
    assert header["signer"] == {
        "authority": "T/M ĐẢNG ỦY",
        "deputy_line": "K/T BÍ THƯ",
        "title": "PHÓ BÍ THƯ",
        "name": "Nguyễn Hữu Khanh",
    }
    assert header["number_line"] == "Số 03-TB/ĐU"


# --- the conclusion notice ----------------------------------------------------------------------


def test_conclusion_notice_is_a_party_document_with_every_conclusion(home, meeting):
    data, issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    text = lines(data)
    body = joined(data)

    # The header: issuer block left, the Party's name and the place and date right.
    assert text[:6] == [
        "ĐẢNG BỘ QUẬN LONG BIÊN",
        "ĐẢNG ỦY PHƯỜNG PHÚC ĐỒNG",
        "*",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        f"Số {issued.symbol}",
        "Phúc Đồng, ngày 13 tháng 4 năm 2021",
    ]
    assert SYMBOL_TB.match(text[4])
    assert issued.symbol == "01-TB/ĐU" and issued.issued_on == dt.date(2021, 4, 13)
    assert issued.doc_type == "TB" and issued.issuer == home.committee
    assert "DỰ THẢO" not in body
    assert "THÔNG BÁO" in text
    assert (
        "Kết luận của đồng chí Bí thư Đảng ủy Phường tại hội nghị đánh giá kết quả thực hiện "
        "chủ đề năm của Quận ủy quý\xa0I/2021"
    ) in text

    # The opening names the date, venue, chairs (secretary first), report and plan.
    opening = next(line for line in text if line.startswith("Ngày 13/04/2021"))
    assert "tại phòng họp 2 trụ sở phường" in opening
    assert opening.index("Nguyễn Thị Ngọc") < opening.index("Nguyễn Hữu Khanh")
    assert "Kế hoạch số 18-KH/QU ngày 30/12/2020 của Quận ủy Long Biên" in opening
    assert "02 lượt ý kiến" in opening

    # Every conclusion, numbered, with its bodies and due date; XML characters kept.
    assert "1. Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU ngày 30/12/2020." in text
    assert "2. Khối Dân vận Đảng ủy giám sát thường xuyên việc thực hiện Kế hoạch 18-KH/QU." in text
    assert "Các tập thể, cá nhân rà soát lại các nội dung đã đăng ký." in text
    assert "3. Rà soát, biểu dương & khen thưởng những mô hình <tiêu biểu>." in text
    assert (
        "Chủ trì: UBND phường; phối hợp: UB MTTQ phường, Hội Phụ nữ Phường Phúc Đồng; "
        "thời hạn: quý II/2021."
    ) in text
    assert (
        "Chủ trì: Khối Dân vận Phường Phúc Đồng; phối hợp: Chi bộ số 1 Phường Phúc Đồng; "
        "thời hạn: trước ngày 30/06/2021."
    ) in text
    assert "Chủ trì: Chi bộ số 1 Phường Phúc Đồng, Chi bộ số 2 Phường Phúc Đồng." in text
    assert body.index("1. Tiếp tục") < body.index("2. Khối Dân vận") < body.index("3. Rà soát")

    # Signature and recipients.
    signature = text[text.index("T/M ĐẢNG ỦY") :]
    assert signature[1] == "BÍ THƯ" and "Nguyễn Thị Ngọc" in signature
    recipients = text[text.index("Nơi nhận:") + 1 : text.index("T/M ĐẢNG ỦY")]
    assert recipients[0] == "- Quận ủy Long Biên (để b/c),"
    assert recipients[-1] == "- Lưu VP."
    for name in [
        "UBND phường",
        "UB MTTQ phường",
        "Hội Phụ nữ Phường Phúc Đồng",
        "Khối Dân vận Phường Phúc Đồng",
        "Chi bộ số 1 Phường Phúc Đồng",
        "Chi bộ số 2 Phường Phúc Đồng",
    ]:
        assert f"- {name} (để t/h)," in recipients
    assert body.rstrip().endswith("Nguyễn Thị Ngọc")
    assert "thực hiện./." in body


def test_a_multi_paragraph_conclusion_keeps_its_paragraphs_and_their_format(home, meeting):
    data, _issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    document = Document(io.BytesIO(data))
    first, second = (
        p
        for p in document.paragraphs
        if p.text.startswith(("2. Khối Dân vận", "Các tập thể, cá nhân rà soát"))
    )
    assert second.paragraph_format.first_line_indent == first.paragraph_format.first_line_indent
    assert second.alignment == first.alignment


def test_the_number_is_taken_once_and_the_next_meeting_gets_the_next(home, bodies, meeting):
    _data, first = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    again, second = conclusion_notice_docx(meeting=meeting, actor=home.staff)
    assert second.pk == first.pk and second.symbol == first.symbol
    assert f"Số {first.symbol}" in lines(again)
    assert second.generated_by == home.staff and second.content_size == len(again)
    assert IssuedDocument.objects.filter(kind=DocumentKind.CONCLUSION_NOTICE).count() == 1

    later = make_meeting(home, bodies, day=dt.date(2021, 7, 12))
    data, other = conclusion_notice_docx(meeting=later, actor=home.secretary)
    assert other.number == first.number + 1
    assert f"Số {other.symbol}" in lines(data)
    assert "Phúc Đồng, ngày 12 tháng 7 năm 2021" in lines(data)


def test_numbering_continues_after_the_highest_notice_already_recorded(home, meeting):
    Plan.objects.create(
        ward=home.ward,
        doc_type="TB",
        number=34,
        issuer=home.committee,
        symbol="34-TB/ĐU",
        issued_on=dt.date(2021, 3, 1),
        year=2021,
        title="Thông báo trước",
    )
    _data, issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    assert issued.symbol == "35-TB/ĐU"


def test_a_notice_waits_for_the_meeting_to_be_concluded(home, bodies):
    held = make_meeting(home, bodies, status=MeetingStatus.HELD)
    with pytest.raises(ValidationError) as raised:
        conclusion_notice_docx(meeting=held, actor=home.secretary)
    assert raised.value.messages == [str(MESSAGE_NOT_CONCLUDED)]
    data, issued = conclusion_notice_docx(meeting=held, actor=home.secretary, draft=True)
    assert issued is None and not IssuedDocument.objects.exists()
    text = lines(data)
    assert "DỰ THẢO" in text
    assert "Số       -TB/ĐU" in text
    assert document_filename(None, DocumentKind.CONCLUSION_NOTICE, held).endswith(".docx")


def test_only_ward_staff_take_a_number_then_everyone_in_the_ward_downloads(home, away, meeting):
    with pytest.raises(PermissionDenied):
        conclusion_notice_docx(meeting=meeting, actor=home.cell_secretary)
    assert not IssuedDocument.objects.exists()
    _data, issued = conclusion_notice_docx(meeting=meeting, actor=home.staff)
    _data, again = conclusion_notice_docx(meeting=meeting, actor=home.cell_secretary)
    assert again.pk == issued.pk
    with pytest.raises(PermissionDenied):
        conclusion_notice_docx(meeting=meeting, actor=away.secretary)
    assert document_filename(issued, DocumentKind.CONCLUSION_NOTICE, meeting) == (
        "Thong-bao-ket-luan-01-TB-DU.docx"
    )


# --- the minutes --------------------------------------------------------------------------------


def test_minutes_hold_the_attendance_report_contributions_and_conclusions(home, meeting):
    data, issued = minutes_docx(meeting=meeting, actor=home.secretary)
    text = lines(data)
    body = joined(data)
    assert issued.symbol == "01-BB/ĐU" and f"Số {issued.symbol}" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "ĐẢNG ỦY PHƯỜNG PHÚC ĐỒNG" in text
    assert "BIÊN BẢN" in text
    assert "Thời gian: Vào hồi 8 giờ 00, ngày 13 tháng 4 năm 2021." in text
    assert "Địa điểm: Phòng họp 2 trụ sở phường." in text
    assert (
        "Thành phần: Tổng số đại biểu được mời: 06; có mặt: 04; vắng có lý do: 01; "
        "vắng không có lý do: 01."
    ) in text
    present = text[text.index("Đại biểu có mặt:") + 1 : text.index("II. NỘI DUNG HỘI NGHỊ")]
    assert present[0].startswith("- Đồng chí Nguyễn Thị Ngọc - Bí thư")  # the chairs first
    assert present[1].startswith("- Đồng chí Nguyễn Hữu Khanh")
    assert "- Đồng chí Trần Văn Hùng - Chi bộ số 1 Phường Phúc Đồng" in text
    assert "- Đại diện Ủy ban MTTQ Việt Nam phường Phúc Đồng" in text
    assert "Lê Thị Hà" not in body.split("II. NỘI DUNG")[0].split("Đại biểu có mặt:")[1]
    assert any(line.startswith("Đồng chí Nguyễn Hữu Khanh - Phó Bí thư") for line in text)
    assert "Đảng ủy đã xây dựng Kế hoạch số 28-KH/ĐU." in text
    assert "Đã có 18 tập thể, 03 cá nhân đăng ký mô hình." in text
    assert "Hội nghị đã có 02 lượt ý kiến đóng góp:" in text
    assert (
        "1. Đồng chí Trần Văn Hùng (Chi bộ số 1 Phường Phúc Đồng): "
        "Đề nghị hướng dẫn tiêu chí đánh giá mô hình Dân vận khéo."
    ) in text
    assert (
        "2. Đồng chí Lê Thị Hà (Hội Phụ nữ Phường Phúc Đồng): "
        "Đề nghị nhân rộng mô hình nói không với túi ni lông."
    ) in text
    for number, conclusion in enumerate(CONCLUSIONS, start=1):
        assert f"{number}. {conclusion.splitlines()[0]}" in text
    assert "4. Phương hướng, nhiệm vụ quý II/2021" in text
    assert "Tập trung công tác giải phóng mặt bằng quý II." in text
    assert "THƯ KÝ" in text and "CHỦ TRÌ" in text
    assert text[text.index("CHỦ TRÌ") :].count("Nguyễn Thị Ngọc") == 1


def test_minutes_of_a_planned_meeting_are_only_a_draft(home, bodies):
    planned = make_meeting(home, bodies, status=MeetingStatus.PLANNED)
    with pytest.raises(ValidationError):
        minutes_docx(meeting=planned, actor=home.secretary)
    data, issued = minutes_docx(meeting=planned, actor=home.secretary, draft=True)
    assert issued is None and "Số       -BB/ĐU" in lines(data)


def test_minutes_and_notice_are_numbered_in_their_own_series(home, meeting):
    _data, minutes = minutes_docx(meeting=meeting, actor=home.secretary)
    _data, notice = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    assert (minutes.symbol, notice.symbol) == ("01-BB/ĐU", "01-TB/ĐU")


# --- templates ----------------------------------------------------------------------------------


def test_an_uploaded_template_for_the_ward_replaces_the_default(home, meeting):
    everyone = upload(home, "Mẫu chung {{ number_line }}", ward=None, name="Mẫu chung")
    everyone.full_clean()
    everyone.save()
    data, _issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    assert lines(data) == ["Mẫu chung Số 01-TB/ĐU"]

    own = upload(
        home,
        "Mẫu riêng của phường: {{ number_line }} – {{ place_date }} – "
        "{% for c in conclusions %}[{{ c.number }}]{% endfor %}",
        name="Mẫu phường",
    )
    own.full_clean()
    own.save()
    data, _issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    assert lines(data) == [
        "Mẫu riêng của phường: Số 01-TB/ĐU – Phúc Đồng, ngày 13 tháng 4 năm 2021 – [1][2][3]"
    ]
    # Another kind of document still uses its built-in layout.
    data, _issued = minutes_docx(meeting=meeting, actor=home.secretary)
    assert "BIÊN BẢN" in lines(data)

    own.is_active = False
    own.save()
    data, _issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    assert lines(data) == ["Mẫu chung Số 01-TB/ĐU"]


def test_a_broken_template_gives_a_clear_error_and_takes_no_number(home, meeting):
    DocumentTemplate.objects.create(
        kind=DocumentKind.CONCLUSION_NOTICE,
        ward=home.ward,
        name="Mẫu hỏng",
        file=ContentFile(tiny_template("Số {{ number_line }"), name="hong.docx"),
    )
    with pytest.raises(DocumentTemplateError) as raised:
        conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    assert raised.value.name == "Mẫu hỏng"
    assert "Mẫu hỏng" in str(raised.value.message)
    assert raised.value.detail
    assert not IssuedDocument.objects.exists()
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()


def test_a_template_whose_file_is_not_a_word_document_gives_a_clear_error(home, meeting):
    DocumentTemplate.objects.create(
        kind=DocumentKind.CONCLUSION_NOTICE,
        ward=None,
        name="Không phải Word",
        file=ContentFile(b"PK\x03\x04 not really", name="x.docx"),
    )
    with pytest.raises(DocumentTemplateError, match="Không phải Word"):
        conclusion_notice_docx(meeting=meeting, actor=home.secretary)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("{% for c in conclusions %}{{ c.text }}", "endfor"),
        ("{{ number_line }", "unexpected"),
        ("{{ so_van_ban }}", "so_van_ban"),
    ],
)
def test_uploading_a_broken_template_is_refused_with_the_reason(home, text, complaint):
    template = upload(home, text)
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    message = " ".join(raised.value.message_dict["file"])
    assert "Mẫu" in message and complaint in message


def test_a_template_must_be_a_docx(home):
    template = DocumentTemplate(
        kind=DocumentKind.MINUTES,
        ward=home.ward,
        name="PDF",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="mau.pdf"),
    )
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "file" in raised.value.message_dict


def test_one_template_in_use_per_ward_and_one_for_every_ward(home):
    for ward in ("home", None):
        first = upload(home, "{{ symbol }}", ward=ward)
        first.save()
        second = upload(home, "{{ symbol }}", ward=ward)
        with pytest.raises(ValidationError):
            second.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            second.save()
        second.is_active = False
        second.save()


def test_render_party_document_serves_other_kinds_with_their_own_context(home):
    header = party_header(
        ward=home.ward,
        committee=home.committee,
        doc_type="BC",
        number=7,
        issued_on=dt.date(2021, 4, 20),
    )
    context = {**header, "figures": {"collectives": "18", "individuals": "03"}}
    # An uploaded layout of another kind replaces the built-in one, with that kind's context.
    report = upload(
        home,
        "{{ number_line }} | {{ place_date }} | {{ figures.collectives }} tập thể, "
        "{{ figures.individuals }} cá nhân",
        ward=None,
        kind=DocumentKind.QUARTERLY_REPORT,
    )
    report.full_clean()
    report.save()
    data = render_party_document(DocumentKind.QUARTERLY_REPORT, context, home.ward)
    assert lines(data) == [
        "Số 07-BC/ĐU | Phúc Đồng, ngày 20 tháng 4 năm 2021 | 18 tập thể, 03 cá nhân"
    ]


def test_the_documented_keys_are_the_keys_the_documents_get(home, meeting, monkeypatch):
    captured = {}
    real = documents.render_party_document

    def spy(kind, context, ward=None):
        captured[kind] = set(context)
        return real(kind, context, ward)

    monkeypatch.setattr(documents, "render_party_document", spy)
    conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    minutes_docx(meeting=meeting, actor=home.secretary)
    assert captured[DocumentKind.CONCLUSION_NOTICE] == set(CONTEXT_KEYS["conclusion_notice"])
    assert captured[DocumentKind.MINUTES] == set(CONTEXT_KEYS["minutes"])
    assert captured[DocumentKind.MINUTES] >= document_context.HEADER_KEYS


def _load_builder():
    path = BUILT_IN_TEMPLATES / "build_templates.py"
    spec = importlib.util.spec_from_file_location("build_templates", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("kind", ["conclusion_notice", "minutes"])
def test_built_in_templates_are_in_step_with_their_builder(kind, tmp_path):
    built = _load_builder().build(kind, tmp_path)
    committed = Path(BUILT_IN_TEMPLATES / f"{kind}.docx")
    for part in ("word/document.xml", "word/styles.xml", "word/header1.xml"):
        with zipfile.ZipFile(built) as new, zipfile.ZipFile(committed) as old:
            assert new.read(part) == old.read(part), f"run build_templates.py: {part}"


def test_built_in_layout_is_a4_with_the_36_hd_margins_and_font():
    document = Document(BUILT_IN_TEMPLATES / "conclusion_notice.docx")
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and 13 <= normal.size.pt <= 14


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer and no row locks: the race needs PostgreSQL",
)
def test_two_first_generations_at_once_take_one_number(home, bodies):
    """Two people open the notice of a new meeting at the same moment: the meeting row
    lock makes the second wait and reuse the first one's number."""
    meeting = make_meeting(home, bodies)
    start = threading.Barrier(4)
    results, errors = [], []

    def worker():
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            _data, issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
            results.append(issued.symbol)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert results == ["01-TB/ĐU"] * 4
    assert IssuedDocument.objects.count() == 1
    assert DocumentSequence.objects.get(doc_type="TB").last_number == 1


def test_every_cell_is_written_as_one_and_the_committee_as_its_members(home, bodies, meeting):
    cells = [home.cell, home.other_cell] + [
        OrganizationFactory(ward=home.ward, name=f"Chi bộ số {n} Phường Phúc Đồng") for n in (3, 4)
    ]
    conclusion = meeting.conclusions.get(ordinal=3)
    conclusion.lead_organizations.set([home.committee])
    conclusion.supporting_organizations.set([*cells, bodies["ubnd"]])
    data, _issued = conclusion_notice_docx(meeting=meeting, actor=home.secretary)
    text = lines(data)
    assert (
        "Chủ trì: Đảng ủy Phường Phúc Đồng; phối hợp: UBND phường, các chi bộ trực thuộc."
    ) in text
    recipients = text[text.index("Nơi nhận:") + 1 : text.index("T/M ĐẢNG ỦY")]
    assert recipients[1] == "- Các đồng chí Đảng ủy viên (để t/h),"
    assert "- Các chi bộ trực thuộc (để t/h)," in recipients
    assert not any(line.startswith("- Chi bộ số") for line in recipients)


def test_each_ward_gets_its_own_layout_when_documents_are_rendered_one_after_another(home, away):
    """Layouts are compiled once per text and reused: a ward's layout never serves another
    ward, and a reused layout is filled with each document's own figures."""
    ours = upload(home, "Mẫu phường nhà: {{ figures.collectives }}", name="Mẫu nhà")
    ours.save()
    theirs = upload(home, "Mẫu phường khác: {{ figures.collectives }}", ward=away.ward)
    theirs.save()
    kind = DocumentKind.CONCLUSION_NOTICE
    for collectives in ("18", "07"):
        context = {"figures": {"collectives": collectives}}
        assert lines(render_party_document(kind, context, home.ward)) == [
            f"Mẫu phường nhà: {collectives}"
        ]
        assert lines(render_party_document(kind, context, away.ward)) == [
            f"Mẫu phường khác: {collectives}"
        ]
    # A new layout for the ward is used at once.
    ours.is_active = False
    ours.save()
    replaced = upload(home, "Mẫu mới: {{ figures.collectives }}", name="Mẫu mới")
    replaced.save()
    context = {"figures": {"collectives": "05"}}
    assert lines(render_party_document(kind, context, home.ward)) == ["Mẫu mới: 05"]
