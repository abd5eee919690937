"""Demo "Dân vận khéo" registrations of Phường Phúc Đồng, as in the seed article.

For 2021 the registry counts 18 collectives and 03 individuals (submitted, approved,
recognised or not achieved), registered under Kế hoạch 28-KH/ĐU in quarter I: most are
approved by the end of March, a few still wait for review. Three more 2021 registrations do
*not* count: the draft Chi bộ Khu dân cư số 1 is preparing, the draft of Chi bộ Khu dân cư
số 2 (only its own unit and the reviewers may open it) and the model of Chi bộ Khu dân cư
số 5 returned with a review note.

Four 2020 models were recognised as exemplary (điển hình) in December 2020; three of them
are replicated (nhân rộng) by 2021 registrations. Every registration carries the workflow
events its status implies, with fixed times, and most approved 2021 models have their
quarter I/2021 results. Runs after ``plans.demo`` (28-KH/ĐU exists) and, like the others,
writes nothing on a second run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission

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
from plans.demo import UNIT_NAMES as PLAN_UNIT_NAMES
from plans.models import Plan
from wardwork.demo import WARD_ADMIN_GROUP, DemoLoader
from wardwork.models import Organization, Person, User, Ward
from wardwork.text import normalize

S = RegistrationStatus
K = RegistrationKind
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

UNIT_NAMES = {**PLAN_UNIT_NAMES, "CĐ": "Công đoàn cơ sở phường Phúc Đồng"}
# The login of each unit's manager (cell secretary / head), where the unit has one.
MANAGER_LOGINS = {
    **{f"CB{n}": f"cb{n:02d}" for n in range(1, 10)},
    "MN": "cb10",
    "TH": "cb11",
    "THCS": "cb12",
    "PN": "phunu",
}
TYPED_IN_NOTE = "Văn phòng Đảng ủy nhập theo phiếu đăng ký của đơn vị."


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass(frozen=True)
class PersonSpec:
    full_name: str
    title: str
    unit: str  # key of the person's main unit


@dataclass(frozen=True)
class Spec:
    key: str  # natural key inside this module (for replications)
    year: int
    unit: str  # key of the owning unit (registered_by_unit)
    kind: str
    title: str
    field: str
    status: str
    content: str
    solutions: str = ""
    schedule: str = ""
    expected_results: str = ""
    person: PersonSpec | None = None
    replicates: str = ""  # key of the exemplary model copied
    created: dt.datetime | None = None
    submitted: dt.datetime | None = None
    reviewed: dt.datetime | None = None
    reviewer: str = "khanh"
    review_note: str = ""
    # (percent, results, reported_at) of the last quarter of the model's first reports
    update: tuple[int, str, dt.datetime] | None = None
    recognitions: tuple[tuple, ...] = field(default_factory=tuple)


# --- 2020: exemplary models ----------------------------------------------------------------------
EXEMPLARY_2020 = [
    Spec(
        key="camera-2020",
        year=2020,
        unit="CB1",
        kind=K.COLLECTIVE,
        title="Camera an ninh khu dân cư",
        field="An ninh trật tự",
        status=S.RECOGNIZED,
        content="Vận động các hộ gia đình Tổ dân phố số 1, số 2 đóng góp kinh phí lắp đặt camera "
        "giám sát tại các ngõ, kết nối màn hình theo dõi tại nhà tổ trưởng tổ dân phố và Công "
        "an phường.",
        solutions="Chi bộ ra nghị quyết chuyên đề; đảng viên gương mẫu đóng góp trước; công khai "
        "danh sách hộ và số tiền đóng góp tại nhà văn hóa tổ dân phố; Công an phường hướng dẫn "
        "lắp đặt và khai thác hình ảnh.",
        schedule="Quý I/2020: họp dân thống nhất chủ trương; quý II: lắp đặt camera; quý III–IV: "
        "duy trì, sơ kết rút kinh nghiệm.",
        expected_results="100% ngõ chính có camera giám sát; giảm các vụ trộm cắp vặt trong khu "
        "dân cư.",
        created=at(2020, 1, 16, 8, 30),
        submitted=at(2020, 2, 20, 9, 15),
        reviewed=at(2020, 3, 6, 14, 0),
        update=(
            100,
            "Lắp đặt 16 camera tại 11 ngõ của Tổ dân phố số 1, số 2 với kinh phí 48 triệu đồng "
            "do nhân dân đóng góp; hình ảnh camera giúp Công an phường làm rõ 03 vụ trộm cắp tài "
            "sản; năm 2020 không xảy ra trộm cắp xe máy trong khu dân cư.",
            at(2020, 12, 10, 15, 0),
        ),
        recognitions=(
            (
                RecognitionLevel.WARD,
                "Điển hình tiêu biểu",
                "215-QĐ/ĐU",
                dt.date(2020, 12, 22),
                "ĐU",
            ),
        ),
    ),
    Spec(
        key="rac-2020",
        year=2020,
        unit="PN",
        kind=K.COLLECTIVE,
        title="Chi hội phụ nữ phân loại rác thải tại nguồn",
        field="Môi trường",
        status=S.RECOGNIZED,
        content="Hướng dẫn hội viên phân loại rác hữu cơ, rác tái chế và rác còn lại ngay tại "
        "gia đình; bán phế liệu tái chế gây quỹ hỗ trợ hội viên khó khăn.",
        solutions="Mỗi chi hội chọn 10 hộ làm điểm; tập huấn cách phân loại tại sinh hoạt chi "
        "hội; phối hợp công ty môi trường bố trí giờ thu gom riêng rác tái chế.",
        schedule="Quý I–II/2020: làm điểm tại 05 chi hội; quý III–IV: nhân ra 14 chi hội.",
        expected_results="Ít nhất 70% hộ hội viên phân loại rác tại nguồn; quỹ từ phế liệu đạt "
        "20 triệu đồng.",
        created=at(2020, 1, 20, 10, 0),
        submitted=at(2020, 2, 24, 8, 45),
        reviewed=at(2020, 3, 6, 14, 30),
        update=(
            100,
            "14/14 chi hội thực hiện; 812 hộ hội viên phân loại rác tại nguồn (78%); quỹ từ bán "
            "phế liệu đạt 26,5 triệu đồng, hỗ trợ 09 hội viên khó khăn.",
            at(2020, 12, 11, 9, 30),
        ),
        recognitions=(
            (
                RecognitionLevel.DISTRICT,
                "Giấy khen",
                "1856-QĐ/QU",
                dt.date(2020, 12, 28),
                "QU",
            ),
        ),
    ),
    Spec(
        key="hoa-giai-2020",
        year=2020,
        unit="CCB",
        kind=K.COLLECTIVE,
        title="Cựu chiến binh tham gia hòa giải ở cơ sở",
        field="An ninh trật tự",
        status=S.RECOGNIZED,
        content="Hội viên cựu chiến binh tham gia các tổ hòa giải ở 14 tổ dân phố, hòa giải mâu "
        "thuẫn, tranh chấp nhỏ ngay tại khu dân cư, không để phát sinh đơn thư vượt cấp.",
        solutions="Mỗi tổ hòa giải có ít nhất 01 hội viên cựu chiến binh; Hội phối hợp Tư pháp "
        "phường bồi dưỡng kiến thức pháp luật; nắm tình hình qua sinh hoạt chi hội hằng tháng.",
        schedule="Cả năm 2020; sơ kết 6 tháng và tổng kết cuối năm.",
        expected_results="Tỷ lệ hòa giải thành trên 80%; không có vụ việc phức tạp kéo dài.",
        created=at(2020, 1, 21, 9, 0),
        submitted=at(2020, 2, 25, 10, 0),
        reviewed=at(2020, 3, 9, 9, 30),
        reviewer="ngoc",
        update=(
            100,
            "Tham gia hòa giải 17 vụ việc, hòa giải thành 15 vụ (88%); không có đơn thư vượt "
            "cấp từ các tổ dân phố có hội viên tham gia tổ hòa giải.",
            at(2020, 12, 14, 8, 0),
        ),
        recognitions=(
            (
                RecognitionLevel.WARD,
                "Điển hình tiêu biểu",
                "215-QĐ/ĐU",
                dt.date(2020, 12, 22),
                "ĐU",
            ),
        ),
    ),
    Spec(
        key="hien-dat-2020",
        year=2020,
        unit="CB6",
        kind=K.COLLECTIVE,
        title="Đảng viên gương mẫu, nhân dân đồng thuận hiến đất mở rộng ngõ",
        field="Giải phóng mặt bằng",
        status=S.RECOGNIZED,
        content="Vận động các hộ hai bên ngõ Tổ dân phố số 9 hiến đất, tự tháo dỡ tường rào, "
        "bậc tam cấp để mở rộng ngõ từ 2 m lên 3,5 m.",
        solutions="Đảng viên có nhà trong ngõ hiến đất trước; công khai bản vẽ, diện tích từng "
        "hộ; vận động con em, người thân ở xa đồng thuận.",
        schedule="Quý II/2020: vận động; quý III: tháo dỡ, thi công; quý IV: hoàn thành.",
        expected_results="100% hộ đồng thuận; ngõ được mở rộng, thuận tiện cho xe cứu hỏa.",
        created=at(2020, 1, 22, 14, 0),
        submitted=at(2020, 2, 26, 15, 30),
        reviewed=at(2020, 3, 9, 10, 0),
        update=(
            100,
            "23/23 hộ hiến tổng cộng 156 m² đất; ngõ dài 180 m được mở rộng lên 3,5 m, hoàn "
            "thành tháng 10/2020 với kinh phí nhân dân đóng góp 210 triệu đồng.",
            at(2020, 12, 9, 16, 0),
        ),
        recognitions=(
            (
                RecognitionLevel.WARD,
                "Giấy khen",
                "216-QĐ/ĐU",
                dt.date(2020, 12, 22),
                "ĐU",
            ),
        ),
    ),
]


# --- 2021: 18 collectives, 03 individuals that count; three that do not -------------------------
def _approved(day: int, hour: int = 14, minute: int = 0) -> dt.datetime:
    return at(2021, 3, day, hour, minute)


def _q1(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A fixed report time in the last week of March 2021."""
    return at(2021, 3, day, hour, minute)


