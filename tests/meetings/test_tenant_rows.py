"""The rows of a meeting and of a quarterly review carry their ward (Citus distributes by it,
wardwork/tenancy.py): recorded through the real services, they get the meeting's (the
review's) ward; the unique rules still answer with the form's message, never a server
error; a task still has its one conclusion."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from meetings import review_services
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    QuarterlyReviewEvent,
)
from meetings.selectors import task_conclusion
from meetings.services import (
    conclusion_save,
    contribution_add,
    meeting_conclude,
    meeting_invite,
    meeting_reopen,
    meeting_rows_follow_ward,
    meeting_save,
)
from plans.models import Task
from tests.meetings.conftest import make_meeting
from tests.meetings.factories import APRIL_13_2021, MeetingFactory
from tests.meetings.review_fixtures import Q1
from tests.meetings.test_admin import _add_row, _admin_url, _change_data, _prefix
from tests.plans.factories import TaskFactory

pytestmark = pytest.mark.django_db

ROWS = (MeetingEvent, Attendance, Contribution, Conclusion)


def _wards(model, meeting) -> set[int]:
    return set(model.objects.filter(meeting=meeting).values_list("ward_id", flat=True))


def _history_wards(model, meeting) -> set[int]:
    return set(model.history.filter(meeting_id=meeting.pk).values_list("ward_id", flat=True))


def test_a_meetings_rows_recorded_through_the_services_carry_its_ward(home, away):
    meeting = make_meeting(home, MeetingStatus.HELD)
    other = make_meeting(away, MeetingStatus.HELD)
    meeting_invite(actor=home.secretary, meeting=meeting, groups=["cell_secretaries"])
    contribution_add(actor=home.dvk, meeting=meeting, content="Ý kiến của Khối Dân vận")
    conclusion_save(
        actor=home.secretary,
        conclusion=Conclusion(meeting=meeting, text="Kết luận bổ sung"),
        lead_organizations=[home.other_cell],
    )
    meeting = meeting_conclude(actor=home.secretary, meeting=meeting)
    meeting_reopen(actor=home.secretary, meeting=meeting, reason="Bổ sung ý kiến")

    assert meeting.attendances.filter(person=home.other_cell_secretary.person).exists()
    assert meeting.contributions.count() == 3 and meeting.conclusions.count() == 3
    for model in ROWS:
        assert _wards(model, meeting) == {home.ward.pk}, model
        assert _wards(model, other) == {away.ward.pk}, model
    for model in (Attendance, Contribution, Conclusion):
        assert _history_wards(model, meeting) == {home.ward.pk}, model
    # The tasks concluding made are the ward's too.
    tasks = Task.objects.filter(conclusion__meeting=meeting)
    assert tasks.count() == 3
    assert set(tasks.values_list("ward_id", flat=True)) == {home.ward.pk}


def test_a_quarterly_reviews_events_carry_its_ward(home, away):
    review = review_services.review_get_or_create(ward=home.ward, quarter=Q1, actor=home.secretary)
    review_services.review_start(actor=home.staff, review=review)
    review_services.review_get_or_create(ward=away.ward, quarter=Q1, actor=away.secretary)
    events = QuarterlyReviewEvent.objects.filter(review=review)
    assert events.count() == 2
    assert set(events.values_list("ward_id", flat=True)) == {home.ward.pk}
    assert set(
        QuarterlyReviewEvent.objects.filter(review__ward=away.ward).values_list(
            "ward_id", flat=True
        )
    ) == {away.ward.pk}


# --- duplicates: the form's message, the database's refusal ---------------------------------------


def test_a_duplicate_number_is_refused_with_the_message_it_had(held_meeting):
    with translation.override("en"):
        duplicate = Contribution(meeting=held_meeting, ordinal=1, content="Trùng số")
        with pytest.raises(ValidationError) as raised:
            duplicate.full_clean()
        assert raised.value.message_dict[NON_FIELD_ERRORS] == [
            "Contribution with this Meeting and Number already exists."
        ]
        conclusion = Conclusion(meeting=held_meeting, ordinal=2, text="Trùng số")
        with pytest.raises(ValidationError) as raised:
            conclusion.full_clean()
        assert raised.value.message_dict[NON_FIELD_ERRORS] == [
            "Conclusion with this Meeting and Number already exists."
        ]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_person_invited_twice_is_refused(home, held_meeting):
    again = Attendance(meeting=held_meeting, person=home.secretary.person)
    with pytest.raises(ValidationError):
        again.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
    # Another meeting may invite the same person.
    Attendance(meeting=MeetingFactory(ward=home.ward), person=home.secretary.person).full_clean()


def test_the_admin_answers_a_duplicate_number_with_the_form_not_a_server_error(
    client, superuser, held_meeting
):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    url = _admin_url(Meeting, "change", held_meeting.pk)
    response = client.get(url)
    prefix = _prefix(response, Contribution)
    # The number of a contribution already there, then one number given to two new rows.
    for rows in ([("1", "Ý kiến trùng số")], [("7", "Một"), ("7", "Hai")]):
        data = _change_data(response)
        for ordinal, content in rows:
            _add_row(data, prefix, {"ordinal": ordinal, "content": content})
        answer = client.post(url, data)
        assert answer.status_code == 200
        assert "Please correct the duplicate data for ordinal." in answer.text
        assert held_meeting.contributions.count() == 2


def test_a_task_has_one_conclusion(home, concluded_meeting):
    conclusion = concluded_meeting.conclusions.get(ordinal=1)
    task = conclusion.task
    assert task_conclusion(task) == conclusion
    assert list(task.conclusions.all()) == [conclusion]
    second = concluded_meeting.conclusions.get(ordinal=2)
    second.task = task
    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save(update_fields=["task"])


def test_a_task_without_conclusion_has_none(home):
    assert task_conclusion(TaskFactory(ward=home.ward)) is None


# --- a meeting whose ward is corrected ------------------------------------------------------------


def test_rows_follow_a_meetings_corrected_ward(home, away):
    meeting = Meeting(
        ward=home.ward,
        kind="seminar",
        title="Hội nghị ghi nhầm phường",
        year=2021,
        held_at=APRIL_13_2021,
    )
    meeting = meeting_save(actor=home.secretary, meeting=meeting)
    assert _wards(MeetingEvent, meeting) == {home.ward.pk}
    Meeting.objects.filter(pk=meeting.pk).update(ward=away.ward)
    meeting.refresh_from_db()
    assert meeting_rows_follow_ward(meeting) == 1
    assert _wards(MeetingEvent, meeting) == {away.ward.pk}


def test_rows_follow_when_a_superuser_corrects_the_ward_in_the_admin(client, superuser, home, away):
    meeting = MeetingFactory(ward=home.ward, status=MeetingStatus.PLANNED)
    MeetingEvent.objects.create(meeting=meeting, action="created", to_status="planned")
    client.force_login(superuser)
    url = _admin_url(Meeting, "change", meeting.pk)
    data = _change_data(client.get(url))
    data["ward"] = str(away.ward.pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Meeting.objects.get(pk=meeting.pk).ward == away.ward
    assert _wards(MeetingEvent, meeting) == {away.ward.pk}


def test_marking_attendance_keeps_the_ward(home, held_meeting):
    attendance = held_meeting.attendances.get(person=home.mass_head.person)
    attendance.status = AttendanceStatus.PRESENT
    attendance.save(update_fields=["status"])
    assert Attendance.objects.get(pk=attendance.pk).ward_id == home.ward.pk
