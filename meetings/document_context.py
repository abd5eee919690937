"""What goes into a meeting's documents: the plain dicts handed to the Word templates.

Everything here is Vietnamese document wording (a Party document is written in Vietnamese
whatever the reader's interface language), built from the data and nothing else. The keys
are listed in ``meetings/documents.py``; ``NOTICE_KEYS`` and ``MINUTES_KEYS`` are checked
against what the builders produce by the tests, so that list stays true.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone, translation

from meetings.models import AttendanceStatus, Meeting
from plans.symbols import DOC_TYPES
from wardwork.models import Organization, OrganizationKind, Person, Position, PositionRole
from wardwork.quarters import Quarter
from wardwork.text import fold, two_digits

# A paragraph break inside a value: docxtpl turns "\a" into a new paragraph with the same
# formatting, so a multi-paragraph text placed alone in a template paragraph keeps its
# justification and indent on every paragraph (a line break would stretch justified lines).
PARAGRAPH_BREAK = "\a"

HEADER_KEYS = frozenset(
    {
        "parent_committee",
        "committee",
        "committee_name",
        "ward_name",
        "place",
        "date",
        "date_words",
        "place_date",
        "symbol",
        "number_line",
        "is_draft",
        "signer",
    }
)
MEETING_KEYS = frozenset(
    {"meeting", "document_name", "subject", "conclusions_intro", "conclusions", "closing"}
)
NOTICE_KEYS = HEADER_KEYS | MEETING_KEYS | {"opening", "recipients"}
MINUTES_KEYS = (
    HEADER_KEYS
    | MEETING_KEYS
    | {
        "time_line",
        "venue_line",
        "chairs_line",
        "attendance",
        "present",
        "report_intro",
        "report_summary",
        "contributions_intro",
        "contributions",
        "direction_heading",
        "direction",
        "clerk",
        "chair",
    }
)

_ROLE_RANK = {
    PositionRole.SECRETARY: 0,
    PositionRole.STANDING_DEPUTY_SECRETARY: 1,
    PositionRole.DEPUTY_SECRETARY: 2,
    PositionRole.COMMITTEE_MEMBER: 3,
}
_ROLE_WORDS = {
    PositionRole.SECRETARY: "Bí thư",
    PositionRole.STANDING_DEPUTY_SECRETARY: "Phó Bí thư Thường trực",
    PositionRole.DEPUTY_SECRETARY: "Phó Bí thư",
}
_MEETING_WORDS = ("hoi nghi", "toa dam", "giao ban", "buoi", "ky hop", "phien hop", "cuoc hop")


# --- small text helpers -------------------------------------------------------------------------


def paragraphs(text: str | None) -> str:
    """Text typed with new lines, as paragraphs for a template (empty lines dropped)."""
    lines = [line.strip() for line in (text or "").replace("\r", "\n").split("\n")]
    return PARAGRAPH_BREAK.join(line for line in lines if line)


def lower_first(text: str) -> str:
    """ "Phòng họp 2" -> "phòng họp 2" for running text; acronyms ("UBND ...") stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def short_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def quarter_words(quarter: Quarter | None) -> str:
    return f"quý {quarter.short_label}" if quarter else ""


_QUARTER_IN_TEXT = re.compile(r"\b([Qq]uý) (IV|I{1,3})/(\d{4})\b")


def unbroken_quarters(text: str) -> str:
    """ "quý I/2021" with a no-break space, so a title never ends a line on "quý"."""
    return _QUARTER_IN_TEXT.sub("\\1\u00a0\\2/\\3", text)


def meeting_phrase(meeting: Meeting) -> str:
    """The meeting as named after "tổ chức" / "tại": "hội nghị đánh giá …"."""
    title = lower_first(meeting.title)
    if fold(title).startswith(_MEETING_WORDS):
        return title
    return f"hội nghị {title}"


