"""The quarterly report's narrative, pre-filled from the data: what the plans under review,
the quarter's figures and the review meeting say, in the words of a Party report. The ward
staff edit it on the quarter page; what they keep is printed instead (``review_texts``).

Also the facts every part of the report starts from: the committee, the review meeting and
the plans under review. Vietnamese document wording, from the data only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import translation

from meetings import document_context as dc
from meetings.models import Meeting, MeetingStatus
from meetings.review_models import QuarterlyReview
from plans.models import Plan
from plans.symbols import DOC_TYPES
from wardwork.models import Organization
from wardwork.text import two_digits

# --- what the report is about -------------------------------------------------------------------


def report_committee(review: QuarterlyReview) -> Organization | None:
    """The ward's Party committee, which issues the report (None when none is recorded:
    the text still reads, and numbering the report says what is missing)."""
    # Imported here: ``documents`` imports ``document_render``, which imports the report.
    from meetings.documents import ward_committee

    try:
        return ward_committee(review.ward)
    except ValidationError:
        return None


def committee_name(review: QuarterlyReview, committee: Organization | None) -> str:
    return committee.name if committee is not None else f"Đảng ủy {review.ward.name}"


def review_meeting(review: QuarterlyReview, figures: dict) -> Meeting | None:
    """The review meeting (chairs and plans prefetched): the review's own, else the one
    the figures were taken from."""
    meeting_id = review.meeting_id or (figures.get("meeting") or {}).get("id")
    if not meeting_id:
        return None
    # The report reads it twice (its texts, then its context) with the same figures: kept
    # on the review for those figures only (held, so that no other dict takes their id).
    kept = getattr(review, "_report_meeting", None)
    if kept is not None and kept[0] is figures and kept[1] == meeting_id:
        return kept[2]
    plans = Plan.objects.select_related("issuer").order_by("issued_on", "pk")
    meeting = (
        Meeting.objects.filter(pk=meeting_id)
        .select_related("presenter")
        .prefetch_related("chairs", Prefetch("reviewed_plans", queryset=plans))
        .first()
    )
    review._report_meeting = (figures, meeting_id, meeting)
    return meeting


def plans_under_review(figures: dict, meeting: Meeting | None) -> list[Plan]:
    """The meeting's plans under review, else the plans of the quarter's tasks."""
    if meeting is not None:
        plans = list(meeting.reviewed_plans.all())
        if plans:
            return plans
    ids = [row["id"] for row in figures["tasks"]["plans"] if row["id"]]
    if not ids:
        return []
    return list(Plan.objects.filter(pk__in=ids).select_related("issuer").order_by("issued_on"))


def plan_words(plan: Plan, *, date: bool = True, issuer: bool = True, about: bool = True) -> str:
    """ "Kế hoạch số 28-KH/ĐU ngày 15/01/2021 của … về …", each part on request."""
    with translation.override("vi"):
        name = str(DOC_TYPES.get(plan.doc_type, "")) or "Văn bản"
    text = f"{name} số {plan.symbol}"
    if date and plan.issued_on:
        text += f" ngày {dc.short_date(plan.issued_on)}"
    if issuer and plan.issuer_id:
        text += f" của {plan.issuer.name}"
    if about and plan.title:
        text += f" về {dc.lower_first(plan.title)}"
    return text


def _counted(rows: list[dict], key: str) -> str:
    """ "UB MTTQ (01), Chi bộ 2 (03)": the units with ``key`` above zero."""
    return ", ".join(f"{row['name']} ({two_digits(row[key])})" for row in rows if row[key])


# --- the narrative, pre-filled ------------------------------------------------------------------


def _leadership(review, figures, committee, meeting, plans) -> list[str]:
    period = review.period
    name = committee_name(review, committee)
    paragraphs = []
    actions = []
    for plan in plans:
        own = committee is not None and plan.issuer_id == committee.pk
        text = plan_words(plan, issuer=not own)
        if own and plan.issued_on and period.start <= plan.issued_on <= period.end:
            actions.append(f"ban hành {text}")
        elif own:
            actions.append(f"tiếp tục chỉ đạo thực hiện {text}")
        else:
            actions.append(f"triển khai thực hiện {text}")
    if actions:
        paragraphs.append(
            f"Trong {dc.quarter_words(period)}, {name} đã " + "; ".join(actions) + "."
        )
    tasks = figures["tasks"]
    if tasks["total"]:
        paragraphs.append(
            f"Phân công {two_digits(len(tasks['units']))} đơn vị chủ trì, phối hợp thực hiện "
            f"{two_digits(tasks['total'])} nhiệm vụ trong quý; các đơn vị báo cáo tiến độ "
            "thực hiện hằng quý về Văn phòng Đảng ủy."
        )
    facts = figures.get("meeting")
    if meeting is not None and facts:
        phrase = dc.meeting_phrase(meeting)
        if facts["status"] == MeetingStatus.PLANNED:
            paragraphs.append(f"{name} chuẩn bị tổ chức {phrase} vào ngày {facts['held_on']}.")
        else:
            text = f"Ngày {facts['held_on']}, {name} tổ chức {phrase}"
            if facts["contributions"]:
                text += f"; hội nghị đã có {facts['contributions_text']} lượt ý kiến đóng góp"
            if facts["conclusions"]:
                text += f", kết luận {facts['conclusions_text']} nhiệm vụ giao các đơn vị thực hiện"
            paragraphs.append(text + ".")
    return paragraphs


def _results(review, figures) -> list[str]:
    period = review.period
    tasks = figures["tasks"]
    paragraphs = []
    if tasks["total"]:
        total = two_digits(tasks["total"])
        paragraphs.append(
            f"Trong {dc.quarter_words(period)} có {total} nhiệm vụ được triển khai: đã hoàn "
            f"thành {two_digits(tasks['done'])}/{total} nhiệm vụ (đạt {tasks['percent_done']}%), "
            f"đang thực hiện {two_digits(tasks['in_progress'])}, chậm tiến độ "
            f"{two_digits(tasks['late'])}, chưa có báo cáo {two_digits(tasks['not_reported'])}."
        )
        if len(tasks["plans"]) > 1:
            for row in tasks["plans"]:
                name = f"Kế hoạch số {row['symbol']}" if row["symbol"] else "Kết luận hội nghị"
                paragraphs.append(
                    f"{name}: hoàn thành {two_digits(row['done'])}/"
                    f"{two_digits(row['total'])} nhiệm vụ."
                )
        text = (
            f"Các đơn vị đã gửi {two_digits(tasks['received'])}/"
            f"{two_digits(tasks['expected'])} báo cáo tiến độ."
        )
        missing = [u for u in tasks["units"] if u["missing"]]
        if missing:
            text += (
                f" Còn {two_digits(len(missing))} đơn vị chưa gửi đủ báo cáo: "
                f"{_counted(missing, 'missing')}."
            )
        else:
            text += " Tất cả các đơn vị đã báo cáo đầy đủ."
        paragraphs.append(text)
    else:
        paragraphs.append(f"Trong {dc.quarter_words(period)} không có nhiệm vụ được giao.")
    follow_up = figures["follow_up"]
    if follow_up:
        done = sum(1 for row in follow_up if row["task_status"] == "done")
        reported = sum(1 for row in follow_up if row["reported"] and row["task_status"] != "done")
        paragraphs.append(
            f"Thực hiện {two_digits(len(follow_up))} kết luận của hội nghị sơ kết "
            f"{dc.quarter_words(period.previous())}: {two_digits(done)} kết luận đã hoàn thành, "
            f"{two_digits(reported)} đang thực hiện, "
            f"{two_digits(len(follow_up) - done - reported)} chưa có báo cáo."
        )
    return paragraphs


def _assessment(figures) -> list[str]:
    tasks, registrations = figures["tasks"], figures["registrations"]
    strengths, limits = [], []
    if tasks["received"]:
        percent = round(100 * tasks["received"] / tasks["expected"])
        strengths.append(
            f"các đơn vị đã gửi {two_digits(tasks['received'])}/{two_digits(tasks['expected'])} "
            f"báo cáo tiến độ ({percent}%)"
        )
    if tasks["done"]:
        strengths.append(
            f"hoàn thành {two_digits(tasks['done'])}/{two_digits(tasks['total'])} nhiệm vụ"
        )
    complete = [u for u in tasks["units"] if u["assigned"] and u["done"] == u["assigned"]]
    if complete:
        strengths.append(
            f"{two_digits(len(complete))} đơn vị hoàn thành toàn bộ nhiệm vụ được giao "
            f"({', '.join(u['name'] for u in complete)})"
        )
    if registrations["total"]:
        text = (
            f"{registrations['collective_text']} tập thể, {registrations['individual_text']} "
            "cá nhân đăng ký mô hình thi đua “Dân vận khéo”"
        )
        if registrations["replications"]:
            text += f", trong đó {two_digits(registrations['replications'])} mô hình nhân rộng"
        strengths.append(text)
    if registrations["recognised"]:
        strengths.append(
            f"{two_digits(registrations['recognised'])} mô hình được công nhận trong quý"
        )
    if registrations["updates_received"]:
        strengths.append(
            f"{two_digits(registrations['updates_received'])}/"
            f"{two_digits(registrations['updates_expected'])} mô hình đã cập nhật kết quả "
            "thực hiện trong quý"
        )
    missing = [u for u in tasks["units"] if u["missing"]]
    if missing:
        limits.append(
            f"còn {two_digits(len(missing))} đơn vị chưa gửi đủ báo cáo tiến độ: "
            f"{_counted(missing, 'missing')}"
        )
    late_units = [u for u in tasks["units"] if u["late"]]
    if late_units:
        limits.append(
            f"{two_digits(sum(u['late'] for u in late_units))} lượt nhiệm vụ chậm tiến độ: "
            f"{_counted(late_units, 'late')}"
        )
    late_tasks = [row for row in tasks["rows"] if row["category"] == "late"]
    if late_tasks:
        limits.append(
            f"{two_digits(len(late_tasks))} nhiệm vụ quá thời hạn chưa hoàn thành: "
            + "; ".join(f"“{row['title']}” (chủ trì: {row['lead']})" for row in late_tasks)
        )
    not_updated = registrations["updates_expected"] - registrations["updates_received"]
    if not_updated > 0:
        limits.append(f"{two_digits(not_updated)} mô hình chưa cập nhật kết quả thực hiện")
    unreported = [row for row in figures["follow_up"] if not row["reported"]]
    if unreported:
        limits.append(
            f"{two_digits(len(unreported))} kết luận của quý trước chưa có báo cáo kết quả"
        )
    paragraphs = []
    if strengths:
        paragraphs.append("Ưu điểm: " + "; ".join(strengths) + ".")
    if limits:
        paragraphs.append("Hạn chế: " + "; ".join(limits) + ".")
    return paragraphs


def _direction(figures, meeting: Meeting | None) -> list[str]:
    direction = (figures.get("meeting") or {}).get("direction") or ""
    if direction.strip():
        return [line.strip() for line in direction.splitlines() if line.strip()]
    if meeting is None:
        return []
    paragraphs = []
    for conclusion in meeting.conclusions.order_by("ordinal"):
        first, *rest = [line.strip() for line in conclusion.text.splitlines() if line.strip()]
        paragraphs.append(f"{conclusion.ordinal}. {first}")
        paragraphs.extend(rest)
    return paragraphs


def default_texts(*, review: QuarterlyReview, figures: dict) -> dict[str, str]:
    """The four narrative sections, pre-filled from the figures and the meeting; each is
    plain text with one paragraph per line (as edited on the page)."""
    committee = report_committee(review)
    meeting = review_meeting(review, figures)
    plans = plans_under_review(figures, meeting)
    return {
        "leadership_text": "\n".join(_leadership(review, figures, committee, meeting, plans)),
        "results_text": "\n".join(_results(review, figures)),
        "assessment_text": "\n".join(_assessment(figures)),
        "direction_text": "\n".join(_direction(figures, meeting)),
    }