REGISTRATIONS_2021 = [
    # ---- collectives ----------------------------------------------------------------------
    Spec(
        key="cb1",
        year=2021,
        unit="CB1",
        kind=K.COLLECTIVE,
        title="Khu dân cư số 1 sạch – đẹp – an toàn",
        field="Văn minh đô thị",
        status=S.APPROVED,
        content="Xây dựng Tổ dân phố số 1, số 2 sạch – đẹp – an toàn: không lấn chiếm vỉa hè, "
        "không sử dụng bếp than tổ ong, duy trì camera an ninh và tổng vệ sinh sáng thứ Bảy "
        "hằng tuần.",
        solutions="Chi bộ ra nghị quyết chuyên đề, phân công 42 đảng viên phụ trách nhóm hộ; tổ "
        "dân vận vận động từng hộ ký cam kết; biểu dương hộ gia đình thực hiện tốt tại hội nghị "
        "nhân dân.",
        schedule="Quý I: ký cam kết, ra quân chỉnh trang ngõ; quý II–III: duy trì, kiểm tra hằng "
        "tháng; quý IV: sơ kết, biểu dương.",
        expected_results="100% hộ ký cam kết; không còn hộ dùng bếp than tổ ong; 02 tuyến ngõ "
        "được công nhận tuyến ngõ văn minh.",
        created=at(2021, 1, 26, 8, 30),
        submitted=at(2021, 2, 23, 9, 0),
        reviewed=_approved(16, 9, 30),
        update=(
            35,
            "118/126 hộ ký cam kết; vận động 15 hộ kinh doanh Tổ dân phố số 1 không lấn chiếm "
            "vỉa hè; còn 02 hộ dùng bếp than tổ ong, đã cam kết chuyển đổi trước 30/4/2021; lắp "
            "thêm 04 camera tại các ngõ.",
            _q1(25, 16, 10),
        ),
    ),
    Spec(
        key="cb3",
        year=2021,
        unit="CB3",
        kind=K.COLLECTIVE,
        title="Vận động nhân dân bàn giao mặt bằng đúng tiến độ",
        field="Giải phóng mặt bằng",
        status=S.APPROVED,
        content="Vận động các hộ có đất bị thu hồi thuộc Tổ dân phố số 4, số 5 chấp hành phương "
        "án bồi thường, hỗ trợ, bàn giao mặt bằng đúng tiến độ cho các dự án trên địa bàn.",
        solutions="Đảng viên là người có uy tín trong dòng họ trực tiếp gặp gỡ từng hộ; phối hợp "
        "UBND phường công khai phương án bồi thường tại tổ dân phố; kịp thời phản ánh kiến nghị "
        "của hộ dân lên Khối Dân vận.",
        schedule="Tháng 3/2021: nắm danh sách, tâm tư từng hộ; quý II/2021: hoàn thành vận động "
        "các hộ còn lại; quý III/2021: bàn giao mặt bằng.",
        expected_results="100% hộ bàn giao mặt bằng đúng tiến độ; không có khiếu kiện đông người.",
        created=at(2021, 1, 27, 9, 0),
        submitted=at(2021, 2, 24, 10, 30),
        reviewed=_approved(16, 10, 0),
        update=(
            50,
            "Chi bộ họp chuyên đề về công tác GPMB; đã vận động 02/04 hộ Tổ dân phố số 5 đồng "
            "thuận phương án bồi thường; 02 hộ còn kiến nghị về đơn giá, đã báo cáo Khối Dân vận.",
            _q1(26, 9, 20),
        ),
    ),
    Spec(
        key="cb4",
        year=2021,
        unit="CB4",
        kind=K.COLLECTIVE,
        title="Tuyến phố văn minh, không lấn chiếm vỉa hè",
        field="Văn minh đô thị",
        status=S.APPROVED,
        content="Xây dựng tuyến phố văn minh tại Tổ dân phố số 6: hộ kinh doanh không lấn chiếm "
        "vỉa hè, lòng đường; để xe đúng nơi quy định; biển hiệu, mái che đúng quy định.",
        solutions="Đảng viên, tổ trưởng tổ dân phố gặp từng hộ kinh doanh; ký cam kết; phối hợp "
        "tổ trật tự đô thị phường nhắc nhở, kiểm tra định kỳ.",
        schedule="Quý I: ký cam kết; quý II: tháo dỡ mái che, biển hiệu sai quy định; quý III–IV: "
        "duy trì.",
        expected_results="100% hộ kinh doanh ký cam kết; tuyến phố không còn lấn chiếm vỉa hè.",
        created=at(2021, 1, 28, 15, 0),
        submitted=at(2021, 2, 25, 14, 0),
        reviewed=_approved(17, 8, 45),
        reviewer="ngoc",
        update=(
            30,
            "100% hộ Tổ dân phố số 6 ký cam kết giữ gìn trật tự vỉa hè; 02 hộ tự nguyện tháo dỡ "
            "mái che lấn chiếm.",
            _q1(26, 14, 5),
        ),
    ),
    Spec(
        key="cb6",
        year=2021,
        unit="CB6",
        kind=K.COLLECTIVE,
        title="Tổ dân phố số 9 không sử dụng bếp than tổ ong",
        field="Môi trường",
        status=S.APPROVED,
        content="Vận động các hộ còn dùng bếp than tổ ong ở Tổ dân phố số 9, nhất là hộ kinh "
        "doanh ăn uống, chuyển sang bếp gas, bếp điện; tổ dân phố không còn khói bếp than.",
        solutions="Rà soát từng hộ; Hội Phụ nữ giới thiệu vay vốn chuyển đổi bếp; đảng viên gương "
        "mẫu thực hiện trước; kiểm tra hằng tháng.",
        schedule="Quý I/2021: hoàn thành chuyển đổi; từ quý II: kiểm tra duy trì hằng tháng.",
        expected_results="Không còn hộ sử dụng bếp than tổ ong.",
        created=at(2021, 1, 29, 9, 30),
        submitted=at(2021, 2, 26, 8, 30),
        reviewed=_approved(16, 10, 30),
        update=(
            80,
            "07/07 hộ đã chuyển sang bếp gas, bếp điện; Tổ dân phố số 9 không còn hộ sử dụng bếp "
            "than tổ ong; tổ dân phố duy trì kiểm tra hằng tháng.",
            _q1(27, 8, 30),
        ),
    ),
    Spec(
        key="cb7",
        year=2021,
        unit="CB7",
        kind=K.COLLECTIVE,
        title="Nói không với rác thải nhựa tại khu dân cư",
        field="Giảm rác thải nhựa",
        status=S.SUBMITTED,
        content="Nhân rộng mô hình phân loại rác của Hội Phụ nữ tại Tổ dân phố số 10, số 11: hạn "
        "chế túi ni lông, đồ nhựa dùng một lần; thu gom chai nhựa gây quỹ khuyến học.",
        solutions="Đảng viên gương mẫu thực hiện; vận động hộ kinh doanh dùng túi giấy; đặt thùng "
        "thu gom chai nhựa tại nhà văn hóa tổ dân phố.",
        schedule="Quý II: ra mắt mô hình; quý III–IV: duy trì, sơ kết.",
        expected_results="80% hộ hạn chế túi ni lông; xóa các điểm đổ rác tự phát.",
        replicates="rac-2020",
        created=at(2021, 2, 2, 9, 0),
        submitted=at(2021, 3, 9, 16, 0),
    ),
    Spec(
        key="cb8",
        year=2021,
        unit="CB8",
        kind=K.COLLECTIVE,
        title="Tổ hòa giải ở cơ sở hoạt động hiệu quả",
        field="An ninh trật tự",
        status=S.APPROVED,
        content="Nhân rộng mô hình cựu chiến binh tham gia hòa giải: kiện toàn tổ hòa giải Tổ dân "
        "phố số 12 có đảng viên, cựu chiến binh, người có uy tín; hòa giải kịp thời mâu thuẫn "
        "trong khu dân cư.",
        solutions="Bồi dưỡng kiến thức pháp luật cho tổ viên; nắm tình hình qua đảng viên phụ "
        "trách hộ; phối hợp Công an khu vực với các vụ việc phức tạp.",
        schedule="Cả năm 2021; sơ kết 6 tháng.",
        expected_results="Hòa giải thành trên 85%; không có đơn thư vượt cấp.",
        replicates="hoa-giai-2020",
        created=at(2021, 1, 29, 14, 0),
        submitted=at(2021, 2, 26, 15, 0),
        reviewed=_approved(18, 9, 0),
        update=(
            25,
            "Kiện toàn tổ hòa giải 07 thành viên; hòa giải thành 01 vụ tranh chấp lối đi; không "
            "có đơn thư vượt cấp.",
            _q1(27, 10, 15),
        ),
    ),
    Spec(
        key="cb9",
        year=2021,
        unit="CB9",
        kind=K.COLLECTIVE,
        title="Giảm chăn nuôi gia súc, gia cầm trong khu dân cư",
        field="Môi trường",
        status=S.APPROVED,
        content="Vận động các hộ Tổ dân phố số 13, số 14 giảm đàn, tiến tới chấm dứt chăn nuôi "
        "lợn, gia cầm trong khu dân cư để bảo đảm vệ sinh môi trường, phòng dịch bệnh.",
        solutions="Rà soát từng hộ chăn nuôi; đảng viên, hội viên gương mẫu giảm đàn trước; giới "
        "thiệu việc làm, vay vốn chuyển đổi sang kinh doanh dịch vụ.",
        schedule="Quý I–II: giảm 50% số hộ chăn nuôi; quý III–IV: không còn chăn nuôi lợn.",
        expected_results="Không còn hộ chăn nuôi lợn; giảm 80% đàn gia cầm trong khu dân cư.",
        created=at(2021, 2, 1, 8, 30),
        submitted=at(2021, 3, 1, 9, 30),
        reviewed=_approved(17, 9, 15),
        reviewer="ngoc",
        update=(
            50,
            "Vận động 06/11 hộ giảm đàn gia cầm; 02 hộ chấm dứt chăn nuôi, chuyển sang kinh doanh "
            "dịch vụ.",
            _q1(28, 15, 30),
        ),
    ),
    Spec(
        key="pn",
        year=2021,
        unit="PN",
        kind=K.COLLECTIVE,
        title="Phụ nữ Phúc Đồng nói không với túi ni lông",
        field="Giảm rác thải nhựa",
        status=S.APPROVED,
        content="Hội viên phụ nữ đi chợ bằng làn, túi vải; hạn chế túi ni lông khó phân hủy và "
        "đồ nhựa dùng một lần trong gia đình, trong các buổi sinh hoạt, liên hoan.",
        solutions="Ra mắt mô hình tại 14 chi hội; tặng làn nhựa tái sử dụng; ký cam kết; lồng "
        "ghép tuyên truyền trong sinh hoạt chi hội và trên nhóm Zalo hội viên.",
        schedule="Quý I: ra mắt, ký cam kết; quý II–IV: duy trì, kiểm tra; tháng 12: tổng kết.",
        expected_results="100% chi hội ký cam kết; 70% hội viên không dùng túi ni lông khi đi chợ.",
        replicates="rac-2020",
        created=at(2021, 1, 25, 10, 0),
        submitted=at(2021, 2, 22, 14, 30),
        reviewed=_approved(15, 10, 0),
        update=(
            35,
            "Ra mắt mô hình tại 14 chi hội; tặng 500 làn nhựa tái sử dụng cho hội viên đi chợ; "
            "14/14 chi hội ký cam kết hạn chế túi ni lông.",
            _q1(25, 9, 0),
        ),
    ),
    Spec(
        key="dtn",
        year=2021,
        unit="ĐTN",
        kind=K.COLLECTIVE,
        title="Thanh niên tình nguyện giữ gìn đường phố xanh – sạch – đẹp",
        field="Văn minh đô thị",
        status=S.APPROVED,
        content="Đoàn viên thanh niên ra quân “Ngày thứ Bảy tình nguyện”: bóc xóa quảng cáo rao "
        "vặt, trồng hoa, vớt bèo, thu gom rác tại các tuyến ngõ và mương thoát nước.",
        solutions="Giao 14 chi đoàn tổ dân phố nhận chăm sóc tuyến ngõ; phối hợp Hội Phụ nữ, tổ "
        "dân phố huy động nhân dân tham gia.",
        schedule="Ra quân ít nhất 01 buổi mỗi tháng trong năm 2021.",
        expected_results="Xóa 100% quảng cáo rao vặt sai quy định trên các tuyến được giao.",
        created=at(2021, 1, 26, 14, 0),
        submitted=at(2021, 2, 22, 15, 0),
        reviewed=_approved(15, 10, 30),
        update=(
            40,
            "Tổ chức 03 buổi ra quân “Ngày thứ Bảy tình nguyện”, bóc xóa 350 quảng cáo rao vặt "
            "sai quy định, trồng 200 cây hoa tại các tuyến ngõ.",
            _q1(26, 16, 40),
        ),
    ),
    Spec(
        key="ccb",
        year=2021,
        unit="CCB",
        kind=K.COLLECTIVE,
        title="Cựu chiến binh gương mẫu vận động gia đình, người thân bàn giao mặt bằng",
        field="Giải phóng mặt bằng",
        status=S.APPROVED,
        content="Hội viên cựu chiến binh có đất bị thu hồi gương mẫu nhận bồi thường, bàn giao "
        "mặt bằng và vận động gia đình, người thân, dòng họ cùng thực hiện.",
        solutions="Rà soát hội viên và người thân có đất trong phạm vi dự án; phân công hội viên "
        "tham gia tổ vận động GPMB của phường.",
        schedule="Quý I–III/2021, theo tiến độ các dự án.",
        expected_results="100% hộ hội viên bàn giao mặt bằng đúng hạn.",
        created=at(2021, 1, 27, 14, 30),
        submitted=at(2021, 2, 23, 15, 0),
        reviewed=_approved(15, 14, 0),
        update=(
            40,
            "03 hộ hội viên và người thân đã nhận tiền bồi thường, bàn giao mặt bằng; 04 hội viên "
            "tham gia tổ vận động GPMB của phường.",
            _q1(29, 9, 45),
        ),
    ),
    Spec(
        key="mttq",
        year=2021,
        unit="MTTQ",
        kind=K.COLLECTIVE,
        title="Mặt trận đồng hành cùng nhân dân trong công tác bồi thường, giải phóng mặt bằng",
        field="Giải phóng mặt bằng",
        status=S.APPROVED,
        content="Ủy ban MTTQ phường tham gia giám sát kiểm đếm, áp giá bồi thường; tổ chức đối "
        "thoại, lắng nghe và chuyển kiến nghị của các hộ có đất bị thu hồi tới UBND phường.",
        solutions="Cử cán bộ Mặt trận tham gia hội đồng bồi thường; phối hợp trưởng ban công tác "
        "Mặt trận tổ dân phố nắm tâm tư từng hộ; công khai kết quả giải quyết kiến nghị.",
        schedule="Thường xuyên trong năm 2021, theo tiến độ các dự án.",
        expected_results="Mọi kiến nghị của hộ dân được trả lời; không có khiếu kiện vượt cấp.",
        created=at(2021, 1, 28, 8, 0),
        submitted=at(2021, 3, 2, 8, 30),
        reviewed=_approved(17, 10, 0),
        reviewer="ngoc",
        update=(
            60,
            "Cử cán bộ tham gia giám sát kiểm đếm, áp giá bồi thường; phối hợp tổ dân phố vận "
            "động 05 hộ, trong đó 03 hộ đã ký biên bản bàn giao.",
            _q1(29, 14, 20),
        ),
    ),
    Spec(
        key="nct",
        year=2021,
        unit="NCT",
        kind=K.COLLECTIVE,
        title="Người cao tuổi gương mẫu, con cháu thảo hiền, giữ gìn nếp sống văn minh",
        field="Văn hóa – xã hội",
        status=S.SUBMITTED,
        content="Hội viên người cao tuổi gương mẫu giữ gìn nếp sống văn minh trong việc cưới, "
        "việc tang, lễ hội; giáo dục con cháu chấp hành pháp luật, giữ gìn vệ sinh môi trường.",
        solutions="Lồng ghép trong sinh hoạt chi hội; biểu dương gia đình “ông bà mẫu mực, con "
        "cháu thảo hiền” tại hội nghị nhân dân.",
        schedule="Cả năm 2021; biểu dương vào dịp Ngày Quốc tế Người cao tuổi 01/10.",
        expected_results="100% chi hội đăng ký thực hiện; biểu dương 14 gia đình tiêu biểu.",
        created=at(2021, 2, 3, 9, 0),
        submitted=at(2021, 3, 10, 9, 0),
    ),
    Spec(
        key="cd",
        year=2021,
        unit="CĐ",
        kind=K.COLLECTIVE,
        title="Cán bộ, công chức phường thân thiện, tận tụy phục vụ nhân dân",
        field="Xây dựng hệ thống chính trị",
        status=S.APPROVED,
        content="Công đoàn viên tại bộ phận tiếp nhận và trả kết quả thực hiện đúng quy tắc ứng "
        "xử, hướng dẫn thủ tục một lần đầy đủ, giải quyết hồ sơ đất đai, bồi thường đúng hẹn.",
        solutions="Niêm yết công khai thủ tục; lấy ý kiến đánh giá của người dân qua phiếu khảo "
        "sát; đưa kết quả vào bình xét thi đua cuối năm.",
        schedule="Cả năm 2021; đánh giá theo quý.",
        expected_results="100% hồ sơ giải quyết đúng hẹn; không có phản ánh về thái độ phục vụ.",
        created=at(2021, 2, 1, 15, 0),
        submitted=at(2021, 3, 3, 10, 0),
        reviewed=_approved(19, 9, 0),
        reviewer="ngoc",
    ),
    Spec(
        key="ca",
        year=2021,
        unit="CA",
        kind=K.COLLECTIVE,
        title="Camera an ninh – mắt thần khu dân cư",
        field="An ninh trật tự",
        status=S.APPROVED,
        content="Nhân rộng mô hình camera an ninh của Tổ dân phố số 1, số 2 ra các tổ dân phố "
        "còn lại; vận động nhân dân đóng góp lắp đặt, kết nối hình ảnh về Công an phường.",
        solutions="Khảo sát các điểm cần lắp đặt; hướng dẫn kỹ thuật, khai thác hình ảnh; phối "
        "hợp chi bộ khu dân cư vận động nhân dân.",
        schedule="Quý I: khảo sát; quý II–III: lắp đặt; quý IV: sơ kết.",
        expected_results="Thêm ít nhất 50 camera tại các ngõ; giảm trộm cắp tài sản.",
        replicates="camera-2020",
        created=at(2021, 1, 28, 10, 0),
        submitted=at(2021, 2, 25, 9, 0),
        reviewed=_approved(18, 9, 30),
        update=(
            30,
            "Khảo sát 14 tổ dân phố; 05 tổ dân phố thống nhất lắp đặt 21 camera; hướng dẫn tổ an "
            "ninh tự quản khai thác hình ảnh.",
            _q1(29, 16, 0),
        ),
    ),
    Spec(
        key="qs",
        year=2021,
        unit="QS",
        kind=K.COLLECTIVE,
        title="Dân quân tự vệ tham gia bảo vệ, giữ gìn mặt bằng sau thu hồi",
        field="Quốc phòng – an ninh",
        status=S.SUBMITTED,
        content="Lực lượng dân quân tự vệ phối hợp Công an phường bảo vệ các điểm đã giải phóng "
        "mặt bằng, không để tái lấn chiếm; tuyên truyền nhân dân chấp hành chủ trương thu hồi "
        "đất.",
        solutions="Phân công trung đội dân quân cơ động tuần tra theo lịch; báo cáo kịp thời các "
        "trường hợp tái lấn chiếm.",
        schedule="Thường xuyên trong năm 2021.",
        expected_results="Không có trường hợp tái lấn chiếm mặt bằng đã bàn giao.",
        created=at(2021, 2, 4, 8, 0),
        submitted=at(2021, 3, 8, 14, 0),
    ),
    Spec(
        key="mn",
        year=2021,
        unit="MN",
        kind=K.COLLECTIVE,
        title="Trường học xanh – sạch – đẹp, không đồ nhựa dùng một lần",
        field="Giảm rác thải nhựa",
        status=S.APPROVED,
        content="Nhà trường không sử dụng đồ nhựa dùng một lần trong bếp ăn và các hoạt động; "
        "giáo dục trẻ phân loại rác; tuyên truyền tới cha mẹ trẻ.",
        solutions="Thay cốc, hộp nhựa bằng đồ inox, thủy tinh; góc tái chế tại mỗi lớp; lồng ghép "
        "trong các buổi họp phụ huynh.",
        schedule="Học kỳ II năm học 2020–2021 và học kỳ I năm học 2021–2022.",
        expected_results="Không còn đồ nhựa dùng một lần trong trường; 100% lớp có góc tái chế.",
        created=at(2021, 1, 29, 16, 0),
        submitted=at(2021, 3, 4, 15, 30),
        reviewed=_approved(19, 10, 0),
        reviewer="ngoc",
        update=(
            40,
            "Bếp ăn không sử dụng đồ nhựa dùng một lần; 10/12 lớp có góc tái chế; tuyên truyền "
            "tới cha mẹ trẻ qua các buổi họp phụ huynh.",
            _q1(30, 10, 30),
        ),
    ),
    Spec(
        key="th",
        year=2021,
        unit="TH",
        kind=K.COLLECTIVE,
        title="Nhà trường – gia đình phối hợp giáo dục học sinh giữ gìn vệ sinh môi trường, an "
        "toàn giao thông",
        field="Văn hóa – xã hội",
        status=S.APPROVED,
        content="Phối hợp cha mẹ học sinh giáo dục học sinh giữ gìn vệ sinh trường lớp, khu dân "
        "cư và chấp hành luật giao thông khi đến trường.",
        solutions="Ký cam kết giữa nhà trường và gia đình; đội tuyên truyền măng non; giờ chào cờ "
        "chuyên đề hằng tháng.",
        schedule="Năm học 2020–2021 và 2021–2022.",
        expected_results="100% gia đình học sinh ký cam kết; không có học sinh vi phạm an toàn "
        "giao thông.",
        created=at(2021, 2, 2, 14, 0),
        submitted=at(2021, 3, 5, 9, 0),
        reviewed=_approved(19, 10, 30),
    ),
    Spec(
        key="thcs",
        year=2021,
        unit="THCS",
        kind=K.COLLECTIVE,
        title="Học sinh THCS Phúc Đồng – tuyên truyền viên nhỏ về giữ gìn vệ sinh môi trường",
        field="Môi trường",
        status=S.APPROVED,
        content="Thành lập đội tuyên truyền viên học sinh, tham gia tổng vệ sinh cùng tổ dân phố "
        "và tuyên truyền gia đình phân loại rác, không đốt rác.",
        solutions="Liên đội phát động; mỗi lớp nhận một tuyến ngõ gần trường; phối hợp Đoàn "
        "phường tổ chức các buổi ra quân.",
        schedule="Từ tháng 3/2021, mỗi tháng 01 buổi ra quân.",
        expected_results="100% lớp tham gia; mỗi học sinh vận động được gia đình phân loại rác.",
        created=at(2021, 2, 3, 15, 0),
        submitted=at(2021, 3, 5, 16, 0),
        reviewed=_approved(22, 9, 0),
        update=(
            20,
            "Thành lập đội tuyên truyền 36 học sinh; ra quân 01 buổi tại ngõ trước cổng trường.",
            _q1(30, 15, 0),
        ),
    ),
    # ---- individuals ----------------------------------------------------------------------
    Spec(
        key="pn-ca-nhan",
        year=2021,
        unit="PN",
        kind=K.INDIVIDUAL,
        title="Vận động hội viên tiết kiệm tham gia quỹ hỗ trợ phụ nữ nghèo",
        field="An sinh xã hội",
        status=S.APPROVED,
        person=PersonSpec(
            "Nguyễn Thị Thu Hương", "Chi hội trưởng Chi hội Phụ nữ Tổ dân phố số 3", "PN"
        ),
        content="Vận động hội viên tiết kiệm mỗi tháng góp quỹ hỗ trợ phụ nữ nghèo vay vốn không "
        "lãi, ưu tiên hội viên chuyển đổi bếp than tổ ong, hộ có đất bị thu hồi chuyển đổi "
        "nghề.",
        solutions="Gặp gỡ từng hội viên; công khai thu chi tại sinh hoạt chi hội; ban quản lý quỹ "
        "theo dõi, thu hồi vốn.",
        schedule="Cả năm 2021.",
        expected_results="Quỹ đạt 60 triệu đồng; hỗ trợ ít nhất 05 hội viên.",
        created=at(2021, 1, 27, 10, 0),
        submitted=at(2021, 2, 24, 9, 30),
        reviewed=_approved(15, 14, 30),
        update=(
            40,
            "65 hội viên tham gia tiết kiệm, quỹ đạt 32 triệu đồng; hỗ trợ 02 hội viên vay vốn "
            "chuyển từ bếp than tổ ong sang bán hàng ăn dùng bếp gas.",
            _q1(25, 9, 30),
        ),
    ),
    Spec(
        key="ccb-ca-nhan",
        year=2021,
        unit="CCB",
        kind=K.INDIVIDUAL,
        title="Cựu chiến binh vận động dòng họ đồng thuận giải phóng mặt bằng",
        field="Giải phóng mặt bằng",
        status=S.APPROVED,
        person=PersonSpec("Lê Văn Chiến", "Hội viên Chi hội Cựu chiến binh Tổ dân phố số 5", "CCB"),
        content="Là trưởng tộc họ Lê, vận động các hộ trong dòng họ có đất bị thu hồi đồng thuận "
        "phương án bồi thường và bàn giao mặt bằng.",
        solutions="Họp dòng họ; phối hợp cán bộ phường giải thích chính sách; gương mẫu bàn giao "
        "trước phần đất của gia đình.",
        schedule="Quý I–II/2021.",
        expected_results="07 hộ trong dòng họ bàn giao mặt bằng đúng tiến độ.",
        created=at(2021, 1, 28, 14, 0),
        submitted=at(2021, 2, 25, 10, 0),
        reviewed=_approved(17, 14, 0),
        reviewer="ngoc",
    ),
    Spec(
        key="cb3-ca-nhan",
        year=2021,
        unit="CB3",
        kind=K.INDIVIDUAL,
        title="Tổ trưởng dân phố gần dân, vận động nhân dân chấp hành trật tự xây dựng",
        field="Văn minh đô thị",
        status=S.SUBMITTED,
        person=PersonSpec(
            "Phạm Văn Hậu",
            "Đảng viên Chi bộ Khu dân cư số 3, Tổ trưởng Tổ dân phố số 4",
            "CB3",
        ),
        content="Thường xuyên nắm tình hình xây dựng, sửa chữa nhà ở tại Tổ dân phố số 4; vận "
        "động các hộ xin phép xây dựng, không lấn chiếm đất công, ngõ đi chung.",
        solutions="Đi kiểm tra địa bàn hằng tuần; hướng dẫn thủ tục; báo cáo kịp thời UBND phường "
        "các trường hợp vi phạm.",
        schedule="Cả năm 2021.",
        expected_results="Không phát sinh công trình vi phạm trật tự xây dựng tại tổ dân phố.",
        created=at(2021, 2, 5, 9, 0),
        submitted=at(2021, 3, 10, 15, 0),
    ),
    # ---- not counted: a returned model and two drafts --------------------------------------
    Spec(
        key="cb5-tra-lai",
        year=2021,
        unit="CB5",
        kind=K.COLLECTIVE,
        title="Vận động nhân dân hiến đất mở rộng ngõ",
        field="Giải phóng mặt bằng",
        status=S.RETURNED,
        content="Vận động nhân dân Tổ dân phố số 7, số 8 hiến đất mở rộng ngõ.",
        solutions="Đảng viên gương mẫu thực hiện trước.",
        created=at(2021, 2, 8, 9, 0),
        submitted=at(2021, 3, 5, 10, 0),
        reviewed=_approved(18, 15, 0),
        review_note="Đề nghị chi bộ ghi rõ ngõ nào, số hộ dự kiến vận động và tiến độ từng quý; "
        "bổ sung giải pháp phối hợp với UBND phường về hồ sơ đất đai rồi gửi lại.",
    ),
    Spec(
        key="cb1-nhap",
        year=2021,
        unit="CB1",
        kind=K.COLLECTIVE,
        title="Ngõ sạch, không quảng cáo rao vặt tại Tổ dân phố số 2",
        field="Văn minh đô thị",
        status=S.DRAFT,
        content="Vận động nhân dân Tổ dân phố số 2 giữ ngõ sạch, tự bóc xóa quảng cáo rao vặt "
        "trên tường nhà.",
        created=at(2021, 3, 29, 20, 15),
    ),
    Spec(
        key="cb2-nhap",
        year=2021,
        unit="CB2",
        kind=K.COLLECTIVE,
        title="Tổ dân phố số 3 nói không với bếp than tổ ong",
        field="Môi trường",
        status=S.DRAFT,
        content="Rà soát, vận động các hộ còn sử dụng bếp than tổ ong tại Tổ dân phố số 3 chuyển "
        "sang bếp gas, bếp điện.",
        created=at(2021, 3, 8, 21, 0),
    ),
]