def person_words(person: Person, *, with_title: bool = True) -> str:
    text = f"đồng chí {person.full_name}"
    if with_title and person.title:
        text += f" - {person.title}"
    return text


# Bodies are written in this order (the Party committee first, residential groups last).
_KIND_ORDER = [
    OrganizationKind.WARD_COMMITTEE,
    OrganizationKind.STANDING_COMMITTEE,
    OrganizationKind.PEOPLE_COUNCIL,
    OrganizationKind.PEOPLE_COMMITTEE,
    OrganizationKind.FATHERLAND_FRONT,
    OrganizationKind.MASS_ORGANIZATION,
    OrganizationKind.MASS_MOBILIZATION_BLOC,
    OrganizationKind.PARTY_CELL,
    OrganizationKind.RESIDENTIAL_GROUP,
]


def body_order(organization: Organization) -> tuple[int, str]:
    kind = organization.kind
    return (_KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER), organization.name)


def every_cell(organizations, all_cells: set[int]) -> bool:
    """True when ``organizations`` hold every Party cell of the ward (more than three): the
    text then says "các chi bộ trực thuộc" instead of listing them."""
    named = {o.pk for o in organizations if o.kind == OrganizationKind.PARTY_CELL}
    return len(all_cells) > 3 and all_cells <= named


def names(organizations, all_cells: set[int] = frozenset()) -> str:
    """ "UBND phường, UB MTTQ, các chi bộ trực thuộc"."""
    words, cells_written = [], False
    collapse = every_cell(organizations, all_cells)
    for organization in organizations:
        if collapse and organization.kind == OrganizationKind.PARTY_CELL:
            if not cells_written:
                words.append("các chi bộ trực thuộc")
                cells_written = True
            continue
        words.append(organization.display_name)
    return ", ".join(words)


# --- shared by the two documents ----------------------------------------------------------------


def ranked_chairs(meeting: Meeting, committee: Organization | None, on: dt.date):
    """The chairs, the highest in the committee first (secretary, standing deputy, …)."""
    chairs = list(meeting.chairs.all())
    ranks: dict[int, tuple[int, str]] = {}
    if committee is not None and chairs:
        for position in Position.objects.current(on=on).filter(
            organization=committee, person__in=chairs
        ):
            rank = _ROLE_RANK.get(position.role, 8)
            if rank < ranks.get(position.person_id, (9, ""))[0]:
                ranks[position.person_id] = (rank, position.role)
    chairs.sort(key=lambda p: (ranks.get(p.pk, (9, ""))[0], p.sort_key))
    return chairs, {pk: role for pk, (_rank, role) in ranks.items()}


def ward_cells(meeting: Meeting) -> set[int]:
    return set(
        meeting.ward.organizations.filter(
            kind=OrganizationKind.PARTY_CELL, is_active=True
        ).values_list("pk", flat=True)
    )


def conclusion_rows(meeting: Meeting, all_cells: set[int]) -> tuple[list[dict], list[Organization]]:
    """Each conclusion for a template, and every body they name (in ``body_order``)."""
    rows, bodies, seen = [], [], set()
    conclusions = (
        meeting.conclusions.select_related("task")
        .prefetch_related("lead_organizations", "supporting_organizations")
        .order_by("ordinal")
    )
    for conclusion in conclusions:
        leads = sorted(conclusion.lead_organizations.all(), key=body_order)
        lead_ids = {o.pk for o in leads}
        supporting = sorted(
            (o for o in conclusion.supporting_organizations.all() if o.pk not in lead_ids),
            key=body_order,
        )
        # A conclusion given no deadline has the one its task got (the next quarter).
        source = conclusion
        if not (conclusion.due_date or conclusion.due_quarter) and conclusion.task_id:
            source = conclusion.task
        if source.due_date:
            due = f"trước ngày {short_date(source.due_date)}"
        else:
            due = quarter_words(source.due_quarter)
        parts = []
        if leads:
            parts.append(f"Chủ trì: {names(leads, all_cells)}")
        if supporting:
            parts.append(f"phối hợp: {names(supporting, all_cells)}")
        if due:
            parts.append(f"thời hạn: {due}")
        rows.append(
            {
                "number": conclusion.ordinal,
                "text": paragraphs(conclusion.text),
                "lead": names(leads, all_cells),
                "supporting": names(supporting, all_cells),
                "due": due,
                "assignment": ("; ".join(parts) + ".") if parts else "",
            }
        )
        for body in [*leads, *supporting]:
            if body.pk not in seen:
                seen.add(body.pk)
                bodies.append(body)
    return rows, sorted(bodies, key=body_order)


