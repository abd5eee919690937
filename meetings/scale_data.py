"""Scale data: many wards of generated, valid data for the benchmark and the scale tests.

``generate(sizes, seed=...)`` writes ``sizes.wards`` wards of a city, each with its bodies,
people, logins and ``sizes.years`` years of work ending with the current year: plans and
their tasks, the units' progress reports, "Dân vận khéo" registrations with their quarterly
updates, meetings with attendance, contributions and conclusions (each conclusion a task),
and the quarterly reviews. Everything goes in with ``COPY`` on PostgreSQL (``bulk_create``
and ``executemany`` on SQLite), ward by ward, in one process per CPU, so a whole city of
126 wards and five years (2.2 million rows) takes under four minutes on two cores.

The rows are the ones the app's services would have left (what ``full_clean()`` accepts):

- every relation stays inside its ward; every ward has a Party committee with a secretary,
  a standing deputy secretary (head of the Khối Dân vận bloc), a deputy secretary (chair of
  the People's Committee), office staff, a bloc member, a Fatherland Front and five mass
  organisations whose heads sit in the bloc, Party cells with their secretaries and
  residential groups with their heads; the logins point at these people, so
  ``wardwork.roles`` gives them the roles of the demo's accounts;
- statuses follow the dates and the workflows: a task past its deadline is mostly done,
  its reports go from "in progress" to "done"; a registration of a past year was reviewed
  (approved, recognised, not achieved or withdrawn) with the events of each step; a
  meeting held in the past is concluded, its conclusions became tasks due the quarter
  after the one reviewed; a meeting in the future is planned;
- the quarterly reviews: every quarter before the previous one is **finalised** (its
  review meeting concluded, its report numbered ``n-BC/ĐU`` and its figures frozen with
  ``quarter_figures`` unless ``figures=False``), the previous and the current quarters are
  **in review**, linked to their review meeting;
- document numbers: the ward committee's plans (``-KH/ĐU``, ``-HD/ĐU``, ``-CTr/ĐU``,
  ``-NQ/ĐU``), reports (``-BC/ĐU``) and conclusion notices (``-TB/ĐU``) are numbered 1, 2, …
  within each committee term in date order, and ``DocumentSequence`` holds each last number,
  so the next number the app gives follows on;
- ``save()``-derived columns (``search_key``, ``sort_key``, ``symbol_key``, ``title_key``)
  come from each model's ``fill_derived()``, since ``bulk_create`` bypasses ``save()``;
  ``version`` starts at its default; timestamps
  (``created_at``/``updated_at``) are the story's, not the moment of the run.

History (django-simple-history): with ``history=True`` (the default) every object of the
models whose pages or admin show a history gets its "+" (created) row, dated and signed as
its creation: wards, organisations, people, positions, users, plans, tasks, registrations,
meetings, contributions, conclusions, quarterly reviews. Progress reports, registration
updates, attendance and recognitions get none (they are the bulk of the rows and their
pages show no history); nor do the many-to-many history tables (supporting units, chairs,
reviewed plans, conclusion bodies).

Every generated login shares one password (``make_password`` once); user names are
``p001.bithu`` (ward secretary), ``p001.vp1`` (office staff), ``p001.dvk`` (bloc member),
``p001.cb01`` … (cell secretaries), ``p001.mttq``, ``p001.dt1`` … (mass organisation heads).
The same seed and sizes give the same data on the same day (dates are relative to today).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, models, transaction
from django.utils import timezone

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Conclusion,
    Contribution,
    DocumentKind,
    IssuedDocument,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
)
from meetings.review_models import QuarterlyReview, QuarterlyReviewEvent, ReviewStatus
from models_registry.models import (
    Field,
    Recognition,
    RecognitionLevel,
    Registration,
    RegistrationEvent,
    RegistrationKind,
    RegistrationStatus,
    RegistrationUpdate,
)
from plans.models import DocumentSequence, Plan, ProgressReport, Task, TaskStatus
from plans.symbols import format_party_symbol
from wardwork.models import (
    Organization,
    OrganizationKind,
    Person,
    Position,
    PositionRole,
    TimeStampedModel,
    User,
    Ward,
)
from wardwork.quarters import Quarter
from wardwork.tenancy import WardOwnedModel
from wardwork.text import fold, normalize

K = OrganizationKind
R = PositionRole
TS = TaskStatus
RS = RegistrationStatus
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BATCH = 2000

# Every generated ward's parent_name: how ``--append`` and the guards recognise them.
SCALE_PARENT = "Thành phố Hà Nội (dữ liệu quy mô)"
WARDS_PER_DISTRICT = 10
# The bodies every ward has besides its Party cells and residential groups.
FIXED_UNITS = 11


@dataclass(frozen=True)
class Sizes:
    wards: int = 126
    years: int = 5
    units: int = 70  # organisations per ward (at least FIXED_UNITS + 1), besides its Quận ủy
    people: int = 250
    users: int = 40
    plans: int = 20  # per year
    tasks: int = 10  # per plan
    registrations: int = 40  # per year
    meetings: int = 16  # per year (4 of them the quarterly reviews)
    attendees: int = 25  # invited per meeting
    contributions: int = 5  # per held meeting
    conclusions: int = 4  # per concluded meeting


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    wards: list[int] = field(default_factory=list)
    password: str = ""
    first_index: int = 1


# --- names and texts ----------------------------------------------------------------------------
WARD_NAMES = [
    "Ba Đình", "Ngọc Hà", "Giảng Võ", "Hoàn Kiếm", "Cửa Nam", "Hai Bà Trưng", "Vĩnh Tuy",
    "Bạch Mai", "Đống Đa", "Kim Liên", "Văn Miếu", "Láng", "Ô Chợ Dừa", "Hồng Hà", "Lĩnh Nam",
    "Hoàng Mai", "Vĩnh Hưng", "Tương Mai", "Định Công", "Hoàng Liệt", "Yên Sở", "Thanh Xuân",
    "Khương Đình", "Phương Liệt", "Cầu Giấy", "Nghĩa Đô", "Yên Hòa", "Tây Hồ", "Phú Thượng",
    "Tây Tựu", "Phú Diễn", "Xuân Đỉnh", "Đông Ngạc", "Thượng Cát", "Từ Liêm", "Xuân Phương",
    "Tây Mỗ", "Đại Mỗ", "Long Biên", "Bồ Đề", "Việt Hưng", "Phúc Lợi", "Hà Đông", "Dương Nội",
    "Yên Nghĩa", "Phú Lương", "Kiến Hưng", "Thanh Liệt", "Chương Mỹ", "Sơn Tây", "Tùng Thiện",
]  # fmt: skip
FAMILY = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Trịnh", "Cao", "Tạ",
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hồng", "Kim"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương",
    "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngọc", "Phong", "Phương",
    "Quân", "Sơn", "Tâm", "Thắng", "Thảo", "Thủy", "Trang", "Tuấn", "Vân", "Yến", "Đức",
]  # fmt: skip
MASS = [
    # (name prefix, short name, head's title)
    ("Hội Liên hiệp Phụ nữ", "Hội Phụ nữ", "Chủ tịch Hội Liên hiệp Phụ nữ phường"),
    ("Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Đoàn Thanh niên", "Bí thư Đoàn phường"),
    ("Hội Cựu chiến binh", "Hội CCB", "Chủ tịch Hội Cựu chiến binh phường"),
    ("Hội Người cao tuổi", "Hội NCT", "Chủ tịch Hội Người cao tuổi phường"),
    ("Công đoàn cơ sở", "Công đoàn", "Chủ tịch Công đoàn cơ sở phường"),
]
OTHER_CELLS = [
    "Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Cơ quan Đảng – Đoàn thể", "Quân sự",
    "Công an", "Trạm Y tế", "Cơ quan UBND",
]  # fmt: skip
THEMES = [
    "Năm Dân vận khéo", "giải phóng mặt bằng", "xây dựng đô thị văn minh",
    "chuyển đổi số ở cơ sở", "bảo vệ môi trường", "an sinh xã hội", "cải cách hành chính",
    "xây dựng Đảng và hệ thống chính trị", "phòng, chống thiên tai, dịch bệnh",
]  # fmt: skip
PLAN_TITLES = [
    "Kế hoạch thực hiện chủ đề công tác năm về {theme}",
    "Triển khai công tác dân vận gắn với {theme}",
    "Hướng dẫn các chi bộ, đoàn thể thực hiện {theme}",
    "Chương trình phối hợp về {theme} trên địa bàn phường",
    "Nghị quyết chuyên đề về {theme}",
    "Kế hoạch kiểm tra, giám sát việc thực hiện {theme}",
]
TASK_TITLES = [
    "Quán triệt, triển khai {theme} tới đảng viên và nhân dân",
    "Tuyên truyền, vận động các hộ gia đình thực hiện {theme}",
    "Rà soát, tổng hợp kiến nghị của nhân dân về {theme}",
    "Tổ chức hội nghị đối thoại với nhân dân về {theme}",
    "Phân công đảng viên phụ trách hộ gia đình trong {theme}",
    "Xây dựng mô hình điểm về {theme} tại khu dân cư",
    "Kiểm tra, đôn đốc các tổ dân phố thực hiện {theme}",
    "Sơ kết, đánh giá kết quả thực hiện {theme}",
    "Biểu dương tập thể, cá nhân tiêu biểu trong {theme}",
    "Báo cáo kết quả thực hiện {theme} về Khối Dân vận",
    "Phối hợp với Ủy ban MTTQ giám sát {theme}",
    "Cập nhật số liệu, hồ sơ về {theme}",
]
REPORT_TEXTS = [
    "Đơn vị đã triển khai tới {n} đảng viên, hội viên; tổ chức {k} buổi tuyên truyền tại khu "
    "dân cư.",
    "Đã phân công cán bộ phụ trách; vận động được {n} hộ gia đình tham gia, {k} kiến nghị đã "
    "được tổng hợp gửi Khối Dân vận.",
    "Tổ chức {k} buổi làm việc với các tổ dân phố; kết quả bước đầu được nhân dân đồng tình "
    "ủng hộ ({n} hộ đăng ký thực hiện).",
]
MODEL_TITLES = [
    "Khu dân cư sạch – đẹp – an toàn",
    "Vận động nhân dân bàn giao mặt bằng đúng tiến độ",
    "Tuyến phố văn minh, không lấn chiếm vỉa hè",
    "Nói không với rác thải nhựa",
    "Tổ hòa giải ở cơ sở hoạt động hiệu quả",
    "Phân loại rác thải tại nguồn",
    "Camera an ninh khu dân cư",
    "Quỹ hỗ trợ hội viên khó khăn",
    "Thanh niên tình nguyện vì cộng đồng",
    "Gia đình văn hóa, hiếu học",
    "Dân vận khéo trong cải cách hành chính",
    "Chuyển đổi số trong sinh hoạt khu dân cư",
]
CONTRIBUTION_TEXTS = [
    "Đề nghị Đảng ủy tiếp tục chỉ đạo các chi bộ quan tâm nắm tình hình nhân dân, giải quyết "
    "kịp thời kiến nghị ngay từ cơ sở.",
    "Đơn vị đã hoàn thành các nhiệm vụ được giao trong quý; đề nghị UBND phường sớm cung cấp "
    "số liệu để các đoàn thể phối hợp vận động.",
    "Một số tổ dân phố còn chậm gửi báo cáo; đề nghị Khối Dân vận đôn đốc, hướng dẫn cụ thể.",
    "Đề nghị nhân rộng các mô hình “Dân vận khéo” đã được công nhận ra các khu dân cư khác.",
    "Đề nghị tăng cường ứng dụng công nghệ thông tin trong theo dõi, báo cáo kết quả.",
]
CONCLUSION_TEXTS = [
    "Các chi bộ tiếp tục quán triệt, triển khai {theme} tới đảng viên và nhân dân; báo cáo kết "
    "quả trong quý tới.",
    "UBND phường chủ trì, phối hợp Ủy ban MTTQ rà soát, giải quyết dứt điểm các kiến nghị của "
    "nhân dân về {theme}.",
    "Ủy ban MTTQ và các đoàn thể hướng dẫn các tập thể, cá nhân đăng ký, nhân rộng mô hình "
    "“Dân vận khéo” gắn với {theme}.",
    "Khối Dân vận tăng cường kiểm tra, đôn đốc các đơn vị thực hiện {theme}, tổng hợp báo cáo "
    "Thường trực Đảng ủy.",
    "Văn phòng Đảng ủy theo dõi, tổng hợp kết quả thực hiện các kết luận của hội nghị.",
]
OTHER_MEETINGS = [
    (MeetingKind.SEMINAR, "Tọa đàm về {theme}"),
    (MeetingKind.BRIEFING, "Giao ban công tác dân vận tháng {month}/{year}"),
]


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def term_of(day: dt.date) -> int:
    first, length = settings.PARTY_TERM_FIRST_YEAR, settings.PARTY_TERM_YEARS
    month, dom = settings.PARTY_TERM_START
    year = day.year if (day.month, day.day) >= (month, dom) else day.year - 1
    return first + ((year - first) // length) * length


def scale_wards():
    return Ward.objects.filter(parent_name=SCALE_PARENT)


@contextmanager
def story_timestamps():
    """``auto_now``/``auto_now_add`` off while generating: the rows keep the timestamps the
    story gives them (bulk_create would stamp the moment of the run)."""
    from django.apps import apps

    saved = []
    for model in apps.get_models():
        if not issubclass(model, TimeStampedModel) and model is not DocumentSequence:
            continue
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


# --- the generator ------------------------------------------------------------------------------
class Generator:
    HISTORY_MODELS = {
        Ward, Organization, Person, Position, User, Plan, Task, Registration, Meeting,
        Contribution, Conclusion, QuarterlyReview,
    }  # fmt: skip

    def __init__(
        self,
        sizes: Sizes,
        *,
        seed: int = 1,
        password: str | None = None,
        history: bool = True,
        figures: str = "last",
        log=None,
    ):
        if sizes.units < FIXED_UNITS + 1:
            raise ValueError(f"--units must be at least {FIXED_UNITS + 1}.")
        if sizes.people < 20 or sizes.users < 3:
            raise ValueError("--people must be at least 20 and --users at least 3.")
        self.sizes = sizes
        self.seed = seed
        self.history = history
        self.figures = figures
        self.log = log or (lambda text: None)
        self.password = password or settings.DEMO_PASSWORD
        self.password_hash = make_password(self.password, salt=f"wardworkscale{seed}")
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.yesterday = self.today - dt.timedelta(days=1)
        self.current = Quarter.containing(self.today)
        self.years = list(range(self.today.year - sizes.years + 1, self.today.year + 1))
        self.result = Result(password=self.password)
        self.ward_id: int | None = None
        self.fields = list(Field.objects.filter(is_active=True).order_by("pk"))
        if not self.fields:
            self.fields = [Field.objects.create(name="Kinh tế", is_official=True)]

    # --- writing ---------------------------------------------------------------------------
    def bulk(self, model, objs: list) -> list:
        """Insert model instances and give them their primary keys: ``bulk_create`` on
        SQLite; on PostgreSQL keys taken from the table's sequence and ``COPY`` (half the time
        of ``bulk_create``)."""
        if not objs:
            return objs
        if issubclass(model, WardOwnedModel):
            for obj in objs:
                if obj.ward_id is None:
                    obj.ward_id = self.ward_id
        if connection.vendor == "postgresql":
            copy_objects(model, objs)
        else:
            model.objects.bulk_create(objs, batch_size=BATCH)
        self.result.counts[model._meta.db_table] += len(objs)
        return objs

    def fast(self, model, rows: list[dict]) -> None:
        """Insert plain rows (dicts of field name -> value, a model instance standing for its
        primary key), without model instances: for the leaf tables nobody points at."""
        if not rows:
            return
        if issubclass(model, WardOwnedModel) and not {"ward", "ward_id"} & rows[0].keys():
            rows = [{**row, "ward_id": self.ward_id} for row in rows]
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        missing = object()
        plan = []
        for f in fields:
            key = f.name if f.name in rows[0] else f.attname if f.attname in rows[0] else None
            plan.append((key, f.get_default() if key is None else missing))
        values = []
        for row in rows:
            out = []
            for key, default in plan:
                value = default if key is None else row[key]
                if isinstance(value, models.Model):
                    value = value.pk
                elif isinstance(value, Quarter):
                    value = value.slug
                out.append(value)
            values.append(out)
        insert_rows(model._meta.db_table, [f.column for f in fields], values)
        self.result.counts[model._meta.db_table] += len(rows)

    def through(self, relation, rows: list[tuple[int, int]], left: str, right: str) -> None:
        self.fast(relation.through, [{f"{left}_id": a, f"{right}_id": b} for a, b in rows])

    def write_history(self, ward: Ward) -> None:
        """The "+" history row of every object of ``HISTORY_MODELS`` in the ward, copied in
        SQL from the rows just written, dated and signed as their creation."""
        if not self.history:
            return
        in_ward = "t.ward_id = %s"
        by_meeting = "t.meeting_id IN (SELECT id FROM meetings_meeting WHERE ward_id = %s)"
        meeting = "(SELECT {col} FROM meetings_meeting m WHERE m.id = t.meeting_id)"
        specs = [
            (Ward, "t.id = %s", "t.created_at", "NULL"),
            (Organization, in_ward, "t.created_at", "NULL"),
            (Person, in_ward, "t.created_at", "NULL"),
            (Position, in_ward, "t.created_at", "NULL"),
            (User, in_ward, "t.date_joined", "NULL"),
            (Plan, in_ward, "t.created_at", "t.created_by_id"),
            (Task, in_ward, "t.created_at", "t.created_by_id"),
            (Registration, in_ward, "t.created_at", "t.created_by_id"),
            (Meeting, in_ward, "t.created_at", "t.created_by_id"),
            (Contribution, by_meeting, meeting.format(col="held_at"), "t.recorded_by_id"),
            (
                Conclusion,
                by_meeting,
                meeting.format(col="concluded_at"),
                meeting.format(col="concluded_by_id"),
            ),
            (QuarterlyReview, in_ward, "t.created_at", "t.created_by_id"),
        ]
        with connection.cursor() as cursor:
            for model, where, date, user in specs:
                history = model.history.model
                columns = [f.column for f in history.tracked_fields]
                table = history._meta.db_table
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}, history_date, "  # noqa: S608
                    "history_change_reason, history_type, history_user_id) "
                    f"SELECT {', '.join('t.' + c for c in columns)}, {date}, NULL, '+', {user} "
                    f"FROM {model._meta.db_table} t WHERE {where}",
                    [ward.pk],
                )
                self.result.counts[table] += cursor.rowcount

    # --- run -------------------------------------------------------------------------------
    def run(self, *, first_index: int = 1, jobs: int = 1) -> Result:
        """Every ward in its own transaction; with ``jobs`` > 1 (PostgreSQL, outside a
        transaction: not in the tests) the wards are shared between that many processes. A
        ward's data depends only on the seed and its number, never on the process."""
        started = time.monotonic()
        self.result.first_index = first_index
        indices = list(range(first_index, first_index + self.sizes.wards))
        with story_timestamps():
            parallel = connection.vendor == "postgresql" and not connection.in_atomic_block
            if jobs > 1 and parallel and len(indices) > 1:
                chunks = [indices[i::jobs] for i in range(jobs)]
                connections.close_all()
                global _JOB  # read by the forked workers
                _JOB = self
                context = multiprocessing.get_context("fork")
                with context.Pool(min(jobs, len(indices))) as pool:
                    for counts, wards in pool.map(_run_chunk, chunks):
                        self.result.counts.update(counts)
                        self.result.wards.extend(wards)
                _JOB = None
            else:
                self.run_chunk(indices)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.result.seconds = time.monotonic() - started
        return self.result

    def run_chunk(self, indices: list[int]) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Throwaway data: a crash loses at most the last wards, never corrupts.
                cursor.execute("SET synchronous_commit = off")
        for index in indices:
            ward_started = time.monotonic()
            with transaction.atomic():
                ward = WardBuilder(self, index).build()
            self.result.wards.append(ward.pk)
            self.log(f"ward {index} ({ward.name}): {time.monotonic() - ward_started:.1f} s")


