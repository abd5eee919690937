"""Demo plans of Phường Phúc Đồng, quarter I/2021, as in the seed article.

The district's Kế hoạch 18-KH/QU (30/12/2020) and the ward's 28-KH/ĐU implementing it, the
tasks 28-KH/ĐU assigns to the ward's bodies, and the units' reports for quarter I/2021.
Chi bộ Khu dân cư số 2, số 5 and Hội Người cao tuổi have not reported yet, so the quarter's
matrix shows who is missing. Runs after ``wardwork.demo`` (the ward, its bodies and the
logins exist) and, like it, writes nothing on a second run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, Permission

from plans.models import Plan, ProgressReport, Task, TaskStatus
from wardwork.demo import RESIDENTIAL_CELLS, WARD_ADMIN_GROUP, DemoLoader
from wardwork.models import Organization, User, Ward
from wardwork.quarters import Quarter
from wardwork.roles import UNIT_MANAGER_ROLES
from wardwork.text import normalize

S = TaskStatus
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR, QUARTER = 2021, 1
THEME = "Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng"

# Units that have not reported on anything for quarter I/2021.
SILENT_UNITS = {"CB2", "CB5", "NCT"}

# Short keys of the ward's bodies (names as in wardwork.demo).
UNIT_NAMES = {
    "ĐU": "Đảng ủy phường Phúc Đồng",
    "KDV": "Khối Dân vận Đảng ủy phường Phúc Đồng",
    "UBND": "Ủy ban nhân dân phường Phúc Đồng",
    "MTTQ": "Ủy ban Mặt trận Tổ quốc Việt Nam phường Phúc Đồng",
    "PN": "Hội Liên hiệp Phụ nữ phường Phúc Đồng",
    "ĐTN": "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường Phúc Đồng",
    "CCB": "Hội Cựu chiến binh phường Phúc Đồng",
    "NCT": "Hội Người cao tuổi phường Phúc Đồng",
    "MN": "Chi bộ Trường Mầm non Phúc Đồng",
    "TH": "Chi bộ Trường Tiểu học Phúc Đồng",
    "THCS": "Chi bộ Trường THCS Phúc Đồng",
    "CQ": "Chi bộ Cơ quan Đảng – Đoàn thể",
    "QS": "Chi bộ Quân sự",
    "CA": "Chi bộ Công an",
    **{f"CB{n}": f"Chi bộ Khu dân cư số {n}" for n, _groups, _name in RESIDENTIAL_CELLS},
}
RESIDENTIAL = [f"CB{n}" for n, _groups, _name in RESIDENTIAL_CELLS]
SCHOOLS = ["MN", "TH", "THCS"]
ALL_CELLS = [*RESIDENTIAL, *SCHOOLS, "CQ", "QS", "CA"]
GROUPS = {f"CB{n}": groups for n, groups, _name in RESIDENTIAL_CELLS}
# Party members per residential cell (for the narratives).
MEMBERS = {"CB1": 42, "CB3": 37, "CB4": 29, "CB6": 33, "CB7": 45, "CB8": 26, "CB9": 38}


def _groups_text(key: str) -> str:
    """ "Tổ dân phố số 1, số 2" for a residential cell."""
    numbers = GROUPS.get(key, [])
    return "Tổ dân phố " + ", ".join(f"số {n}" for n in numbers) if numbers else ""


# (status, percent, narrative) per unit key
Report = tuple[str, int, str]


@dataclass(frozen=True)
class TaskSpec:
    ordinal: int
    title: str
    lead: str
    supporting: tuple[str, ...]
    description: str = ""
    due_date: dt.date | None = None
    due_quarter: Quarter | None = None
    reports: dict[str, Report] = field(default_factory=dict)


def _cells(keys, make) -> dict[str, Report]:
    return {key: make(key) for key in keys}


def _deploy_cell(key: str) -> Report:
    if key in GROUPS:
        return (
            S.DONE,
            100,
            f"Chi bộ quán triệt chủ đề năm và Kế hoạch 28-KH/ĐU tại buổi sinh hoạt thường kỳ "
            f"tháng 02/2021 tới {MEMBERS.get(key, 30)} đảng viên; phổ biến tới các hộ gia đình "
            f"{_groups_text(key)} qua hội nghị nhân dân và loa truyền thanh tổ dân phố.",
        )
    if key in SCHOOLS:
        return (
            S.DONE,
            100,
            "Chi bộ quán triệt chủ đề năm tới đảng viên; nhà trường phổ biến tới cán bộ, giáo "
            "viên, nhân viên tại buổi họp hội đồng sư phạm tháng 02/2021 và tới cha mẹ học sinh "
            "qua các buổi họp lớp.",
        )
    return (
        S.DONE,
        100,
        "Chi bộ quán triệt chủ đề năm và Kế hoạch 28-KH/ĐU tại buổi sinh hoạt thường kỳ tháng "
        "02/2021; 100% đảng viên dự, đăng ký nội dung thực hiện gắn với nhiệm vụ chuyên môn.",
    )


CELL_MODELS = {
    "CB1": "Khu dân cư số 1 sạch – đẹp – an toàn",
    "CB3": "Vận động nhân dân bàn giao mặt bằng đúng tiến độ",
    "CB4": "Tuyến phố văn minh, không lấn chiếm vỉa hè",
    "CB6": "Tổ dân phố số 9 không sử dụng bếp than tổ ong",
    "CB7": "Nói không với rác thải nhựa tại khu dân cư",
    "CB8": "Tổ hòa giải ở cơ sở hoạt động hiệu quả",
    "CB9": "Giảm chăn nuôi gia súc, gia cầm trong khu dân cư",
}


def _register_cell(key: str) -> Report:
    return (
        S.DONE,
        100,
        f"Chi bộ đã chỉ đạo {_groups_text(key)} đăng ký mô hình “{CELL_MODELS[key]}”; phiếu "
        "đăng ký có nội dung, giải pháp, tiến độ cụ thể, đã gửi Ủy ban MTTQ phường tổng hợp "
        "ngày 10/3/2021.",
    )


def _thinking_cell(key: str) -> Report:
    return (
        S.IN_PROGRESS,
        25,
        f"Chi bộ giao đảng viên phụ trách hộ nắm tình hình tại {_groups_text(key)}; nhân dân "
        "đồng tình với chủ trương của Đảng, chính sách pháp luật của Nhà nước; một số hộ "
        "kiến nghị về tiến độ chi trả bồi thường và việc sửa chữa rãnh thoát nước, đã tổng hợp "
        "báo cáo Khối Dân vận.",
    )


TASKS: list[TaskSpec] = [
    TaskSpec(
        ordinal=1,
        title="Quán triệt, triển khai chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng "
        "mặt bằng” và Kế hoạch số 18-KH/QU đến các chi bộ, MTTQ và các đoàn thể",
        description="Tổ chức hội nghị triển khai tới các đồng chí trong Khối Dân vận phường, "
        "lãnh đạo UBND, trưởng các đoàn thể chính trị – xã hội, bí thư chi bộ, tổ trưởng tổ dân "
        "vận các tổ dân phố; các chi bộ triển khai tới đảng viên và nhân dân.",
        lead="ĐU",
        supporting=("KDV", *ALL_CELLS),
        due_date=dt.date(2021, 2, 28),
        reports={
            "ĐU": (
                S.DONE,
                100,
                "Ban hành Kế hoạch số 28-KH/ĐU ngày 15/01/2021; ngày 22/01/2021 tổ chức hội nghị "
                "triển khai chủ đề năm tới các đồng chí trong Khối Dân vận, lãnh đạo UBND, trưởng "
                "các đoàn thể, bí thư 15 chi bộ và tổ trưởng tổ dân vận 14 tổ dân phố (62 đại "
                "biểu dự).",
            ),
            "KDV": (
                S.DONE,
                100,
                "Phân công thành viên Khối Dân vận dự sinh hoạt tại các chi bộ để hướng dẫn việc "
                "quán triệt chủ đề năm; đến 28/02/2021 có 13/15 chi bộ đã triển khai.",
            ),
            **_cells(ALL_CELLS, _deploy_cell),
        },
    ),
    TaskSpec(
        ordinal=2,
        title="Hướng dẫn các tập thể, cá nhân đăng ký mô hình thi đua “Dân vận khéo” năm 2021",
        description="Mỗi chi bộ khu dân cư, đoàn thể đăng ký ít nhất 01 mô hình tập thể; khuyến "
        "khích cá nhân đăng ký. Ủy ban MTTQ phường tổng hợp, gửi Khối Dân vận trước 15/3/2021.",
        lead="MTTQ",
        supporting=("PN", "ĐTN", "CCB", "NCT", *RESIDENTIAL),
        due_quarter=Quarter(2021, 1),
        reports={
            "MTTQ": (
                S.DONE,
                100,
                "Ban hành hướng dẫn đăng ký ngày 20/01/2021; tổng hợp kết quả: 18 tập thể, 03 cá "
                "nhân đăng ký mô hình thi đua “Dân vận khéo” năm 2021; đã gửi danh sách về Khối "
                "Dân vận Đảng ủy ngày 12/3/2021.",
            ),
            "PN": (
                S.DONE,
                100,
                "Hội đăng ký mô hình “Phụ nữ Phúc Đồng nói không với túi ni lông” và 01 cá nhân "
                "đăng ký mô hình “Vận động hội viên tiết kiệm tham gia quỹ hỗ trợ phụ nữ nghèo”.",
            ),
            "ĐTN": (
                S.DONE,
                100,
                "Đoàn phường đăng ký mô hình “Thanh niên tình nguyện giữ gìn đường phố xanh – "
                "sạch – đẹp”, giao 14 chi đoàn tổ dân phố thực hiện.",
            ),
            "CCB": (
                S.DONE,
                100,
                "Hội đăng ký mô hình “Cựu chiến binh gương mẫu vận động gia đình, người thân bàn "
                "giao mặt bằng”; 01 hội viên đăng ký mô hình cá nhân.",
            ),
            **_cells([k for k in RESIDENTIAL if k in CELL_MODELS], _register_cell),
        },
    ),
    TaskSpec(
        ordinal=3,
        title="Tuyên truyền, vận động các hộ dân chấp hành chủ trương thu hồi đất, bồi thường, "
        "hỗ trợ, giải phóng mặt bằng các dự án trên địa bàn phường",
        description="Thông tin đầy đủ hồ sơ, văn bản về bồi thường GPMB cho Khối Dân vận; đối "
        "thoại với các hộ chưa đồng thuận; công khai phương án bồi thường tại tổ dân phố.",
        lead="UBND",
        supporting=("MTTQ", "KDV", "CB1", "CB3", "CB5"),
        due_quarter=Quarter(2021, 2),
        reports={
            "UBND": (
                S.IN_PROGRESS,
                75,
                "Tổ chức 04 buổi đối thoại với các hộ có đất bị thu hồi; 27/35 hộ đã nhận tiền "
                "bồi thường và bàn giao mặt bằng; 08 hộ chưa đồng thuận về đơn giá, đang phối "
                "hợp Khối Dân vận tiếp tục vận động.",
            ),
            "MTTQ": (
                S.IN_PROGRESS,
                60,
                "Cử cán bộ tham gia giám sát kiểm đếm, áp giá bồi thường; phối hợp tổ dân phố "
                "vận động 05 hộ, trong đó 03 hộ đã ký biên bản bàn giao.",
            ),
            "KDV": (
                S.IN_PROGRESS,
                60,
                "Phân công thành viên Khối Dân vận phụ trách từng hộ chưa bàn giao mặt bằng; nắm "
                "tâm tư, kiến nghị của các hộ và báo cáo Thường trực Đảng ủy hằng tuần.",
            ),
            "CB1": (
                S.IN_PROGRESS,
                70,
                "Chi bộ phân công 06 đảng viên gặp gỡ, vận động 03 hộ thuộc Tổ dân phố số 2; "
                "02 hộ đã bàn giao mặt bằng, 01 hộ đang chờ giải quyết kiến nghị về tái định cư.",
            ),
            "CB3": (
                S.IN_PROGRESS,
                50,
                "Chi bộ họp chuyên đề về công tác GPMB; đảng viên là người có uy tín trong dòng họ "
                "đã vận động 02/04 hộ Tổ dân phố số 5 đồng thuận phương án bồi thường.",
            ),
        },
    ),
    TaskSpec(
        ordinal=4,
        title="Vận động nhân dân tham gia chỉnh trang đô thị, giữ gìn trật tự lòng đường, vỉa hè, "
        "xây dựng tuyến phố văn minh",
        lead="UBND",
        supporting=("ĐTN", "CB1", "CB4", "CB7"),
        due_quarter=Quarter(2021, 4),
        reports={
            "UBND": (
                S.IN_PROGRESS,
                30,
                "Ra quân lập lại trật tự lòng đường, vỉa hè 06 đợt; nhắc nhở 48 trường hợp, lập "
                "biên bản 07 trường hợp lấn chiếm; lắp đặt 120 m hàng rào hoa tại tuyến đường Phúc "
                "Đồng.",
            ),
            "ĐTN": (
                S.IN_PROGRESS,
                40,
                "Tổ chức 03 buổi ra quân “Ngày thứ Bảy tình nguyện”, bóc xóa 350 quảng cáo rao vặt "
                "sai quy định, trồng 200 cây hoa tại các tuyến ngõ.",
            ),
            "CB1": (
                S.IN_PROGRESS,
                35,
                "Vận động 15 hộ kinh doanh tại Tổ dân phố số 1 cam kết không lấn chiếm vỉa hè; "
                "nhân dân đóng góp sơn sửa tường rào tuyến ngõ chính.",
            ),
            "CB4": (
                S.IN_PROGRESS,
                30,
                "Tổ dân phố số 6 đăng ký xây dựng tuyến phố văn minh; 100% hộ ký cam kết giữ gìn "
                "trật tự vỉa hè, 02 hộ tự nguyện tháo dỡ mái che lấn chiếm.",
            ),
            "CB7": (
                S.IN_PROGRESS,
                20,
                "Đảng viên gương mẫu chỉnh trang mặt tiền nhà ở; vận động nhân dân Tổ dân phố số "
                "10, số 11 trồng cây xanh trước cửa nhà.",
            ),
        },
    ),
    TaskSpec(
        ordinal=5,
        title="Vận động nhân dân tham gia bảo đảm an ninh trật tự, phòng chống tội phạm và tệ "
        "nạn xã hội tại khu dân cư",
        lead="CA",
        supporting=("CCB", "QS", "CB1", "CB6", "CB8"),
        due_quarter=Quarter(2021, 4),
        reports={
            "CA": (
                S.IN_PROGRESS,
                30,
                "Duy trì 14 tổ an ninh tự quản; tổ chức 02 hội nghị tuyên truyền pháp luật; tình "
                "hình an ninh trật tự dịp Tết Tân Sửu ổn định, không xảy ra trọng án.",
            ),
            "CCB": (
                S.IN_PROGRESS,
                30,
                "Hội viên cựu chiến binh tham gia tuần tra cùng tổ an ninh tự quản 24 buổi trong "
                "dịp Tết; hòa giải thành 02 vụ mâu thuẫn trong khu dân cư.",
            ),
            "QS": (
                S.IN_PROGRESS,
                25,
                "Phối hợp Công an phường bảo vệ an toàn các điểm giải phóng mặt bằng và dịp "
                "bầu cử đại biểu Quốc hội, HĐND các cấp.",
            ),
            "CB1": (
                S.IN_PROGRESS,
                30,
                "Chi bộ chỉ đạo Tổ dân phố số 1, số 2 duy trì mô hình “Camera an ninh khu dân cư”, "
                "lắp thêm 04 camera tại các ngõ.",
            ),
            "CB6": (
                S.IN_PROGRESS,
                25,
                "Tổ dân phố số 9 rà soát, nắm danh sách người tạm trú; phối hợp Công an phường "
                "giáo dục 01 thanh niên có biểu hiện vi phạm.",
            ),
            "CB8": (
                S.IN_PROGRESS,
                25,
                "Tổ hòa giải Tổ dân phố số 12 hòa giải thành 01 vụ tranh chấp lối đi; không có "
                "đơn thư vượt cấp.",
            ),
        },
    ),
    TaskSpec(
        ordinal=6,
        title="Vận động nhân dân giữ gìn vệ sinh môi trường, duy trì tổng vệ sinh khu dân cư "
        "sáng thứ Bảy hằng tuần",
        lead="MTTQ",
        supporting=("PN", "ĐTN", "NCT", "CB2", "CB7", "CB8"),
        due_quarter=Quarter(2021, 4),
        reports={
            "MTTQ": (
                S.IN_PROGRESS,
                30,
                "Phát động phong trào “Ngày Chủ nhật xanh”; 14/14 tổ dân phố duy trì tổng vệ sinh "
                "sáng thứ Bảy hằng tuần, thu gom 12 tấn rác tồn đọng.",
            ),
            "PN": (
                S.IN_PROGRESS,
                35,
                "Các chi hội phụ nữ nhận chăm sóc 09 tuyến ngõ “xanh – sạch – đẹp”; vận động hội "
                "viên phân loại rác tại nguồn.",
            ),
            "ĐTN": (
                S.IN_PROGRESS,
                30,
                "Đoàn viên thanh niên ra quân vớt bèo, thu gom rác ven mương Phúc Đồng 02 đợt.",
            ),
            "CB7": (
                S.IN_PROGRESS,
                30,
                "Chi bộ vận động nhân dân Tổ dân phố số 10, số 11 xóa 02 điểm đổ rác tự phát.",
            ),
            "CB8": (
                S.IN_PROGRESS,
                25,
                "Đảng viên tham gia tổng vệ sinh cùng nhân dân Tổ dân phố số 12 vào sáng thứ Bảy.",
            ),
        },
    ),
    TaskSpec(
        ordinal=7,
        title="Vận động các hộ giảm chăn nuôi gia súc, gia cầm trong khu dân cư",
        lead="UBND",
        supporting=("CCB", "CB5", "CB9"),
        due_date=dt.date(2021, 6, 30),
        reports={
            "UBND": (
                S.IN_PROGRESS,
                40,
                "Rà soát còn 23 hộ chăn nuôi trong khu dân cư; 09 hộ đã cam kết giảm đàn, 04 hộ "
                "đã chấm dứt chăn nuôi lợn.",
            ),
            "CCB": (
                S.IN_PROGRESS,
                40,
                "Hội viên cựu chiến binh gương mẫu giảm đàn; vận động 03 hộ hội viên chấm dứt "
                "chăn nuôi trong khu dân cư.",
            ),
            "CB9": (
                S.IN_PROGRESS,
                50,
                "Tổ dân phố số 13, số 14 vận động 06/11 hộ giảm đàn gia cầm; 02 hộ chuyển sang "
                "kinh doanh dịch vụ.",
            ),
        },
    ),
    TaskSpec(
        ordinal=8,
        title="Vận động nhân dân không sử dụng bếp than tổ ong, chuyển sang dùng nhiên liệu sạch",
        lead="MTTQ",
        supporting=("PN", "CB1", "CB2", "CB6"),
        due_date=dt.date(2021, 6, 30),
        reports={
            "MTTQ": (
                S.IN_PROGRESS,
                60,
                "Rà soát còn 31 hộ sử dụng bếp than tổ ong (chủ yếu hộ kinh doanh ăn uống); đã "
                "vận động 19 hộ chuyển sang bếp gas, bếp điện.",
            ),
            "PN": (
                S.IN_PROGRESS,
                60,
                "Hội vận động 12 hội viên kinh doanh ăn uống chuyển đổi bếp; phối hợp ngân hàng "
                "chính sách hỗ trợ vốn cho 02 hộ.",
            ),
            "CB1": (
                S.IN_PROGRESS,
                80,
                "Tổ dân phố số 1, số 2 còn 02 hộ sử dụng bếp than tổ ong, đã cam kết chuyển đổi "
                "trước 30/4/2021.",
            ),
            "CB6": (
                S.DONE,
                100,
                "Tổ dân phố số 9 không còn hộ sử dụng bếp than tổ ong; tổ dân phố duy trì kiểm tra "
                "hằng tháng.",
            ),
        },
    ),
    TaskSpec(
        ordinal=9,
        title="Vận động hội viên và nhân dân giảm rác thải nhựa, hạn chế sử dụng túi ni lông "
        "khó phân hủy",
        lead="PN",
        supporting=("ĐTN", "CB1", "MN"),
        due_quarter=Quarter(2021, 4),
        reports={
            "PN": (
                S.IN_PROGRESS,
                35,
                "Ra mắt mô hình “Phụ nữ Phúc Đồng nói không với túi ni lông”; tặng 500 làn nhựa "
                "tái sử dụng cho hội viên đi chợ; 14 chi hội ký cam kết.",
            ),
            "ĐTN": (
                S.IN_PROGRESS,
                30,
                "Tổ chức đổi rác thải nhựa lấy cây xanh tại nhà văn hóa phường, thu gom 320 kg "
                "chai nhựa.",
            ),
            "CB1": (
                S.IN_PROGRESS,
                30,
                "Chi bộ vận động các hộ kinh doanh Tổ dân phố số 1 dùng túi giấy, túi phân hủy "
                "sinh học; đảng viên gương mẫu thực hiện.",
            ),
            "MN": (
                S.IN_PROGRESS,
                40,
                "Nhà trường không sử dụng đồ nhựa dùng một lần trong bếp ăn; tuyên truyền tới "
                "cha mẹ trẻ qua các buổi họp phụ huynh.",
            ),
        },
    ),
    TaskSpec(
        ordinal=10,
        title="Nắm tình hình tư tưởng, tâm tư, nguyện vọng của nhân dân, nhất là tại các khu "
        "vực giải phóng mặt bằng; kịp thời báo cáo, tham mưu Đảng ủy",
        description="Khối Dân vận tổng hợp tình hình tư tưởng nhân dân hằng tháng từ MTTQ, các "
        "đoàn thể và các chi bộ khu dân cư.",
        lead="KDV",
        supporting=("MTTQ", "CCB", "NCT", *RESIDENTIAL),
        due_quarter=Quarter(2021, 4),
        reports={
            "KDV": (
                S.IN_PROGRESS,
                25,
                "Tổng hợp tình hình tư tưởng nhân dân tháng 1, 2, 3/2021: nhân dân phấn khởi, "
                "tin tưởng; quan tâm tiến độ GPMB, chi trả bồi thường và công tác bầu cử; đã báo "
                "cáo Thường trực Đảng ủy 03 kỳ.",
            ),
            "MTTQ": (
                S.IN_PROGRESS,
                25,
                "Tiếp nhận 06 ý kiến, kiến nghị của cử tri qua hội nghị nhân dân; đã chuyển UBND "
                "phường giải quyết 04 ý kiến.",
            ),
            "CCB": (
                S.IN_PROGRESS,
                25,
                "Nắm tình hình tư tưởng hội viên; hội viên đồng tình với chủ trương GPMB, không có "
                "hội viên tham gia khiếu kiện đông người.",
            ),
            **_cells([k for k in RESIDENTIAL if k not in SILENT_UNITS], _thinking_cell),
        },
    ),
    TaskSpec(
        ordinal=11,
        title="Tăng cường quản lý đất đai, trật tự xây dựng; kiểm tra, xử lý kịp thời các "
        "trường hợp vi phạm",
        lead="UBND",
        supporting=("CA", "CB3", "CB5"),
        due_quarter=Quarter(2021, 4),
        reports={
            "UBND": (
                S.IN_PROGRESS,
                25,
                "Kiểm tra 36 công trình xây dựng; phát hiện, đình chỉ 03 công trình vi phạm trật "
                "tự xây dựng; không để phát sinh lấn chiếm đất công.",
            ),
            "CA": (
                S.IN_PROGRESS,
                25,
                "Phối hợp đoàn kiểm tra liên ngành bảo vệ hiện trường các vụ vi phạm, bảo đảm an "
                "toàn khi cưỡng chế.",
            ),
            "CB3": (
                S.IN_PROGRESS,
                20,
                "Chi bộ giao tổ trưởng tổ dân phố báo cáo ngay các trường hợp xây dựng không "
                "phép tại Tổ dân phố số 4, số 5.",
            ),
        },
    ),
    TaskSpec(
        ordinal=12,
        title="Kiểm tra, giám sát việc thực hiện chủ đề năm; sơ kết theo quý, phát hiện, biểu "
        "dương, nhân rộng điển hình “Dân vận khéo”",
        lead="ĐU",
        supporting=("KDV", "MTTQ"),
        due_quarter=Quarter(2021, 4),
    ),
]


def _reported_at(index: int) -> dt.datetime:
    """A fixed moment in the last ten days of March 2021 (so a second run changes nothing)."""
    return dt.datetime(2021, 3, 22 + index % 9, 8 + index % 9, (index * 7) % 60, tzinfo=TZ)


def load(loader: DemoLoader) -> None:
    ward = Ward.objects.get(name="Phường Phúc Đồng")
    district = Organization.objects.get(ward=ward, name="Quận ủy Long Biên")
    units = {
        key: Organization.objects.get(ward=ward, name=name) for key, name in UNIT_NAMES.items()
    }
    committee = units["ĐU"]
    ngoc = User.objects.filter(username="ngoc").first()

    district_plan = loader.ensure(
        Plan,
        {"ward": ward, "issuer": district, "symbol": "18-KH/QU"},
        doc_type="KH",
        number=18,
        issued_on=dt.date(2020, 12, 30),
        year=2021,
        title=normalize(
            "Thực hiện chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng mặt bằng” trên "
            "địa bàn quận Long Biên năm 2021"
        ),
        theme=THEME,
        implements=None,
        is_active=True,
        created_by=ngoc,
    )
    ward_plan = loader.ensure(
        Plan,
        {"ward": ward, "issuer": committee, "symbol": "28-KH/ĐU"},
        doc_type="KH",
        number=28,
        issued_on=dt.date(2021, 1, 15),
        year=2021,
        title=normalize(
            "Triển khai thực hiện chủ đề “Năm Dân vận khéo, trọng tâm công tác giải phóng mặt "
            "bằng” năm 2021"
        ),
        theme=THEME,
        implements=district_plan,
        is_active=True,
        created_by=ngoc,
    )

    managers = _unit_managers(ward)
    report_index = 0
    for spec in TASKS:
        reports = {k: v for k, v in spec.reports.items() if k not in SILENT_UNITS}
        lead_report = reports.get(spec.lead)
        if lead_report and lead_report[0] == S.DONE:
            status = S.DONE
        elif reports:
            status = S.IN_PROGRESS
        else:
            status = S.OPEN
        task = loader.ensure(
            Task,
            {"plan": ward_plan, "ordinal": spec.ordinal},
            ward=ward,
            title=normalize(spec.title),
            description=normalize(spec.description),
            lead_organization=units[spec.lead],
            due_date=spec.due_date,
            due_quarter=spec.due_quarter,
            assigned_on=ward_plan.issued_on,
            status=status,
            created_by=ngoc,
        )
        wanted = [units[key] for key in spec.supporting if key != spec.lead]
        present = set(task.supporting_organizations.values_list("pk", flat=True))
        missing = [org for org in wanted if org.pk not in present]
        if missing:
            task.supporting_organizations.add(*missing)
            loader.changed["Task supporting units"] += 1
        assigned = {spec.lead, *spec.supporting}
        for key, (report_status, percent, narrative) in reports.items():
            if key not in assigned:
                raise ValueError(f"{key} reports on task {spec.ordinal} but is not assigned")
            organization = units[key]
            loader.ensure(
                ProgressReport,
                {"task": task, "organization": organization, "year": YEAR, "quarter": QUARTER},
                status=report_status,
                percent=100 if report_status == S.DONE else percent,
                narrative=normalize(narrative),
                reported_by=managers.get(organization.pk),
                reported_at=_reported_at(report_index),
            )
            report_index += 1

    _grant_ward_admins(loader)


def _unit_managers(ward: Ward) -> dict[int, User]:
    """organisation id -> the login of its cell secretary / head (the first by username)."""
    rows = (
        User.objects.filter(
            ward=ward,
            is_active=True,
            person__positions__role__in=UNIT_MANAGER_ROLES,
            person__positions__ended_on__isnull=True,
            person__positions__organization__ward=ward,
        )
        .values_list("person__positions__organization_id", "pk")
        .order_by("username")
    )
    users = {user.pk: user for user in User.objects.filter(ward=ward)}
    result: dict[int, User] = {}
    for organization_id, user_pk in rows:
        result.setdefault(organization_id, users[user_pk])
    return result


def _grant_ward_admins(loader: DemoLoader) -> None:
    """The ward admin group may also keep plans, tasks and progress reports in the admin."""
    group, created = Group.objects.get_or_create(name=WARD_ADMIN_GROUP)
    if created:
        loader.created["Group"] += 1
    wanted = Permission.objects.filter(
        content_type__app_label="plans",
        codename__in=[
            f"{action}_{model}"
            for model in ("plan", "task", "progressreport")
            for action in ("view", "add", "change")
        ],
    )
    missing = set(wanted) - set(group.permissions.all())
    if missing:
        group.permissions.add(*missing)
        loader.changed["Group"] += 1