def reviewed_plans_words(meeting: Meeting) -> str:
    """ "Kế hoạch số 18-KH/QU ngày 30/12/2020 của Quận ủy Long Biên về …; …"."""
    texts = []
    with translation.override("vi"):
        for plan in meeting.reviewed_plans.select_related("issuer").order_by("issued_on", "pk"):
            name = str(DOC_TYPES.get(plan.doc_type, "")) or "Văn bản"
            text = f"{name} số {plan.symbol}"
            if plan.issued_on:
                text += f" ngày {short_date(plan.issued_on)}"
            if plan.issuer_id:
                text += f" của {plan.issuer.name}"
            if plan.title:
                text += f" về {lower_first(plan.title)}"
            texts.append(text)
    return "; ".join(texts)


def meeting_facts(meeting: Meeting, chairs: list[Person]) -> dict:
    held = timezone.localtime(meeting.held_at)
    period = meeting.period
    return {
        "title": meeting.title,
        "kind": meeting.get_kind_display(),
        "date": short_date(held.date()),
        "time": f"{held.hour} giờ {held.minute:02d}",
        "venue": meeting.venue,
        "quarter": quarter_words(period),
        "next_quarter": quarter_words(period.next()) if period else "",
        "chairs": [person_words(p) for p in chairs],
        "chairs_text": "; ".join(person_words(p) for p in chairs),
        "presenter": person_words(meeting.presenter) if meeting.presenter_id else "",
        "reviewed_plans": reviewed_plans_words(meeting),
        "contributions_count": two_digits(meeting.contributions.count()),
    }


def _opening_sentences(meeting: Meeting, header: dict, facts: dict) -> list[str]:
    where = f", tại {lower_first(facts['venue'])}" if facts["venue"] else ""
    sentences = [
        f"Ngày {facts['date']}{where}, {header['committee_name']} tổ chức "
        f"{meeting_phrase(meeting)}."
    ]
    if facts["chairs_text"]:
        sentences.append(f"Chủ trì hội nghị: {facts['chairs_text']}.")
    if facts["presenter"]:
        about = (
            f" đánh giá kết quả thực hiện {facts['reviewed_plans']}"
            if facts["reviewed_plans"]
            else ""
        )
        sentences.append(f"Hội nghị đã nghe {facts['presenter']} trình bày báo cáo{about}.")
    elif facts["reviewed_plans"]:
        sentences.append(f"Hội nghị đánh giá kết quả thực hiện {facts['reviewed_plans']}.")
    return sentences


# --- the conclusion notice ----------------------------------------------------------------------


def _concluder(chairs, roles, header) -> tuple[str, str]:
    """Who gave the conclusions, as named in the title and in the text."""
    if chairs and chairs[0].pk in roles and roles[chairs[0].pk] in _ROLE_WORDS:
        committee = header["committee_name"].removesuffix(" " + header["place"])
        role = f"{_ROLE_WORDS[roles[chairs[0].pk]]} {committee}"
        return f"đồng chí {role}", f"đồng chí {chairs[0].full_name} - {role}"
    if chairs:
        return "đồng chí chủ trì hội nghị", person_words(chairs[0])
    return "chủ trì hội nghị", "chủ trì hội nghị"


