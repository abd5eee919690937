"""Meeting services: the planned -> held -> concluded flow and the read-only rule, reopening,
bulk invitation, attendance, numbering of contributions and conclusions (also under
concurrency), conclusions becoming tasks, and who may do what."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from meetings.services import (
    MESSAGE_CANNOT_CONCLUDE,
    MESSAGE_CANNOT_HOLD,
    MESSAGE_CANNOT_REOPEN,
    MESSAGE_NO_LEAD,
    MESSAGE_READ_ONLY,
    MESSAGE_REASON_REQUIRED,
    attendance_mark,
    conclusion_delete,
    conclusion_save,
    contribution_add,
    contribution_delete,
    meeting_conclude,
    meeting_hold,
    meeting_invite,
    meeting_reopen,
    meeting_save,
)
from models_registry.models import Field, Registration, RegistrationKind, RegistrationStatus
from plans.models import Task, TaskStatus
from plans.selectors import my_unit_tasks
from tests.factories import OrganizationFactory, PersonFactory, PositionFactory
from tests.meetings.conftest import make_meeting
from tests.meetings.factories import (
    APRIL_13_2021,
    MeetingFactory,
)
from tests.plans.factories import PlanFactory, TaskFactory
from wardwork.models import OrganizationKind as K
from wardwork.models import PositionRole as R
from wardwork.quarters import Quarter
from wardwork.roles import roles_of

pytestmark = pytest.mark.django_db

QUARTER_II = Quarter(2021, 2)


def _refused(exc_info, message) -> None:
    assert str(message) in exc_info.value.messages


def _statuses(meeting: Meeting) -> list[tuple[str, str, str]]:
    return list(meeting.events.values_list("action", "from_status", "to_status"))


def _fresh(meeting: Meeting) -> Meeting:
    return Meeting.objects.get(pk=meeting.pk)


def _new_meeting(home, **values) -> Meeting:
    return Meeting(
        ward=home.ward,
        kind=values.pop("kind", MeetingKind.QUARTERLY_REVIEW),
        title=values.pop("title", "Hội nghị đánh giá kết quả thực hiện chủ đề năm quý I/2021"),
        year=2021,
        quarter=values.pop("quarter", 1),
        held_at=APRIL_13_2021,
        venue="Phòng họp 2 trụ sở phường",
        **values,
    )


# --- the status flow ----------------------------------------------------------------------------
def test_meeting_save_creates_a_planned_meeting(home):
    plan = PlanFactory(ward=home.ward, symbol="28-KH/ĐU")
    meeting = _new_meeting(
        home, title="  Hội nghị đánh giá quý I/2021 ", status=MeetingStatus.CONCLUDED
    )
    meeting = meeting_save(
        actor=home.staff,
        meeting=meeting,
        chairs=[home.secretary.person],
        reviewed_plans=[plan],
    )
    meeting = _fresh(meeting)
    assert meeting.status == MeetingStatus.PLANNED  # whatever the caller set
    assert meeting.title == "Hội nghị đánh giá quý I/2021"
    assert meeting.created_by == home.staff
    assert list(meeting.chairs.all()) == [home.secretary.person]
    assert list(meeting.reviewed_plans.all()) == [plan]
    event = meeting.events.get()
    assert (event.action, event.from_status, event.to_status) == ("created", "", "planned")
    assert event.actor == home.staff
    assert meeting.history.earliest().history_user == home.staff


def test_meeting_save_validates(home, away):
    with pytest.raises(ValidationError) as exc:
        meeting_save(actor=home.staff, meeting=_new_meeting(home, quarter=None))
    assert "quarter" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        meeting_save(actor=home.staff, meeting=_new_meeting(home), chairs=[away.secretary.person])
    assert "chairs" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        meeting_save(
            actor=home.staff,
            meeting=_new_meeting(home),
            reviewed_plans=[PlanFactory(ward=away.ward)],
        )
    assert "reviewed_plans" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        meeting_save(actor=home.staff, meeting=_new_meeting(home, presenter=away.staff.person))
    assert "presenter" in exc.value.message_dict


def test_planned_held_concluded(home, planned_meeting):
    meeting = meeting_hold(actor=home.staff, meeting=planned_meeting)
    assert _fresh(meeting).status == MeetingStatus.HELD
    meeting = meeting_conclude(actor=home.secretary, meeting=meeting)
    meeting = _fresh(meeting)
    assert meeting.status == MeetingStatus.CONCLUDED
    assert meeting.is_read_only
    assert meeting.concluded_by == home.secretary
    assert meeting.concluded_at is not None
    assert _statuses(meeting) == [
        ("held", "planned", "held"),
        ("concluded", "held", "concluded"),
    ]
    assert [e.actor for e in meeting.events.all()] == [home.staff, home.secretary]
    assert meeting.history.latest().history_user == home.secretary


def _hold(home, meeting):
    return meeting_hold(actor=home.secretary, meeting=meeting)


def _conclude(home, meeting):
    return meeting_conclude(actor=home.secretary, meeting=meeting)


def _reopen(home, meeting):
    return meeting_reopen(actor=home.secretary, meeting=meeting, reason="Bổ sung kết luận")


@pytest.mark.parametrize(
    "status, step, message",
    [
        (MeetingStatus.PLANNED, _conclude, MESSAGE_CANNOT_CONCLUDE),
        (MeetingStatus.PLANNED, _reopen, MESSAGE_CANNOT_REOPEN),
        (MeetingStatus.HELD, _hold, MESSAGE_CANNOT_HOLD),
        (MeetingStatus.HELD, _reopen, MESSAGE_CANNOT_REOPEN),
        (MeetingStatus.CONCLUDED, _hold, MESSAGE_READ_ONLY),
        (MeetingStatus.CONCLUDED, _conclude, MESSAGE_READ_ONLY),
    ],
    ids=[
        "conclude-planned",
        "reopen-planned",
        "hold-held",
        "reopen-held",
        "hold-concluded",
        "conclude-concluded",
    ],
)
def test_refused_steps(home, status, step, message):
    meeting = make_meeting(home, status)
    events = meeting.events.count()
    tasks = Task.objects.count()
    with pytest.raises(ValidationError) as exc:
        step(home, meeting)
    _refused(exc, message)
    assert _fresh(meeting).status == status
    assert meeting.events.count() == events
    assert Task.objects.count() == tasks


# --- a concluded meeting is read-only ----------------------------------------------------------
def _edit_meeting(home, meeting):
    meeting.title = "Đổi tên hội nghị"
    meeting_save(actor=home.secretary, meeting=meeting)


def _invite(home, meeting):
    meeting_invite(actor=home.secretary, meeting=meeting, groups=["cell_secretaries"])


def _mark(home, meeting):
    attendance = meeting.attendances.get(person=home.mass_head.person)
    attendance_mark(actor=home.secretary, attendance=attendance, status=AttendanceStatus.PRESENT)


def _add_contribution(home, meeting):
    contribution_add(actor=home.secretary, meeting=meeting, content="Ý kiến bổ sung sau hội nghị")


def _delete_contribution(home, meeting):
    contribution_delete(actor=home.secretary, contribution=meeting.contributions.first())


def _add_conclusion(home, meeting):
    conclusion = Conclusion(meeting=meeting, text="Kết luận bổ sung")
    conclusion_save(actor=home.secretary, conclusion=conclusion, lead_organizations=[home.cell])


def _edit_conclusion(home, meeting):
    conclusion = meeting.conclusions.first()
    conclusion.text = "Sửa kết luận"
    conclusion_save(
        actor=home.secretary, conclusion=conclusion, lead_organizations=[home.other_cell]
    )


def _delete_conclusion(home, meeting):
    conclusion_delete(actor=home.secretary, conclusion=meeting.conclusions.first())


WRITES = [
    _edit_meeting,
    _invite,
    _mark,
    _add_contribution,
    _delete_contribution,
    _add_conclusion,
    _edit_conclusion,
    _delete_conclusion,
]


def _snapshot(meeting: Meeting):
    meeting = _fresh(meeting)
    return (
        meeting.title,
        meeting.status,
        list(meeting.attendances.values_list("person_id", "status", "note")),
        list(meeting.contributions.values_list("ordinal", "content")),
        [
            (c.ordinal, c.text, sorted(c.lead_organizations.values_list("pk", flat=True)))
            for c in meeting.conclusions.all()
        ],
        list(Task.objects.values_list("pk", "status", "title", "lead_organization_id")),
    )


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_a_concluded_meeting_is_read_only(home, concluded_meeting, write):
    before = _snapshot(concluded_meeting)
    with pytest.raises(ValidationError) as exc:
        write(home, concluded_meeting)
    _refused(exc, MESSAGE_READ_ONLY)
    assert _snapshot(concluded_meeting) == before


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_the_same_writes_are_allowed_before_concluding(home, held_meeting, write):
    write(home, held_meeting)


# --- reopening ----------------------------------------------------------------------------------
def test_the_ward_secretary_reopens_with_a_reason(home, concluded_meeting):
    meeting = meeting_reopen(
        actor=home.secretary,
        meeting=concluded_meeting,
        reason="  Bổ sung kết luận về công tác giải phóng mặt bằng  ",
    )
    meeting = _fresh(meeting)
    assert meeting.status == MeetingStatus.HELD
    assert not meeting.is_read_only
    event = meeting.events.last()
    assert (event.action, event.from_status, event.to_status) == (
        "reopened",
        "concluded",
        "held",
    )
    assert event.note == "Bổ sung kết luận về công tác giải phóng mặt bằng"
    assert event.actor == home.secretary
    assert meeting.history.latest().history_user == home.secretary
    # Writable again, and concluding again keeps the same tasks.
    tasks = set(Task.objects.values_list("pk", flat=True))
    contribution_add(actor=home.staff, meeting=meeting, content="Ý kiến bổ sung")
    meeting_conclude(actor=home.staff, meeting=meeting)
    assert set(Task.objects.values_list("pk", flat=True)) == tasks
    assert [e.action for e in meeting.events.all()] == [
        "held",
        "concluded",
        "reopened",
        "concluded",
    ]


def test_a_superuser_may_reopen(superuser, concluded_meeting):
    meeting_reopen(actor=superuser, meeting=concluded_meeting, reason="Sửa sai sót")
    assert _fresh(concluded_meeting).status == MeetingStatus.HELD


@pytest.mark.parametrize("who", ["staff", "dvk", "cell_secretary", "mass_head", "plain"])
def test_only_the_ward_secretary_reopens(home, concluded_meeting, who):
    with pytest.raises(PermissionDenied):
        meeting_reopen(actor=getattr(home, who), meeting=concluded_meeting, reason="Lý do")
    assert _fresh(concluded_meeting).status == MeetingStatus.CONCLUDED
    assert not concluded_meeting.events.filter(action="reopened").exists()


def test_another_wards_secretary_cannot_reopen(away, concluded_meeting):
    with pytest.raises(PermissionDenied):
        meeting_reopen(actor=away.secretary, meeting=concluded_meeting, reason="Lý do")
    assert _fresh(concluded_meeting).status == MeetingStatus.CONCLUDED


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reopening_needs_a_reason(home, concluded_meeting, reason):
    with pytest.raises(ValidationError) as exc:
        meeting_reopen(actor=home.secretary, meeting=concluded_meeting, reason=reason)
    assert exc.value.message_dict == {"reason": [str(MESSAGE_REASON_REQUIRED)]}
    assert _fresh(concluded_meeting).status == MeetingStatus.CONCLUDED


# --- invitations and attendance ------------------------------------------------------------------
@pytest.fixture
def ward_bodies(home):
    """A People's Council the secretary chairs, a People's Committee and its chairman, the
    women's head sitting in the bloc too, a former cell secretary, a dissolved cell."""
    council = OrganizationFactory(ward=home.ward, name="HĐND phường", kind=K.PEOPLE_COUNCIL)
    PositionFactory(person=home.secretary.person, organization=council, role=R.HEAD)
    people_committee = OrganizationFactory(
        ward=home.ward, name="UBND phường", kind=K.PEOPLE_COMMITTEE
    )
    chairman = PersonFactory(ward=home.ward, full_name="Lê Quang Minh")
    PositionFactory(person=chairman, organization=people_committee, role=R.HEAD)
    PositionFactory(person=home.mass_head.person, organization=home.bloc, role=R.MEMBER)
    former = PersonFactory(ward=home.ward, full_name="Cựu Bí Thư")
    PositionFactory(
        person=former,
        organization=home.cell,
        role=R.CELL_SECRETARY,
        started_on=dt.date(2015, 7, 1),
        ended_on=dt.date(2020, 6, 30),
    )
    dissolved = OrganizationFactory(ward=home.ward, name="Chi bộ đã giải thể", is_active=False)
    PositionFactory(
        person=PersonFactory(ward=home.ward), organization=dissolved, role=R.CELL_SECRETARY
    )
    return {"chairman": chairman, "people_committee": people_committee, "former": former}


