"""Hypothesis strategies of hostile input for the form fuzz tests (tests/test_fuzz_forms.py).

Every strategy mixes a list of known nasty values (sampled first, so a small number of
examples still meets them) with generated ones: mixed-script and decomposed (NFD) Unicode,
control characters, markup and SQL payloads, empty and very long values, impossible dates,
out-of-range numbers, path-like symbols, forged choice ids.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from hypothesis import strategies as st

# Raw markup the pages must never echo unescaped (checked on every response).
XSS_MARKERS = ("<script>alert(", "<img src=x onerror=", "<svg onload=")

PAYLOADS = [
    '<script>alert("xss")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }} {% debug %}",
    "'; DROP TABLE plans_plan; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM wardwork_person WHERE ('1'='1",
    "%s %(x)s %d {0}",
    "Nguye\u0302\u0303n Thi\u0323 Ngo\u0323c",  # NFD Vietnamese
    "Phu\u0301c \u0110o\u0302\u0300ng",  # NFD with đ
    "Đảng ủy phường Phúc Đồng – Quý I/2021",
    "Kế hoạch 18-KH/QU 中文 العربية עברית 👩‍👩‍👧 🇻🇳",
    "\u202eevil\u202c RTL override",
    "line\u2028separator\u2029paragraph",
    "tab\there\r\nnew line\rreturn",
    "\x00",
    "NUL\x00inside",
    "ctrl\x01\x02\x1b[31m\x7f",
    "   ",
    "",
    "\ufeffBOM \u200bzero width\u200d",
    "a" * 301,
]

# Characters a hostile user could type or paste: every block that tends to break things.
_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "M", "N", "P", "S", "Z", "Cc", "Cf"),
)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def hostile_text(max_size: int = 300, *, huge: bool = True) -> st.SearchStrategy[str]:
    """Free text: known payloads, generated Unicode (some of it decomposed), payloads glued
    to generated text and, when ``huge``, values of up to 100,000 characters."""
    generated = st.text(_ALPHABET, max_size=max_size)
    options = [
        st.sampled_from(PAYLOADS),
        generated,
        generated.map(_nfd),
        st.tuples(st.sampled_from(PAYLOADS), generated).map(lambda pair: pair[0] + pair[1]),
    ]
    if huge:
        options.append(
            st.tuples(st.sampled_from(PAYLOADS[:12]), st.sampled_from([5_000, 100_000])).map(
                lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[: pair[1]]
            )
        )
    return st.one_of(*options)


IMPOSSIBLE_DATES = [
    "31/02/2021",
    "00/00/0000",
    "2021-13-01",
    "32/01/2021",
    "29/02/2021",
    "01/01/0000",
    "31/12/99999",
    "-1/-1/-1",
    "dd/mm/yyyy",
    "13/04/2021 25:61",
    "1e309",
    "",
]

VALID_DATES = ["13/04/2021", "29/02/2024", "01/01/2021", "30/06/2021"]


def hostile_date(*, with_time: bool = False) -> st.SearchStrategy[str]:
    """Impossible and malformed dates, a few valid ones, and random text."""
    valid = [f"{d} 08:00" for d in VALID_DATES] if with_time else VALID_DATES
    return st.one_of(
        st.sampled_from(IMPOSSIBLE_DATES + valid),
        st.text(_ALPHABET, max_size=30),
    )


HOSTILE_NUMBERS = [
    "-1",
    "101",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "1e3",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "0x10",
    "１２",  # full-width digits
    "٣",  # Arabic-Indic digit
    "12abc",
    "50.5",
    " 40 ",
    "",
    "\x00",
]


def hostile_number(*, valid: tuple[int, ...] = (0, 50, 100)) -> st.SearchStrategy[str]:
    """Numbers out of range, negative, NaN, overflow, other digit systems, junk."""
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS + [str(v) for v in valid]),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.text(_ALPHABET, max_size=20),
    )


HOSTILE_SYMBOLS = [
    "18-KH/QU/../x",
    "../../etc/passwd",
    "18-KH/QU",
    "28-KH/ĐU",
    "28-KH/\u0110U",
    "28-KH/Đ\u0055",
    "0-KH/ĐU",
    "-1-KH/ĐU",
    "99999999999999999999-KH/ĐU",
    "18-XX/QU",
    "18-KH/",
    "/",
    "18--KH//QU",
    "18-KH/QU\x00",
    "18-KH/QU<script>alert(1)</script>",
    "18-KH/QU' OR '1'='1",
    "ĐU",
    "",
]


def hostile_symbol() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_SYMBOLS), st.text(_ALPHABET, max_size=40))


FORGED_IDS = ["", "0", "-1", "999999999", "abc", "1 OR 1=1", "9" * 30, "1.5", "\x00", "[]"]


def hostile_choice(valid: list[str] | tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """A choice value: one of ``valid`` or a forged id / junk."""
    return st.one_of(st.sampled_from(list(valid) + FORGED_IDS), st.text(_ALPHABET, max_size=12))


# --- uploads ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip(["[Content_Types].xml", "word/document.xml"])
NOT_DOCX = _zip(["hello.txt"])
HTML = b"<!doctype html><html><script>alert(1)</script></html>"

# (name, content): uploads a file field must refuse at the field, and ones it must keep.
BAD_UPLOADS = [
    ("../../etc/passwd", PDF),
    ("report.pdf.exe", PDF),
    ("report.exe", b"MZ\x90\x00"),
    ("a.docx\x00.exe", DOCX),
    ("evil.html", HTML),
    ("evil.pdf", HTML),  # HTML named .pdf
    ("not-a-docx.docx", NOT_DOCX),  # a zip that is not a Word document
    ("empty.pdf", b""),
    (".hidden.pdf", PDF),
    ("report..pdf", PDF),
    ('re"port<1>.pdf', PDF),
    ("image.png", PDF),  # a PDF named .png
    ("x" * 300 + ".pdf", HTML),
]

GOOD_UPLOADS = [
    ("bien-ban.pdf", PDF),
    ("Biên bản họp Quý I.pdf", PDF),
    ("Bie\u0302n ba\u0309n.docx", DOCX),  # NFD name
    ("ảnh.png", PNG),
    ("文件.pdf", PDF),
    ("x" * 240 + ".pdf", PDF),  # longer than the column: refused at the field or shortened
    # The browser's path is dropped (Django keeps the last part of the name).
    ("../../etc/passwd.pdf", PDF),
    ("..\\..\\windows\\report.pdf", PDF),
    ("/etc/report.pdf", PDF),
]
