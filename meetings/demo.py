"""Demo meeting of Phường Phúc Đồng: the review of 13/04/2021, as the seed article tells it.

"Ngày 13/4/2021, tại phòng họp 2 trụ sở phường, Đảng bộ phường Phúc Đồng tổ chức hội nghị
đánh giá kết quả tổ chức triển khai, thực hiện Kế hoạch số 18-KH/QU ... quý I/2021": chaired
by Nguyễn Thị Ngọc and Nguyễn Hữu Khanh, the report by Nguyễn Hữu Khanh, the bodies the
article names invited (most present), 05 contributions, and the article's 6 conclusions,
each already a ``plans.Task`` of the bodies it names (the meeting is concluded).

Runs after ``wardwork.demo`` and ``plans.demo`` (and ``models_registry.demo`` when there is
one: its 2021 registrants are invited too). Every row is written through
``DemoLoader.ensure`` with fixed values and fixed timestamps, never through the services
(which stamp "now" and number rows afresh), so a second run writes nothing. The rows are
the ones the services would have written: attendance follows ``INVITE_GROUPS``, each task
follows ``_sync_task``'s rules (lead = the first lead body by kind then name, supporting =
the others, due the quarter after the meeting unless the conclusion says otherwise).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
)
from meetings.services import INVITE_GROUPS, conclusion_task_title
from plans.models import Plan, Task, TaskStatus
from wardwork.demo import (
    MASS_ORGANIZATIONS,
    OTHER_CELLS,
    RESIDENTIAL_CELLS,
    WARD_ADMIN_GROUP,
    DemoLoader,
)
from wardwork.models import Organization, Person, Position, User, Ward
from wardwork.quarters import Quarter
from wardwork.text import normalize

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR, QUARTER = 2021, 1
HELD_AT = dt.datetime(2021, 4, 13, 8, 0, tzinfo=TZ)
CREATED_AT = dt.datetime(2021, 4, 6, 15, 30, tzinfo=TZ)  # the invitation went out a week before
CONCLUDED_AT = dt.datetime(2021, 4, 13, 11, 15, tzinfo=TZ)

TITLE = "Hội nghị đánh giá kết quả thực hiện chủ đề công tác năm của Quận ủy quý I/2021"
VENUE = "Phòng họp 2 trụ sở phường"

# The report Nguyễn Hữu Khanh presented, in the article's words.
REPORT_SUMMARY = (
    "Đánh giá kết quả tổ chức triển khai, thực hiện Kế hoạch số 18-KH/QU ngày 30/12/2020 của "
    "Quận ủy về thực hiện chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng” "
    "trên địa bàn phường quý I/2021.\n"
    "Trong quý I, Đảng ủy phường đã xây dựng Kế hoạch số 28-KH/ĐU về triển khai thực hiện chủ "
    "đề “Năm dân vận khéo, trọng tâm công tác giải phóng mặt bằng”; tổ chức hội nghị triển khai "
    "chủ đề “Năm dân vận khéo, trọng tâm công tác giải phóng mặt bằng”; triển khai công tác dân "
    "vận năm 2021 đến các đồng chí trong Khối Dân vận phường, Lãnh đạo UBND, trưởng các đoàn "
    "thể chính trị xã hội, Bí thư chi bộ, tổ trưởng tổ dân vận các tổ dân phố. Chỉ đạo MTTQ, "
    "các đoàn thể, các chi bộ tổ chức triển khai tới các cấp ủy chi bộ, chi hội trưởng các chi "
    "hội, cán bộ, đảng viên, người lao động và nhân dân thực hiện chủ đề năm của quận.\n"
    "Kết quả đăng ký mô hình thi đua Dân vận khéo năm 2021: đã có 18 tập thể, 03 cá nhân đăng "
    "ký mô hình thi đua.\n"
    "Khối Dân vận Đảng ủy chủ động nắm tình hình tư tưởng nhân dân, tuyên truyền vận động nhân "
    "dân thực hiện tốt các chủ trương, chính sách của Đảng, pháp luật của nhà nước; tập trung "
    "vào công tác GPMB, chỉnh trang đô thị, đảm bảo an ninh trật tự, giữ gìn vệ sinh môi "
    "trường; giảm chăn nuôi trong khu dân cư; không sử dụng bếp than tổ ong; giảm rác thải "
    "nhựa...\n"
    "UBND phường tiếp tục quan tâm chỉ đạo thực hiện công tác quản lý đất đai, giải phóng mặt "
    "bằng, bám sát chỉ đạo của các sở, ban, ngành của Thành phố, quận…"
)

NEXT_PERIOD_DIRECTION = (
    "Phương hướng nhiệm vụ trọng tâm quý II/2021:\n"
    "- Tiếp tục tuyên truyền Kế hoạch số 18-KH/QU của Quận ủy và Kế hoạch số 28-KH/ĐU của Đảng "
    "ủy phường tới cán bộ, đảng viên và nhân dân.\n"
    "- Khối Dân vận giám sát việc thực hiện chủ đề năm; tổ chức tọa đàm “Thực trạng hoạt động "
    "mô hình Tổ dân vận khéo tại Tổ dân phố” và tọa đàm nâng cao chất lượng thực hiện Quy chế "
    "dân chủ ở cơ sở.\n"
    "- Các tập thể, cá nhân rà soát, điều chỉnh nội dung, giải pháp, tiến độ các mô hình đã "
    "đăng ký.\n"
    "- Tập trung vận động các hộ còn lại bàn giao mặt bằng các dự án trên địa bàn phường; giữ "
    "gìn trật tự đô thị, vệ sinh môi trường.\n"
    "- Tuyên truyền, vận động cử tri tham gia bầu cử đại biểu Quốc hội khóa XV và đại biểu "
    "HĐND các cấp nhiệm kỳ 2021 – 2026 ngày 23/5/2021.\n"
    "- Sơ kết 6 tháng, phát hiện, biểu dương các mô hình, điển hình “Dân vận khéo” tiêu biểu."
)

# Who did not come (everyone else invited was present): full name -> (status, note).
NOT_PRESENT = {
    "Đinh Văn Cường": (AttendanceStatus.EXCUSED, "Trực sẵn sàng chiến đấu, có báo cáo"),
    "Phạm Văn Khải": (AttendanceStatus.EXCUSED, "Ốm, có báo cáo"),
    "Đỗ Văn Bình": (AttendanceStatus.ABSENT, "Vắng không báo cáo"),
}
INVITED_GROUPS = [
    "ward_leaders",
    "mass_organization_heads",
    "cell_secretaries",
    "mass_mobilization_bloc",
    "registrants",
]

# Bodies by short key (names as in wardwork.demo).
MTTQ = MASS_ORGANIZATIONS[0][0]
BODIES = {
    "ĐU": "Đảng ủy phường Phúc Đồng",
    "KDV": "Khối Dân vận Đảng ủy phường Phúc Đồng",
    "UBND": "Ủy ban nhân dân phường Phúc Đồng",
    "MTTQ": MTTQ,
}
MASS_ORGANIZATION_NAMES = [row[0] for row in MASS_ORGANIZATIONS[1:]]  # "các đoàn thể"
CELL_NAMES = [f"Chi bộ Khu dân cư số {n}" for n, _groups, _name in RESIDENTIAL_CELLS] + [
    name for name, _secretary in OTHER_CELLS
]  # "các chi bộ"

# (speaker's full name, content): the 05 contributions, in the order they were heard.
CONTRIBUTIONS = [
    (
        "Trần Văn Hùng",
        "Chi bộ đã chỉ đạo Tổ dân phố số 1, số 2 đăng ký mô hình “Khu dân cư số 1 sạch – đẹp – "
        "an toàn”. Sau một quý, nhân dân đóng góp lắp thêm 04 camera an ninh tại các ngõ; 02 hộ "
        "còn sử dụng bếp than tổ ong đã cam kết chuyển đổi trước 30/4/2021. Đề nghị Đảng ủy sớm "
        "có hướng dẫn tiêu chí đánh giá mô hình để các chi bộ tự đánh giá hằng quý, và đề nghị "
        "UBND phường hỗ trợ thùng rác phân loại cho các tuyến ngõ.",
    ),
    (
        "Lê Thị Thanh Hà",
        "Hội Phụ nữ đã ra mắt mô hình “Phụ nữ Phúc Đồng nói không với túi ni lông”, tặng 500 làn "
        "nhựa đi chợ cho hội viên, 14/14 chi hội ký cam kết. Khó khăn là thói quen dùng túi ni "
        "lông ở các điểm chợ tạm, hàng rong. Đề nghị UBND phường chỉ đạo ban quản lý chợ phối "
        "hợp tuyên truyền tới tiểu thương, và đề nghị Khối Dân vận đưa mô hình vào nội dung giám "
        "sát để nhân rộng ra các tổ dân phố.",
    ),
    (
        "Lê Văn Thắng",
        "Trên địa bàn Tổ dân phố số 4, số 5 còn 02 hộ chưa đồng thuận phương án bồi thường, chủ "
        "yếu do chưa nắm rõ căn cứ áp giá và chính sách tái định cư; khi đảng viên đến vận động, "
        "người dân hỏi những nội dung chi bộ chưa có tài liệu để trả lời. Đề nghị lãnh đạo UBND "
        "phường cung cấp đầy đủ hồ sơ, văn bản về bồi thường GPMB của từng dự án cho Khối Dân "
        "vận và các chi bộ có dự án, để việc vận động có căn cứ, thuyết phục.",
    ),
    (
        "Trần Quốc Toản",
        "Hội Cựu chiến binh đăng ký mô hình “Cựu chiến binh gương mẫu vận động gia đình, người "
        "thân bàn giao mặt bằng”; đến nay 03 hội viên có đất bị thu hồi đã bàn giao mặt bằng "
        "đúng tiến độ và vận động được 02 hộ người thân đồng thuận. Đề nghị Đảng ủy tăng cường "
        "kiểm tra, kịp thời biểu dương những hội viên, tổ dân phố làm tốt để tạo sức lan tỏa, "
        "nhân rộng điển hình trong toàn phường.",
    ),
    (
        "Nguyễn Minh Quân",
        "Đoàn phường duy trì mô hình “Thanh niên tình nguyện giữ gìn đường phố xanh – sạch – "
        "đẹp” với 03 buổi ra quân, bóc xóa 350 quảng cáo rao vặt sai quy định. Tuy nhiên hoạt "
        "động của tổ dân vận ở một số tổ dân phố còn hình thức, ít đoàn viên thanh niên tham "
        "gia. Đề nghị tổ chức tọa đàm về thực trạng hoạt động mô hình Tổ dân vận khéo tại tổ dân "
        "phố để trao đổi kinh nghiệm và phân công đoàn viên tham gia tổ dân vận.",
    ),
]

# The six conclusions of the article, verbatim, with the bodies each names:
# (text, lead body keys, supporting body keys, due quarter). "Thời gian tới" is quarter II,
# the quarter the report's direction is about; given explicitly, as the services would
# otherwise date a conclusion from the day of the meeting (13/04: quarter III).
MASS = "các đoàn thể"
CELLS = "các chi bộ"
CONCLUSIONS = [
    (
        "Tiếp tục đẩy mạnh tuyên truyền Kế hoạch số 18-KH/QU ngày 30/12/2020 về “thực hiện chủ "
        "đề “Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng” trên địa bàn quận Long "
        "Biên năm 2021”.",
        ["UBND", "MTTQ"],
        [MASS, CELLS],
        Quarter(2021, 4),  # the propaganda runs all year
    ),
    (
        "Khối Dân vận Đảng ủy giám sát thường xuyên đối với việc thực hiện Kế hoạch 18-KH/QU "
        "ngày 30/12/2020 của Quận ủy. Tổ chức hội nghị tọa đàm “Thực trạng hoạt động mô hình Tổ "
        "dân vận khéo tại Tổ dân phố”. Tọa đàm về nâng cao chất lượng việc tổ chức thực hiện "
        "Quy chế dân chủ tại cơ sở khối phường, trường học công lập. Các tập thể, cá nhân rà "
        "soát lại các nội dung đã đăng ký để điều chỉnh lại nội dung cho phù hợp, có kế hoạch, "
        "giải pháp, tiến độ thực hiện dân vận xong nội dung đã đăng ký.",
        ["KDV"],
        ["MTTQ", MASS, CELLS],  # the collectives and individuals who registered
        Quarter(2021, 2),
    ),
    (
        "Lãnh đạo UBND phường thường xuyên thông tin với khối vận về các nhiệm vụ trọng tâm để "
        "khối vận phát huy hiệu quả công tác dân vận, nhất là trong lĩnh vực giải phóng mặt "
        "bằng, thu hồi đất thực hiện các dự án trên địa bàn (các hồ sơ và các văn bản có liên "
        "quan đến công tác bồi thường GPMB các dự án trên địa bàn phường).",
        ["UBND"],
        ["KDV"],
        Quarter(2021, 2),
    ),
    (
        "Tăng cường công tác kiểm tra, hướng dẫn, đôn đốc thực hiện, nhân rộng điển hình.",
        ["ĐU"],
        ["KDV"],
        Quarter(2021, 2),
    ),
    (
        "MTTQ, các tổ chức chính trị - xã hội tăng cường tuyên truyền, vận động, thực hiện giám "
        "sát chuyên đề theo kế hoạch và nhiệm vụ được giao.",
        ["MTTQ", MASS],
        [],
        Quarter(2021, 2),
    ),
    (
        "Rà soát đánh giá các mô hình dân vận khéo, phát hiện, biểu dương, khen thưởng những mô "
        "hình, điển hình tiêu biểu.",
        ["KDV"],
        ["MTTQ"],
        Quarter(2021, 2),
    ),
]

# What ward staff may do with each meetings model in the admin; the event log is only read.
# (A codename of a model that does not exist is simply not granted.)
KEEP = ("view", "add", "change")
WARD_ADMIN_PERMISSIONS = {
    "meeting": KEEP,
    "attendance": KEEP,
    "contribution": KEEP,
    "conclusion": KEEP,
    "meetingevent": ("view",),
    "documenttemplate": KEEP,  # the admin shows them only their own ward's layouts
    "issueddocument": ("view",),
    "quarterlyreview": ("view", "change"),  # the report's text; the workflow is on the page
    "quarterlyreviewevent": ("view",),
    "reminder": ("view",),
}


def load(loader: DemoLoader) -> None:
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    khanh = User.objects.get(username="khanh")
    people = {p.full_name: p for p in Person.objects.filter(ward=ward)}
    organizations = {o.name: o for o in Organization.objects.filter(ward=ward)}

    meeting = loader.ensure(
        Meeting,
        {"ward": ward, "kind": MeetingKind.QUARTERLY_REVIEW, "year": YEAR, "quarter": QUARTER},
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
    _ensure_m2m(
        loader,
        meeting,
        "chairs",
        [people["Nguyễn Thị Ngọc"], people["Nguyễn Hữu Khanh"]],
    )
    _ensure_m2m(
        loader,
        meeting,
        "reviewed_plans",
        list(Plan.objects.filter(ward=ward, symbol__in=["18-KH/QU", "28-KH/ĐU"])),
    )
    _load_events(loader, meeting, khanh)
    _load_attendance(loader, meeting)
    _load_contributions(loader, meeting, people, khanh)
    _load_conclusions(loader, meeting, organizations, khanh)
    _grant_ward_admins(loader)

    from meetings.review_demo import load as load_reviews  # it builds on this module

    load_reviews(loader)


def _ensure_m2m(loader: DemoLoader, obj, name: str, wanted: list) -> None:
    """Bring a many-to-many field to ``wanted``, writing (and so recording) only a change."""
    manager = getattr(obj, name)
    present = set(manager.values_list("pk", flat=True))
    wanted_pks = {o.pk for o in wanted}
    missing = [o for o in wanted if o.pk not in present]
    extra = present - wanted_pks
    if missing:
        manager.add(*missing)
    if extra:
        manager.remove(*extra)
    if missing or extra:
        loader.changed[f"{type(obj).__name__} {name}"] += 1


def _load_events(loader: DemoLoader, meeting: Meeting, actor: User) -> None:
    steps = [
        ("created", "", MeetingStatus.PLANNED, CREATED_AT),
        ("held", MeetingStatus.PLANNED, MeetingStatus.HELD, HELD_AT),
        ("concluded", MeetingStatus.HELD, MeetingStatus.CONCLUDED, CONCLUDED_AT),
    ]
    for action, from_status, to_status, at in steps:
        loader.ensure(
            MeetingEvent,
            {"meeting": meeting, "action": action},
            from_status=from_status,
            to_status=to_status,
            note="",
            actor=actor,
            at=at,
        )


def invitees(meeting: Meeting) -> list[tuple[Person | None, Organization]]:
    """(person, body) pairs ``meeting_invite(groups=INVITED_GROUPS)`` would add to an empty
    meeting: a person once, for their first body; a registering collective as a body."""
    on = meeting.held_at.astimezone(TZ).date()
    seen_people: set[int] = set()
    seen_bodies: set[int] = set()
    rows: list[tuple[Person | None, Organization]] = []
    for group in INVITED_GROUPS:
        if group == "registrants":
            rows.extend(_registrants(meeting, seen_people, seen_bodies))
            continue
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
            if position.person_id not in seen_people:
                seen_people.add(position.person_id)
                rows.append((position.person, position.organization))
    return rows


def _registrants(meeting: Meeting, seen_people: set, seen_bodies: set):
    """The 2021 Dân vận khéo registrants, when the registry demo has recorded them."""
    if not apps.is_installed("models_registry"):
        return []
    from models_registry.models import COUNTED_STATUSES, Registration

    rows = []
    registrations = (
        Registration.objects.filter(
            ward=meeting.ward, year=meeting.year, status__in=COUNTED_STATUSES
        )
        .select_related("person", "organization")
        .order_by("kind", "organization__name")
    )
    for registration in registrations:
        if registration.person_id:
            if registration.person_id not in seen_people:
                seen_people.add(registration.person_id)
                rows.append((registration.person, registration.organization))
        elif registration.organization_id not in seen_bodies:
            seen_bodies.add(registration.organization_id)
            rows.append((None, registration.organization))
    return rows


def _load_attendance(loader: DemoLoader, meeting: Meeting) -> None:
    for person, organization in invitees(meeting):
        status, note = NOT_PRESENT.get(
            person.full_name if person else "", (AttendanceStatus.PRESENT, "")
        )
        if person is not None:
            lookup = {"meeting": meeting, "person": person}
            values = {"organization": organization}
        else:
            lookup = {"meeting": meeting, "person": None, "organization": organization}
            values = {}
        loader.ensure(Attendance, lookup, **values, status=status, note=note)


def _load_contributions(loader: DemoLoader, meeting: Meeting, people: dict, actor: User) -> None:
    for ordinal, (speaker_name, content) in enumerate(CONTRIBUTIONS, start=1):
        speaker = people[speaker_name]
        loader.ensure(
            Contribution,
            {"meeting": meeting, "ordinal": ordinal},
            speaker=speaker,
            organization=speaker.organization,
            content=normalize(content),
            recorded_by=actor,
        )


def _bodies(keys: list[str], organizations: dict) -> list[Organization]:
    bodies: list[Organization] = []
    for key in keys:
        if key == MASS:
            bodies += [organizations[name] for name in MASS_ORGANIZATION_NAMES]
        elif key == CELLS:
            bodies += [organizations[name] for name in CELL_NAMES]
        else:
            bodies.append(organizations[BODIES[key]])
    return bodies


def _load_conclusions(loader: DemoLoader, meeting: Meeting, organizations: dict, actor) -> None:
    next_quarter = Quarter.containing(meeting.held_at.astimezone(TZ).date()).next()
    for ordinal, (text, lead_keys, supporting_keys, due_quarter) in enumerate(CONCLUSIONS, start=1):
        leads = _bodies(lead_keys, organizations)
        supporting = [o for o in _bodies(supporting_keys, organizations) if o not in leads]
        conclusion = loader.ensure(
            Conclusion,
            {"meeting": meeting, "ordinal": ordinal},
            text=normalize(text),
            due_date=None,
            due_quarter=due_quarter,
            plan=None,
        )
        _ensure_m2m(loader, conclusion, "lead_organizations", leads)
        _ensure_m2m(loader, conclusion, "supporting_organizations", supporting)

        # The task concluding made of it, by _sync_task's rules.
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
            "due_quarter": due_quarter or next_quarter,
            "status": TaskStatus.OPEN,
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


def _grant_ward_admins(loader: DemoLoader) -> None:
    """The ward admin group may also keep meetings in the admin (and read their log)."""
    group, created = Group.objects.get_or_create(name=WARD_ADMIN_GROUP)
    if created:
        loader.created["Group"] += 1
    codenames = [
        f"{action}_{model}"
        for model, actions in WARD_ADMIN_PERMISSIONS.items()
        for action in actions
    ]
    wanted = Permission.objects.filter(content_type__app_label="meetings", codename__in=codenames)
    missing = set(wanted) - set(group.permissions.all())
    if missing:
        group.permissions.add(*missing)
        loader.changed["Group"] += 1