def _invited(meeting) -> list:
    return list(meeting.attendances.values_list("person_id", flat=True))


def test_invite_by_group(home, away, ward_bodies):
    meeting = MeetingFactory(ward=home.ward)

    def invite(*groups):
        return meeting_invite(actor=home.staff, meeting=meeting, groups=list(groups))

    assert invite("ward_leaders") == 2  # the secretary (once, for two bodies), the chairman
    assert invite("mass_organization_heads") == 1
    assert invite("cell_secretaries") == 2  # not the former one, not the dissolved cell's
    assert invite("mass_mobilization_bloc") == 1  # dvk; the women's head is already invited
    people = _invited(meeting)
    assert len(people) == len(set(people)) == 6
    assert set(people) == {
        home.secretary.person_id,
        ward_bodies["chairman"].pk,
        home.mass_head.person_id,
        home.cell_secretary.person_id,
        home.other_cell_secretary.person_id,
        home.dvk.person_id,
    }
    rows = {a.person_id: a for a in meeting.attendances.all()}
    assert rows[ward_bodies["chairman"].pk].organization == ward_bodies["people_committee"]
    assert rows[home.cell_secretary.person_id].organization == home.cell
    assert rows[home.dvk.person_id].organization == home.bloc
    assert all(a.status == AttendanceStatus.INVITED for a in rows.values())
    # A second call adds nobody.
    assert invite("ward_leaders", "mass_organization_heads", "cell_secretaries") == 0
    assert invite("mass_mobilization_bloc", "registrants") == 0
    assert meeting.attendances.count() == 6


