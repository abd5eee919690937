"""The quarterly report (DOCX) and its annex (XLSX) of a hand-counted quarter: the Party
header and its BC number, the computed figures, the table of tasks by unit, the review
meeting's contributions and conclusions, the edited narrative, the figures frozen at
finalisation, uploaded layouts, and queries that do not grow with the data.

The quarter (I/2021 of Phúc Đồng), counted by hand:
    plans      18-KH/QU of the district (30/12/2020), carried out through 28-KH/ĐU of the
               ward (15/01/2021), whose three tasks are:
    task 1     lead: cell, supporting: other cell, due 30/06 -> cell reports done,
               other cell in progress
    task 2     lead: women, supporting: bloc, due 30/06 -> women in progress, bloc silent
    task 3     lead: other cell, due 28/02 -> no report: late
    => tasks 03: done 01, in progress 01, late 01; reports 03 of 05; per unit (kind, name):
       bloc 1/0/0/0/1, women 1/0/1/0/0, cell 1/1/0/0/0, other cell 2/0/1/1/0; total 5/1/2/1/1
    registrations of 2021: 18 collectives approved (10 GPMB, 8 văn minh đô thị, two of them
               replicating a 2020 model) and 3 individuals submitted (môi trường), all sent
               in during the quarter; not counted: a draft, one sent in on 20/04, one
               withdrawn; one recognition decided on 25/03; 04 updates of 18 expected
    meeting    13/04/2021, concluded, 05 contributions, 03 conclusions, no direction typed
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document
from openpyxl import load_workbook

from meetings import documents
from meetings.document_context import PARAGRAPH_BREAK
from meetings.document_render import BUILT_IN_TEMPLATES, CONTEXT_KEYS, template_check
from meetings.documents import MESSAGE_NO_COMMITTEE
from meetings.models import (
    DocumentKind,
    DocumentTemplate,
    IssuedDocument,
    Meeting,
    QuarterlyReview,
)
from meetings.review_figures import quarter_figures
from meetings.review_report import REPORT_KEYS, default_texts
from meetings.review_services import (
    review_annex_xlsx,
    review_figures,
    review_finalize,
    review_get_or_create,
    review_report_docx,
    review_text_save,
    review_texts,
)
from meetings.services import meeting_conclude, meeting_hold
from models_registry.models import Registration, RegistrationKind, RegistrationStatus
from plans.models import DocumentSequence, Plan, ProgressReport, TaskStatus
from plans.services import progress_report_submit
from tests.factories import OrganizationFactory, PersonFactory
from tests.meetings.factories import ConclusionFactory, ContributionFactory, MeetingFactory
from tests.models_registry.factories import (
    FieldFactory,
    RecognitionFactory,
    RegistrationFactory,
    RegistrationUpdateFactory,
)
from tests.plans.factories import PlanFactory, ProgressReportFactory, TaskFactory
from wardwork.models import Organization
from wardwork.models import OrganizationKind as K
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Q1 = Quarter(2021, 1)
SUBJECT = (
    "Kết quả thực hiện Kế hoạch số 28-KH/ĐU về triển khai thực hiện chủ đề “Năm Dân vận khéo, "
    "trọng tâm công tác giải phóng mặt bằng” quý\xa0I/2021 và phương hướng, nhiệm vụ "
    "quý\xa0II/2021"
)
CONTRIBUTIONS = [
    "Chi bộ đề nghị hướng dẫn tiêu chí đánh giá mô hình Dân vận khéo.",
    "Hội Phụ nữ đề nghị nhân rộng mô hình nói không với túi ni lông.",
    "Còn 02 hộ chưa đồng thuận phương án bồi thường.",
    "Đề nghị tăng cường kiểm tra, biểu dương kịp thời.",
    "Đề nghị tổ chức tọa đàm về mô hình Tổ dân vận khéo.",
]
CONCLUSIONS = [
    "Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU.",
    "Khối Dân vận giám sát thường xuyên việc thực hiện kế hoạch.",
    "Rà soát, biểu dương & khen thưởng những mô hình <tiêu biểu>.",
]
UNIT_ROWS = [
    ["1", "Khối Dân vận Phường Phúc Đồng", "1", "0", "0", "0", "1"],
    ["2", "Hội Phụ nữ Phường Phúc Đồng", "1", "0", "1", "0", "0"],
    ["3", "Chi bộ số 1 Phường Phúc Đồng", "1", "1", "0", "0", "0"],
    ["4", "Chi bộ số 2 Phường Phúc Đồng", "2", "0", "1", "1", "0"],
]
TOTAL_ROW = ["", "Tổng cộng", "5", "1", "2", "1", "1"]


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


# --- the hand-counted quarter -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_plans(home):
    district = home.committee.parent
    district.name = "Quận ủy Long Biên"
    district.save()
    plan18 = PlanFactory(
        ward=home.ward,
        issuer=district,
        number=18,
        symbol="18-KH/QU",
        issued_on=dt.date(2020, 12, 30),
        year=2021,
        title="Thực hiện chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng” "
        "trên địa bàn quận Long Biên năm 2021",
    )
    plan28 = PlanFactory(
        ward=home.ward,
        issuer=home.committee,
        number=28,
        symbol="28-KH/ĐU",
        issued_on=dt.date(2021, 1, 15),
        year=2021,
        implements=plan18,
        title="Triển khai thực hiện chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng "
        "mặt bằng” năm 2021",
    )
    return plan18, plan28


def build_tasks(home, plan):
    t1 = TaskFactory(
        plan=plan,
        title="Quán triệt Kế hoạch số 18-KH/QU đến các chi bộ",
        lead_organization=home.cell,
        supporting_organizations=[home.other_cell],
        due_date=dt.date(2021, 6, 30),
    )
    t2 = TaskFactory(
        plan=plan,
        title="Tuyên truyền, vận động phụ nữ nói không với túi ni lông",
        lead_organization=home.women,
        supporting_organizations=[home.bloc],
        due_date=dt.date(2021, 6, 30),
    )
    t3 = TaskFactory(
        plan=plan,
        title="Rà soát các hộ chưa bàn giao mặt bằng",
        lead_organization=home.other_cell,
        due_date=dt.date(2021, 2, 28),
    )
    ProgressReportFactory(task=t1, organization=home.cell, status=TaskStatus.DONE, percent=100)
    ProgressReportFactory(task=t1, organization=home.other_cell, percent=60)
    ProgressReportFactory(task=t2, organization=home.women, percent=50)
    return t1, t2, t3


def build_registrations(home):
    gpmb = FieldFactory(name="Giải phóng mặt bằng")
    urban = FieldFactory(name="Văn minh đô thị")
    environment = FieldFactory(name="Môi trường")
    exemplary = RegistrationFactory(
        ward=home.ward, organization=home.cell, year=2020, status=RegistrationStatus.RECOGNIZED
    )
    units = [home.cell, home.other_cell, home.women]
    approved = []
    for n in range(18):
        approved.append(
            RegistrationFactory(
                ward=home.ward,
                organization=units[n % 3],
                field=gpmb if n < 10 else urban,
                status=RegistrationStatus.APPROVED,
                submitted_at=at(dt.date(2021, 2, 1 + n)),
                replicates=exemplary if n in (0, 1) else None,
            )
        )
    for n in range(3):
        RegistrationFactory(
            ward=home.ward,
            individual=True,
            organization=units[n],
            field=environment,
            status=RegistrationStatus.SUBMITTED,
            submitted_at=at(dt.date(2021, 3, 10 + n)),
        )
    RegistrationFactory(ward=home.ward, organization=home.cell, field=gpmb)  # a draft
    RegistrationFactory(
        ward=home.ward,
        organization=home.women,
        field=urban,
        status=RegistrationStatus.SUBMITTED,
        submitted_at=at(dt.date(2021, 4, 20)),
    )
    RegistrationFactory(
        ward=home.ward,
        organization=home.other_cell,
        field=urban,
        status=RegistrationStatus.WITHDRAWN,
        submitted_at=at(dt.date(2021, 2, 2)),
    )
    RecognitionFactory(registration=approved[5], decided_on=dt.date(2021, 3, 25))
    for registration in approved[:4]:
        RegistrationUpdateFactory(registration=registration)
    return approved


def build_meeting(home, plans, *, direction: str = "") -> Meeting:
    meeting = MeetingFactory(
        ward=home.ward,
        title="Hội nghị đánh giá kết quả thực hiện chủ đề năm của Quận ủy quý I/2021",
        held_at=at(dt.date(2021, 4, 13), 8),
        next_period_direction=direction,
        chairs=[home.secretary.person],
    )
    meeting.reviewed_plans.set(plans)
    speakers = [
        (home.cell_secretary.person, home.cell),
        (home.mass_head.person, home.women),
        (home.other_cell_secretary.person, home.other_cell),
        (home.dvk.person, home.bloc),
        (home.cell_secretary.person, home.cell),
    ]
    for (speaker, unit), content in zip(speakers, CONTRIBUTIONS, strict=True):
        ContributionFactory(meeting=meeting, speaker=speaker, organization=unit, content=content)
    bodies = [([home.cell], [home.women]), ([home.bloc], [home.other_cell]), ([home.women], [])]
    for text, (leads, supporting) in zip(CONCLUSIONS, bodies, strict=True):
        ConclusionFactory(
            meeting=meeting,
            text=text,
            lead_organizations=leads,
            supporting_organizations=supporting,
        )
    meeting_hold(actor=home.secretary, meeting=meeting)
    meeting_conclude(actor=home.secretary, meeting=meeting)
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def quarter(home):
    plans = build_plans(home)
    tasks = build_tasks(home, plans[1])
    build_registrations(home)
    meeting = build_meeting(home, plans)
    review = review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    return {"plans": plans, "tasks": tasks, "meeting": meeting, "review": review}


def fresh(review) -> QuarterlyReview:
    return QuarterlyReview.objects.select_related("ward").get(pk=review.pk)


# --- reading the documents ----------------------------------------------------------------------


def lines(data: bytes) -> list[str]:
    """Every non-empty paragraph in reading order, table cells included."""
    found = []
    for block in Document(io.BytesIO(data)).element.body.iter():
        if block.tag.endswith("}p"):
            text = "".join(t.text or "" for t in block.iter() if t.tag.endswith("}t"))
            if text:
                found.append(text)
    return found


def units_table(data: bytes) -> list[list[str]]:
    document = Document(io.BytesIO(data))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
    return [[cell.text for cell in row.cells] for row in table.rows]


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_rows(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True)]


# --- the Party header and the number ------------------------------------------------------------


def test_the_report_is_a_party_document_numbered_once_from_the_bc_series(home, quarter):
    review = quarter["review"]
    data, issued = review_report_docx(actor=home.secretary, review=review)
    text = lines(data)
    assert text[:6] == [
        "ĐẢNG BỘ QUẬN LONG BIÊN",
        "ĐẢNG ỦY PHƯỜNG PHÚC ĐỒNG",
        "*",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 01-BC/ĐU",
        "Phúc Đồng, ngày 13 tháng 4 năm 2021",
    ]
    assert (issued.symbol, issued.doc_type, issued.issuer) == ("01-BC/ĐU", "BC", home.committee)
    assert (issued.year, issued.quarter, issued.meeting) == (2021, 1, None)
    assert text[6:8] == ["BÁO CÁO", SUBJECT]
    assert issued.title == SUBJECT
    assert "DỰ THẢO" not in text

    # A second generation, by another member of the staff, keeps the number.
    again, second = review_report_docx(actor=home.staff, review=fresh(review))
    assert second.pk == issued.pk and "Số 01-BC/ĐU" in lines(again)
    assert IssuedDocument.objects.filter(kind=DocumentKind.QUARTERLY_REPORT).count() == 1
    assert second.content_size == len(again)

    # Signature and recipients.
    assert text[text.index("T/M ĐẢNG ỦY") :] == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Thị Ngọc"]
    recipients = text[text.index("Nơi nhận:") + 1 : text.index("T/M ĐẢNG ỦY")]
    assert recipients[0] == "- Quận ủy Long Biên (để b/c),"
    assert recipients[-1] == "- Lưu VP."
    assert "- Khối Dân vận Phường Phúc Đồng (để t/h)," in recipients
    assert "- Chi bộ số 1 Phường Phúc Đồng (để t/h)," in recipients


def test_the_number_follows_the_highest_report_already_recorded(home, quarter):
    Plan.objects.create(
        ward=home.ward,
        doc_type="BC",
        number=34,
        issuer=home.committee,
        symbol="34-BC/ĐU",
        issued_on=dt.date(2021, 3, 1),
        year=2021,
        title="Báo cáo trước",
    )
    data, issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    assert issued.symbol == "35-BC/ĐU" and "Số 35-BC/ĐU" in lines(data)


def test_a_draft_takes_no_number(home, quarter):
    data, issued = review_report_docx(actor=home.secretary, review=quarter["review"], draft=True)
    assert issued is None
    assert not IssuedDocument.objects.exists()
    assert not DocumentSequence.objects.filter(doc_type="BC", last_number__gt=0).exists()
    text = lines(data)
    assert text[0] == "DỰ THẢO" and "Số       -BC/ĐU" in text


def test_only_ward_staff_take_the_number_and_other_wards_get_nothing(home, away, quarter):
    review = quarter["review"]
    with pytest.raises(PermissionDenied):
        review_report_docx(actor=home.cell_secretary, review=review)
    with pytest.raises(PermissionDenied):
        review_report_docx(actor=away.secretary, review=review)
    assert not IssuedDocument.objects.exists()
    _data, issued = review_report_docx(actor=home.secretary, review=review)
    _data, again = review_report_docx(actor=home.cell_secretary, review=review)
    assert again.pk == issued.pk


# --- the figures, the table, the meeting --------------------------------------------------------


def test_the_report_prints_the_computed_figures(home, quarter):
    data, _issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    text = lines(data)
    assert "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ QUÝ I/2021" in text
    assert "Đã có 18 tập thể, 03 cá nhân đăng ký mô hình thi đua “Dân vận khéo” năm 2021." in text
    section = text[text.index("Theo lĩnh vực:") + 1 : text.index("II. HỘI NGHỊ SƠ KẾT QUÝ I/2021")]
    assert section == [
        "- Giải phóng mặt bằng: 10 mô hình;",
        "- Văn minh đô thị: 08 mô hình;",
        "- Môi trường: 03 mô hình.",
    ]
    assert "- Đăng ký mới trong quý: 21 mô hình (18 tập thể, 03 cá nhân);" in text
    assert "- Mô hình nhân rộng điển hình: 02;" in text
    assert "- Mô hình được công nhận trong quý: 01;" in text
    assert "- Mô hình đã cập nhật kết quả thực hiện trong quý: 04/18." in text
    # The pre-filled results.
    assert (
        "Trong quý I/2021 có 03 nhiệm vụ được triển khai: đã hoàn thành 01/03 nhiệm vụ "
        "(đạt 33%), đang thực hiện 01, chậm tiến độ 01, chưa có báo cáo 00."
    ) in text
    assert (
        "Các đơn vị đã gửi 03/05 báo cáo tiến độ. Còn 02 đơn vị chưa gửi đủ báo cáo: "
        "Khối Dân vận Phường Phúc Đồng (01), Chi bộ số 2 Phường Phúc Đồng (01)."
    ) in text


def test_the_table_of_tasks_by_unit_has_a_row_per_unit_and_the_totals(home, quarter):
    data, _issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    rows = units_table(data)
    assert rows[0] == [
        "TT",
        "Đơn vị",
        "Được giao",
        "Hoàn thành",
        "Đang thực hiện",
        "Chậm tiến độ",
        "Chưa báo cáo",
    ]
    assert rows[1:] == [*UNIT_ROWS, TOTAL_ROW]
    text = lines(data)
    assert text.index("2. Kết quả thực hiện nhiệm vụ") < text.index("Tổng cộng")
    assert text.index("Tổng cộng") < text.index("3. Kết quả đăng ký mô hình “Dân vận khéo”")


def test_the_review_meeting_contributions_and_conclusions_in_order(home, quarter):
    data, _issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    text = lines(data)
    opening = next(line for line in text if line.startswith("Ngày 13/04/2021, tại"))
    assert "Đảng ủy Phường Phúc Đồng tổ chức hội nghị đánh giá kết quả" in opening
    assert "Chủ trì hội nghị: đồng chí Nguyễn Thị Ngọc." in opening
    assert "Hội nghị đã có 05 lượt ý kiến đóng góp:" in text
    start = text.index("Hội nghị đã có 05 lượt ý kiến đóng góp:")
    contributions = text[start + 1 : start + 6]
    assert [line.split(": ", 1)[1] for line in contributions] == CONTRIBUTIONS
    assert (
        contributions[0]
        == f"1. Đồng chí Trần Văn Hùng (Chi bộ số 1 Phường Phúc Đồng): {CONTRIBUTIONS[0]}"
    )
    assert contributions[4].startswith("5. Đồng chí Trần Văn Hùng")
    intro = next(line for line in text if line.startswith("Kết luận hội nghị, đồng chí"))
    assert "Nguyễn Thị Ngọc" in intro
    conclusions = text[text.index(intro) + 1 : text.index("III. ĐÁNH GIÁ CHUNG")]
    assert conclusions == [
        f"1. {CONCLUSIONS[0]}",
        # Given no deadline, each prints the one its task got: the quarter after I/2021.
        "Chủ trì: Chi bộ số 1 Phường Phúc Đồng; phối hợp: Hội Phụ nữ Phường Phúc Đồng; "
        "thời hạn: quý II/2021.",
        f"2. {CONCLUSIONS[1]}",
        "Chủ trì: Khối Dân vận Phường Phúc Đồng; phối hợp: Chi bộ số 2 Phường Phúc Đồng; "
        "thời hạn: quý II/2021.",
        f"3. {CONCLUSIONS[2]}",
        "Chủ trì: Hội Phụ nữ Phường Phúc Đồng; thời hạn: quý II/2021.",
    ]


def test_a_conclusion_without_deadline_prints_the_deadline_its_task_got(home, quarter):
    task = quarter["meeting"].conclusions.get(ordinal=1).task
    assert task.due_quarter == Quarter(2021, 2)
    data, _issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    assert (
        "Chủ trì: Chi bộ số 1 Phường Phúc Đồng; phối hợp: Hội Phụ nữ Phường Phúc Đồng; "
        "thời hạn: quý II/2021."
    ) in lines(data)


def test_the_pre_filled_narrative_says_what_the_data_says(home, quarter):
    review = quarter["review"]
    texts = default_texts(review=review, figures=review_figures(review=review))
    assert set(texts) == {"leadership_text", "results_text", "assessment_text", "direction_text"}
    leadership = texts["leadership_text"].splitlines()
    assert leadership[0] == (
        "Trong quý I/2021, Đảng ủy Phường Phúc Đồng đã triển khai thực hiện Kế hoạch số "
        "18-KH/QU ngày 30/12/2020 của Quận ủy Long Biên về thực hiện chủ đề “Năm Dân vận khéo, "
        "trọng tâm công tác giải phóng mặt bằng” trên địa bàn quận Long Biên năm 2021; ban "
        "hành Kế hoạch số 28-KH/ĐU ngày 15/01/2021 về triển khai thực hiện chủ đề “Năm Dân vận "
        "khéo, trọng tâm công tác giải phóng mặt bằng” năm 2021."
    )
    assert "Phân công 04 đơn vị chủ trì, phối hợp thực hiện 03 nhiệm vụ trong quý" in leadership[1]
    assert leadership[2].startswith("Ngày 13/04/2021, Đảng ủy Phường Phúc Đồng tổ chức hội nghị")
    assert "05 lượt ý kiến đóng góp, kết luận 03 nhiệm vụ" in leadership[2]
    strengths, limits = texts["assessment_text"].splitlines()
    assert strengths.startswith("Ưu điểm: các đơn vị đã gửi 03/05 báo cáo tiến độ (60%)")
    assert "01 đơn vị hoàn thành toàn bộ nhiệm vụ được giao (Chi bộ số 1 Phường Phúc Đồng)" in (
        strengths
    )
    assert "18 tập thể, 03 cá nhân đăng ký mô hình thi đua “Dân vận khéo”, trong đó 02 mô hình" in (
        strengths
    )
    assert limits.startswith("Hạn chế: còn 02 đơn vị chưa gửi đủ báo cáo tiến độ: ")
    assert "01 lượt nhiệm vụ chậm tiến độ: Chi bộ số 2 Phường Phúc Đồng (01)" in limits
    assert "“Rà soát các hộ chưa bàn giao mặt bằng” (chủ trì: Chi bộ số 2" in limits
    assert "14 mô hình chưa cập nhật kết quả thực hiện" in limits
    # No direction typed at the meeting: its conclusions, numbered.
    assert texts["direction_text"].splitlines() == [
        f"{n}. {text}" for n, text in enumerate(CONCLUSIONS, start=1)
    ]


def test_the_direction_typed_at_the_meeting_comes_first(home):
    plans = build_plans(home)
    build_meeting(home, plans, direction="Phương hướng quý II:\n- Tập trung công tác GPMB.")
    review = review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    data, _issued = review_report_docx(actor=home.secretary, review=review, draft=True)
    text = lines(data)
    start = text.index("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ II/2021")
    assert text[start + 1 : start + 3] == ["Phương hướng quý II:", "- Tập trung công tác GPMB."]


def test_a_quarter_without_meeting_names_the_plans_of_its_tasks(home):
    _plan18, plan28 = build_plans(home)
    build_tasks(home, plan28)
    review = review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    data, _issued = review_report_docx(actor=home.secretary, review=review, draft=True)
    text = lines(data)
    assert SUBJECT in text
    assert "Chưa tổ chức hội nghị sơ kết quý." in text
    assert not any("lượt ý kiến" in line for line in text)
    assert [row[1] for row in units_table(data)[1:-1]] == [row[1] for row in UNIT_ROWS]


def test_the_previous_quarters_conclusions_are_followed_up(home, quarter):
    previous = MeetingFactory(
        ward=home.ward,
        title="Hội nghị sơ kết quý IV/2020",
        year=2020,
        quarter=4,
        held_at=at(dt.date(2021, 1, 12), 8),
        chairs=[home.secretary.person],
    )
    first = ConclusionFactory(
        meeting=previous, text="Rà soát đảng viên", lead_organizations=[home.cell]
    )
    ConclusionFactory(
        meeting=previous, text="Kiện toàn tổ dân vận", lead_organizations=[home.women]
    )
    meeting_hold(actor=home.secretary, meeting=previous)
    meeting_conclude(actor=home.secretary, meeting=previous)
    first.refresh_from_db()
    progress_report_submit(
        actor=home.cell_secretary,
        task=first.task,
        organization=home.cell,
        quarter=Q1,
        status=TaskStatus.DONE,
        percent=100,
    )
    review = fresh(quarter["review"])
    texts = default_texts(review=review, figures=review_figures(review=review))
    assert (
        "Thực hiện 02 kết luận của hội nghị sơ kết quý IV/2020: 01 kết luận đã hoàn thành, "
        "00 đang thực hiện, 01 chưa có báo cáo."
    ) in texts["results_text"].splitlines()
    sheet = workbook(review_annex_xlsx(review=review))["Kết luận quý trước"]
    rows = sheet_rows(sheet)
    assert "quý IV/2020" in rows[0][0]
    assert rows[2][:5] == (
        1,
        "Rà soát đảng viên",
        "Chi bộ số 1 Phường Phúc Đồng",
        "Hoàn thành",
        "Đã báo cáo",
    )
    assert rows[2][5] == 100
    assert rows[3][:5] == (
        2,
        "Kiện toàn tổ dân vận",
        "Hội Phụ nữ Phường Phúc Đồng",
        "Chưa thực hiện",
        "Chưa báo cáo",
    )


# --- the edited narrative -----------------------------------------------------------------------


def test_the_edited_text_replaces_the_pre_filled_one(home, quarter):
    review = review_text_save(
        actor=home.secretary,
        review=quarter["review"],
        leadership_text="Đảng ủy đã lãnh đạo toàn diện.\n\nCác chi bộ đã quán triệt kế hoạch.",
        direction_text="Tập trung công tác giải phóng mặt bằng.",
    )
    assert review_texts(review=review)["leadership_text"] == (
        "Đảng ủy đã lãnh đạo toàn diện.\n\nCác chi bộ đã quán triệt kế hoạch."
    )
    data, _issued = review_report_docx(actor=home.secretary, review=review)
    text = lines(data)
    start = text.index("1. Công tác lãnh đạo, chỉ đạo")
    assert text[start + 1 : start + 4] == [
        "Đảng ủy đã lãnh đạo toàn diện.",
        "Các chi bộ đã quán triệt kế hoạch.",
        "2. Kết quả thực hiện nhiệm vụ",
    ]
    assert not any(line.startswith("Trong quý I/2021, Đảng ủy") for line in text)
    start = text.index("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ II/2021")
    assert text[start + 1] == "Tập trung công tác giải phóng mặt bằng."
    assert f"1. {CONCLUSIONS[0]}" not in text[start:]
    # The sections not edited are still pre-filled.
    assert any(line.startswith("Các đơn vị đã gửi 03/05 báo cáo tiến độ.") for line in text)
    assert any(line.startswith("Ưu điểm: ") for line in text)

    # The two paragraphs of the edited text keep the layout of the section's paragraph.
    paragraphs = {p.text: p for p in Document(io.BytesIO(data)).paragraphs}
    first = paragraphs["Đảng ủy đã lãnh đạo toàn diện."]
    second = paragraphs["Các chi bộ đã quán triệt kế hoạch."]
    assert first.paragraph_format.first_line_indent == second.paragraph_format.first_line_indent
    assert first.alignment == second.alignment


def test_every_section_in_the_context_is_made_of_paragraphs(home, quarter, monkeypatch):
    captured = {}
    real = documents.render_party_document

    def spy(kind, context, ward=None):
        captured.update(context)
        return real(kind, context, ward)

    monkeypatch.setattr(documents, "render_party_document", spy)
    review_report_docx(actor=home.secretary, review=quarter["review"], draft=True)
    assert "\n" not in captured["results_text"]
    assert captured["results_text"].count(PARAGRAPH_BREAK) == 1  # two paragraphs
    assert set(captured) == set(CONTEXT_KEYS[DocumentKind.QUARTERLY_REPORT]) == set(REPORT_KEYS)


# --- finalisation freezes the figures -----------------------------------------------------------


def test_after_finalising_the_report_prints_the_frozen_figures(home, quarter):
    review = quarter["review"]
    _data, issued = review_report_docx(actor=home.secretary, review=review)
    review = review_finalize(actor=home.secretary, review=fresh(review))

    # The data change afterwards (written past the services, as a correction in the database
    # would be): task 2 done, three more collectives counted.
    ProgressReport.objects.filter(task=quarter["tasks"][1]).update(
        status=TaskStatus.DONE, percent=100
    )
    Registration.objects.filter(ward=home.ward, status=RegistrationStatus.DRAFT).update(
        status=RegistrationStatus.APPROVED
    )
    Registration.objects.filter(ward=home.ward, status=RegistrationStatus.WITHDRAWN).update(
        status=RegistrationStatus.APPROVED
    )
    live = quarter_figures(ward=home.ward, quarter=Q1)
    assert (live["tasks"]["done"], live["registrations"]["collective"]) == (2, 20)

    data, again = review_report_docx(actor=home.secretary, review=fresh(review))
    assert again.pk == issued.pk
    text = lines(data)
    assert "Đã có 18 tập thể, 03 cá nhân đăng ký mô hình thi đua “Dân vận khéo” năm 2021." in text
    assert any("đã hoàn thành 01/03 nhiệm vụ (đạt 33%)" in line for line in text)
    assert units_table(data)[1:] == [*UNIT_ROWS, TOTAL_ROW]

    annex = workbook(review_annex_xlsx(review=fresh(review)))
    units = sheet_rows(annex["Nhiệm vụ theo đơn vị"])
    assert units[-1][:7] == (None, "Tổng cộng", 5, 1, 2, 1, 1)
    side = {row[10]: row[11] for row in sheet_rows(annex["Mô hình"])[2:] if row[10]}
    assert side["Tập thể"] == 18


# --- the Excel annex ----------------------------------------------------------------------------


def test_the_annex_holds_the_detailed_tables_with_numbers(home, quarter):
    book = workbook(review_annex_xlsx(review=quarter["review"]))
    assert book.sheetnames == [
        "Nhiệm vụ theo đơn vị",
        "Nhiệm vụ",
        "Mô hình",
        "Kết luận quý trước",
        "Bốn quý",
    ]
    for sheet in book:
        assert sheet["A1"].value.startswith("Phường Phúc Đồng – Quý I/2021 – ")
        assert sheet.freeze_panes == "A3"
        assert all(cell.font.bold for cell in sheet[2] if cell.value)
        assert sheet.column_dimensions["B"].width > 8

    units = sheet_rows(book["Nhiệm vụ theo đơn vị"])
    assert units[1][:7] == tuple(["TT", "Đơn vị", *(c for c in (
        "Được giao", "Hoàn thành", "Đang thực hiện", "Chậm tiến độ", "Chưa báo cáo"))])  # fmt: skip
    assert [list(row[:7]) for row in units[2:-1]] == [
        [int(row[0]), row[1], *(int(n) for n in row[2:])] for row in UNIT_ROWS
    ]
    assert units[-1][:8] == (None, "Tổng cộng", 5, 1, 2, 1, 1, 20)
    assert book["Nhiệm vụ theo đơn vị"]["H3"].data_type == "n"

    tasks = sheet_rows(book["Nhiệm vụ"])[2:]
    assert [(row[1], row[2], row[6], row[7]) for row in tasks] == [
        ("28-KH/ĐU", 1, "Hoàn thành", 100),
        ("28-KH/ĐU", 2, "Đang thực hiện", 50),
        ("28-KH/ĐU", 3, "Chậm tiến độ", None),
    ]
    assert tasks[2][5].date() == dt.date(2021, 2, 28)
    assert book["Nhiệm vụ"]["F5"].number_format == "DD/MM/YYYY"
    assert tasks[0][8] == "Chi bộ số 1 Phường Phúc Đồng, Chi bộ số 2 Phường Phúc Đồng"

    models = sheet_rows(book["Mô hình"])
    listed = [row for row in models[2:] if row[0]]
    assert len(listed) == 18 + 3 + 2  # the year's registrations but the withdrawn one
    assert sum(1 for row in listed if row[8] == "x") == 21  # those the figures count
    assert sum(1 for row in listed if row[1] == "Cá nhân") == 3
    side = {row[10]: row[11] for row in models[2:] if row[10]}
    assert side["Tập thể"] == 18 and side["Cá nhân"] == 3 and side["Tổng số"] == 21
    assert side["Đăng ký mới trong quý"] == 21 and side["Nhân rộng điển hình"] == 2
    assert side["Được công nhận trong quý"] == 1
    assert side["Mô hình đã cập nhật kết quả trong quý"] == 4
    assert side["Giải phóng mặt bằng"] == 10 and side["Môi trường"] == 3

    history = sheet_rows(book["Bốn quý"])[2:]
    assert [row[0] for row in history] == ["II/2020", "III/2020", "IV/2020", "I/2021"]
    assert history[-1][1:] == (3, 1, 2, 21, 5, 3)


# --- layouts ------------------------------------------------------------------------------------


def test_an_uploaded_layout_of_the_report_is_checked_and_used(home, quarter):
    text = (
        "{{ number_line }} | {{ subject }} | {{ registrations.collective }} tập thể, "
        "{{ registrations.individual }} cá nhân | {% for u in units %}{{ u.name }}="
        "{{ u.done }}/{{ u.assigned }};{% endfor %} | {{ figures.tasks.received }}"
    )
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    template = DocumentTemplate(
        kind=DocumentKind.QUARTERLY_REPORT,
        ward=home.ward,
        name="Mẫu báo cáo của phường",
        file=ContentFile(buffer.getvalue(), name="bao-cao.docx"),
        uploaded_by=home.staff,
    )
    template.full_clean()
    template.save()
    data, _issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    units = ";".join(f"{row[1]}={row[3]}/{row[2]}" for row in UNIT_ROWS)
    assert lines(data) == [f"Số 01-BC/ĐU | {SUBJECT} | 18 tập thể, 03 cá nhân | {units}; | 3"]

    wrong = Document()
    wrong.add_paragraph("{{ so_lieu_quy }}")
    buffer = io.BytesIO()
    wrong.save(buffer)
    refused = DocumentTemplate(
        kind=DocumentKind.QUARTERLY_REPORT,
        ward=None,
        name="Mẫu sai",
        file=ContentFile(buffer.getvalue(), name="sai.docx"),
    )
    with pytest.raises(ValidationError) as raised:
        refused.full_clean()
    assert "so_lieu_quy" in " ".join(raised.value.message_dict["file"])


def test_the_built_in_layout_passes_the_template_check(home):
    with open(BUILT_IN_TEMPLATES / "quarterly_report.docx", "rb") as handle:
        template_check(handle, kind=DocumentKind.QUARTERLY_REPORT, label="built-in")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_report(home, quarter, tmp_path):
    data, _issued = review_report_docx(actor=home.secretary, review=quarter["review"])
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(data)
    profile = tmp_path / "profile"
    # The arguments are ours (a temporary folder), not a user's input.
    subprocess.run(  # noqa: S603
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 10_000


# --- queries ------------------------------------------------------------------------------------


def _queries(review, actor) -> int:
    with CaptureQueriesContext(connection) as captured:
        review_report_docx(actor=actor, review=fresh(review), draft=True)
        review_annex_xlsx(review=fresh(review))
    return len(captured)


def test_generation_queries_do_not_grow_with_the_data(home, quarter):
    review = quarter["review"]
    before = _queries(review, home.secretary)
    # More units, tasks, reports, registrations, contributions and conclusions.
    plan = quarter["plans"][1]
    meeting = quarter["meeting"]
    field = FieldFactory(name="An ninh trật tự")
    for n in range(5):
        unit = OrganizationFactory(ward=home.ward, name=f"Chi bộ Khu dân cư số {n + 10}")
        task = TaskFactory(plan=plan, lead_organization=unit, supporting_organizations=[home.bloc])
        ProgressReportFactory(task=task, organization=unit)
        RegistrationFactory(
            ward=home.ward,
            organization=unit,
            field=field,
            kind=RegistrationKind.COLLECTIVE,
            status=RegistrationStatus.APPROVED,
            submitted_at=at(dt.date(2021, 3, 1)),
        )
        speaker = PersonFactory(ward=home.ward, organization=unit)
        ContributionFactory(meeting=meeting, speaker=speaker, organization=unit)
        ConclusionFactory(meeting=meeting, lead_organizations=[unit, home.women])
    after = _queries(review, home.secretary)
    assert after == before
    assert before < 60, before


def test_without_a_committee_the_text_reads_and_the_report_says_what_is_missing(home, quarter):
    Organization.objects.filter(pk=home.committee.pk).update(kind=K.OTHER)
    review = fresh(quarter["review"])
    texts = review_texts(review=review)
    assert texts["leadership_text"].startswith("Trong quý I/2021, Đảng ủy Phường Phúc Đồng đã ")
    with pytest.raises(ValidationError) as raised:
        review_report_docx(actor=home.secretary, review=review)
    assert raised.value.messages == [str(MESSAGE_NO_COMMITTEE)]
    assert not IssuedDocument.objects.exists()
