"""The quarterly report (Báo cáo kết quả thực hiện … quý I/2021 và phương hướng, nhiệm vụ
quý II/2021): the Word context. Its narrative, pre-filled from the data, is written in
``review_narrative`` and its Excel annex in ``review_annex``; the three functions the
services call are exported from here.

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

from django.utils import timezone

from meetings import document_context as dc
from meetings.models import Meeting, MeetingStatus
from meetings.review_annex import annex_xlsx
from meetings.review_models import REPORT_SECTIONS, QuarterlyReview
from meetings.review_narrative import (
    default_texts,
    plan_words,
    plans_under_review,
    report_committee,
    review_meeting,
)
from plans.models import Plan
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


# --- the Word context ---------------------------------------------------------------------------


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
        # The bodies above the ward (its copies of them) are reported to, not listed here.
        Organization.objects.filter(pk__in=ids | {committee.pk}, ward=review.ward).exclude(
            kind=OrganizationKind.HIGHER_COMMITTEE
        ),
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
    committee = report_committee(review)  # the document is numbered: it has one
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
