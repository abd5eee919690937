"""Factories for meetings: Meeting, Attendance, Contribution, Conclusion.

Wards stay consistent: rows of a meeting name people and bodies of the meeting's ward.
Contributions and conclusions take the next free number of their meeting, as the services
give them. ``ConclusionFactory(lead_organizations=[...], supporting_organizations=[...])``
sets its bodies (a body of the meeting's ward is created as the lead when none is given).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.db.models import Max
from factory.django import DjangoModelFactory

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from tests.factories import OrganizationFactory, PersonFactory, WardFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APRIL_13_2021 = dt.datetime(2021, 4, 13, 8, 0, tzinfo=TZ)


class MeetingFactory(DjangoModelFactory[Meeting]):
    """A planned quarterly review of quarter I/2021, held on 13/04/2021 at 8:00."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    ward = factory.SubFactory(WardFactory)
    kind = MeetingKind.QUARTERLY_REVIEW
    title = factory.Sequence(
        lambda n: f"Hội nghị đánh giá kết quả thực hiện chủ đề năm quý I/2021 ({n})"
    )
    year = 2021
    quarter = 1
    held_at = APRIL_13_2021
    venue = "Phòng họp 2 trụ sở phường"
    status = MeetingStatus.PLANNED

    @factory.post_generation
    def chairs(self, create, extracted, **kwargs):
        if create and extracted:
            self.chairs.set(extracted)


def _next_ordinal(meeting, related: str) -> int:
    if meeting is None or meeting.pk is None:
        return 1
    return (getattr(meeting, related).aggregate(m=Max("ordinal"))["m"] or 0) + 1


class AttendanceFactory(DjangoModelFactory[Attendance]):
    """A person of the meeting's ward, invited (status ``invited``)."""

    class Meta:
        model = Attendance
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory, ward=factory.SelfAttribute("..meeting.ward"))
    organization = factory.LazyAttribute(lambda o: o.person.organization if o.person else None)
    status = AttendanceStatus.INVITED
    note = ""


class ContributionFactory(DjangoModelFactory[Contribution]):
    class Meta:
        model = Contribution
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    ordinal = factory.LazyAttribute(lambda o: _next_ordinal(o.meeting, "contributions"))
    speaker = factory.SubFactory(PersonFactory, ward=factory.SelfAttribute("..meeting.ward"))
    organization = factory.LazyAttribute(lambda o: o.speaker.organization if o.speaker else None)
    content = factory.Sequence(
        lambda n: f"Đề nghị nhân rộng mô hình Dân vận khéo tại tổ dân phố (ý kiến {n})."
    )


class ConclusionFactory(DjangoModelFactory[Conclusion]):
    class Meta:
        model = Conclusion
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    ordinal = factory.LazyAttribute(lambda o: _next_ordinal(o.meeting, "conclusions"))
    text = factory.Sequence(
        lambda n: f"Tăng cường công tác kiểm tra, hướng dẫn, đôn đốc thực hiện (kết luận {n})."
    )
    due_date = None
    due_quarter = None
    plan = None
    task = None

    @factory.post_generation
    def lead_organizations(self, create, extracted, **kwargs):
        if not create:
            return
        self.lead_organizations.set(
            extracted if extracted else [OrganizationFactory(ward=self.meeting.ward)]
        )

    @factory.post_generation
    def supporting_organizations(self, create, extracted, **kwargs):
        if create and extracted:
            self.supporting_organizations.set(extracted)