def recipients(
    parent: Organization | None, bodies: list[Organization], all_cells: set[int]
) -> list[str]:
    """Nơi nhận: the committee above (to report), the bodies named (to carry out; the
    committee itself as its members, every cell as one line), the archive."""
    lines = []
    if parent is not None:
        lines.append(f"- {parent.name} (để b/c),")
    collapse = every_cell(bodies, all_cells)
    for body in bodies:
        if body.kind == OrganizationKind.WARD_COMMITTEE:
            name = "Các đồng chí Đảng ủy viên"
        elif collapse and body.kind == OrganizationKind.PARTY_CELL:
            name = "Các chi bộ trực thuộc"
        else:
            name = body.display_name
        line = f"- {name} (để t/h),"
        if line not in lines:
            lines.append(line)
    lines.append("- Lưu VP.")
    return lines


def notice_context(
    meeting: Meeting, header: dict, *, committee: Organization, parent: Organization | None
) -> dict:
    on = timezone.localtime(meeting.held_at).date()
    chairs, roles = ranked_chairs(meeting, committee, on)
    facts = meeting_facts(meeting, chairs)
    all_cells = ward_cells(meeting)
    rows, bodies = conclusion_rows(meeting, all_cells)
    by_title, by_name = _concluder(chairs, roles, header)
    opening = _opening_sentences(meeting, header, facts)
    if facts["contributions_count"] != "00":
        opening.append(f"Hội nghị đã có {facts['contributions_count']} lượt ý kiến đóng góp.")
    return {
        **header,
        "meeting": facts,
        "document_name": "THÔNG BÁO",
        "subject": unbroken_quarters(f"Kết luận của {by_title} tại {meeting_phrase(meeting)}"),
        "opening": " ".join(opening),
        "conclusions_intro": (
            f"Sau khi nghe báo cáo và ý kiến thảo luận của các đại biểu, {by_name} kết luận, "
            "đề nghị các đơn vị tập trung thực hiện một số nhiệm vụ sau:"
        ),
        "conclusions": rows,
        "closing": (
            f"{header['committee_name']} thông báo để các chi bộ, các đơn vị và các đồng chí "
            "liên quan biết, thực hiện./."
        ),
        "recipients": recipients(parent, bodies, all_cells),
    }


# --- the minutes --------------------------------------------------------------------------------


def attendance_summary(meeting: Meeting, chairs: list[Person]) -> tuple[dict, list[str]]:
    """Counts by status, and who was present: the chairs first, then body by body (the
    Party committee, the councils, the Front, mass organisations, cells, groups)."""
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    present = []
    chair_order = {person.pk: index for index, person in enumerate(chairs)}

    def order(row):
        kind = row.organization.kind if row.organization_id else OrganizationKind.OTHER
        rank = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
        return (
            chair_order.get(row.person_id, len(chair_order)),
            rank,
            row.organization.name if row.organization_id else "",
            row.person_id is not None,  # the body itself before its people
            row.person.sort_key if row.person_id else "",
        )

    rows = sorted(meeting.attendances.select_related("person", "organization"), key=order)
    for row in rows:
        counts[row.status] += 1
        if row.status == AttendanceStatus.PRESENT:
            if row.person_id:
                unit = row.person.title or (
                    row.organization.display_name if row.organization else ""
                )
                present.append(
                    f"- Đồng chí {row.person.full_name}" + (f" - {unit}" if unit else "")
                )
            else:
                present.append(f"- Đại diện {row.organization.name}")
    total = sum(counts.values())
    summary = (
        f"Tổng số đại biểu được mời: {two_digits(total)}; "
        f"có mặt: {two_digits(counts[AttendanceStatus.PRESENT])}; "
        f"vắng có lý do: {two_digits(counts[AttendanceStatus.EXCUSED])}; "
        f"vắng không có lý do: {two_digits(counts[AttendanceStatus.ABSENT])}"
    )
    if counts[AttendanceStatus.INVITED]:
        summary += f"; chưa điểm danh: {two_digits(counts[AttendanceStatus.INVITED])}"
    attendance = {
        "invited": two_digits(total),
        "present": two_digits(counts[AttendanceStatus.PRESENT]),
        "excused": two_digits(counts[AttendanceStatus.EXCUSED]),
        "absent": two_digits(counts[AttendanceStatus.ABSENT]),
        "unmarked": two_digits(counts[AttendanceStatus.INVITED]),
        "summary": summary + ".",
    }
    return attendance, present