def test_invite_several_groups_at_once(home, away, ward_bodies):
    meeting = MeetingFactory(ward=home.ward)
    groups = [
        "ward_leaders",
        "mass_organization_heads",
        "cell_secretaries",
        "mass_mobilization_bloc",
    ]
    assert meeting_invite(actor=home.secretary, meeting=meeting, groups=groups) == 6
    assert meeting_invite(actor=home.secretary, meeting=meeting, groups=groups) == 0
    people = _invited(meeting)
    assert len(people) == len(set(people)) == 6
    assert away.cell_secretary.person_id not in people
    assert home.staff.person_id not in people  # office staff are not ward leaders


def _registration(
    setup, *, organization, person=None, status=RegistrationStatus.SUBMITTED, year=2021
):
    return Registration.objects.create(
        ward=setup.ward,
        year=year,
        kind=RegistrationKind.INDIVIDUAL if person else RegistrationKind.COLLECTIVE,
        organization=organization,
        person=person,
        registered_by_unit=organization,
        # One model name per unit and year: number them.
        title=f"Khu dân cư sạch – đẹp – an toàn {Registration.objects.count() + 1}",
        field=Field.objects.first() or Field.objects.create(name="Văn hóa – xã hội"),
        status=status,
    )


def test_invite_the_years_registrants(home, away):
    member = PersonFactory(
        ward=home.ward, full_name="Nguyễn Thị Thu Hương", organization=home.women
    )
    _registration(home, organization=home.cell)
    _registration(home, organization=home.women, status=RegistrationStatus.APPROVED)
    _registration(
        home, organization=home.women, person=member, status=RegistrationStatus.RECOGNIZED
    )
    _registration(home, organization=home.women, person=home.mass_head.person)
    _registration(home, organization=home.cell, status=RegistrationStatus.APPROVED)  # same body
    _registration(home, organization=home.other_cell, status=RegistrationStatus.DRAFT)
    _registration(home, organization=home.other_cell, status=RegistrationStatus.WITHDRAWN)
    _registration(home, organization=home.other_cell, year=2020)
    _registration(away, organization=away.cell)
    meeting = MeetingFactory(ward=home.ward)
    meeting_invite(actor=home.staff, meeting=meeting, groups=["mass_organization_heads"])
    assert meeting_invite(actor=home.staff, meeting=meeting, groups=["registrants"]) == 3
    bodies = set(meeting.attendances.filter(person=None).values_list("organization_id", flat=True))
    assert bodies == {home.cell.pk, home.women.pk}
    assert set(_invited(meeting)) - {None} == {member.pk, home.mass_head.person_id}
    assert meeting.attendances.get(person=member).organization == home.women
    assert meeting_invite(actor=home.staff, meeting=meeting, groups=["registrants"]) == 0


