"""Vietnamese text helpers: normalisation, accent-insensitive search keys, name sorting.

Text is stored in NFC. Searching uses a *folded* key: lower case, tone and vowel marks
stripped, đ/Đ turned into d, white space collapsed, so "phuc dong" finds "Phúc Đồng".
People are sorted as Vietnamese lists sort them: by given name (the last word), then by
the rest of the name, in the Vietnamese alphabet (a ă â b c d đ e ê … ư y).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Characters outside the printable range are dropped from stored text (tabs and new lines
# are kept by callers that store multi-line text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str | None) -> str:
    """NFC form with control characters removed and surrounding space stripped. The control
    characters go first: one between a letter and its mark would otherwise keep the pair
    from composing."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", _CONTROL.sub("", str(text))).strip()


def fold(text: str | None) -> str:
    """Accent-insensitive search key: ``fold("Phúc  ĐỒNG") == "phuc dong"``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", stripped.lower()).strip()


# The Vietnamese alphabet, each base letter with its rank; vowels with marks on top of
# the letter (ă, â, ê, ô, ơ, ư) are letters of their own, tones only break ties.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _letter_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    letters: list[int] = []
    tones: list[int] = []
    for cluster in _clusters(word.lower()):
        base = unicodedata.normalize("NFC", "".join(c for c in cluster if c not in _TONES))
        tone = next((_TONES[c] for c in cluster if c in _TONES), 0)
        letters.append(_RANK.get(base, 100 + ord(base[0]) if base else 0))
        tones.append(tone)
    return tuple(letters), tuple(tones)


def _clusters(word: str) -> list[str]:
    """Split NFD text into a base character followed by its combining marks."""
    clusters: list[str] = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and clusters:
            clusters[-1] += ch
        else:
            clusters.append(ch)
    # Keep letter-forming marks glued (a + breve -> ă), tones stay separate in the cluster.
    return [
        "".join(c for c in cluster if not unicodedata.combining(c) or c in _LETTER_MARKS)
        + "".join(c for c in cluster if c in _TONES)
        for cluster in clusters
    ]


def name_sort_key(full_name: str) -> tuple:
    """Sort key for a person's full name (family name first): given name, then the rest."""
    words = normalize(full_name).split()
    if not words:
        return ((), ())
    given, rest = words[-1], words[:-1]
    given_letters, given_tones = _letter_key(given)
    rest_keys = [_letter_key(word) for word in rest]
    return (
        given_letters,
        tuple(k[0] for k in rest_keys),
        given_tones,
        tuple(k[1] for k in rest_keys),
    )


def name_sort_string(full_name: str) -> str:
    """A string that sorts in the database as :func:`name_sort_key` sorts in Python.

    Each letter becomes two characters of its rank, so that ORDER BY on any collation
    (PostgreSQL, SQLite) gives Vietnamese order without an ICU collation.
    """
    words = normalize(full_name).split()
    if not words:
        return ""
    ordered = [words[-1], *words[:-1]]
    letter_part = " ".join(
        "".join(f"{rank:02d}" if rank < 100 else "99" for rank in _letter_key(w)[0])
        for w in ordered
    )
    tone_part = "".join(str(t) for w in ordered for t in _letter_key(w)[1])
    return f"{letter_part}|{tone_part}"[:255]


def two_digits(number: int) -> str:
    """Counts in running text use two digits: ``two_digits(3) == "03"``."""
    return f"{number:02d}"