def load(loader: DemoLoader) -> None:
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    units = {
        key: Organization.objects.get(ward=ward, name=name) for key, name in UNIT_NAMES.items()
    }
    units["QU"] = Organization.objects.get(ward=ward, name="Quận ủy Long Biên")
    logins = {u.username: u for u in User.objects.filter(ward=ward)}
    plan = Plan.objects.get(ward=ward, symbol="28-KH/ĐU")

    registrations: dict[str, Registration] = {}
    for spec in [*EXEMPLARY_2020, *REGISTRATIONS_2021]:
        registrations[spec.key] = _registration(
            loader,
            spec,
            ward=ward,
            units=units,
            logins=logins,
            plan=plan if spec.year == 2021 else None,
            replicates=registrations.get(spec.replicates) if spec.replicates else None,
        )
    _grant_ward_admins(loader)


def _registration(loader, spec: Spec, *, ward, units, logins, plan, replicates) -> Registration:
    unit = units[spec.unit]
    manager = logins.get(MANAGER_LOGINS.get(spec.unit, ""))
    # Units without a login hand in a paper form; the ward staff type it in for them.
    owner_actor = manager or logins["khanh"]
    reviewer = logins[spec.reviewer] if spec.reviewed else None
    person = None
    if spec.person is not None:
        person = loader.ensure(
            Person,
            {"ward": ward, "full_name": normalize(spec.person.full_name)},
            organization=units[spec.person.unit],
            title=normalize(spec.person.title),
        )
    field = loader.ensure(Field, {"name": spec.field})
    registration = loader.ensure(
        Registration,
        {
            "ward": ward,
            "year": spec.year,
            "registered_by_unit": unit,
            "title": normalize(spec.title),
        },
        kind=spec.kind,
        organization=unit,
        person=person,
        field=field,
        content=normalize(spec.content),
        solutions=normalize(spec.solutions),
        schedule=normalize(spec.schedule),
        expected_results=normalize(spec.expected_results),
        plan=plan,
        replicates=replicates,
        status=spec.status,
        review_note=normalize(spec.review_note),
        submitted_at=spec.submitted,
        reviewed_at=spec.reviewed,
        reviewed_by=reviewer,
        created_by=owner_actor,
    )

    def event(action, from_status, to_status, when, actor, note=""):
        loader.ensure(
            RegistrationEvent,
            {"registration": registration, "action": action},
            from_status=from_status,
            to_status=to_status,
            note=normalize(note),
            actor=actor,
            at=when,
        )

    event("created", "", S.DRAFT, spec.created, owner_actor, "" if manager else TYPED_IN_NOTE)
    if spec.submitted:
        event("submitted", S.DRAFT, S.SUBMITTED, spec.submitted, owner_actor)
    if spec.reviewed:
        if spec.status == S.RETURNED:
            event("returned", S.SUBMITTED, S.RETURNED, spec.reviewed, reviewer, spec.review_note)
        else:
            event("approved", S.SUBMITTED, S.APPROVED, spec.reviewed, reviewer)
    if spec.update:
        percent, results, reported_at = spec.update
        quarter = 4 if spec.year == 2020 else 1
        loader.ensure(
            RegistrationUpdate,
            {"registration": registration, "year": spec.year, "quarter": quarter},
            results=normalize(results),
            percent=percent,
            reported_by=manager,
            reported_at=reported_at,
        )
    for level, title, symbol, decided_on, issuer_key in spec.recognitions:
        loader.ensure(
            Recognition,
            {"registration": registration, "level": level, "title": title},
            decision_symbol=symbol,
            decided_on=decided_on,
            issuer=units[issuer_key],
            recorded_by=logins["ngoc"],
        )
        event(
            "recognized",
            S.APPROVED,
            S.RECOGNIZED,
            at(decided_on.year, decided_on.month, decided_on.day, 16, 0),
            logins["ngoc"],
            title,
        )
    return registration


def _grant_ward_admins(loader: DemoLoader) -> None:
    """The ward admin group may keep registrations, their updates and recognitions in the
    admin and read the fields (only superusers change the field list)."""
    group, created = Group.objects.get_or_create(name=WARD_ADMIN_GROUP)
    if created:
        loader.created["Group"] += 1
    codenames = [
        f"{action}_{model}"
        for model in ("registration", "registrationupdate", "recognition")
        for action in ("view", "add", "change")
    ]
    codenames += ["view_field", "view_registrationevent", "view_registrationrevision"]
    wanted = Permission.objects.filter(
        content_type__app_label="models_registry", codename__in=codenames
    )
    missing = set(wanted) - set(group.permissions.all())
    if missing:
        group.permissions.add(*missing)
        loader.changed["Group"] += 1