def test_attendance_mark(home, held_meeting):
    attendance = held_meeting.attendances.get(person=home.mass_head.person)
    attendance_mark(
        actor=home.staff,
        attendance=attendance,
        status=AttendanceStatus.ABSENT,
        note="  Vắng không báo cáo ",
    )
    attendance = Attendance.objects.get(pk=attendance.pk)
    assert (attendance.status, attendance.note) == ("absent", "Vắng không báo cáo")
    assert attendance.history.latest().history_user == home.staff
    with pytest.raises(ValidationError) as exc:
        attendance_mark(actor=home.staff, attendance=attendance, status="late")
    assert "status" in exc.value.message_dict
    assert Attendance.objects.get(pk=attendance.pk).status == AttendanceStatus.ABSENT


# --- numbering ------------------------------------------------------------------------------------
def test_contributions_are_numbered_in_order(home, held_meeting):
    added = [
        contribution_add(
            actor=home.dvk,
            meeting=held_meeting,
            speaker=home.cell_secretary.person,
            content=f"Ý kiến thứ {n}",
        )
        for n in (3, 4, 5)
    ]
    assert [c.ordinal for c in added] == [3, 4, 5]
    assert added[0].organization == home.cell_secretary.person.organization
    assert added[0].recorded_by == home.dvk
    assert added[0].history.latest().history_user == home.dvk
    assert list(held_meeting.contributions.values_list("ordinal", flat=True)) == [1, 2, 3, 4, 5]


def test_a_contribution_needs_content_and_people_of_the_ward(home, away, held_meeting):
    with pytest.raises(ValidationError) as exc:
        contribution_add(actor=home.staff, meeting=held_meeting, content="   ")
    assert "content" in exc.value.message_dict
    with pytest.raises(ValidationError):
        contribution_add(
            actor=home.staff,
            meeting=held_meeting,
            content="Ý kiến",
            speaker=away.cell_secretary.person,
        )
    assert held_meeting.contributions.count() == 2


