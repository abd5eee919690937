"""Demo quarterly reviews of Phường Phúc Đồng: IV/2020 finalised, I/2021 in review, II/2021 open.

- Quarter IV/2020 is **finalised**. Its small review meeting was held on 08/01/2021 (03
  contributions, 03 conclusions that prepare "Năm Dân vận khéo" 2021: the ward's plan, the
  launch of the registrations, the list of households still to hand over their land); the
  quarterly report was numbered (the term's first ``-BC/ĐU``) and the quarter finalised by
  Nguyễn Thị Ngọc, which froze its figures and locked it. The three conclusions became
  tasks due I/2021, which the units reported done in quarter I: the I/2021 page follows
  them up.
- Quarter I/2021 is **in review**, linked to the concluded meeting of 13/04/2021
  (``meetings.demo``); its report's text is left to the defaults, not generated, not
  finalised: ready to generate and finalise.
- Quarter II/2021 is **open**: its tasks are the conclusions of 13/04/2021 and its starting
  list is the direction of I/2021.

The meeting of IV/2020 and the quarter-I reports on its tasks are written like the other
demos, through ``DemoLoader.ensure`` with fixed values. The reviews go through the services
(``review_get_or_create``, ``review_report_docx``, ``review_finalize``) so their events, the
numbered document and the frozen figures are the ones the pages would have left, by the
demo's accounts; their times are then set to the days the story tells (a review opened,
a report numbered, a quarter finalised in 2021, not on the day the demo was loaded).

A finalised quarter refuses changes to its meeting, so every IV/2020 row is written before
it is finalised, and a later run skips IV/2020 altogether once its review is finalised.
A second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db.models import Max

from meetings.demo import TZ, _ensure_m2m
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    IssuedDocument,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    QuarterlyReview,
    QuarterlyReviewEvent,
)
from meetings.review_services import (
    review_finalize,
    review_get_or_create,
    review_report_document,
    review_report_docx,
)
from meetings.services import INVITE_GROUPS, conclusion_task_title
from plans.demo import UNIT_NAMES, _unit_managers
from plans.models import DocumentSequence, ProgressReport, Task, TaskStatus
from wardwork.demo import DemoLoader
from wardwork.models import Organization, Person, Position, User, Ward
from wardwork.quarters import Quarter
from wardwork.text import normalize

Q4_2020 = Quarter(2020, 4)
Q1_2021 = Quarter(2021, 1)
Q2_2021 = Quarter(2021, 2)

# --- the review meeting of quarter IV/2020 ------------------------------------------------------
HELD_AT = dt.datetime(2021, 1, 8, 8, 0, tzinfo=TZ)
CREATED_AT = dt.datetime(2021, 1, 4, 16, 0, tzinfo=TZ)
CONCLUDED_AT = dt.datetime(2021, 1, 8, 10, 45, tzinfo=TZ)

TITLE = (
    "Hội nghị sơ kết công tác dân vận quý IV/2020, triển khai chủ đề công tác năm 2021 của Quận ủy"
)
VENUE = "Phòng họp 2 trụ sở phường"

REPORT_SUMMARY = (
    "Đánh giá kết quả công tác dân vận quý IV/2020 và tổng kết phong trào thi đua “Dân vận "
    "khéo” năm 2020 trên địa bàn phường.\n"
    "Trong quý IV, Đảng ủy phường lãnh đạo tổ chức Ngày hội Đại đoàn kết toàn dân tộc tại các "
    "khu dân cư; chỉ đạo MTTQ, các đoàn thể vận động nhân dân giữ gìn vệ sinh môi trường, "
    "thực hiện các biện pháp phòng, chống dịch Covid-19; UBND phường tiếp tục thực hiện công "
    "tác giải phóng mặt bằng các dự án trên địa bàn.\n"
    "Năm 2020 có 04 mô hình tập thể “Dân vận khéo” được công nhận: 03 mô hình được Đảng ủy "
    "phường biểu dương, khen thưởng (Quyết định số 215-QĐ/ĐU, 216-QĐ/ĐU ngày 22/12/2020), mô "
    "hình “Chi hội phụ nữ phân loại rác thải tại nguồn” được Quận ủy tặng Giấy khen.\n"
    "Ngày 30/12/2020, Quận ủy ban hành Kế hoạch số 18-KH/QU về thực hiện chủ đề “Năm Dân vận "
    "khéo, trọng tâm công tác giải phóng mặt bằng” trên địa bàn quận Long Biên năm 2021."
)

NEXT_PERIOD_DIRECTION = (
    "Phương hướng nhiệm vụ trọng tâm quý I/2021:\n"
    "- Xây dựng kế hoạch của Đảng ủy triển khai Kế hoạch số 18-KH/QU của Quận ủy về chủ đề "
    "“Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng”; tổ chức hội nghị triển khai "
    "tới cán bộ chủ chốt, bí thư các chi bộ, tổ trưởng tổ dân vận.\n"
    "- Phát động các tập thể, cá nhân đăng ký mô hình thi đua “Dân vận khéo” năm 2021.\n"
    "- Rà soát các hộ chưa bàn giao mặt bằng tại các dự án trên địa bàn, phân công cán bộ, "
    "đảng viên phụ trách vận động từng hộ.\n"
    "- Tuyên truyền Đại hội đại biểu toàn quốc lần thứ XIII của Đảng; vận động nhân dân đón "
    "Tết Tân Sửu vui tươi, an toàn, tiết kiệm."
)

# A small meeting: the ward's leaders, the heads of the mass organisations, the bloc.
INVITED_GROUPS = ["ward_leaders", "mass_organization_heads", "mass_mobilization_bloc"]
NOT_PRESENT = {"Vũ Thị Kim Oanh": (AttendanceStatus.EXCUSED, "Đi học tập trung, có báo cáo")}

CONTRIBUTIONS = [
    (
        "Nguyễn Văn Tiến",
        "Năm 2020, Ủy ban MTTQ phường phối hợp tổ chức Ngày hội Đại đoàn kết toàn dân tộc ở "
        "tất cả các khu dân cư, nhân dân tích cực hưởng ứng. Đề nghị Đảng ủy sớm ban hành kế "
        "hoạch thực hiện chủ đề năm 2021 để MTTQ hướng dẫn các tập thể, cá nhân đăng ký mô hình "
        "ngay trong quý I; mỗi khu dân cư có ít nhất 01 mô hình gắn với giải phóng mặt bằng, "
        "trật tự đô thị.",
    ),
    (
        "Lê Thị Thanh Hà",
        "Mô hình “Chi hội phụ nữ phân loại rác thải tại nguồn” đã được Quận ủy tặng Giấy khen; "
        "năm 2021 Hội dự kiến đăng ký mô hình “Phụ nữ Phúc Đồng nói không với túi ni lông”. Đề "
        "nghị Đảng ủy chỉ đạo nhân rộng việc phân loại rác tại nguồn ra các tổ dân phố.",
    ),
    (
        "Trần Quốc Toản",
        "Hội viên cựu chiến binh sẵn sàng gương mẫu trong công tác giải phóng mặt bằng. Đề "
        "nghị UBND phường cung cấp danh sách các hộ chưa bàn giao mặt bằng để Hội phân công "
        "hội viên vận động gia đình, người thân.",
    ),
]

# (text, lead unit keys, supporting unit keys, the quarter-I report of each unit:
# key -> (narrative, reported_at)). Keys as in plans.demo.UNIT_NAMES. Due in I/2021,
# the quarter after the one reviewed (the services' rule); done in quarter I.
CONCLUSIONS = [
    (
        "Đảng ủy xây dựng, ban hành kế hoạch triển khai thực hiện Kế hoạch số 18-KH/QU ngày "
        "30/12/2020 của Quận ủy về chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng mặt "
        "bằng” năm 2021; tổ chức hội nghị triển khai tới cán bộ chủ chốt, bí thư các chi bộ, tổ "
        "trưởng tổ dân vận trong tháng 01/2021.",
        ["ĐU"],
        ["KDV"],
        {
            "ĐU": (
                "Ban hành Kế hoạch số 28-KH/ĐU ngày 15/01/2021 về triển khai thực hiện chủ đề "
                "năm; ngày 22/01/2021 tổ chức hội nghị triển khai tới cán bộ chủ chốt, bí thư 15 "
                "chi bộ và tổ trưởng tổ dân vận 14 tổ dân phố.",
                dt.datetime(2021, 1, 25, 9, 30, tzinfo=TZ),
            ),
            "KDV": (
                "Tham mưu dự thảo Kế hoạch 28-KH/ĐU; chuẩn bị tài liệu và phân công thành viên "
                "Khối Dân vận dự hội nghị triển khai tại các chi bộ.",
                dt.datetime(2021, 1, 26, 14, 0, tzinfo=TZ),
            ),
        },
    ),
    (
        "Ủy ban MTTQ phường chủ trì, phối hợp các đoàn thể hướng dẫn, phát động các tập thể, cá "
        "nhân đăng ký mô hình thi đua “Dân vận khéo” năm 2021; tổng hợp danh sách gửi Khối Dân "
        "vận Đảng ủy trước ngày 15/3/2021.",
        ["MTTQ"],
        [],
        {
            "MTTQ": (
                "Ban hành hướng dẫn đăng ký ngày 20/01/2021; 18 tập thể, 03 cá nhân đăng ký mô "
                "hình thi đua “Dân vận khéo” năm 2021; danh sách đã gửi Khối Dân vận ngày "
                "12/3/2021.",
                dt.datetime(2021, 3, 12, 16, 0, tzinfo=TZ),
            ),
        },
    ),
    (
        "UBND phường rà soát, lập danh sách các hộ chưa bàn giao mặt bằng tại các dự án trên địa "
        "bàn kèm hồ sơ bồi thường, gửi Khối Dân vận để phân công cán bộ, đảng viên, hội viên "
        "phụ trách vận động từng hộ.",
        ["UBND"],
        ["KDV"],
        {
            "UBND": (
                "Rà soát 35 hộ có đất bị thu hồi tại các dự án trên địa bàn phường, trong đó 08 "
                "hộ chưa đồng thuận phương án bồi thường; đã gửi danh sách kèm hồ sơ cho Khối Dân "
                "vận ngày 05/02/2021.",
                dt.datetime(2021, 2, 5, 10, 0, tzinfo=TZ),
            ),
            "KDV": (
                "Phân công thành viên Khối Dân vận, đảng viên các chi bộ có dự án và hội viên "
                "cựu chiến binh phụ trách vận động 08 hộ chưa đồng thuận.",
                dt.datetime(2021, 2, 19, 15, 0, tzinfo=TZ),
            ),
        },
    ),
]

# --- the reviews: when each step happened in the story ------------------------------------------
# quarter -> {event action: moment}. A review's own created_at is its "created" moment.
REVIEW_TIMES = {
    Q4_2020: {
        "created": dt.datetime(2021, 1, 4, 16, 10, tzinfo=TZ),  # with the meeting's invitation
        "meeting_linked": dt.datetime(2021, 1, 4, 16, 10, tzinfo=TZ),
        "report_numbered": dt.datetime(2021, 1, 8, 15, 30, tzinfo=TZ),
        "finalized": dt.datetime(2021, 1, 11, 9, 0, tzinfo=TZ),
    },
    Q1_2021: {
        "created": dt.datetime(2021, 4, 6, 15, 45, tzinfo=TZ),  # the meeting was being prepared
        "meeting_linked": dt.datetime(2021, 4, 6, 15, 45, tzinfo=TZ),
    },
    Q2_2021: {
        "created": dt.datetime(2021, 4, 13, 14, 0, tzinfo=TZ),  # after the meeting concluded
    },
}

# Rows the review services write, counted for the loader's summary.
SERVICE_MODELS = (QuarterlyReview, QuarterlyReviewEvent, IssuedDocument, DocumentSequence)


def load(loader: DemoLoader) -> None:
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    ngoc = User.objects.get(username="ngoc")
    khanh = User.objects.get(username="khanh")
    units = {
        key: Organization.objects.get(ward=ward, name=name) for key, name in UNIT_NAMES.items()
    }

    q4 = QuarterlyReview.objects.filter(
        ward=ward, year=Q4_2020.year, quarter=Q4_2020.number
    ).first()
    if q4 is None or not q4.is_finalized:
        # Everything of IV/2020 first: the quarter refuses changes once finalised.
        meeting = _load_q4_meeting(loader, ward, units, khanh)
        _load_q4_review(loader, ward, meeting, ngoc)
    _load_follow_up_reports(loader, ward, units)
    _review(loader, ward, Q1_2021, ngoc)
    _review(loader, ward, Q2_2021, ngoc)


# --- IV/2020: the meeting -----------------------------------------------------------------------


def _load_q4_meeting(loader: DemoLoader, ward: Ward, units: dict, khanh: User) -> Meeting:
    people = {p.full_name: p for p in Person.objects.filter(ward=ward)}
    meeting = loader.ensure(
        Meeting,
        {
            "ward": ward,
            "kind": MeetingKind.QUARTERLY_REVIEW,
            "year": Q4_2020.year,
            "quarter": Q4_2020.number,
        },
        title=normalize(TITLE),
        held_at=HELD_AT,
        venue=normalize(VENUE),
        presenter=people["Nguyễn Hữu Khanh"],
        report_summary=normalize(REPORT_SUMMARY),
        next_period_direction=normalize(NEXT_PERIOD_DIRECTION),
        status=MeetingStatus.CONCLUDED,
        concluded_at=CONCLUDED_AT,
        concluded_by=khanh,
        created_by=khanh,
    )
    _ensure_m2m(loader, meeting, "chairs", [people["Nguyễn Thị Ngọc"], people["Nguyễn Hữu Khanh"]])
    for action, from_status, to_status, at in [
        ("created", "", MeetingStatus.PLANNED, CREATED_AT),
        ("held", MeetingStatus.PLANNED, MeetingStatus.HELD, HELD_AT),
        ("concluded", MeetingStatus.HELD, MeetingStatus.CONCLUDED, CONCLUDED_AT),
    ]:
        loader.ensure(
            MeetingEvent,
            {"meeting": meeting, "action": action},
            from_status=from_status,
            to_status=to_status,
            note="",
            actor=khanh,
            at=at,
        )
    for person, organization in _invitees(meeting, INVITED_GROUPS):
        status, note = NOT_PRESENT.get(person.full_name, (AttendanceStatus.PRESENT, ""))
        loader.ensure(
            Attendance,
            {"meeting": meeting, "person": person},
            organization=organization,
            status=status,
            note=note,
        )
    for ordinal, (speaker_name, content) in enumerate(CONTRIBUTIONS, start=1):
        speaker = people[speaker_name]
        loader.ensure(
            Contribution,
            {"meeting": meeting, "ordinal": ordinal},
            speaker=speaker,
            organization=speaker.organization,
            content=normalize(content),
            recorded_by=khanh,
        )
    _load_q4_conclusions(loader, meeting, units, khanh)
    return meeting


def _invitees(meeting: Meeting, groups: list[str]) -> list[tuple[Person, Organization]]:
    """(person, body) pairs ``meeting_invite(groups=groups)`` would add to an empty meeting:
    a person once, for their first body."""
    on = meeting.held_at.astimezone(TZ).date()
    seen: set[int] = set()
    rows = []
    for group in groups:
        kinds, roles = INVITE_GROUPS[group]
        positions = Position.objects.current(on=on).filter(
            organization__ward=meeting.ward,
            organization__kind__in=kinds,
            organization__is_active=True,
        )
        if roles:
            positions = positions.filter(role__in=roles)
        for position in positions.select_related("person", "organization").order_by(
            "organization__kind", "organization__name"
        ):
            if position.person_id not in seen:
                seen.add(position.person_id)
                rows.append((position.person, position.organization))
    return rows


def _load_q4_conclusions(loader: DemoLoader, meeting: Meeting, units: dict, actor: User) -> None:
    """The conclusions and the tasks concluding made of them (by ``_sync_task``'s rules: lead
    = the first lead body, due the quarter after the one reviewed), done in quarter I."""
    due = Q4_2020.next()
    for ordinal, (text, lead_keys, supporting_keys, _reports) in enumerate(CONCLUSIONS, start=1):
        leads = [units[key] for key in lead_keys]
        supporting = [units[key] for key in supporting_keys]
        conclusion = loader.ensure(
            Conclusion,
            {"meeting": meeting, "ordinal": ordinal},
            text=normalize(text),
            due_date=None,
            due_quarter=None,
            plan=None,
        )
        _ensure_m2m(loader, conclusion, "lead_organizations", leads)
        _ensure_m2m(loader, conclusion, "supporting_organizations", supporting)
        ordered = sorted(leads, key=lambda o: (o.kind, o.name))
        values = {
            "ward": meeting.ward,
            "plan": None,
            "ordinal": ordinal,
            "title": conclusion_task_title(conclusion),
            "description": conclusion.text,
            "lead_organization": ordered[0],
            "assigned_on": meeting.held_at.astimezone(TZ).date(),
            "due_date": None,
            "due_quarter": due,
            "status": TaskStatus.DONE,  # the lead unit reported it done in quarter I
            "created_by": actor,
        }
        if conclusion.task_id:
            task = loader.ensure(Task, {"pk": conclusion.task_id}, **values)
        else:
            task = Task(**values)
            task.save()
            loader.created["Task"] += 1
        _ensure_m2m(loader, task, "supporting_organizations", ordered[1:] + supporting)
        if conclusion.task_id != task.pk:
            conclusion.task = task
            conclusion.save(update_fields=["task"])
            loader.changed["Conclusion task"] += 1


def _load_follow_up_reports(loader: DemoLoader, ward: Ward, units: dict) -> None:
    """The units' quarter-I reports on the tasks of IV/2020's conclusions: all done."""
    meeting = Meeting.objects.get(
        ward=ward,
        kind=MeetingKind.QUARTERLY_REVIEW,
        year=Q4_2020.year,
        quarter=Q4_2020.number,
    )
    tasks = {c.ordinal: c.task for c in meeting.conclusions.select_related("task")}
    managers = _unit_managers(ward)
    for ordinal, (_text, _leads, _supporting, reports) in enumerate(CONCLUSIONS, start=1):
        for key, (narrative, reported_at) in reports.items():
            organization = units[key]
            loader.ensure(
                ProgressReport,
                {
                    "task": tasks[ordinal],
                    "organization": organization,
                    "year": Q1_2021.year,
                    "quarter": Q1_2021.number,
                },
                status=TaskStatus.DONE,
                percent=100,
                narrative=normalize(narrative),
                reported_by=managers.get(organization.pk),
                reported_at=reported_at,
            )


# --- the reviews --------------------------------------------------------------------------------


def _load_q4_review(loader: DemoLoader, ward: Ward, meeting: Meeting, ngoc: User) -> None:
    """IV/2020's review linked to its meeting, its report numbered, the quarter finalised."""
    first_event = _last_event_pk()
    with _counted(loader):
        review = review_get_or_create(ward=ward, quarter=Q4_2020, actor=ngoc)
        if review_report_document(review=review) is None:
            review_report_docx(actor=ngoc, review=review)
        review = review_finalize(actor=ngoc, review=review)
    _set_times(review, first_event)