@dataclass
class Unit:
    org: Organization
    manager: Person | None = None
    user: User | None = None
    members: list[Person] = field(default_factory=list)


class WardBuilder:
    def __init__(self, gen: Generator, index: int):
        self.gen = gen
        self.sizes = gen.sizes
        self.index = index
        self.rng = random.Random(f"wardwork-scale:{gen.seed}:{index}")  # noqa: S311 (test data)
        self.prefix = f"p{index:03d}"
        # committee numbering: (doc_type, term) -> last number
        self.numbers: dict[tuple[str, int], int] = defaultdict(int)
        self.number_days: dict[tuple[str, int], dt.date] = {}

    # --- helpers ---------------------------------------------------------------------------
    def person_name(self) -> str:
        r = self.rng
        return f"{r.choice(FAMILY)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def past(self, day: dt.date) -> dt.date:
        return min(day, self.gen.yesterday)

    def next_number(self, doc_type: str, day: dt.date) -> tuple[int, int]:
        term = term_of(day)
        self.numbers[(doc_type, term)] += 1
        self.number_days[(doc_type, term)] = max(day, self.number_days.get((doc_type, term), day))
        return self.numbers[(doc_type, term)], term

    # --- the ward --------------------------------------------------------------------------
    def build(self) -> Ward:
        gen = self.gen
        base = WARD_NAMES[(self.index - 1) % len(WARD_NAMES)]
        round_ = (self.index - 1) // len(WARD_NAMES)
        place = base if round_ == 0 else f"{base} {round_ + 1}"
        self.place = place
        self.start = dt.date(gen.years[0], 1, 1)
        self.created = at(dt.date(gen.years[0] - 1, 12, 1), 8)
        ward = Ward(
            name=f"Phường {place}",
            place_name=place,
            parent_name=SCALE_PARENT,
            created_at=self.created,
            updated_at=self.created,
        )
        ward.fill_derived()
        gen.bulk(Ward, [ward])
        self.ward = ward
        gen.ward_id = ward.pk  # the ward of the rows of WardOwnedModel tables written next
        # The term already running when the data starts had numbered documents before: its
        # numbers go on from 30, so they never meet the next term's 1, 2, … in one year.
        first_term = term_of(self.start)
        if dt.date(first_term, *settings.PARTY_TERM_START) < self.start:
            for doc_type in ("KH", "HD", "CTr", "NQ", "BC", "TB"):
                self.numbers[(doc_type, first_term)] = 30
        self._organizations()
        self._people()
        self._plans()
        self._meetings()
        self._progress_reports()
        self._registrations()
        self._reviews()
        self._sequences()
        self.gen.write_history(ward)
        return ward

    def org(self, name, kind, *, short_name="", parent=None, symbol_code="") -> Organization:
        o = Organization(
            ward=self.ward,
            name=name,
            short_name=short_name,
            kind=kind,
            parent=parent,
            symbol_code=symbol_code,
            is_active=True,
            created_at=self.created,
            updated_at=self.created,
        )
        o.fill_derived()
        return o

    def _organizations(self) -> None:
        gen, place = self.gen, self.place
        # The Quận ủy above the ward, one for every WARDS_PER_DISTRICT wards: each ward records
        # its own copy of it (a row of the ward, as every tenant row), not counted in --units.
        number = (self.index - 1) // WARDS_PER_DISTRICT + 1
        self.district = self.org(
            f"Quận ủy Khu vực {number} (dữ liệu quy mô)",
            K.HIGHER_COMMITTEE,
            short_name=f"Quận ủy KV{number}",
            symbol_code="QU",
        )
        gen.bulk(Organization, [self.district])
        committee = self.org(
            f"Đảng ủy phường {place}",
            K.WARD_COMMITTEE,
            short_name="Đảng ủy",
            parent=self.district,
            symbol_code="ĐU",
        )
        gen.bulk(Organization, [committee])
        standing = self.org(
            f"Ban Thường vụ Đảng ủy phường {place}",
            K.STANDING_COMMITTEE,
            short_name="Ban Thường vụ",
            parent=committee,
            symbol_code="ĐU",
        )
        ubnd = self.org(
            f"Ủy ban nhân dân phường {place}",
            K.PEOPLE_COMMITTEE,
            short_name="UBND phường",
            symbol_code="UBND",
        )
        council = self.org(
            f"Hội đồng nhân dân phường {place}",
            K.PEOPLE_COUNCIL,
            short_name="HĐND phường",
            symbol_code="HĐND",
        )
        bloc = self.org(
            f"Khối Dân vận Đảng ủy phường {place}",
            K.MASS_MOBILIZATION_BLOC,
            short_name="Khối Dân vận",
            parent=committee,
        )
        front = self.org(
            f"Ủy ban Mặt trận Tổ quốc Việt Nam phường {place}",
            K.FATHERLAND_FRONT,
            short_name="UB MTTQ",
        )
        mass = [
            self.org(f"{prefix} phường {place}", K.MASS_ORGANIZATION, short_name=short)
            for prefix, short, _title in MASS
        ]
        rest = self.sizes.units - FIXED_UNITS
        n_cells = max(1, round(rest * 0.45))
        n_groups = rest - n_cells
        n_other = min(len(OTHER_CELLS), max(0, n_cells // 4))
        n_residential = n_cells - n_other
        cells = [
            self.org(
                f"Chi bộ Khu dân cư số {n}",
                K.PARTY_CELL,
                short_name=f"Chi bộ {n}",
                parent=committee,
            )
            for n in range(1, n_residential + 1)
        ] + [
            self.org(
                f"Chi bộ {name}",
                K.PARTY_CELL,
                short_name=name,
                parent=committee,
            )
            for name in OTHER_CELLS[:n_other]
        ]
        gen.bulk(Organization, [standing, ubnd, council, bloc, front, *mass, *cells])
        groups = []
        residential = cells[:n_residential] or cells
        for n in range(1, n_groups + 1):
            parent = residential[(n - 1) * len(residential) // max(1, n_groups)]
            groups.append(
                self.org(
                    f"Tổ dân phố số {n}",
                    K.RESIDENTIAL_GROUP,
                    short_name=f"TDP {n}",
                    parent=parent,
                )
            )
        gen.bulk(Organization, groups)
        self.committee, self.standing, self.ubnd, self.council = committee, standing, ubnd, council
        self.bloc, self.front, self.mass, self.cells, self.groups = bloc, front, mass, cells, groups
        # Units that lead tasks, own registrations and are invited.
        self.units = {o.pk: Unit(o) for o in [committee, bloc, ubnd, front, *mass, *cells]}

    # --- people, positions, logins ---------------------------------------------------------
    def _people(self) -> None:
        gen = self.gen
        people: list[Person] = []
        positions: list[tuple[Person, Organization, str]] = []
        logins: list[tuple[str, Person, bool]] = []  # in order of priority

        def person(org, title):
            p = Person(
                ward=self.ward,
                full_name=normalize(self.person_name()),
                organization=org,
                title=title,
                email="",
                phone=f"09{self.rng.randrange(10**8):08d}",
                created_at=self.created,
                updated_at=self.created,
            )
            p.fill_derived()
            people.append(p)
            return p

        secretary = person(self.committee, "Bí thư Đảng ủy phường")
        positions += [
            (secretary, self.committee, R.SECRETARY),
            (secretary, self.standing, R.SECRETARY),
        ]
        deputy = person(self.committee, "Phó Bí thư thường trực Đảng ủy phường")
        positions += [
            (deputy, self.committee, R.STANDING_DEPUTY_SECRETARY),
            (deputy, self.standing, R.STANDING_DEPUTY_SECRETARY),
            (deputy, self.bloc, R.HEAD),
        ]
        chairman = person(self.ubnd, "Phó Bí thư Đảng ủy, Chủ tịch UBND phường")
        positions += [(chairman, self.committee, R.DEPUTY_SECRETARY), (chairman, self.ubnd, R.HEAD)]
        council_head = person(self.council, "Chủ tịch HĐND phường")
        positions += [(council_head, self.council, R.HEAD)]
        staff = [person(self.committee, "Cán bộ Văn phòng Đảng ủy") for _ in range(2)]
        positions += [(s, self.committee, R.STAFF) for s in staff]
        dvk = person(self.bloc, "Ủy viên Khối Dân vận, Trưởng ban Dân vận")
        positions += [(dvk, self.bloc, R.MEMBER), (dvk, self.committee, R.COMMITTEE_MEMBER)]
        front_head = person(self.front, "Chủ tịch Ủy ban MTTQ phường")
        positions += [(front_head, self.front, R.HEAD), (front_head, self.bloc, R.MEMBER)]
        heads = []
        for org, (_prefix, _short, title) in zip(self.mass, MASS, strict=True):
            head = person(org, title)
            heads.append(head)
            positions += [(head, org, R.HEAD), (head, self.bloc, R.MEMBER)]
        cell_secretaries = []
        for cell in self.cells:
            cs = person(cell, f"Bí thư {cell.name}")
            cell_secretaries.append(cs)
            positions.append((cs, cell, R.CELL_SECRETARY))
        group_heads = []
        for group in self.groups:
            gh = person(group, f"Tổ trưởng {group.name}")
            group_heads.append(gh)
            positions.append((gh, group, R.HEAD))
        # Everyone else: members of a cell or a mass organisation.
        member_units = [*self.cells, *self.mass]
        while len(people) < self.sizes.people:
            org = self.rng.choice(member_units)
            role_title = "Đảng viên" if org.kind == K.PARTY_CELL else "Hội viên"
            m = person(org, f"{role_title} {org.short_name}")
            positions.append((m, org, R.MEMBER))
        gen.bulk(Person, people)
        self.people = people
        self.secretary, self.deputy, self.chairman, self.council_head = (
            secretary,
            deputy,
            chairman,
            council_head,
        )
        self.staff_people, self.dvk, self.front_head, self.heads = staff, dvk, front_head, heads
        self.cell_secretaries = cell_secretaries

        term_start = dt.date(term_of(self.start), *settings.PARTY_TERM_START)
        gen.bulk(
            Position,
            [
                Position(
                    person=p,
                    organization=o,
                    role=role,
                    started_on=term_start,
                    ended_on=None,
                    created_at=self.created,
                    updated_at=self.created,
                )
                for p, o, role in positions
            ],
        )

        # Logins, in order of priority until the budget is spent.
        logins = [
            ("bithu", secretary, True),
            ("vp1", staff[0], False),
            ("dvk", dvk, False),
            *[(f"cb{n:02d}", cs, False) for n, cs in enumerate(cell_secretaries[:1], start=1)],
            ("dt1", heads[0], False),
            ("pbt", deputy, True),
            ("vp2", staff[1], False),
            ("mttq", front_head, False),
            ("ubnd", chairman, False),
            *[(f"dt{n}", h, False) for n, h in enumerate(heads[1:], start=2)],
            *[(f"cb{n:02d}", cs, False) for n, cs in enumerate(cell_secretaries[1:], start=2)],
            ("hdnd", council_head, False),
        ]
        extra = [p for p in people if p not in {x[1] for x in logins}]
        n = 0
        while len(logins) < self.sizes.users and n < len(extra):
            logins.append((f"u{n + 1:03d}", extra[n], False))
            n += 1
        users = []
        for name, p, is_staff in logins[: self.sizes.users]:
            username = f"{self.prefix}.{name}"
            u = User(
                username=username,
                password=gen.password_hash,
                ward=self.ward,
                person=p,
                is_staff=is_staff,
                email=f"{username}@scale.wardwork.vn",
                first_name="",
                last_name=p.full_name[:150],
                date_joined=self.created,
            )
            users.append(u)
        gen.bulk(User, users)
        self.user_of = {u.person_id: u for u in users}
        self.users = users
        self.secretary_user = self.user_of[secretary.pk]
        self.staff_user = self.user_of.get(staff[0].pk, self.secretary_user)
        self.dvk_user = self.user_of.get(dvk.pk, self.secretary_user)
        # Unit managers and members, for reports and registrations.
        managers = {
            self.committee.pk: secretary,
            self.bloc.pk: deputy,
            self.ubnd.pk: chairman,
            self.front.pk: front_head,
            **{o.pk: h for o, h in zip(self.mass, heads, strict=True)},
            **{c.pk: s for c, s in zip(self.cells, cell_secretaries, strict=True)},
        }
        for pk, unit in self.units.items():
            unit.manager = managers.get(pk)
            unit.user = self.user_of.get(unit.manager.pk) if unit.manager else None
        for p in people:
            if p.organization_id in self.units and p is not self.units[p.organization_id].manager:
                self.units[p.organization_id].members.append(p)

    # --- plans and tasks -------------------------------------------------------------------
    def _plans(self) -> None:
        gen = self.gen
        self.plans_by_year: dict[int, list[Plan]] = {}
        self.tasks: list[Task] = []
        district_plans, ward_plans = [], []
        for year in gen.years:
            theme = THEMES[(year + self.index) % len(THEMES)]
            number = 10 + (year % 10) * 3 + (self.index // WARDS_PER_DISTRICT) % 3
            issued = dt.date(year - 1, 12, 20 + (year % 7))
            d = self.plan(self.district, "KH", number, issued, year, theme, "QU")
            district_plans.append(d)
            self.plans_by_year[year] = [d]
        gen.bulk(Plan, district_plans)
        types = ["KH", "KH", "KH", "HD", "CTr", "NQ", "KH"]
        for year, d in zip(gen.years, district_plans, strict=True):
            theme = THEMES[(year + self.index) % len(THEMES)]
            for k in range(1, self.sizes.plans):
                issued = dt.date(year, 1, 8) + dt.timedelta(days=(k - 1) * 300 // self.sizes.plans)
                if issued > gen.yesterday:
                    continue
                doc_type = types[(k - 1) % len(types)]
                number, _term = self.next_number(doc_type, issued)
                p = self.plan(self.committee, doc_type, number, issued, year, theme, "ĐU")
                if k == 1:
                    p.implements = d
                    p.title = f"Kế hoạch thực hiện {d.symbol} của Quận ủy về {theme} năm {year}"
                    p.fill_derived()
                ward_plans.append(p)
                self.plans_by_year[year].append(p)
        gen.bulk(Plan, ward_plans)
        tasks, supporting = [], []
        for year in gen.years:
            for p in self.plans_by_year[year]:
                for ordinal in range(1, self.sizes.tasks + 1):
                    t = self.task(
                        p.theme,
                        plan=p,
                        ordinal=ordinal,
                        assigned_on=p.issued_on,
                        lead=self.lead_unit(),
                    )
                    tasks.append(t)
        gen.bulk(Task, tasks)
        for t in tasks:
            for o in t._supporting:
                supporting.append((t.pk, o.pk))
        gen.through(Task.supporting_organizations, supporting, "task", "organization")
        self.tasks.extend(tasks)

    def plan(self, issuer, doc_type, number, issued, year, theme, code) -> Plan:
        rng = self.rng
        symbol = format_party_symbol(number, doc_type, code)
        title = rng.choice(PLAN_TITLES).format(theme=theme) + f" năm {year}"
        created = at(self.past(issued), 15)
        p = Plan(
            ward=self.ward,
            doc_type=doc_type,
            number=number,
            issuer=issuer,
            symbol=symbol,
            issued_on=issued,
            title=title,
            theme=theme,
            year=year,
            is_active=year >= self.gen.today.year - 1,
            created_by=self.gen_staff_user(),
            created_at=created,
            updated_at=created,
            version=1,
        )
        p.fill_derived()
        return p

    def gen_staff_user(self):
        return getattr(self, "staff_user", None)

    def lead_unit(self) -> Organization:
        r = self.rng.random()
        if r < 0.15:
            return self.rng.choice([self.committee, self.bloc, self.ubnd, self.front])
        if r < 0.45:
            return self.rng.choice(self.mass)
        return self.rng.choice(self.cells)

    def task(self, theme, *, plan, ordinal, assigned_on, lead, title=None, description="",
             due_quarter=None, supporting=None) -> Task:  # fmt: skip
        rng, gen = self.rng, self.gen
        if due_quarter is None and title is None:
            if rng.random() < 0.5:
                due_date = assigned_on + dt.timedelta(days=rng.randrange(30, 200))
            else:
                due_date = None
                due_quarter = Quarter.containing(assigned_on)
                for _ in range(rng.randrange(0, 3)):
                    due_quarter = due_quarter.next()
        else:
            due_date = None
        deadline = due_date or due_quarter.end
        r = rng.random()
        if deadline < gen.today:
            status = (
                TS.DONE
                if r < 0.82
                else TS.IN_PROGRESS
                if r < 0.93
                else TS.CANCELLED
                if r < 0.96
                else TS.OPEN
            )
        else:
            status = TS.IN_PROGRESS if r < 0.5 else TS.OPEN if r < 0.9 else TS.DONE
        title = title or rng.choice(TASK_TITLES).format(theme=theme)
        if supporting is None:
            candidates = [u.org for u in self.units.values() if u.org.pk != lead.pk]
            supporting = rng.sample(candidates, rng.randrange(0, 3))
        created = at(self.past(assigned_on), 16)
        t = Task(
            ward=self.ward,
            plan=plan,
            ordinal=ordinal,
            title=title[:500],
            description=description,
            lead_organization=lead,
            due_date=due_date,
            due_quarter=due_quarter,
            assigned_on=assigned_on,
            status=status,
            created_by=self.gen_staff_user(),
            created_at=created,
            updated_at=created,
            version=1,
        )
        t.fill_derived()
        t._supporting = supporting
        t._deadline = deadline
        return t

    # --- progress reports ------------------------------------------------------------------
    def _progress_reports(self) -> None:
        gen, rng = self.gen, self.rng
        reports = []
        for t in self.tasks:
            if t.status == TS.OPEN:
                continue
            first = Quarter.containing(t.assigned_on)
            last = min(Quarter.containing(t._deadline), gen.current)
            quarters = []
            q = first
            while q <= last:
                quarters.append(q)
                q = q.next()
            for org in [t.lead_organization, *t._supporting]:
                unit = self.units.get(org.pk)
                for i, q in enumerate(quarters):
                    final = i == len(quarters) - 1
                    if q == gen.current and rng.random() < 0.3:
                        continue  # not reported yet this quarter
                    if final and t.status in (TS.DONE, TS.CANCELLED):
                        status, percent = t.status, 100 if t.status == TS.DONE else 0
                    else:
                        status = TS.IN_PROGRESS
                        percent = min(95, (i + 1) * 100 // (len(quarters) + 1) + rng.randrange(10))
                    day = self.past(q.end - dt.timedelta(days=rng.randrange(0, 20)))
                    if day < t.assigned_on:
                        day = t.assigned_on
                    when = at(day, 8 + rng.randrange(9), rng.randrange(60))
                    reports.append(
                        dict(
                            task=t,
                            organization=org,
                            year=q.year,
                            quarter=q.number,
                            status=status,
                            percent=percent,
                            narrative=rng.choice(REPORT_TEXTS).format(
                                n=rng.randrange(10, 120), k=rng.randrange(1, 6)
                            ),
                            reported_by=unit.user if unit else None,
                            reported_at=when,
                            created_at=when,
                            updated_at=when,
                        )
                    )
        gen.fast(ProgressReport, reports)

    # --- meetings --------------------------------------------------------------------------
    def _meetings(self) -> None:
        gen, rng = self.gen, self.rng
        meetings: list[Meeting] = []
        for year in gen.years:
            theme = THEMES[(year + self.index) % len(THEMES)]
            for q in range(1, 5):
                quarter = Quarter(year, q)
                nxt = quarter.next()
                held = at(nxt.start + dt.timedelta(days=7 + rng.randrange(10)), 8)
                m = self.meeting(
                    MeetingKind.QUARTERLY_REVIEW,
                    f"Hội nghị sơ kết công tác dân vận quý {quarter.short_label}",
                    quarter,
                    held,
                )
                m._quarter = quarter
                meetings.append(m)
            for k in range(max(0, self.sizes.meetings - 4)):
                month = 1 + k * 12 // max(1, self.sizes.meetings - 4)
                day = dt.date(year, month, 3 + rng.randrange(22))
                quarter = Quarter.containing(day)
                if month == 12 and k == self.sizes.meetings - 5:
                    kind, title = (
                        MeetingKind.ANNUAL_REVIEW,
                        f"Hội nghị tổng kết công tác dân vận năm {year}",
                    )
                elif month == 7 and kind_free(meetings, year):
                    kind, title = (
                        MeetingKind.SEMIANNUAL_REVIEW,
                        f"Hội nghị sơ kết 6 tháng đầu năm {year}",
                    )
                else:
                    kind, pattern = OTHER_MEETINGS[k % len(OTHER_MEETINGS)]
                    title = pattern.format(theme=theme, month=f"{month:02d}", year=year)
                m = self.meeting(kind, title, quarter, at(day, 14))
                meetings.append(m)
        gen.bulk(Meeting, meetings)
        self.meetings = meetings
        self.review_meeting = {m._quarter: m for m in meetings if hasattr(m, "_quarter")}
        chairs, reviewed, attendance, contributions, events = [], [], [], [], []
        conclusions, tasks = [], []
        invitees = self.invitees()
        for m in meetings:
            chairs += [(m.pk, self.secretary.pk), (m.pk, self.deputy.pk)]
            if m.kind == MeetingKind.QUARTERLY_REVIEW:
                q = m._quarter
                plans = [p for p in self.plans_by_year.get(q.year, []) if p.issued_on in q][:3]
                reviewed += [(m.pk, p.pk) for p in plans]
            events.append(self.meeting_event(m, "created", "", MeetingStatus.PLANNED, m.created_at))
            held = m.status != MeetingStatus.PLANNED
            chosen = invitees[: self.sizes.attendees]
            present = []
            for p, org in chosen:
                if held:
                    r = rng.random()
                    status = (
                        AttendanceStatus.PRESENT
                        if r < 0.85
                        else AttendanceStatus.EXCUSED
                        if r < 0.95
                        else AttendanceStatus.ABSENT
                    )
                else:
                    status = AttendanceStatus.INVITED
                attendance.append(dict(meeting=m, person=p, organization=org, status=status))
                if status == AttendanceStatus.PRESENT:
                    present.append((p, org))
            if not held:
                continue
            events.append(
                self.meeting_event(
                    m,
                    "held",
                    MeetingStatus.PLANNED,
                    MeetingStatus.HELD,
                    m.held_at + dt.timedelta(hours=2),
                )
            )
            for i in range(1, self.sizes.contributions + 1):
                p, org = rng.choice(present) if present else (None, self.front)
                contributions.append(
                    dict(
                        meeting=m,
                        ordinal=i,
                        speaker=p,
                        organization=org,
                        content=rng.choice(CONTRIBUTION_TEXTS),
                        recorded_by=self.staff_user,
                    )
                )
            if m.status != MeetingStatus.CONCLUDED:
                continue
            events.append(
                self.meeting_event(
                    m, "concluded", MeetingStatus.HELD, MeetingStatus.CONCLUDED, m.concluded_at
                )
            )
            reviewed_quarter = m.period or Quarter.containing(m.held_at.astimezone(TZ).date())
            theme = THEMES[(m.year + self.index) % len(THEMES)]
            for i in range(1, self.sizes.conclusions + 1):
                text = CONCLUSION_TEXTS[(i - 1) % len(CONCLUSION_TEXTS)].format(theme=theme)
                leads = sorted(
                    rng.sample(
                        [self.ubnd, self.front, self.bloc, *self.mass, *self.cells[:3]],
                        rng.randrange(1, 3),
                    ),
                    key=lambda o: (o.kind, o.name),
                )
                picked = rng.sample(self.cells, min(len(self.cells), rng.randrange(0, 3)))
                supp = [o for o in picked if o not in leads]
                c = Conclusion(meeting=m, ordinal=i, text=text, version=1)
                c._leads, c._supporting = leads, supp
                t = self.task(
                    theme,
                    plan=None,
                    ordinal=i,
                    assigned_on=m.held_at.astimezone(TZ).date(),
                    lead=leads[0],
                    title=text.split("\n", 1)[0][:300],
                    description=text,
                    due_quarter=reviewed_quarter.next(),
                    supporting=[*leads[1:], *supp],
                )
                t.created_by = self.secretary_user
                c._task = t
                conclusions.append(c)
                tasks.append(t)
        self.through(Meeting.chairs, chairs, "meeting", "person")
        self.through(Meeting.reviewed_plans, reviewed, "meeting", "plan")
        gen.fast(Attendance, attendance)
        gen.fast(Contribution, contributions)
        gen.fast(MeetingEvent, events)
        gen.bulk(Task, tasks)
        self.through(
            Task.supporting_organizations,
            [(t.pk, o.pk) for t in tasks for o in t._supporting],
            "task",
            "organization",
        )
        self.tasks.extend(tasks)
        for c in conclusions:
            c.task = c._task
            c._history_date = c.meeting.concluded_at
        gen.bulk(Conclusion, conclusions)
        self.through(
            Conclusion.lead_organizations,
            [(c.pk, o.pk) for c in conclusions for o in c._leads],
            "conclusion",
            "organization",
        )
        self.through(
            Conclusion.supporting_organizations,
            [(c.pk, o.pk) for c in conclusions for o in c._supporting],
            "conclusion",
            "organization",
        )

    def through(self, relation, rows, left, right):
        self.gen.through(relation, rows, left, right)

    def meeting(self, kind, title, quarter: Quarter, held: dt.datetime) -> Meeting:
        gen = self.gen
        created = held - dt.timedelta(days=7)
        if held.date() < gen.today:
            status = MeetingStatus.CONCLUDED
            concluded_at = held + dt.timedelta(hours=3)
            concluded_by = self.secretary_user
        else:
            status, concluded_at, concluded_by = MeetingStatus.PLANNED, None, None
        if created > gen.now:
            created = at(gen.yesterday, 15)
        m = Meeting(
            ward=self.ward,
            kind=kind,
            title=title,
            year=quarter.year,
            quarter=quarter.number,
            held_at=held,
            venue="Phòng họp trụ sở Đảng ủy phường",
            presenter=self.deputy,
            report_summary=f"Báo cáo kết quả công tác dân vận quý {quarter.short_label} của "
            f"Đảng bộ phường {self.place}.",
            next_period_direction="Tiếp tục triển khai các nhiệm vụ trọng tâm quý tới."
            if status == MeetingStatus.CONCLUDED
            else "",
            status=status,
            concluded_at=concluded_at,
            concluded_by=concluded_by,
            created_by=self.staff_user,
            created_at=created,
            updated_at=concluded_at or created,
            version=1,
        )
        m.fill_derived()
        return m

    def meeting_event(self, m, action, from_status, to_status, when) -> MeetingEvent:
        return dict(
            meeting=m,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=self.secretary_user if action == "concluded" else self.staff_user,
            at=when,
        )

    def invitees(self) -> list[tuple[Person, Organization]]:
        out = [
            (self.secretary, self.committee),
            (self.deputy, self.committee),
            (self.chairman, self.ubnd),
            (self.council_head, self.council),
            (self.dvk, self.bloc),
            (self.front_head, self.front),
            *[(h, o) for h, o in zip(self.heads, self.mass, strict=True)],
            *[(s, c) for s, c in zip(self.cell_secretaries, self.cells, strict=True)],
        ]
        return out

    # --- registrations ---------------------------------------------------------------------
    def _registrations(self) -> None:
        gen, rng = self.gen, self.rng
        owners = [*self.mass, *self.cells]
        recognised: list[Registration] = []
        for year in gen.years:
            current_year = year == gen.today.year
            plan = next((p for p in self.plans_by_year.get(year, []) if p.implements_id), None)
            regs, titles = [], set()
            for i in range(self.sizes.registrations):
                owner = owners[i % len(owners)]
                unit = self.units[owner.pk]
                individual = rng.random() < 0.25 and unit.members
                person = rng.choice(unit.members) if individual else None
                base = MODEL_TITLES[(i + year) % len(MODEL_TITLES)]
                title = base if person is None else f"{base} – {person.full_name}"
                key, n = (owner.pk, fold(title)), 2
                while key in titles:
                    title = f"{base} ({n})"
                    key, n = (owner.pk, fold(title)), n + 1
                titles.add(key)
                r = rng.random()
                if current_year:
                    status = (
                        RS.DRAFT
                        if r < 0.1
                        else RS.SUBMITTED
                        if r < 0.25
                        else RS.RETURNED
                        if r < 0.3
                        else RS.WITHDRAWN
                        if r < 0.33
                        else RS.APPROVED
                    )
                else:
                    status = (
                        RS.RECOGNIZED
                        if r < 0.25
                        else RS.NOT_ACHIEVED
                        if r < 0.35
                        else RS.WITHDRAWN
                        if r < 0.4
                        else RS.APPROVED
                    )
                created_day = self.past(dt.date(year, 2, 1) + dt.timedelta(days=rng.randrange(40)))
                created = at(created_day, 9 + rng.randrange(8))
                submitted = created + dt.timedelta(days=2) if status != RS.DRAFT else None
                reviewed = (
                    submitted + dt.timedelta(days=10)
                    if status not in (RS.DRAFT, RS.SUBMITTED)
                    else None
                )
                if reviewed and reviewed > gen.now:
                    reviewed = None
                    status = RS.SUBMITTED
                if submitted and submitted > gen.now:
                    submitted, status = None, RS.DRAFT
                replicates = None
                if recognised and rng.random() < 0.2:
                    replicates = rng.choice(recognised)
                content = f"Vận động nhân dân thực hiện “{base}” tại địa bàn {owner.name}."
                reg = Registration(
                    ward=self.ward,
                    year=year,
                    kind=RegistrationKind.INDIVIDUAL if person else RegistrationKind.COLLECTIVE,
                    organization=owner,
                    person=person,
                    registered_by_unit=owner,
                    title=title,
                    field=self.gen.fields[i % len(self.gen.fields)],
                    content=content,
                    solutions="Phân công đảng viên, hội viên phụ trách; tuyên truyền qua loa "
                    "truyền thanh và hội nghị nhân dân.",
                    schedule=f"Triển khai từ quý I/{year}, sơ kết quý III/{year}.",
                    expected_results="100% hộ gia đình được tuyên truyền; tạo chuyển biến rõ rệt.",
                    plan=plan if rng.random() < 0.7 else None,
                    replicates=replicates,
                    status=status,
                    review_note="Đề nghị bổ sung giải pháp cụ thể."
                    if status == RS.RETURNED
                    else "",
                    submitted_at=submitted,
                    reviewed_at=reviewed,
                    reviewed_by=self.dvk_user if reviewed else None,
                    created_by=unit.user or self.staff_user,
                    created_at=created,
                    updated_at=reviewed or submitted or created,
                    version=1,
                )
                reg.fill_derived()
                reg._actor = unit.user or self.staff_user
                regs.append(reg)
            gen.bulk(Registration, regs)
            self._registration_rows(regs, year)
            recognised += [r for r in regs if r.status == RS.RECOGNIZED]

    def _registration_rows(self, regs: list[Registration], year: int) -> None:
        gen, rng = self.gen, self.rng
        events, updates, recognitions = [], [], []
        for reg in regs:
            actor = reg._actor

            def event(action, before, after, when, who=actor, note="", reg=reg):
                events.append(
                    dict(
                        registration=reg,
                        action=action,
                        from_status=before,
                        to_status=after,
                        note=note,
                        actor=who,
                        at=when,
                    )
                )

            event("created", "", RS.DRAFT, reg.created_at)
            if reg.submitted_at:
                event("submitted", RS.DRAFT, RS.SUBMITTED, reg.submitted_at)
            if not reg.reviewed_at:
                continue
            if reg.status == RS.RETURNED:
                event(
                    "returned",
                    RS.SUBMITTED,
                    RS.RETURNED,
                    reg.reviewed_at,
                    self.dvk_user,
                    reg.review_note,
                )
                continue
            event("approved", RS.SUBMITTED, RS.APPROVED, reg.reviewed_at, self.dvk_user)
            approved_q = Quarter.containing(reg.reviewed_at.astimezone(TZ).date())
            q = approved_q
            end = min(Quarter(year, 4), gen.current)
            i = 0
            while q <= end and reg.status != RS.WITHDRAWN:
                i += 1
                day = self.past(q.end - dt.timedelta(days=rng.randrange(3, 15)))
                when = at(day, 10)
                updates.append(
                    dict(
                        registration=reg,
                        year=q.year,
                        quarter=q.number,
                        results=f"Quý {q.short_label}: đã tuyên truyền tới "
                        f"{rng.randrange(20, 300)} hộ gia đình; mô hình được duy trì.",
                        percent=min(100, i * 25),
                        reported_by=actor,
                        reported_at=when,
                        created_at=when,
                        updated_at=when,
                    )
                )
                q = q.next()
            year_end = at(min(dt.date(year, 12, 20), gen.yesterday), 10)
            if reg.status == RS.RECOGNIZED:
                event(
                    "recognized",
                    RS.APPROVED,
                    RS.RECOGNIZED,
                    year_end,
                    self.secretary_user,
                    "Điển hình tiêu biểu",
                )
                recognitions.append(
                    dict(
                        registration=reg,
                        level=RecognitionLevel.WARD,
                        title="Điển hình tiêu biểu",
                        decision_symbol=f"{100 + len(recognitions)}-QĐ/ĐU",
                        decided_on=year_end.date(),
                        issuer=self.committee,
                        recorded_by=self.secretary_user,
                        created_at=year_end,
                        updated_at=year_end,
                    )
                )
            elif reg.status == RS.NOT_ACHIEVED:
                event("not_achieved", RS.APPROVED, RS.NOT_ACHIEVED, year_end, self.secretary_user)
            elif reg.status == RS.WITHDRAWN:
                event(
                    "withdrawn",
                    RS.APPROVED,
                    RS.WITHDRAWN,
                    reg.reviewed_at + dt.timedelta(days=30),
                    actor,
                    "Đơn vị đề nghị rút đăng ký.",
                )
        gen.fast(RegistrationEvent, events)
        gen.fast(RegistrationUpdate, updates)
        gen.fast(Recognition, recognitions)

    # --- quarterly reviews and numbered documents ------------------------------------------
    def _reviews(self) -> None:
        gen = self.gen
        reviews, documents = [], []
        previous = gen.current.previous()
        q = Quarter(gen.years[0], 1)
        # Numbered documents go in date order with the plans already numbered: collect first.
        pending = []
        while q <= gen.current:
            m = self.review_meeting.get(q)
            concluded = m is not None and m.status == MeetingStatus.CONCLUDED
            finalized = q < previous and concluded
            created = (m.created_at if m else at(q.start, 8)) + dt.timedelta(minutes=10)
            review = QuarterlyReview(
                ward=self.ward,
                year=q.year,
                quarter=q.number,
                meeting=m,
                status=ReviewStatus.FINALIZED
                if finalized
                else ReviewStatus.IN_REVIEW
                if m
                else ReviewStatus.OPEN,
                created_by=self.staff_user,
                created_at=created,
                updated_at=created,
                version=1,
            )
            first_status = ReviewStatus.IN_REVIEW if m else ReviewStatus.OPEN
            review._events = [("created", "", first_status, created)]
            if concluded:
                held_day = m.held_at.astimezone(TZ).date()
                pending.append((held_day, "TB", DocumentKind.CONCLUSION_NOTICE, m, q, review))
                if finalized:
                    pending.append((held_day, "BC", DocumentKind.QUARTERLY_REPORT, None, q, review))
                    fin = m.concluded_at + dt.timedelta(days=3)
                    review.finalized_at = fin
                    review.finalized_by = self.secretary_user
                    review.updated_at = fin
                    review._events.append(
                        (
                            "report_numbered",
                            ReviewStatus.IN_REVIEW,
                            ReviewStatus.IN_REVIEW,
                            m.concluded_at + dt.timedelta(days=1),
                        )
                    )
                    review._events.append(
                        ("finalized", ReviewStatus.IN_REVIEW, ReviewStatus.FINALIZED, fin)
                    )
            reviews.append(review)
            q = q.next()
        gen.bulk(QuarterlyReview, reviews)
        events = [
            dict(
                review=r,
                action=action,
                from_status=before,
                to_status=after,
                actor=self.secretary_user if action == "finalized" else self.staff_user,
                at=when,
            )
            for r in reviews
            for action, before, after, when in r._events
        ]
        gen.fast(QuarterlyReviewEvent, events)
        pending.sort(key=lambda row: (row[0], row[1]))
        for day, doc_type, kind, meeting, q, _review in pending:
            number, term = self.next_number(doc_type, day)
            when = at(day, 15)
            if kind == DocumentKind.QUARTERLY_REPORT:
                title = f"Báo cáo sơ kết công tác dân vận quý {q.short_label}"
            else:
                title = f"Thông báo kết luận hội nghị sơ kết quý {q.short_label}"
            documents.append(
                IssuedDocument(
                    ward=self.ward,
                    kind=kind,
                    meeting=meeting,
                    year=None if meeting else q.year,
                    quarter=None if meeting else q.number,
                    issuer=self.committee,
                    doc_type=doc_type,
                    number=number,
                    term_start_year=term,
                    symbol=format_party_symbol(number, doc_type, self.committee.symbol_code),
                    issued_on=day,
                    title=title,
                    created_by=self.staff_user,
                    created_at=when,
                    generated_by=self.staff_user,
                    generated_at=when,
                )
            )
        gen.bulk(IssuedDocument, documents)
        self.finalized = [r for r in reviews if r.status == ReviewStatus.FINALIZED]
        frozen = {"all": self.finalized, "last": self.finalized[-1:]}.get(gen.figures, [])
        if frozen:
            from meetings.review_figures import quarter_figures

            for r in frozen:
                r.ward = self.ward
                r.figures = quarter_figures(
                    ward=self.ward, quarter=r.period, today=r.finalized_at.astimezone(TZ).date()
                )
            QuarterlyReview.objects.bulk_update(frozen, ["figures"], batch_size=200)

    def _sequences(self) -> None:
        self.gen.bulk(
            DocumentSequence,
            [
                DocumentSequence(
                    issuer=self.committee,
                    doc_type=doc_type,
                    term_start_year=term,
                    last_number=n,
                    updated_at=at(self.number_days.get((doc_type, term), self.start), 15),
                )
                for (doc_type, term), n in sorted(self.numbers.items())
                if (doc_type, term) in self.number_days
            ],
        )


_JOB: Generator | None = None


def _run_chunk(indices: list[int]) -> tuple[Counter, list[int]]:
    """A forked worker: its own connection, its share of the wards."""
    connections.close_all()
    job = _JOB
    job.result = Result(password=job.password)
    with story_timestamps():
        job.run_chunk(indices)
    connections.close_all()
    return job.result.counts, job.result.wards


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.date):  # dates and aware datetimes
        return value.isoformat()
    return str(value)


def copy_objects(model, objs: list) -> None:
    """PostgreSQL: take ``len(objs)`` keys from the table's sequence, then COPY the rows."""
    table, pk = model._meta.db_table, model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = model._meta.concrete_fields
    values = []
    for obj, key in zip(objs, ids, strict=True):
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
        row = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is not None:
                if isinstance(f, models.JSONField):
                    value = json.dumps(value)
                else:
                    value = f.get_prep_value(value)
            row.append(value)
        values.append(row)
    insert_rows(table, [f.column for f in fields], values)


def insert_rows(table: str, columns: list[str], values: list[list]) -> None:
    """``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    with connection.cursor() as cursor:
        names = ", ".join(columns)
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in values:
                buffer.write("\t".join(map(_copy_text, row)))
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            return
        adapt = connection.ops.adapt_datetimefield_value
        for row in values:
            for i, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    row[i] = adapt(value)
                elif isinstance(value, dt.date):
                    row[i] = value.isoformat()
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)  # noqa: S608


def kind_free(meetings, year) -> bool:
    return not any(m.kind == MeetingKind.SEMIANNUAL_REVIEW and m.year == year for m in meetings)


def generate(
    sizes: Sizes, *, seed: int = 1, append: bool = False, jobs: int = 1, **options
) -> Result:
    """Write ``sizes`` of scale data (see the module docstring); returns counts and time."""
    first_index = scale_wards().count() + 1 if append else 1
    return Generator(sizes, seed=seed, **options).run(first_index=first_index, jobs=jobs)