def test_deleting_a_contribution_leaves_no_gap(home, held_meeting):
    for n in range(3, 6):
        contribution_add(actor=home.staff, meeting=held_meeting, content=f"Ý kiến {n}")
    contents = list(held_meeting.contributions.values_list("content", flat=True))
    contribution_delete(actor=home.staff, contribution=held_meeting.contributions.get(ordinal=2))
    contribution_delete(actor=home.staff, contribution=held_meeting.contributions.get(ordinal=4))
    rows = list(held_meeting.contributions.values_list("ordinal", "content"))
    assert rows == [(1, contents[0]), (2, contents[2]), (3, contents[3])]  # 2nd, 5th gone
    assert contribution_add(actor=home.staff, meeting=held_meeting, content="Mới").ordinal == 4


def test_deleting_with_a_stale_number_still_leaves_no_gap(home, held_meeting):
    for n in range(3, 5):
        contribution_add(actor=home.staff, meeting=held_meeting, content=f"Ý kiến {n}")
    # Two people delete at the same moment: the second request read its row (number 2)
    # before the first deletion moved it up to number 1.
    stale = held_meeting.contributions.get(ordinal=2)
    contribution_delete(actor=home.staff, contribution=held_meeting.contributions.get(ordinal=1))
    contribution_delete(actor=home.staff, contribution=stale)
    assert list(held_meeting.contributions.values_list("ordinal", "content")) == [
        (1, "Ý kiến 3"),
        (2, "Ý kiến 4"),
    ]


def test_conclusions_are_numbered_and_renumbered(home, held_meeting):
    for text in ("Kết luận ba", "Kết luận bốn"):
        conclusion = conclusion_save(
            actor=home.staff,
            conclusion=Conclusion(meeting=held_meeting, text=text),
            lead_organizations=[home.women],
        )
    assert conclusion.ordinal == 4
    conclusion_delete(actor=home.staff, conclusion=held_meeting.conclusions.get(ordinal=1))
    rows = list(held_meeting.conclusions.values_list("ordinal", "text"))
    assert [r[0] for r in rows] == [1, 2, 3]
    assert [r[1] for r in rows][1:] == ["Kết luận ba", "Kết luận bốn"]
    added = conclusion_save(
        actor=home.staff,
        conclusion=Conclusion(meeting=held_meeting, text="Kết luận năm"),
        lead_organizations=[home.cell],
    )
    assert added.ordinal == 4


def test_a_conclusion_needs_a_lead_body_of_the_ward(home, away, held_meeting):
    with pytest.raises(ValidationError) as exc:
        conclusion_save(
            actor=home.staff,
            conclusion=Conclusion(meeting=held_meeting, text="Không ai thực hiện"),
            lead_organizations=[],
        )
    assert exc.value.message_dict == {"lead_organizations": [str(MESSAGE_NO_LEAD)]}
    with pytest.raises(ValidationError):
        conclusion_save(
            actor=home.staff,
            conclusion=Conclusion(meeting=held_meeting, text="Giao nhầm phường"),
            lead_organizations=[home.cell],
            supporting_organizations=[away.women],
        )
    with pytest.raises(ValidationError) as exc:
        conclusion_save(
            actor=home.staff,
            conclusion=Conclusion(meeting=held_meeting, text="  "),
            lead_organizations=[home.cell],
        )
    assert "text" in exc.value.message_dict
    assert held_meeting.conclusions.count() == 2
    # A body chosen as lead and as supporting is a lead body only.
    conclusion = conclusion_save(
        actor=home.staff,
        conclusion=Conclusion(meeting=held_meeting, text="Kết luận"),
        lead_organizations=[home.cell],
        supporting_organizations=[home.cell, home.women],
    )
    assert list(conclusion.supporting_organizations.all()) == [home.women]


THREADS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rows", ["contributions", "conclusions"])
def test_rows_added_at_once_get_numbers_1_to_n(home, rows):
    """Eight people adding a contribution (or a conclusion) to the same meeting at the same
    moment get the numbers 1..8, each exactly once.

    On PostgreSQL the threads really race: each takes ``SELECT ... FOR UPDATE`` on the
    meeting row, so the next number is read and written by one transaction at a time.
    SQLite (the zero-setup development database, in memory under tests) has one writer at
    a time and no row locks: a deferred transaction that has read and then writes fails at
    once with "database table is locked" instead of waiting. So on SQLite only, the same
    eight threads take turns through a lock: that still checks that each thread's own
    connection sees the numbers the others committed, but not the race itself.
    """
    meeting = MeetingFactory(ward=home.ward, status=MeetingStatus.HELD)
    actor = home.staff
    roles_of(actor)  # computed once here, not raced by the threads
    serialise = connection.vendor == "sqlite"
    turn = threading.Lock()
    start = threading.Barrier(THREADS)
    numbers: list[int] = []
    errors: list[BaseException] = []

    def add(n: int):
        if rows == "contributions":
            return contribution_add(actor=actor, meeting=meeting, content=f"Ý kiến {n}")
        return conclusion_save(
            actor=actor,
            conclusion=Conclusion(meeting=meeting, text=f"Kết luận {n}"),
            lead_organizations=[home.cell],
        )

    def worker(n: int):
        from django.db import connection as thread_connection

        try:
            start.wait(timeout=30)
            if serialise:
                with turn:
                    row = add(n)
            else:
                row = add(n)
            numbers.append(row.ordinal)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(numbers) == list(range(1, THREADS + 1))
    stored = sorted(getattr(meeting, rows).values_list("ordinal", flat=True))
    assert stored == list(range(1, THREADS + 1))


