"""Meetings for the page tests, built through the services as the pages build them.

``make_meetings(ward_setup)`` gives one ward three meetings of quarter I/2021: a planned
one, a held one with attendance, two contributions and two conclusions, and a concluded
one whose conclusion has become a task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from meetings import services
from meetings.models import Attendance, Conclusion, Contribution, Meeting
from plans.models import Plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class MeetingSetup:
    plan: Plan
    planned: Meeting
    held: Meeting
    concluded: Meeting
    attendance: Attendance  # of ``held``
    contribution: Contribution  # of ``held``, number 1
    conclusion: Conclusion  # of ``held``, number 1
    concluded_attendance: Attendance
    concluded_contribution: Contribution
    concluded_conclusion: Conclusion  # has its task


def new_meeting(ward_setup, *, title: str, day: int = 13) -> Meeting:
    return services.meeting_save(
        actor=ward_setup.secretary,
        meeting=Meeting(
            ward=ward_setup.ward,
            kind="quarterly_review",
            title=title,
            year=2021,
            quarter=1,
            held_at=dt.datetime(2021, 4, day, 8, 0, tzinfo=TZ),
            venue="Phòng họp 2 trụ sở phường",
            presenter=ward_setup.secretary.person,
            report_summary="Kết quả thực hiện Kế hoạch 28-KH/ĐU quý I/2021.",
            next_period_direction="Tiếp tục vận động giải phóng mặt bằng.",
        ),
        chairs=[ward_setup.secretary.person],
    )


def record(ward_setup, meeting: Meeting, *, contributions: int = 2, conclusions: int = 2):
    """Invite the cell secretaries and the bloc, mark the first present, and record
    ``contributions`` contributions and ``conclusions`` conclusions."""
    actor = ward_setup.secretary
    services.meeting_invite(
        actor=actor, meeting=meeting, groups=["cell_secretaries", "mass_mobilization_bloc"]
    )
    first = meeting.attendances.order_by("pk").first()
    services.attendance_mark(actor=actor, attendance=first, status="present")
    for i in range(contributions):
        services.contribution_add(
            actor=actor,
            meeting=meeting,
            content=f"Ý kiến số {i + 1} về giải phóng mặt bằng.",
            speaker=ward_setup.cell_secretary.person,
        )
    for i in range(conclusions):
        services.conclusion_save(
            actor=actor,
            conclusion=Conclusion(meeting=meeting, text=f"Kết luận {i + 1}: vận động nhân dân."),
            lead_organizations=[ward_setup.cell],
            supporting_organizations=[ward_setup.women],
        )
    return first


def make_meetings(ward_setup) -> MeetingSetup:
    actor = ward_setup.secretary
    plan = Plan.objects.create(
        ward=ward_setup.ward,
        doc_type="KH",
        number=28,
        issuer=ward_setup.committee,
        symbol="28-KH/ĐU",
        issued_on=dt.date(2021, 1, 15),
        year=2021,
        title="Triển khai chủ đề Năm Dân vận khéo",
    )
    planned = new_meeting(ward_setup, title="Giao ban Khối Dân vận tháng 4", day=20)
    held = new_meeting(ward_setup, title="Hội nghị sơ kết quý I/2021")
    held.reviewed_plans.add(plan)
    attendance = record(ward_setup, held)
    held = services.meeting_hold(actor=actor, meeting=held)
    concluded = new_meeting(ward_setup, title="Hội nghị tọa đàm Dân vận khéo", day=6)
    concluded_attendance = record(ward_setup, concluded, contributions=1, conclusions=1)
    services.meeting_hold(actor=actor, meeting=concluded)
    concluded = services.meeting_conclude(actor=actor, meeting=concluded)
    return MeetingSetup(
        plan=plan,
        planned=planned,
        held=held,
        concluded=concluded,
        attendance=attendance,
        contribution=held.contributions.get(ordinal=1),
        conclusion=held.conclusions.get(ordinal=1),
        concluded_attendance=concluded_attendance,
        concluded_contribution=concluded.contributions.get(),
        concluded_conclusion=concluded.conclusions.select_related("task").get(),
    )


@pytest.fixture
def meetings_home(home) -> MeetingSetup:
    return make_meetings(home)


@pytest.fixture
def meetings_away(away) -> MeetingSetup:
    return make_meetings(away)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files a test writes (document templates, uploads) go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