def _review(loader: DemoLoader, ward: Ward, quarter: Quarter, actor: User) -> QuarterlyReview:
    first_event = _last_event_pk()
    with _counted(loader):
        review = review_get_or_create(ward=ward, quarter=quarter, actor=actor)
    _set_times(review, first_event)
    return review


def _last_event_pk() -> int:
    return QuarterlyReviewEvent.objects.aggregate(m=Max("pk"))["m"] or 0


def _set_times(review: QuarterlyReview, after_event_pk: int) -> None:
    """Date the steps just taken (events with a pk above ``after_event_pk``) as the story
    tells them: the services stamp "now", the demo is set in 2021."""
    times = REVIEW_TIMES.get(review.period, {})
    new_events = QuarterlyReviewEvent.objects.filter(review=review, pk__gt=after_event_pk)
    actions = set(new_events.values_list("action", flat=True))
    for action in actions & set(times):
        new_events.filter(action=action).update(at=times[action])
    if "created" in actions:
        QuarterlyReview.objects.filter(pk=review.pk).update(
            created_at=times["created"], updated_at=max(times.values())
        )
    if "report_numbered" in actions:
        IssuedDocument.objects.filter(pk=review_report_document(review=review).pk).update(
            created_at=times["report_numbered"], generated_at=times["report_numbered"]
        )
    if "finalized" in actions:
        review.refresh_from_db()
        figures = {**review.figures, "computed_at": times["finalized"].isoformat()}
        QuarterlyReview.objects.filter(pk=review.pk).update(
            finalized_at=times["finalized"], figures=figures
        )
    review.refresh_from_db()


@contextmanager
def _counted(loader: DemoLoader):
    """Count the rows the services write (reviews, their events, numbered documents)."""
    before = {model: model._default_manager.count() for model in SERVICE_MODELS}
    yield
    for model, count in before.items():
        added = model._default_manager.count() - count
        if added > 0:
            loader.created[model.__name__] += added
