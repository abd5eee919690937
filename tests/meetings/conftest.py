"""Meetings of ``home`` in each status, each with attendance, two contributions and two
conclusions: (1) led by ``home.cell`` with ``home.women`` supporting, (2) led by
``home.bloc`` with ``home.other_cell`` supporting. The steps (held, concluded) go through
the services, so the concluded meeting's conclusions have their tasks."""

from __future__ import annotations

import pytest

from meetings.models import AttendanceStatus, Meeting, MeetingStatus
from meetings.services import meeting_conclude, meeting_hold
from tests.meetings.factories import (
    AttendanceFactory,
    ConclusionFactory,
    ContributionFactory,
    MeetingFactory,
)


def make_meeting(ward_setup, status: str = MeetingStatus.PLANNED, **values) -> Meeting:
    setup = ward_setup
    meeting = MeetingFactory(ward=setup.ward, created_by=setup.secretary, **values)
    meeting.chairs.set([setup.secretary.person])
    AttendanceFactory(
        meeting=meeting,
        person=setup.secretary.person,
        organization=setup.committee,
        status=AttendanceStatus.PRESENT,
    )
    AttendanceFactory(
        meeting=meeting,
        person=setup.cell_secretary.person,
        organization=setup.cell,
        status=AttendanceStatus.PRESENT,
    )
    AttendanceFactory(
        meeting=meeting,
        person=setup.mass_head.person,
        organization=setup.women,
        status=AttendanceStatus.EXCUSED,
        note="Ốm, có báo cáo",
    )
    ContributionFactory(
        meeting=meeting,
        speaker=setup.cell_secretary.person,
        content="Chi bộ đề nghị hướng dẫn tiêu chí đánh giá mô hình Dân vận khéo.",
    )
    ContributionFactory(
        meeting=meeting,
        speaker=setup.mass_head.person,
        content="Hội Phụ nữ đề nghị nhân rộng mô hình nói không với túi ni lông.",
    )
    ConclusionFactory(
        meeting=meeting,
        text="Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU.",
        lead_organizations=[setup.cell],
        supporting_organizations=[setup.women],
    )
    ConclusionFactory(
        meeting=meeting,
        text="Khối Dân vận giám sát thường xuyên việc thực hiện kế hoạch.",
        lead_organizations=[setup.bloc],
        supporting_organizations=[setup.other_cell],
    )
    if status in (MeetingStatus.HELD, MeetingStatus.CONCLUDED):
        meeting = meeting_hold(actor=setup.secretary, meeting=meeting)
    if status == MeetingStatus.CONCLUDED:
        meeting = meeting_conclude(actor=setup.secretary, meeting=meeting)
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def planned_meeting(home) -> Meeting:
    return make_meeting(home, MeetingStatus.PLANNED)


@pytest.fixture
def held_meeting(home) -> Meeting:
    return make_meeting(home, MeetingStatus.HELD)


@pytest.fixture
def concluded_meeting(home) -> Meeting:
    return make_meeting(home, MeetingStatus.CONCLUDED)
