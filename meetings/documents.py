"""Party-format Word documents (Hướng dẫn 36-HD/VPTW): a meeting's minutes (biên bản) and
conclusion notice (thông báo kết luận), and the machinery the quarterly report reuses.

How a document is made
    1. Its number is reserved once, the first time it is generated, from
       ``plans.services.document_number_next`` and kept in an ``IssuedDocument``; every later
       generation reuses it, so "35-TB/ĐU" stays "35-TB/ĐU". A draft takes no number.
    2. A plain dict (the *context*, below) is built from the data.
    3. ``render_party_document(kind, context, ward)`` renders the ward's active
       ``DocumentTemplate``, else the active one for every ward, else the built-in layout
       ``meetings/document_templates/<kind>.docx`` (made by ``build_templates.py`` there),
       with docxtpl in a sandboxed Jinja environment (values are XML-escaped).
    All three run in one transaction: a template that fails to render takes no number.

Writing a template (an office replacing the layout or the wording)
    Any .docx with docxtpl placeholders: ``{{ place_date }}`` in text, ``{%p for c in
    conclusions %}`` … ``{%p endfor %}`` each alone in its own paragraph to repeat
    paragraphs, ``{%tr %}`` for table rows. Type each tag in one go (Word splits a tag it
    has corrected into pieces docxtpl cannot read). Multi-paragraph texts (marked ¶ below)
    become separate paragraphs with the formatting of the paragraph they are placed in.

Context of every document (the Party header and signature)
    parent_committee  "ĐẢNG BỘ QUẬN LONG BIÊN"    committee      "ĐẢNG ỦY PHƯỜNG PHÚC ĐỒNG"
    committee_name    "Đảng ủy phường Phúc Đồng"  ward_name      "Phường Phúc Đồng"
    symbol            "35-TB/ĐU" (draft: "    -TB/ĐU")  number_line "Số 35-TB/ĐU"
    place             "Phúc Đồng"                 date           "13/04/2021"
    date_words        "ngày 13 tháng 4 năm 2021"
    place_date        "Phúc Đồng, ngày 13 tháng 4 năm 2021"
    is_draft          True for an unnumbered draft
    signer            {authority "T/M ĐẢNG ỦY", deputy_line "" | "K/T BÍ THƯ",
                       title "BÍ THƯ" | "PHÓ BÍ THƯ", name "Nguyễn Thị Ngọc"}

Meeting documents add
    meeting           {title, kind, date, time "8 giờ 00", venue, quarter "quý I/2021",
                       next_quarter "quý II/2021", chairs [str], chairs_text, presenter,
                       reviewed_plans, contributions_count "05"}
    document_name     "THÔNG BÁO" / "BIÊN BẢN"     subject   the line under it (trích yếu)
    conclusions_intro the sentence before the conclusions
    conclusions       [{number 1, text ¶, lead, supporting, due "quý II/2021",
                        assignment "Chủ trì: …; phối hợp: …; thời hạn: …."}]
    closing           the last sentence, ending "./."
The conclusion notice adds
    opening           the paragraph on the meeting (date, venue, chairs, report, ý kiến)
    recipients        ["- Quận ủy Long Biên (để b/c),", "- … (để t/h),", "- Lưu VP."]
The minutes add
    time_line, venue_line, chairs_line, attendance {invited, present, excused, absent,
    unmarked, summary}, present [str], report_intro, report_summary ¶, contributions_intro,
    contributions [{number, who, speaker, unit, content ¶}], direction_heading,
    direction ¶, clerk {title "THƯ KÝ", name}, chair {title "CHỦ TRÌ", name}

The quarterly report (``meetings/review_report.py``, numbered "…-BC/ĐU") adds
    document_name     "BÁO CÁO"
    subject           "Kết quả thực hiện Kế hoạch số 28-KH/ĐU về … quý I/2021 và phương
                      hướng, nhiệm vụ quý II/2021"
    quarter           {label "quý I/2021", title "QUÝ I/2021", next "quý II/2021",
                       next_title "QUÝ II/2021", year 2021}
    plans             the plans under review [{symbol, name "Kế hoạch số 28-KH/ĐU",
                       text "Kế hoạch số 28-KH/ĐU ngày 15/01/2021 về …"}]
    leadership_text ¶, results_text ¶, assessment_text ¶, direction_text ¶
                      the narrative (as edited on the quarter page, else pre-filled)
    tasks             {total, done, in_progress, late, not_reported, expected, received,
                       missing: "12", "02", … (two digits), percent_done 17}
    units             [{number, name, assigned, done, in_progress, late, not_reported}]
                      (numbers; ``{%tr for u in units %}``)   units_total  the same sums
    registrations     {year, collective "18", individual "03", total "21",
                       sentence "Đã có 18 tập thể, 03 cá nhân đăng ký mô hình thi đua …",
                       by_field_intro, by_field [{name, count "04", line "- …: 04 mô hình;"}],
                       details ["- Đăng ký mới trong quý: …;", …]}
    meeting           None, or {title, date "13/04/2021", venue, status,
                       contributions_count "05", conclusions_count "06", present, invited}
    meeting_opening   the sentences on the review meeting (or that none was held)
    contributions_intro "Hội nghị đã có 05 lượt ý kiến đóng góp:"
    contributions     [{number, who, speaker, unit, content ¶}] as in the minutes
    conclusions_intro, conclusions   as in the conclusion notice
    closing           "Trên đây là báo cáo … ./."
    recipients        ["- Quận ủy Long Biên (để b/c),", "- Các đồng chí Đảng ủy viên (để t/h),",
                       …, "- Lưu VP."]
    figures           the quarter's figures as computed (``review_figures``), for templates
                      that want a number the built-in layout does not print

Adding a document kind: add its layout to ``build_templates.py`` and run it, list its keys
in ``CONTEXT_KEYS``, and call ``issue_party_document`` with a function that builds the
context from ``party_header``'s dict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings import document_context as dc
from meetings.document_render import (
    BUILT_IN_TEMPLATES,
    CONTEXT_KEYS,
    DOCX_MIME,
    DocumentError,
    DocumentTemplateError,
    render_party_document,
    template_check,
    template_for,
)
from meetings.models import (
    DOCUMENT_DOC_TYPES,
    DocumentKind,
    IssuedDocument,
    Meeting,
    MeetingStatus,
)
from meetings.services import can_manage_meetings
from plans.services import committee_term_start_year, document_number_next
from plans.symbols import format_party_symbol
from wardwork.models import Organization, OrganizationKind, Position, PositionRole, Ward
from wardwork.roles import is_in_ward, is_superuser
from wardwork.text import fold

__all__ = [
    "BUILT_IN_TEMPLATES",
    "CONTEXT_KEYS",
    "DOCX_MIME",
    "DocumentError",
    "DocumentTemplateError",
    "conclusion_notice_docx",
    "document_filename",
    "document_issued",
    "issue_party_document",
    "issued_document_reserve",
    "minutes_docx",
    "party_header",
    "render_party_document",
    "template_check",
    "template_for",
    "vietnamese_date",
    "vietnamese_date_line",
]

MESSAGE_NOT_HELD = _("Mark the meeting as held before issuing its minutes.")
MESSAGE_NOT_CONCLUDED = _("Conclude the meeting before issuing its conclusion notice.")
MESSAGE_NO_CONCLUSIONS = _("The meeting has no conclusions to announce.")
MESSAGE_NO_COMMITTEE = _(
    "The ward has no Party committee recorded: add it, with its symbol code (ĐU), first."
)

can_issue_documents = can_manage_meetings
can_read_documents = is_superuser | is_in_ward


# --- dates and the Party header -----------------------------------------------------------------


def vietnamese_date(day: dt.date) -> str:
    """ "ngày 05 tháng 02 năm 2021": a leading zero for days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vietnamese_date_line(place: str, day: dt.date) -> str:
    """ "Phúc Đồng, ngày 13 tháng 4 năm 2021", the line under "ĐẢNG CỘNG SẢN VIỆT NAM"."""
    return f"{place}, {vietnamese_date(day)}"


