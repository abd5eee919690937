"""The quarterly report (Báo cáo kết quả thực hiện … quý I/2021 và phương hướng, nhiệm vụ
quý II/2021): its narrative pre-filled from the data, and the Word context. The Excel annex
is in ``review_annex``.

Everything here is Vietnamese document wording built from the quarter's figures (the dict of
``review_figures.quarter_figures``, frozen at finalisation) and from the records of the
review meeting; nothing is invented. The context keys are listed in ``meetings/documents.py``
and ``REPORT_KEYS`` is checked against what ``report_context`` returns by the tests.

Queries: a fixed number whatever the size of the ward (the committee, the meeting with its
chairs and plans, its contributions and conclusions with their bodies, the plans of the
quarter's tasks when the meeting names none, the bodies named in the recipients).
"""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.utils import timezone, translation

from meetings import document_context as dc
from meetings.models import Meeting, MeetingStatus
from meetings.review_annex import annex_xlsx
from meetings.review_models import REPORT_SECTIONS, QuarterlyReview
from plans.models import Plan
from plans.symbols import DOC_TYPES
from wardwork.models import Organization, OrganizationKind
from wardwork.quarters import Quarter
from wardwork.text import two_digits

__all__ = ["REPORT_KEYS", "annex_xlsx", "default_texts", "report_context"]

REPORT_KEYS = dc.HEADER_KEYS | {
    "document_name",
    "subject",
    "quarter",
    "plans",
    "leadership_text",
    "results_text",
    "assessment_text",
    "direction_text",
    "tasks",
    "units",
    "units_total",
    "registrations",
    "meeting",
    "meeting_opening",
    "contributions_intro",
    "contributions",
    "conclusions_intro",
    "conclusions",
    "closing",
    "recipients",
    "figures",
}

# The columns of the table of tasks by unit, in the order the report prints them.
UNIT_COLUMNS = ("assigned", "done", "in_progress", "late", "not_reported")


# --- what the report is about -------------------------------------------------------------------


def _committee(review: QuarterlyReview) -> Organization:
    # Imported here: ``documents`` imports ``document_render``, which imports this module.
    from meetings.documents import ward_committee

    return ward_committee(review.ward)


def review_meeting(review: QuarterlyReview, figures: dict) -> Meeting | None:
    """The review meeting (chairs and plans prefetched): the review's own, else the one
    the figures were taken from."""
    meeting_id = review.meeting_id or (figures.get("meeting") or {}).get("id")
    if not meeting_id:
        return None
    plans = Plan.objects.select_related("issuer").order_by("issued_on", "pk")
    return (
        Meeting.objects.filter(pk=meeting_id)
        .select_related("presenter")
        .prefetch_related("chairs", Prefetch("reviewed_plans", queryset=plans))
        .first()
    )


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


def _subject(period: Quarter, plans: list[Plan]) -> str:
    """ "Kết quả thực hiện Kế hoạch số 28-KH/ĐU về … quý I/2021 và phương hướng, nhiệm vụ
    quý II/2021". A plan carried out through another plan of the list (18-KH/QU through
    28-KH/ĐU) is named through it; the year a title ends with is left to the quarter."""
    implemented = {p.implements_id for p in plans}
    named = [p for p in plans if p.pk not in implemented] or plans
    if len(named) == 1:
        plan = named[0]
        about = re.sub(rf"\s+năm {period.year}$", "", plan.title.strip()) if plan.title else ""
        what = plan_words(plan, date=False, issuer=False, about=False)
        if about:
            what += f" về {dc.lower_first(about)}"
    elif named:
        words = [plan_words(p, date=False, issuer=False, about=False) for p in named]
        what = ", ".join(words[:-1]) + f" và {words[-1]}"
    else:
        what = "nhiệm vụ"
    return dc.unbroken_quarters(
        f"Kết quả thực hiện {what} {dc.quarter_words(period)} và phương hướng, nhiệm vụ "
        f"{dc.quarter_words(period.next())}"
    )


def _counted(rows: list[dict], key: str) -> str:
    """ "UB MTTQ (01), Chi bộ 2 (03)": the units with ``key`` above zero."""
    return ", ".join(f"{row['name']} ({two_digits(row[key])})" for row in rows if row[key])