# --- conclusions become tasks ---------------------------------------------------------------------
def _assignees(task: Task) -> tuple[int, set[int]]:
    return task.lead_organization_id, set(
        task.supporting_organizations.values_list("pk", flat=True)
    )


def test_no_task_before_concluding(held_meeting):
    assert not held_meeting.conclusions.filter(task__isnull=False).exists()
    assert not Task.objects.exists()


def test_concluding_makes_a_task_of_each_conclusion(home, concluded_meeting):
    conclusions = list(concluded_meeting.conclusions.select_related("task"))
    assert len(conclusions) == 2 == Task.objects.count()
    first, second = conclusions
    for conclusion in conclusions:
        task = conclusion.task
        assert task.ward == home.ward
        assert task.plan is None
        assert task.ordinal == conclusion.ordinal
        assert task.title == conclusion.text
        assert task.description == conclusion.text
        assert task.status == TaskStatus.OPEN
        assert task.created_by == home.secretary
        assert task.due_date is None
        assert task.due_quarter is not None
        assert task.assigned_on == dt.date(2021, 4, 13)  # the day of the meeting
    assert _assignees(first.task) == (home.cell.pk, {home.women.pk})
    assert _assignees(second.task) == (home.bloc.pk, {home.other_cell.pk})


def test_the_due_quarter_defaults_to_the_quarter_after_the_one_reviewed(concluded_meeting):
    for conclusion in concluded_meeting.conclusions.select_related("task"):
        assert conclusion.task.due_quarter == QUARTER_II


def test_a_meeting_without_a_quarter_dates_its_tasks_from_its_day(home):
    meeting = make_meeting(home, MeetingStatus.CONCLUDED, kind=MeetingKind.SEMINAR, quarter=None)
    for conclusion in meeting.conclusions.select_related("task"):
        assert conclusion.task.due_quarter == Quarter(2021, 3)  # held in quarter II


def test_a_given_due_date_or_quarter_is_kept(home, held_meeting):
    first, second = held_meeting.conclusions.all()
    first.due_date = dt.date(2021, 6, 30)
    first.save()
    second.due_quarter = Quarter(2021, 4)
    second.save()
    meeting_conclude(actor=home.staff, meeting=held_meeting)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.task.due_date, first.task.due_quarter) == (dt.date(2021, 6, 30), None)
    assert (second.task.due_date, second.task.due_quarter) == (None, Quarter(2021, 4))


def test_the_first_lead_body_leads_the_others_support(home, held_meeting):
    conclusion = conclusion_save(
        actor=home.staff,
        conclusion=Conclusion(meeting=held_meeting, text="MTTQ, các đoàn thể tuyên truyền"),
        lead_organizations=[home.women, home.bloc, home.cell],
        supporting_organizations=[home.other_cell],
    )
    meeting_conclude(actor=home.staff, meeting=held_meeting)
    conclusion.refresh_from_db()
    # By kind, then name: mass_mobilization_bloc < mass_organization < party_cell.
    assert _assignees(conclusion.task) == (
        home.bloc.pk,
        {home.women.pk, home.cell.pk, home.other_cell.pk},
    )


def test_the_tasks_appear_in_the_assigned_units_lists(home, concluded_meeting):
    first, second = concluded_meeting.conclusions.select_related("task")
    rows = my_unit_tasks(user=home.cell_secretary, quarter=QUARTER_II)
    assert [(r.task, r.unit, r.is_lead) for r in rows] == [(first.task, home.cell, True)]
    rows = my_unit_tasks(user=home.other_cell_secretary, quarter=QUARTER_II)
    assert [(r.task, r.unit, r.is_lead) for r in rows] == [(second.task, home.other_cell, False)]
    rows = my_unit_tasks(user=home.mass_head, quarter=QUARTER_II)
    assert [(r.task, r.unit, r.is_lead) for r in rows] == [(first.task, home.women, False)]
    # Given on 13/04/2021: not among quarter I's tasks.
    assert my_unit_tasks(user=home.cell_secretary, quarter=Quarter(2021, 1)) == []


def test_a_conclusion_of_a_plan_takes_the_plans_next_number(home, held_meeting):
    plan = PlanFactory(ward=home.ward)
    TaskFactory(plan=plan, lead_organization=home.cell)
    TaskFactory(plan=plan, lead_organization=home.cell)
    conclusion = held_meeting.conclusions.get(ordinal=1)
    conclusion.plan = plan
    conclusion.save()
    meeting_conclude(actor=home.staff, meeting=held_meeting)
    conclusion.refresh_from_db()
    assert (conclusion.task.plan, conclusion.task.ordinal) == (plan, 3)
    assert held_meeting.conclusions.get(ordinal=2).task.plan is None