def contribution_rows(meeting: Meeting) -> list[dict]:
    rows = []
    for item in meeting.contributions.select_related("speaker", "organization").order_by("ordinal"):
        unit = item.organization.display_name if item.organization_id else ""
        if item.speaker_id:
            who = f"Đồng chí {item.speaker.full_name}" + (f" ({unit})" if unit else "")
        else:
            who = f"Đại diện {unit}" if unit else "Ý kiến"
        rows.append(
            {
                "number": item.ordinal,
                "who": who,
                "speaker": item.speaker.full_name if item.speaker_id else "",
                "unit": unit,
                "content": paragraphs(item.content),
            }
        )
    return rows


def minutes_context(meeting: Meeting, header: dict, *, committee: Organization) -> dict:
    held = timezone.localtime(meeting.held_at)
    chairs, _roles = ranked_chairs(meeting, committee, held.date())
    facts = meeting_facts(meeting, chairs)
    rows, _bodies = conclusion_rows(meeting, ward_cells(meeting))
    attendance, present = attendance_summary(meeting, chairs)
    contributions = contribution_rows(meeting)
    if facts["presenter"]:
        about = (
            f" đánh giá kết quả thực hiện {facts['reviewed_plans']}"
            if facts["reviewed_plans"]
            else ""
        )
        report_intro = (
            f"{facts['presenter'][0].upper()}{facts['presenter'][1:]} trình bày báo cáo{about}."
        )
    elif facts["reviewed_plans"]:
        report_intro = f"Hội nghị đánh giá kết quả thực hiện {facts['reviewed_plans']}."
    else:
        report_intro = ""
    chair_name = chairs[0].full_name if chairs else ""
    return {
        **header,
        "meeting": facts,
        "document_name": "BIÊN BẢN",
        "subject": unbroken_quarters(
            meeting_phrase(meeting)[:1].upper() + meeting_phrase(meeting)[1:]
        ),
        "time_line": f"Vào hồi {facts['time']}, {header['date_words']}.",
        "venue_line": f"{facts['venue']}." if facts["venue"] else "",
        "chairs_line": f"{facts['chairs_text']}." if chairs else "",
        "attendance": attendance,
        "present": present,
        "report_intro": report_intro,
        "report_summary": paragraphs(meeting.report_summary),
        "contributions_intro": (
            f"Hội nghị đã có {two_digits(len(contributions))} lượt ý kiến đóng góp:"
            if contributions
            else "Hội nghị không có ý kiến đóng góp."
        ),
        "contributions": contributions,
        "conclusions_intro": (
            f"Đồng chí {chair_name} kết luận hội nghị, đề nghị các đơn vị tập trung thực hiện "
            "một số nhiệm vụ sau:"
            if chair_name
            else "Hội nghị kết luận các nhiệm vụ sau:"
        ),
        "conclusions": rows,
        "direction_heading": (
            f"Phương hướng, nhiệm vụ {facts['next_quarter']}"
            if facts["next_quarter"]
            else "Phương hướng, nhiệm vụ thời gian tới"
        ),
        "direction": paragraphs(meeting.next_period_direction),
        "closing": (
            "Hội nghị kết thúc vào hồi ..... giờ ..... cùng ngày. Biên bản đã được đọc lại "
            "trước hội nghị và được các đại biểu nhất trí thông qua./."
        ),
        "clerk": {"title": "THƯ KÝ", "name": ""},
        "chair": {"title": "CHỦ TRÌ", "name": chair_name},
    }
