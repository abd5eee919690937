"""The meetings issue's acceptance, on the demo data, through the pages."""

from io import BytesIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from meetings.models import Meeting
from wardwork.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Meeting.objects.get(held_at__date="2021-04-13")


def _text(document: Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_meeting_page_shows_05_contributions_and_06_conclusions(client, demo):
    client.force_login(User.objects.get(username="cb01"))
    page = client.get(reverse("meetings:meeting_detail", args=[demo.pk])).content.decode()
    assert "05 lượt ý kiến đóng góp" in page
    assert ">06<" in page
    for conclusion in demo.conclusions.prefetch_related("lead_organizations"):
        assert conclusion.task is not None
        assigned = {
            conclusion.task.lead_organization,
            *conclusion.task.supporting_organizations.all(),
        }
        assert set(conclusion.lead_organizations.all()) <= assigned


def test_the_conclusion_notice_of_the_demo_meeting(client, demo):
    client.force_login(User.objects.get(username="ngoc"))
    response = client.get(reverse("meetings:conclusion_notice_docx", args=[demo.pk]))
    assert response.status_code == 200
    text = _text(Document(BytesIO(response.content)))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "ĐẢNG ỦY PHƯỜNG PHÚC ĐỒNG" in text
    assert "-TB/ĐU" in text
    assert "Phúc Đồng, ngày 13 tháng 4 năm 2021" in text
    for conclusion in demo.conclusions.all():
        assert conclusion.text[:80] in text


def test_another_ward_never_sees_the_meeting(client, demo):
    client.force_login(User.objects.get(username="saidong"))
    assert client.get(reverse("meetings:meeting_detail", args=[demo.pk])).status_code == 404
    assert demo.title not in client.get(reverse("meetings:meeting_list")).content.decode()
