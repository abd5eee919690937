"""A small plan tree in ``home``: 18-KH/QU from the district, 28-KH/ĐU of the ward
implementing it, two tasks assigned to ``home.cell`` (lead) and ``home.women`` (support)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from plans.models import Plan, ProgressReport, Task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class PlanSetup:
    district_plan: Plan
    ward_plan: Plan
    task: Task  # lead: home.cell, supporting: home.women
    other_task: Task  # lead: home.other_cell
    report: ProgressReport  # other_cell on other_task, I/2021, with an evidence file


def make_plans(ward_setup) -> PlanSetup:
    ward = ward_setup.ward
    district = ward_setup.committee.parent
    district_plan = Plan.objects.create(
        ward=ward,
        doc_type="KH",
        number=18,
        issuer=district,
        symbol="18-KH/QU",
        issued_on=dt.date(2020, 12, 30),
        year=2021,
        title="Thực hiện chủ đề Năm Dân vận khéo năm 2021",
        theme="Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng",
    )
    ward_plan = Plan.objects.create(
        ward=ward,
        doc_type="KH",
        number=28,
        issuer=ward_setup.committee,
        symbol="28-KH/ĐU",
        issued_on=dt.date(2021, 1, 15),
        year=2021,
        title="Triển khai chủ đề Năm Dân vận khéo",
        implements=district_plan,
    )
    task = Task.objects.create(
        ward=ward,
        plan=ward_plan,
        ordinal=1,
        title="Vận động nhân dân giải phóng mặt bằng",
        lead_organization=ward_setup.cell,
        due_quarter="IV/2021",
    )
    task.supporting_organizations.add(ward_setup.women)
    other_task = Task.objects.create(
        ward=ward,
        plan=ward_plan,
        ordinal=2,
        title="Giảm rác thải nhựa",
        lead_organization=ward_setup.other_cell,
        due_date=dt.date(2021, 6, 30),
    )
    report = ProgressReport.objects.create(
        task=other_task,
        organization=ward_setup.other_cell,
        year=2021,
        quarter=1,
        status="in_progress",
        percent=20,
        attachment=ContentFile(PDF, name="bien-ban.pdf"),
    )
    ward_plan.attachment = ContentFile(PDF, name="28-KH-DU.pdf")
    ward_plan.save()
    return PlanSetup(district_plan, ward_plan, task, other_task, report)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plans_home(home) -> PlanSetup:
    return make_plans(home)


@pytest.fixture
def plans_away(away) -> PlanSetup:
    return make_plans(away)