_PARTY_UNITS = {
    "quan uy": "QUẬN",
    "huyen uy": "HUYỆN",
    "thi uy": "THỊ XÃ",
    "thanh uy": "THÀNH PHỐ",
    "tinh uy": "TỈNH",
    "dang uy": "",
}


def parent_committee_line(committee: Organization | None, ward: Ward) -> str:
    """The Party organisation above the issuer, upper case: "Quận ủy Long Biên" ->
    "ĐẢNG BỘ QUẬN LONG BIÊN", "Thành ủy Hà Nội" -> "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI"; without a
    parent committee, from the ward's parent unit ("Quận Long Biên, Thành phố Hà Nội")."""
    parent = committee.parent if committee is not None else None
    if parent is not None:
        words = parent.name.split()
        unit = _PARTY_UNITS.get(fold(" ".join(words[:2])))
        if unit is not None:
            return " ".join(["ĐẢNG BỘ", unit, *words[2:]]).replace("  ", " ").upper()
        return parent.name.upper()
    place = (ward.parent_name or "").split(",")[0].strip()
    return f"ĐẢNG BỘ {place}".upper() if place else ""


def ward_committee(ward: Ward) -> Organization:
    committee = (
        Organization.objects.filter(ward=ward, kind=OrganizationKind.WARD_COMMITTEE)
        .select_related("parent")
        .order_by("-is_active", "pk")
        .first()
    )
    if committee is None:
        raise ValidationError(str(MESSAGE_NO_COMMITTEE))
    return committee