def test_editing_a_conclusion_after_reopening_updates_its_task(home, concluded_meeting):
    meeting = meeting_reopen(actor=home.secretary, meeting=concluded_meeting, reason="Sửa")
    conclusion = meeting.conclusions.get(ordinal=1)
    task_pk = conclusion.task_id
    conclusion.text = "Khối Dân vận chủ trì tổ chức tọa đàm về Tổ dân vận khéo.\nChi tiết thêm."
    conclusion.due_quarter = Quarter(2021, 3)
    conclusion_save(
        actor=home.staff,
        conclusion=conclusion,
        lead_organizations=[home.other_cell],
        supporting_organizations=[home.bloc],
    )
    task = Task.objects.get(pk=task_pk)
    assert task.title == "Khối Dân vận chủ trì tổ chức tọa đàm về Tổ dân vận khéo."
    assert task.description == conclusion.text
    assert _assignees(task) == (home.other_cell.pk, {home.bloc.pk})
    assert task.due_quarter == Quarter(2021, 3)
    assert task.history.latest().history_user == home.staff
    assert Task.objects.count() == 2
    # The cell no longer has it; the other cell leads it now.
    assert my_unit_tasks(user=home.cell_secretary, quarter=QUARTER_II) == []
    rows = my_unit_tasks(user=home.other_cell_secretary, quarter=QUARTER_II)
    assert {(r.task.pk, r.is_lead) for r in rows} == {
        (task_pk, True),
        (meeting.conclusions.get(ordinal=2).task_id, False),
    }


def test_deleting_a_conclusion_cancels_its_task(home, concluded_meeting):
    meeting = meeting_reopen(
        actor=home.secretary, meeting=concluded_meeting, reason="Bỏ kết luận 1"
    )
    first, second = meeting.conclusions.all()
    first_task, second_task = first.task_id, second.task_id
    conclusion_delete(actor=home.staff, conclusion=first)
    cancelled = Task.objects.get(pk=first_task)
    assert cancelled.status == TaskStatus.CANCELLED
    assert cancelled.history.latest().history_user == home.staff
    assert my_unit_tasks(user=home.cell_secretary, quarter=QUARTER_II) == []
    second.refresh_from_db()
    assert second.ordinal == 1
    # Concluding again: the remaining task follows its conclusion's new number; none added.
    meeting_conclude(actor=home.staff, meeting=meeting)
    assert Task.objects.count() == 2
    assert Task.objects.get(pk=second_task).ordinal == 1
    assert Task.objects.get(pk=first_task).status == TaskStatus.CANCELLED


def test_linking_a_concluded_conclusion_to_a_plan_renumbers_its_task(home, concluded_meeting):
    plan = PlanFactory(ward=home.ward)
    TaskFactory(plan=plan, lead_organization=home.cell)
    meeting = meeting_reopen(actor=home.secretary, meeting=concluded_meeting, reason="Gắn kế hoạch")
    conclusion = meeting.conclusions.get(ordinal=1)
    conclusion.plan = plan
    conclusion_save(actor=home.staff, conclusion=conclusion, lead_organizations=[home.cell])
    task = Task.objects.get(pk=conclusion.task_id)
    assert (task.plan, task.ordinal) == (plan, 2)


# --- who may do what ------------------------------------------------------------------------------
def _create(setup, meeting):
    meeting_save(actor=setup.actor, meeting=_new_meeting(setup.home))


def _save(setup, meeting):
    meeting.title = "Đổi tên"
    meeting_save(actor=setup.actor, meeting=meeting)


def _do_hold(setup, meeting):
    meeting_hold(actor=setup.actor, meeting=meeting)


def _do_conclude(setup, meeting):
    meeting_conclude(actor=setup.actor, meeting=meeting)


def _do_invite(setup, meeting):
    meeting_invite(actor=setup.actor, meeting=meeting, groups=["cell_secretaries"])


def _do_mark(setup, meeting):
    attendance_mark(
        actor=setup.actor,
        attendance=meeting.attendances.first(),
        status=AttendanceStatus.ABSENT,
    )


def _do_add_contribution(setup, meeting):
    contribution_add(actor=setup.actor, meeting=meeting, content="Ý kiến")


def _do_delete_contribution(setup, meeting):
    contribution_delete(actor=setup.actor, contribution=meeting.contributions.first())


def _do_add_conclusion(setup, meeting):
    conclusion_save(
        actor=setup.actor,
        conclusion=Conclusion(meeting=meeting, text="Kết luận"),
        lead_organizations=[setup.home.cell],
    )


def _do_edit_conclusion(setup, meeting):
    conclusion = meeting.conclusions.first()
    conclusion.text = "Sửa"
    conclusion_save(actor=setup.actor, conclusion=conclusion, lead_organizations=[setup.home.cell])


