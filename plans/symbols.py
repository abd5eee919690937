"""Document symbols (số, ký hiệu văn bản): parse and format, best effort.

Party documents (Hướng dẫn 36-HD/VPTW) are written ``number-TYPE/ISSUER`` ("18-KH/QU",
"05-CTr/ĐU", "127-QĐ/TW"); state documents ``number/TYPE-ISSUER`` ("123/KH-UBND", also
"45/2021/QĐ-UBND"). Real data is inconsistent, so a symbol is stored as written: what can be
read is read, what is unusual gives a *warning*, and only what cannot be a symbol at all is
rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from wardwork.text import fold, normalize

DOC_TYPES: dict[str, str] = {
    "KH": _("Plan"),  # Kế hoạch
    "NQ": _("Resolution"),  # Nghị quyết
    "CT": _("Directive"),  # Chỉ thị
    "KL": _("Conclusion"),  # Kết luận
    "TB": _("Notice"),  # Thông báo
    "HD": _("Guidance"),  # Hướng dẫn
    "CTr": _("Programme"),  # Chương trình
    "QĐ": _("Decision"),  # Quyết định
    "QĐi": _("Regulation"),  # Quy định
    "QC": _("Rules"),  # Quy chế
    "BC": _("Report"),  # Báo cáo
    "CV": _("Official letter"),  # Công văn
    "ĐA": _("Scheme"),  # Đề án
    "TT": _("Circular"),  # Thông tư
    "TTr": _("Submission"),  # Tờ trình
    "BB": _("Minutes"),  # Biên bản
    "GM": _("Invitation"),  # Giấy mời
    "CĐ": _("Telegram"),  # Công điện
    "NĐ": _("Decree"),  # Nghị định
}
DOC_TYPE_CHOICES = [(code, f"{code} – {name}") for code, name in DOC_TYPES.items()]

_TYPE_BY_FOLDED = {}
for _code in DOC_TYPES:
    _TYPE_BY_FOLDED.setdefault(_code.upper(), _code)

_WORD = r"[A-Za-zĐđ][A-Za-zĐđ0-9]*"
PARTY = re.compile(
    rf"^(?P<number>\d{{1,5}})\s*-\s*(?P<type>{_WORD})\s*/\s*(?P<issuer>{_WORD}(?:-{_WORD})*)$"
)
STATE = re.compile(
    rf"^(?P<number>\d{{1,5}})(?:\s*/\s*(?P<year>\d{{4}}))?\s*/\s*(?P<type>{_WORD})"
    rf"\s*-\s*(?P<issuer>{_WORD}(?:-{_WORD})*)$"
)

MESSAGE_INVALID = _(
    'This cannot be a document symbol. Write it as on the document, e.g. "18-KH/QU" '
    '(Party) or "123/KH-UBND" (State).'
)


class SymbolError(ValueError):
    pass


@dataclass(frozen=True)
class Symbol:
    text: str  # as written (NFC, trimmed)
    number: int
    doc_type: str  # canonical code when known ("CTr"), else as written
    issuer_code: str
    form: str  # "party" | "state"
    year: int | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def doc_type_name(self) -> str:
        return str(DOC_TYPES.get(self.doc_type, ""))

    @property
    def key(self) -> str:
        """Comparison key: same symbol whatever the spacing, case or accents."""
        return symbol_key(self.text)


def symbol_key(text: str) -> str:
    return re.sub(r"\s+", "", fold(text))


def parse_symbol(text: str) -> Symbol:
    """Read a symbol; ``SymbolError`` when it cannot be one, warnings when it is unusual."""
    value = normalize(text)
    if not value or len(value) > 60:
        raise SymbolError(str(MESSAGE_INVALID))
    warnings: list[str] = []
    match, form = PARTY.match(value), "party"
    if match is None:
        match, form = STATE.match(value), "state"
    if match is None:
        raise SymbolError(str(MESSAGE_INVALID))
    raw_type = match.group("type")
    doc_type = raw_type
    if raw_type not in DOC_TYPES:
        canonical = _TYPE_BY_FOLDED.get(raw_type.upper())
        if canonical:
            doc_type = canonical
            warnings.append(
                str(_('The type is usually written "%(canonical)s", not "%(raw)s".'))
                % {"canonical": canonical, "raw": raw_type}
            )
        else:
            warnings.append(
                str(_('"%(type)s" is not a known document type; the symbol is kept as written.'))
                % {"type": raw_type}
            )
    if re.search(r"\s", value):
        warnings.append(str(_("A symbol is normally written without spaces.")))
    number = int(match.group("number"))
    if number == 0:
        raise SymbolError(str(MESSAGE_INVALID))
    year = match.groupdict().get("year")
    return Symbol(
        text=value,
        number=number,
        doc_type=doc_type,
        issuer_code=match.group("issuer"),
        form=form,
        year=int(year) if year else None,
        warnings=tuple(warnings),
    )


def format_party_symbol(number: int, doc_type: str, issuer_code: str) -> str:
    """ "18-KH/QU": numbers below 10 get a leading zero ("05-CTr/ĐU")."""
    return f"{number:02d}-{doc_type}/{issuer_code}"


def format_state_symbol(number: int, doc_type: str, issuer_code: str) -> str:
    return f"{number:02d}/{doc_type}-{issuer_code}"
