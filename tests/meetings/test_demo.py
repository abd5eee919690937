"""The meetings demo: the review of 13/04/2021 in Phường Phúc Đồng, as the article tells it."""

import datetime as dt
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from meetings.models import AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from meetings.services import INVITE_GROUPS, meeting_conclude, meeting_invite, meeting_reopen
from models_registry.models import COUNTED_STATUSES, Registration
from plans.models import Task, TaskStatus
from plans.selectors import my_unit_tasks
from wardwork.demo import WARD_ADMIN_GROUP
from wardwork.models import Organization, OrganizationKind, User
from wardwork.quarters import Quarter

pytestmark = pytest.mark.django_db

# The six conclusions, as the article writes them.
ARTICLE_CONCLUSIONS = [
    "Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU ngày 30/12/2020 về “thực hiện chủ đề "
    "“Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng” trên địa bàn quận Long Biên năm "
    "2021”.",
    "Khối Dân vận Đảng ủy giám sát thường xuyên đối với việc thực hiện Kế hoạch 18-KH/QU ngày "
    "30/12/2020 của Quận ủy. Tổ chức hội nghị tọa đàm “Thực trạng hoạt động mô hình Tổ dân vận "
    "khéo tại Tổ dân phố”. Tọa đàm về nâng cao chất lượng việc tổ chức thực hiện Quy chế dân "
    "chủ tại cơ sở khối phường, trường học công lập. Các tập thể, cá nhân rà soát lại các nội "
    "dung đã đăng ký để điều chỉnh lại nội dung cho phù hợp, có kế hoạch, giải pháp, tiến độ "
    "thực hiện dân vận xong nội dung đã đăng ký.",
    "Lãnh đạo UBND phường thường xuyên thông tin với khối vận về các nhiệm vụ trọng tâm để khối "
    "vận phát huy hiệu quả công tác dân vận, nhất là trong lĩnh vực giải phóng mặt bằng, thu "
    "hồi đất thực hiện các dự án trên địa bàn (các hồ sơ và các văn bản có liên quan đến công "
    "tác bồi thường GPMB các dự án trên địa bàn phường).",
    "Tăng cường công tác kiểm tra, hướng dẫn, đôn đốc thực hiện, nhân rộng điển hình.",
    "MTTQ, các tổ chức chính trị - xã hội tăng cường tuyên truyền, vận động, thực hiện giám sát "
    "chuyên đề theo kế hoạch và nhiệm vụ được giao.",
    "Rà soát đánh giá các mô hình dân vận khéo, phát hiện, biểu dương, khen thưởng những mô "
    "hình, điển hình tiêu biểu.",
]

PARTY_COMMITTEE = "Đảng ủy phường Phúc Đồng"
BLOC = "Khối Dân vận Đảng ủy phường Phúc Đồng"
PEOPLES_COMMITTEE = "Ủy ban nhân dân phường Phúc Đồng"
FRONT = "Ủy ban Mặt trận Tổ quốc Việt Nam phường Phúc Đồng"


def _row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def meeting(demo) -> Meeting:
    return Meeting.objects.select_related("ward", "presenter").get(
        ward__name="Phường Phúc Đồng", year=2021, quarter=1
    )


def _names(kind) -> set[str]:
    return set(
        Organization.objects.filter(ward__name="Phường Phúc Đồng", kind=kind).values_list(
            "name", flat=True
        )
    )


def test_the_meeting_as_the_article_tells_it(meeting):
    assert meeting.kind == MeetingKind.QUARTERLY_REVIEW
    assert (meeting.year, meeting.quarter) == (2021, 1)
    held = timezone.localtime(meeting.held_at)
    assert held.date() == dt.date(2021, 4, 13)
    assert 7 <= held.hour < 12
    assert str(held.tzinfo) == "Asia/Ho_Chi_Minh"
    assert meeting.venue == "Phòng họp 2 trụ sở phường"
    assert "chủ đề công tác năm của Quận ủy quý I/2021" in meeting.title
    assert {p.full_name for p in meeting.chairs.all()} == {"Nguyễn Thị Ngọc", "Nguyễn Hữu Khanh"}
    assert meeting.presenter.full_name == "Nguyễn Hữu Khanh"
    assert {p.symbol for p in meeting.reviewed_plans.all()} == {"18-KH/QU", "28-KH/ĐU"}
    for words in [
        "28-KH/ĐU",
        "18 tập thể, 03 cá nhân",
        "Khối Dân vận",
        "quản lý đất đai",
        "bếp than tổ ong",
    ]:
        assert words in meeting.report_summary, words
    assert "quý II/2021" in meeting.next_period_direction
    assert meeting.status == MeetingStatus.CONCLUDED
    assert meeting.is_read_only
    assert meeting.concluded_by.username == "khanh"
    assert timezone.localtime(meeting.concluded_at).date() == dt.date(2021, 4, 13)