# --- the narrative, pre-filled ------------------------------------------------------------------


def _leadership(review, figures, committee, meeting, plans) -> list[str]:
    period = review.period
    paragraphs = []
    actions = []
    for plan in plans:
        own = plan.issuer_id == committee.pk
        text = plan_words(plan, issuer=not own)
        if own and plan.issued_on and period.start <= plan.issued_on <= period.end:
            actions.append(f"ban hành {text}")
        elif own:
            actions.append(f"tiếp tục chỉ đạo thực hiện {text}")
        else:
            actions.append(f"triển khai thực hiện {text}")
    if actions:
        paragraphs.append(
            f"Trong {dc.quarter_words(period)}, {committee.name} đã " + "; ".join(actions) + "."
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
            paragraphs.append(
                f"{committee.name} chuẩn bị tổ chức {phrase} vào ngày {facts['held_on']}."
            )
        else:
            text = f"Ngày {facts['held_on']}, {committee.name} tổ chức {phrase}"
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
    committee = _committee(review)
    meeting = review_meeting(review, figures)
    plans = plans_under_review(figures, meeting)
    return {
        "leadership_text": "\n".join(_leadership(review, figures, committee, meeting, plans)),
        "results_text": "\n".join(_results(review, figures)),
        "assessment_text": "\n".join(_assessment(figures)),
        "direction_text": "\n".join(_direction(figures, meeting)),
    }


# --- the Word context ---------------------------------------------------------------------------


def _units_table(tasks: dict) -> tuple[list[dict], dict]:
    rows = [
        {"number": n, "name": unit["name"], **{key: unit[key] for key in UNIT_COLUMNS}}
        for n, unit in enumerate(tasks["units"], start=1)
    ]
    total = {key: sum(row[key] for row in rows) for key in UNIT_COLUMNS}
    return rows, total


def _registrations(figures: dict) -> dict:
    r = figures["registrations"]
    details = [
        f"- Đăng ký mới trong quý: {two_digits(r['new'])} mô hình "
        f"({two_digits(r['new_collective'])} tập thể, {two_digits(r['new_individual'])} cá nhân);",
        f"- Mô hình nhân rộng điển hình: {two_digits(r['replications'])};",
        f"- Mô hình được công nhận trong quý: {two_digits(r['recognised'])};",
        f"- Mô hình đã cập nhật kết quả thực hiện trong quý: "
        f"{two_digits(r['updates_received'])}/{two_digits(r['updates_expected'])}.",
    ]
    return {
        "year": r["year"],
        "collective": r["collective_text"],
        "individual": r["individual_text"],
        "total": two_digits(r["total"]),
        "sentence": (
            f"Đã có {r['collective_text']} tập thể, {r['individual_text']} cá nhân đăng ký mô "
            f"hình thi đua “Dân vận khéo” năm {r['year']}."
        ),
        "by_field": [
            {
                "name": row["name"],
                "count": two_digits(row["count"]),
                "line": f"- {row['name']}: {two_digits(row['count'])} mô hình"
                + ("." if n == len(r["by_field"]) else ";"),
            }
            for n, row in enumerate(r["by_field"], start=1)
        ],
        "by_field_intro": "Theo lĩnh vực:" if r["by_field"] else "",
        "details": details,
    }


def _meeting_part(meeting: Meeting | None, figures: dict, committee: Organization) -> dict:
    """Section II: the meeting's opening sentences, its contributions and conclusions."""
    facts = figures.get("meeting")
    committee_name = committee.name
    if meeting is None or not facts:
        return {
            "meeting": None,
            "meeting_opening": "Chưa tổ chức hội nghị sơ kết quý.",
            "contributions_intro": "",
            "contributions": [],
            "conclusions_intro": "",
            "conclusions": [],
        }
    day = timezone.localtime(meeting.held_at).date()
    chairs, _roles = dc.ranked_chairs(meeting, committee, day)
    where = f", tại {dc.lower_first(meeting.venue)}" if meeting.venue else ""
    phrase = dc.meeting_phrase(meeting)
    if facts["status"] == MeetingStatus.PLANNED:
        sentences = [
            f"{committee_name} dự kiến tổ chức {phrase} vào ngày {facts['held_on']}{where}."
        ]
    else:
        sentences = [f"Ngày {facts['held_on']}{where}, {committee_name} tổ chức {phrase}."]
        if chairs:
            sentences.append(
                "Chủ trì hội nghị: " + "; ".join(dc.person_words(p) for p in chairs) + "."
            )
        if facts["present"]:
            sentences.append(
                f"Dự hội nghị có {two_digits(facts['present'])}/{two_digits(facts['invited'])} "
                "đại biểu được mời."
            )
    contributions = dc.contribution_rows(meeting)
    conclusions, _bodies = dc.conclusion_rows(meeting, dc.ward_cells(meeting))
    if chairs:
        by = f"đồng chí {chairs[0].full_name}" + (
            f" - {chairs[0].title}" if chairs[0].title else ""
        )
    else:
        by = "chủ trì hội nghị"
    return {
        "meeting": {
            "title": meeting.title,
            "date": facts["held_on"],
            "venue": meeting.venue,
            "status": facts["status"],
            "contributions_count": facts["contributions_text"],
            "conclusions_count": facts["conclusions_text"],
            "present": two_digits(facts["present"]),
            "invited": two_digits(facts["invited"]),
        },
        "meeting_opening": " ".join(sentences),
        "contributions_intro": (
            f"Hội nghị đã có {facts['contributions_text']} lượt ý kiến đóng góp:"
            if contributions
            else ""
        ),
        "contributions": contributions,
        "conclusions_intro": (
            f"Kết luận hội nghị, {by} đề nghị các đơn vị tập trung thực hiện một số nhiệm vụ sau:"
            if conclusions
            else ""
        ),
        "conclusions": conclusions,
    }


def _recipients(review: QuarterlyReview, figures: dict, committee: Organization) -> list[str]:
    """The committee above (to report); the committee's members and the units that carry
    out the quarter's tasks (every cell as one line); the archive."""
    ids = {unit["id"] for unit in figures["tasks"]["units"]}
    bodies = sorted(
        Organization.objects.filter(pk__in=ids | {committee.pk}, ward=review.ward),
        key=dc.body_order,
    )
    all_cells = set(
        Organization.objects.filter(
            ward=review.ward, kind=OrganizationKind.PARTY_CELL, is_active=True
        ).values_list("pk", flat=True)
    )
    return dc.recipients(committee.parent, bodies, all_cells)


def report_context(*, review: QuarterlyReview, figures: dict, texts: dict, header: dict) -> dict:
    """The whole context of the quarterly report's template (see ``meetings/documents.py``)."""
    period = review.period
    committee = _committee(review)
    meeting = review_meeting(review, figures)
    plans = plans_under_review(figures, meeting)
    tasks = figures["tasks"]
    units, units_total = _units_table(tasks)
    quarter = dc.quarter_words(period)
    following = dc.quarter_words(period.next())
    return {
        **header,
        "document_name": "BÁO CÁO",
        "subject": _subject(period, plans),
        "quarter": {
            "label": quarter,
            "title": quarter.upper(),
            "next": following,
            "next_title": following.upper(),
            "year": period.year,
        },
        "plans": [
            {
                "symbol": p.symbol,
                "name": plan_words(p, date=False, issuer=False, about=False),
                "text": plan_words(p, issuer=p.issuer_id != committee.pk),
            }
            for p in plans
        ],
        **{name: dc.paragraphs(texts.get(name, "")) for name in REPORT_SECTIONS},
        "tasks": {
            **{key: two_digits(tasks[key]) for key in (*UNIT_COLUMNS[1:], "total")},
            **{key: two_digits(tasks[key]) for key in ("expected", "received", "missing")},
            "percent_done": tasks["percent_done"],
        },
        "units": units,
        "units_total": units_total,
        "registrations": _registrations(figures),
        **_meeting_part(meeting, figures, committee),
        "closing": (
            f"Trên đây là báo cáo kết quả thực hiện nhiệm vụ {quarter} và phương hướng, nhiệm "
            f"vụ {following} của {header['committee_name']}./."
        ),
        "recipients": _recipients(review, figures, committee),
        "figures": figures,
    }
