"""The quarterly review issue's acceptance, on the demo data, through the pages."""

from __future__ import annotations

from io import BytesIO

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from meetings.models import Meeting, QuarterlyReview, ReviewStatus
from plans.models import ProgressReport, Task
from plans.services import progress_report_submit
from wardwork.models import Organization, User
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

Q1 = Quarter(2021, 1)
Q2 = Quarter(2021, 2)


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Meeting.objects.get(held_at__date="2021-04-13")


def _testid(html: str, testid: str) -> str:
    (node,) = lxml.html.fromstring(html).xpath(f'//*[@data-testid="{testid}"]')
    return " ".join(node.text_content().split())


def _docx_text(data: bytes) -> str:
    document = Document(BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        for table in section.header.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_ngoc_lands_on_quarter_i_2021_with_its_figures(client, demo):
    client.force_login(User.objects.get(username="ngoc"))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("quarters:page", args=[Q1])
    html = response.content.decode()
    assert "Quý I/2021" in html
    assert _testid(html, "registrations-sentence").startswith("18 tập thể, 03 cá nhân")
    assert _testid(html, "meeting-contributions") == "05"
    assert _testid(html, "meeting-conclusions") == "06"
    rows = lxml.html.fromstring(html).xpath('//*[@data-testid="unit-row"]')
    names = {" ".join(row.xpath("./*[1]")[0].text_content().split()) for row in rows}
    assert {"Chi bộ 2", "Chi bộ 5", "Hội NCT", "UB MTTQ"} <= names


def test_the_report_has_the_party_header_a_bc_symbol_and_the_figures(client, demo):
    client.force_login(User.objects.get(username="ngoc"))
    response = client.post(reverse("quarters:report_docx", args=[Q1]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-BC-DU.docx"')
    text = _docx_text(response.content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG ỦY PHƯỜNG PHÚC ĐỒNG" in text
    assert "-BC/ĐU" in text
    assert "Phúc Đồng, ngày 13 tháng 4 năm 2021" in text
    assert "18 tập thể, 03 cá nhân" in text
    assert "05 lượt ý kiến đóng góp" in text


def test_after_finalising_a_report_for_i_2021_is_refused_everywhere(client, demo, superuser):
    ngoc = User.objects.get(username="ngoc")
    client.force_login(ngoc)
    client.post(reverse("quarters:report_docx", args=[Q1]))
    response = client.post(reverse("quarters:finalize", args=[Q1]), follow=True)
    assert response.status_code == 200
    review = QuarterlyReview.objects.get(ward=ngoc.ward, year=2021, quarter=1)
    assert review.status == ReviewStatus.FINALIZED

    cell = Organization.objects.get(ward=ngoc.ward, name="Chi bộ Khu dân cư số 2")
    task = Task.objects.filter(plan__symbol="28-KH/ĐU", supporting_organizations=cell).first()
    before = ProgressReport.objects.count()
    cb02 = User.objects.get(username="cb02")

    # the service
    with pytest.raises(ValidationError) as refused:
        progress_report_submit(
            actor=cb02, task=task, organization=cell, quarter=Q1, status="in_progress", percent=50
        )
    assert "Quý I/2021" in " ".join(refused.value.messages)

    # the form
    client.force_login(cb02)
    prefix = f"r{task.pk}-{cell.pk}"
    response = client.post(
        reverse("plans:report_submit", args=[task.pk]),
        {"unit": cell.pk, "quarter": Q1.slug, f"{prefix}-status": "in_progress",
         f"{prefix}-percent": 50, f"{prefix}-narrative": "Gửi sau khi khóa sổ."},
    )  # fmt: skip
    assert response.status_code in (200, 400)
    assert "Quý I/2021" in response.content.decode()
    assert "Bí thư Đảng ủy phường có thể mở lại" in response.content.decode()

    # the admin, superuser included
    client.force_login(superuser)
    response = client.post(
        reverse("admin:plans_progressreport_add"),
        {"task": task.pk, "organization": cell.pk, "year": 2021, "quarter": 1,
         "status": "in_progress", "percent": 50, "narrative": "Thêm qua quản trị."},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Quý I/2021" in " ".join(response.context["adminform"].form.non_field_errors())
    assert ProgressReport.objects.count() == before


def test_after_finalising_ii_2021_shows_the_six_conclusions_as_tasks(client, demo):
    ngoc = User.objects.get(username="ngoc")
    client.force_login(ngoc)
    client.post(reverse("quarters:report_docx", args=[Q1]))
    client.post(reverse("quarters:finalize", args=[Q1]))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("quarters:page", args=[Q2])
    html = response.content.decode()
    (follow_up,) = lxml.html.fromstring(html).xpath('//*[@id="follow-up"]')
    links = {a.get("href") for a in follow_up.xpath(".//a")}
    for conclusion in demo.conclusions.select_related("task"):
        assert conclusion.task is not None
        assert reverse("plans:task_detail", args=[conclusion.task_id]) in links
    assert demo.conclusions.count() == 6