def test_the_meetings_steps_are_recorded(meeting):
    events = list(meeting.events.select_related("actor"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("created", "", "planned"),
        ("held", "planned", "held"),
        ("concluded", "held", "concluded"),
    ]
    assert {e.actor.username for e in events} == {"khanh"}
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[-1].at == meeting.concluded_at


def test_the_bodies_the_article_names_attended(meeting):
    rows = list(meeting.attendances.select_related("person", "organization"))
    people = {a.person.full_name for a in rows if a.person_id}
    # Đảng ủy leaders, HĐND's standing chair, UBND's leader, heads of the mass organisations,
    # cell secretaries, the Khối Dân vận.
    assert {
        "Nguyễn Thị Ngọc",
        "Nguyễn Hữu Khanh",
        "Lê Quang Minh",
        "Nguyễn Văn Tiến",
        "Lê Thị Thanh Hà",
        "Trần Quốc Toản",
        "Trần Văn Hùng",
        "Đỗ Thị Phương",
    } <= people
    cells = {
        a.organization.name for a in rows if a.organization.kind == OrganizationKind.PARTY_CELL
    }
    assert cells == _names(OrganizationKind.PARTY_CELL)
    heads = {
        a.organization.name
        for a in rows
        if a.person_id
        and a.organization.kind
        in (OrganizationKind.MASS_ORGANIZATION, OrganizationKind.FATHERLAND_FRONT)
    }
    assert heads == _names(OrganizationKind.MASS_ORGANIZATION) | {FRONT}
    # The year's registrants (collectives as bodies, individuals in person).
    for registration in Registration.objects.filter(
        ward=meeting.ward, year=2021, status__in=COUNTED_STATUSES
    ):
        if registration.person_id:
            assert registration.person.full_name in people
        else:
            assert meeting.attendances.filter(
                person=None, organization=registration.organization
            ).exists()
    counts = Counter(a.status for a in rows)
    assert counts[AttendanceStatus.PRESENT] >= 0.9 * len(rows)
    assert counts[AttendanceStatus.ABSENT] + counts[AttendanceStatus.EXCUSED] >= 2
    assert counts[AttendanceStatus.INVITED] == 0
    assert all(a.note for a in rows if a.status != AttendanceStatus.PRESENT)
    assert len(people) == len([a for a in rows if a.person_id])  # nobody twice


def test_05_contributions(meeting):
    contributions = list(meeting.contributions.select_related("speaker", "organization"))
    assert [c.ordinal for c in contributions] == [1, 2, 3, 4, 5]
    for contribution in contributions:
        assert contribution.speaker.ward == meeting.ward
        assert contribution.organization == contribution.speaker.organization
        assert contribution.organization.kind in (
            OrganizationKind.PARTY_CELL,
            OrganizationKind.MASS_ORGANIZATION,
            OrganizationKind.FATHERLAND_FRONT,
        )
        assert len(contribution.content) > 100
        assert contribution.recorded_by.username == "khanh"
    assert len({c.speaker_id for c in contributions}) == 5


def test_06_conclusions_verbatim(meeting):
    conclusions = list(meeting.conclusions.all())
    assert [c.ordinal for c in conclusions] == [1, 2, 3, 4, 5, 6]
    assert [c.text for c in conclusions] == ARTICLE_CONCLUSIONS


def _assigned(task: Task) -> set[str]:
    return {task.lead_organization.name, *(o.name for o in task.supporting_organizations.all())}


def test_each_conclusions_task_is_assigned_to_the_bodies_the_article_names(meeting):
    mass = _names(OrganizationKind.MASS_ORGANIZATION)
    cells = _names(OrganizationKind.PARTY_CELL)
    assert "Hội Liên hiệp Phụ nữ phường Phúc Đồng" in mass
    assert len(cells) == 15
    expected = {
        # "đề nghị UBND, UB MTTQ, các đoàn thể, các chi bộ": propaganda of 18-KH/QU
        1: (None, {PEOPLES_COMMITTEE, FRONT} | mass | cells),
        # the Khối Dân vận supervises; the collectives that registered review their models
        2: (BLOC, {BLOC, FRONT} | mass | cells),
        3: (PEOPLES_COMMITTEE, {PEOPLES_COMMITTEE, BLOC}),
        4: (PARTY_COMMITTEE, {PARTY_COMMITTEE, BLOC}),
        5: (FRONT, {FRONT} | mass),
        6: (BLOC, {BLOC, FRONT}),
    }
    for conclusion in meeting.conclusions.select_related("task__lead_organization"):
        lead, bodies = expected[conclusion.ordinal]
        task = conclusion.task
        assert _assigned(task) == bodies, conclusion.ordinal
        if lead:
            assert task.lead_organization.name == lead, conclusion.ordinal
        conclusion_bodies = {o.name for o in conclusion.lead_organizations.all()} | {
            o.name for o in conclusion.supporting_organizations.all()
        }
        assert conclusion_bodies == bodies
        assert task.lead_organization in conclusion.lead_organizations.all()
        assert task.ward == meeting.ward
        assert task.plan is None
        assert task.ordinal == conclusion.ordinal
        assert task.description == conclusion.text
        assert task.status == TaskStatus.OPEN
        assert task.due_quarter in (Quarter(2021, 2), Quarter(2021, 4))
        assert task.due_quarter == conclusion.due_quarter
        assert task.assigned_on == dt.date(2021, 4, 13)


def test_cb01_sees_the_conclusions_of_the_meeting(meeting):
    cb01 = User.objects.get(username="cb01")
    tasks = {row.task.pk for row in my_unit_tasks(user=cb01, quarter=Quarter(2021, 2))}
    ours = set(meeting.conclusions.values_list("task_id", flat=True))
    assert {
        meeting.conclusions.get(ordinal=1).task_id,
        meeting.conclusions.get(ordinal=2).task_id,
    } <= tasks & ours
    # Given on 13/04/2021: nothing to report on for quarter I.
    earlier = {row.task.pk for row in my_unit_tasks(user=cb01, quarter=Quarter(2021, 1))}
    assert not earlier & ours


def test_the_demo_is_what_the_services_would_have_made(meeting):
    """Reopened, invited again by every group and concluded again, the demo meeting gains
    no attendance row and its tasks do not change."""

    def tasks():
        return {
            t.pk: (
                t.ordinal,
                t.title,
                t.description,
                t.lead_organization_id,
                t.assigned_on,
                t.due_date,
                t.due_quarter,
                t.status,
                _assigned(t),
            )
            for t in Task.objects.filter(conclusion__meeting=meeting)
        }

    before = tasks()
    ngoc = User.objects.get(username="ngoc")
    reopened = meeting_reopen(actor=ngoc, meeting=meeting, reason="Kiểm tra dữ liệu mẫu")
    groups = [*INVITE_GROUPS, "registrants"]
    assert meeting_invite(actor=ngoc, meeting=reopened, groups=groups) == 0
    meeting_conclude(actor=ngoc, meeting=reopened)
    assert tasks() == before


def test_the_demo_rows_pass_model_validation(meeting):
    meeting.full_clean()
    for row in [
        *meeting.attendances.all(),
        *meeting.contributions.all(),
        *meeting.conclusions.all(),
    ]:
        row.full_clean()
    for task in Task.objects.filter(conclusion__meeting=meeting):
        task.full_clean()


def test_ward_admins_may_keep_meetings_in_the_admin(demo):
    khanh = User.objects.get(username="khanh")
    assert khanh.groups.filter(name=WARD_ADMIN_GROUP).exists()
    for codename in [
        "view_meeting",
        "add_meeting",
        "change_meeting",
        "change_attendance",
        "add_contribution",
        "change_conclusion",
        "view_meetingevent",
    ]:
        assert khanh.has_perm(f"meetings.{codename}"), codename
    assert not khanh.has_perm("meetings.change_meetingevent")
    assert not khanh.has_perm("meetings.delete_meeting")


def test_loading_twice_changes_no_row_count(demo, capsys):
    before = _row_counts()
    call_command("load_demo")
    assert _row_counts() == before
    assert "nothing changed" in capsys.readouterr().out