def committee_signer(committee: Organization, on: dt.date) -> dict:
    """The signature block: the secretary in office on ``on``; without one, a deputy
    signs "K/T BÍ THƯ / PHÓ BÍ THƯ"; the name is left blank when nobody is recorded."""
    roles = [
        PositionRole.SECRETARY,
        PositionRole.STANDING_DEPUTY_SECRETARY,
        PositionRole.DEPUTY_SECRETARY,
    ]
    positions = sorted(
        Position.objects.current(on=on)
        .filter(organization=committee, role__in=roles)
        .select_related("person"),
        key=lambda p: (roles.index(p.role), -(p.started_on or dt.date.min).toordinal()),
    )
    signer = {"authority": "T/M ĐẢNG ỦY", "deputy_line": "", "title": "BÍ THƯ", "name": ""}
    if positions and positions[0].role == PositionRole.SECRETARY:
        signer["name"] = positions[0].person.full_name
    elif positions:
        signer.update(
            deputy_line="K/T BÍ THƯ", title="PHÓ BÍ THƯ", name=positions[0].person.full_name
        )
    return signer


def party_header(
    *, ward: Ward, committee: Organization, doc_type: str, number: int | None, issued_on: dt.date
) -> dict:
    """The keys every Party document shares (see the module docstring)."""
    code = committee.symbol_code or "ĐU"
    symbol = (
        format_party_symbol(number, doc_type, code) if number else f"{' ' * 6}-{doc_type}/{code}"
    )
    place = ward.place_name or ward.name
    return {
        "parent_committee": parent_committee_line(committee, ward),
        "committee": committee.name.upper(),
        "committee_name": committee.name,
        "ward_name": ward.name,
        "place": place,
        "date": issued_on.strftime("%d/%m/%Y"),
        "date_words": vietnamese_date(issued_on),
        "place_date": vietnamese_date_line(place, issued_on),
        "symbol": symbol,
        "number_line": f"Số {symbol}",
        "is_draft": number is None,
        "signer": committee_signer(committee, issued_on),
    }


# --- numbering and the generic flow -------------------------------------------------------------


def issued_document_reserve(
    *,
    actor,
    kind: str,
    ward: Ward,
    committee: Organization,
    issued_on: dt.date,
    meeting: Meeting | None = None,
    year: int | None = None,
    quarter: int | None = None,
    title: str = "",
) -> IssuedDocument:
    """The document's ``IssuedDocument``: the existing one (its number is kept), or a new one
    with the next number of its type. Call inside a transaction; the meeting row (or the
    ward row) is locked so two first generations cannot take two numbers."""
    # NO KEY and this row only: rows that merely point at the meeting or the ward (a new
    # plan, task, reminder) are not held up while the document renders.
    if meeting is not None:
        Meeting.objects.select_for_update(of=("self",), no_key=True).filter(
            pk=meeting.pk
        ).order_by().first()
        existing = IssuedDocument.objects.filter(meeting=meeting, kind=kind).first()
    else:
        Ward.objects.select_for_update(of=("self",), no_key=True).filter(
            pk=ward.pk
        ).order_by().first()
        existing = IssuedDocument.objects.filter(
            ward=ward, kind=kind, meeting=None, year=year, quarter=quarter
        ).first()
    if existing is not None:
        return existing
    if not can_issue_documents(actor, ward):
        raise PermissionDenied
    doc_type = DOCUMENT_DOC_TYPES[kind]
    number = document_number_next(issuer=committee, doc_type=doc_type, on=issued_on)
    return IssuedDocument.objects.create(
        ward=ward,
        kind=kind,
        meeting=meeting,
        year=year,
        quarter=quarter,
        issuer=committee,
        doc_type=doc_type,
        number=number,
        term_start_year=committee_term_start_year(issued_on),
        symbol=format_party_symbol(number, doc_type, committee.symbol_code or "ĐU"),
        issued_on=issued_on,
        title=title[:500],
        created_by=actor,
    )


