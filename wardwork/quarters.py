"""``Quarter``: a calendar quarter as a value object (not a table).

``Quarter(2021, 1)`` prints as "Quý I/2021"; ``Quarter.parse`` reads the forms people
type ("I/2021", "1/2021", "2021-Q1", "Quý I/2021").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_FROM_ROMAN = {v: k for k, v in ROMAN.items()}

_PATTERNS = [
    # "Quý I/2021", "I/2021", "1/2021", "quy 1 / 2021"
    re.compile(r"^(?:qu[yý]\s*)?(?P<q>IV|I{1,3}|[1-4])\s*[/.-]\s*(?P<y>\d{4})$", re.I),
    # "2021-Q1", "2021 Q1", "2021/1"
    re.compile(r"^(?P<y>\d{4})\s*[-/ ]\s*Q?(?P<q>[1-4])$", re.I),
    # "Q1 2021", "Q1/2021"
    re.compile(r"^Q(?P<q>[1-4])\s*[-/ ]\s*(?P<y>\d{4})$", re.I),
]


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in ROMAN:
            raise ValueError(f"A quarter number is 1 to 4, not {self.number!r}.")
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"Year {self.year!r} is out of range.")

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read "I/2021", "1/2021", "2021-Q1" or "Quý I/2021"; ``ValueError`` otherwise."""
        value = " ".join(str(text).split())
        for pattern in _PATTERNS:
            match = pattern.match(value)
            if match:
                raw = match.group("q").upper()
                number = _FROM_ROMAN.get(raw) or int(raw)
                return cls(int(match.group("y")), number)
        raise ValueError(f"Not a quarter: {text!r}")

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        from django.utils import timezone

        return cls.containing(timezone.localdate())

    # --- bounds and neighbours ------------------------------------------------------------
    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    # --- text -----------------------------------------------------------------------------
    @property
    def roman(self) -> str:
        return ROMAN[self.number]

    @property
    def slug(self) -> str:
        """URL form: "2021-Q1"."""
        return f"{self.year}-Q{self.number}"

    @property
    def short_label(self) -> str:
        """ "I/2021", as written after "quý" in running text."""
        return f"{self.roman}/{self.year}"

    def __str__(self) -> str:
        # Translated, so the English UI says "Quarter I/2021".
        return gettext("Quarter %(label)s") % {"label": self.short_label}