def _do_delete_conclusion(setup, meeting):
    conclusion_delete(actor=setup.actor, conclusion=meeting.conclusions.first())


ACTIONS = {
    "create": _create,
    "save": _save,
    "hold": _do_hold,
    "conclude": _do_conclude,
    "invite": _do_invite,
    "mark": _do_mark,
    "add_contribution": _do_add_contribution,
    "delete_contribution": _do_delete_contribution,
    "add_conclusion": _do_add_conclusion,
    "edit_conclusion": _do_edit_conclusion,
    "delete_conclusion": _do_delete_conclusion,
}
# The planned meeting for "hold", a held one for everything else.
STARTING_STATUS = {"hold": MeetingStatus.PLANNED}


class Setup:
    def __init__(self, home, actor):
        self.home = home
        self.actor = actor


def _users(home, away, superuser) -> dict:
    return {
        "secretary": home.secretary,
        "staff": home.staff,
        "dvk": home.dvk,
        "cell_secretary": home.cell_secretary,
        "mass_head": home.mass_head,
        "plain": home.plain,
        "away_secretary": away.secretary,
        "away_staff": away.staff,
        "away_dvk": away.dvk,
        "superuser": superuser,
    }


ALLOWED = {
    "secretary": set(ACTIONS),
    "staff": set(ACTIONS),
    "superuser": set(ACTIONS),
    "dvk": {"add_contribution", "delete_contribution"},
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    "who",
    [
        "secretary",
        "staff",
        "dvk",
        "cell_secretary",
        "mass_head",
        "plain",
        "away_secretary",
        "away_staff",
        "away_dvk",
        "superuser",
    ],
)
def test_who_may_do_what(home, away, superuser, who, action):
    meeting = make_meeting(home, STARTING_STATUS.get(action, MeetingStatus.HELD))
    setup = Setup(home, _users(home, away, superuser)[who])
    if action in ALLOWED.get(who, set()):
        ACTIONS[action](setup, meeting)
    else:
        before = _snapshot(meeting)
        meetings = Meeting.objects.count()
        with pytest.raises(PermissionDenied):
            ACTIONS[action](setup, meeting)
        assert _snapshot(meeting) == before
        assert Meeting.objects.count() == meetings


def test_a_mass_mobilisation_member_records_contributions(home, held_meeting):
    contribution = contribution_add(
        actor=home.dvk,
        meeting=held_meeting,
        speaker=home.mass_head.person,
        content="Đề nghị Khối Dân vận giám sát mô hình",
    )
    assert (contribution.ordinal, contribution.recorded_by) == (3, home.dvk)
    contribution_delete(actor=home.dvk, contribution=contribution)
    assert held_meeting.contributions.count() == 2
    with pytest.raises(PermissionDenied):
        meeting_conclude(actor=home.dvk, meeting=held_meeting)
    with pytest.raises(PermissionDenied):
        _do_add_conclusion(Setup(home, home.dvk), held_meeting)


# --- stale or moved rows --------------------------------------------------------------------------
def test_editing_a_meeting_does_not_undo_a_step_taken_meanwhile(home, planned_meeting):
    form_copy = Meeting.objects.get(pk=planned_meeting.pk)  # the edit form reads it
    meeting_hold(actor=home.secretary, meeting=planned_meeting)  # someone marks it held
    form_copy.title = "Hội nghị đánh giá quý I/2021 (sửa tên)"
    meeting_save(actor=home.staff, meeting=form_copy)
    meeting = _fresh(planned_meeting)
    assert meeting.title == "Hội nghị đánh giá quý I/2021 (sửa tên)"
    assert meeting.status == MeetingStatus.HELD


def test_another_wards_staff_cannot_move_a_meeting_to_their_ward(home, away, planned_meeting):
    planned_meeting.ward = away.ward
    with pytest.raises(PermissionDenied):
        meeting_save(actor=away.secretary, meeting=planned_meeting)
    assert _fresh(planned_meeting).ward == home.ward


def test_a_contribution_of_another_meeting_is_not_renumbered(home, held_meeting):
    other = make_meeting(home, MeetingStatus.HELD)
    contribution_delete(actor=home.staff, contribution=held_meeting.contributions.get(ordinal=1))
    assert list(other.contributions.values_list("ordinal", flat=True)) == [1, 2]
    assert list(held_meeting.contributions.values_list("ordinal", flat=True)) == [1]
    conclusion_delete(actor=home.staff, conclusion=held_meeting.conclusions.get(ordinal=1))
    assert list(other.conclusions.values_list("ordinal", flat=True)) == [1, 2]


def test_inviting_an_unknown_group_is_a_clear_error(home, planned_meeting):
    with pytest.raises(ValidationError) as error:
        meeting_invite(actor=home.staff, meeting=planned_meeting, groups=["everyone"])
    assert "groups" in error.value.message_dict