def issue_party_document(
    *,
    actor,
    kind: str,
    ward: Ward,
    issued_on: dt.date,
    build_context: Callable[[dict, Organization], dict],
    meeting: Meeting | None = None,
    year: int | None = None,
    quarter: int | None = None,
    draft: bool = False,
) -> tuple[bytes, IssuedDocument | None]:
    """Number (once), build the context, render; all or nothing. ``build_context(header,
    committee)`` receives ``party_header``'s dict and returns the whole context. A draft is
    rendered unnumbered ("Số      -TB/ĐU") unless the document already has its number."""
    if not can_read_documents(actor, ward):
        raise PermissionDenied
    committee = ward_committee(ward)
    with transaction.atomic():
        document = None
        if draft:
            lookup = (
                {"meeting": meeting}
                if meeting
                else {"meeting": None, "year": year, "quarter": quarter}
            )
            document = IssuedDocument.objects.filter(ward=ward, kind=kind, **lookup).first()
        else:
            document = issued_document_reserve(
                actor=actor,
                kind=kind,
                ward=ward,
                committee=committee,
                issued_on=issued_on,
                meeting=meeting,
                year=year,
                quarter=quarter,
            )
        header = party_header(
            ward=ward,
            committee=committee,
            doc_type=document.doc_type if document else DOCUMENT_DOC_TYPES[kind],
            number=document.number if document else None,
            issued_on=document.issued_on if document else issued_on,
        )
        context = build_context(header, committee)
        data = render_party_document(kind, context, ward)
        # Only an issuing generation is recorded; a reader's download of the numbered
        # document (draft=True) changes nothing, so it cannot stand in for a regeneration.
        if document is not None and not draft:
            document.title = f"{context.get('subject', '')}"[:500] or document.title
            document.generated_by = actor
            document.generated_at = timezone.now()
            document.content_sha256 = hashlib.sha256(data).hexdigest()
            document.content_size = len(data)
            document.save(
                update_fields=[
                    "title",
                    "generated_by",
                    "generated_at",
                    "content_sha256",
                    "content_size",
                ]
            )
    return data, document


# --- the meeting's documents --------------------------------------------------------------------


def document_issued(meeting: Meeting, kind: str) -> IssuedDocument | None:
    """The numbered document already issued for the meeting, if any (for the pages)."""
    return IssuedDocument.objects.filter(meeting=meeting, kind=kind).first()


def document_filename(document: IssuedDocument | None, kind: str, meeting: Meeting) -> str:
    """ "Thong-bao-ket-luan-35-TB-DU.docx": ASCII, safe in a Content-Disposition header."""
    stem = {"conclusion_notice": "Thong-bao-ket-luan", "minutes": "Bien-ban"}.get(kind, kind)
    tail = document.symbol if document else f"du-thao-{meeting.pk}"
    tail = re.sub(r"[^A-Za-z0-9]+", "-", fold(tail).upper()).strip("-")
    return f"{stem}-{tail}.docx"


def _meeting_day(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.held_at).date()


def conclusion_notice_docx(*, meeting: Meeting, actor, draft: bool = False):
    """The Thông báo kết luận of a concluded meeting: ``(docx bytes, IssuedDocument)``.
    The first generation takes the next TB number (ward staff only); later ones reuse it
    and anyone in the ward may download it. ``draft=True`` renders an unnumbered draft
    (``IssuedDocument`` None until it is issued) at any stage."""
    if not draft and not document_issued(meeting, DocumentKind.CONCLUSION_NOTICE):
        if meeting.status != MeetingStatus.CONCLUDED:
            raise ValidationError(str(MESSAGE_NOT_CONCLUDED))
        if not meeting.conclusions.exists():
            raise ValidationError(str(MESSAGE_NO_CONCLUSIONS))

    def build(header: dict, committee: Organization) -> dict:
        return dc.notice_context(meeting, header, committee=committee, parent=committee.parent)

    return issue_party_document(
        actor=actor,
        kind=DocumentKind.CONCLUSION_NOTICE,
        ward=meeting.ward,
        issued_on=_meeting_day(meeting),
        build_context=build,
        meeting=meeting,
        draft=draft,
    )


def minutes_docx(*, meeting: Meeting, actor, draft: bool = False):
    """The Biên bản hội nghị of a held (or concluded) meeting: ``(docx bytes,
    IssuedDocument)``, numbered "…-BB/ĐU" once, like the notice."""
    issued = draft or document_issued(meeting, DocumentKind.MINUTES)
    if not issued and meeting.status == MeetingStatus.PLANNED:
        raise ValidationError(str(MESSAGE_NOT_HELD))

    def build(header: dict, committee: Organization) -> dict:
        return dc.minutes_context(meeting, header, committee=committee)

    return issue_party_document(
        actor=actor,
        kind=DocumentKind.MINUTES,
        ward=meeting.ward,
        issued_on=_meeting_day(meeting),
        build_context=build,
        meeting=meeting,
        draft=draft,
    )
