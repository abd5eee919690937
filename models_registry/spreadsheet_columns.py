"""Columns and messages of the registrations spreadsheets (export, template, import).

The export and the import template share their column titles, so an exported list can be
edited and imported again (the export's extra columns, STT, status and review note, are
ignored by the import). An imported header is recognised by its folded form (case, accents,
dashes and a trailing ``*`` ignored) against the title in the current language, in English,
in Vietnamese and a few usual Vietnamese spellings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from models_registry.models import Registration
from wardwork.text import fold, normalize

MAX_ROWS = 5000
# A header is looked for in the first rows (an export has a title row above it).
HEADER_SEARCH_ROWS = 10
# Excel keeps at most this many characters in a cell.
CELL_LIMIT = 32767

_YEAR = re.compile(r"^\d{4}(\.0+)?$")
_DASHES = re.compile(r"\s*[-‐‑‒–—―]\s*")


def key(text) -> str:
    """Folded comparison key: ``key("Văn hoá-Xã hội") == key("văn hóa – xã hội")``."""
    return _DASHES.sub(" - ", fold(str(text) if text is not None else "")).rstrip(" *:").strip()


@dataclass(frozen=True)
class Column:
    name: str  # the Registration field it fills, or an export-only name
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 18
    help: str = ""

    @property
    def label(self) -> str:
        if self.name == "number":
            return str(_("No."))
        return str(capfirst(Registration._meta.get_field(self.name).verbose_name))


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column(
        "year",
        ("năm", "năm đăng ký"),
        required=True,
        width=8,
        help=_(
            "The year of the registration: a number from 2000 to 2100, e.g. 2021. "
            "A date typed in the cell counts as its year."
        ),
    ),
    Column(
        "kind",
        ("loại", "loại đăng ký", "hình thức", "tập thể/cá nhân"),
        required=True,
        width=11,
        help=_(
            'tập thể (a collective) or cá nhân (an individual); "collective" and "individual" '
            "are accepted too."
        ),
    ),
    Column(
        "organization",
        ("tập thể", "đơn vị", "tập thể/đơn vị", "tập thể hoặc đơn vị", "collective", "unit"),
        width=30,
        help=_(
            "The collective that registers, or the unit the individual belongs to: its full or "
            "short name as in the ward's list of units. Capitals and accents do not matter. "
            "When it is empty, a collective is the unit that registers the model, and an "
            "individual belongs to the person's main unit."
        ),
    ),
    Column(
        "person",
        ("họ và tên", "họ tên", "cá nhân đăng ký", "person"),
        width=24,
        help=_(
            "For an individual: the full name, as in the ward's list of people. "
            "Leave it empty for a collective."
        ),
    ),
    Column(
        "registered_by_unit",
        ("đơn vị đăng ký", "đơn vị quản lý", "đơn vị chủ quản", "owning unit"),
        width=30,
        help=_(
            "The cell or organisation that owns the registration. It may be left empty when "
            "you manage a single unit; ward staff must fill it in."
        ),
    ),
    Column(
        "title",
        ("tên mô hình", "mô hình", "tên mô hình dân vận khéo", "title"),
        required=True,
        width=40,
        help=_("The model's name. A unit cannot register two models with the same name in a year."),
    ),
    Column(
        "field",
        ("lĩnh vực",),
        required=True,
        width=24,
        help=_("One of the fields listed below."),
    ),
    Column("content", ("nội dung", "nội dung mô hình"), width=40, help=_("Free text, optional.")),
    Column(
        "solutions",
        ("giải pháp", "giải pháp thực hiện", "cách làm"),
        width=40,
        help=_("Free text, optional."),
    ),
    Column(
        "schedule",
        ("tiến độ", "tiến độ thực hiện", "thời gian thực hiện", "lộ trình"),
        width=24,
        help=_("Free text, optional: what will be done by when."),
    ),
    Column(
        "expected_results",
        ("kết quả dự kiến", "kết quả mong đợi", "hiệu quả dự kiến", "kết quả"),
        width=40,
        help=_("Free text, optional."),
    ),
    Column(
        "plan",
        ("kế hoạch", "số kế hoạch", "thực hiện kế hoạch", "văn bản", "plan", "plan symbol"),
        width=14,
        help=_("Optional: the symbol of the plan the model implements, e.g. 28-KH/ĐU."),
    ),
    Column(
        "replicates",
        ("nhân rộng", "nhân rộng mô hình", "nhân rộng từ mô hình", "mô hình nhân rộng"),
        width=30,
        help=_("Optional: the name of the recognised exemplary model this one replicates."),
    ),
)
IMPORT_BY_NAME = {column.name: column for column in IMPORT_COLUMNS}
EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("number", width=6),
    *IMPORT_COLUMNS,
    Column("status", width=16),
    Column("review_note", width=30),
)
# Values of the kind column, besides the labels of RegistrationKind in each language.
KIND_WORDS = {
    "collective": ("tập thể", "collective", "tt"),
    "individual": ("cá nhân", "individual", "cn"),
}


def header_keys() -> dict[str, str]:
    """Folded header text -> column name, for every accepted spelling of each column."""
    keys: dict[str, str] = {}
    spellings: list[tuple[str, str]] = []
    for language in (translation.get_language() or "vi", "en", "vi"):
        with translation.override(language):
            spellings += [(column.label, column.name) for column in IMPORT_COLUMNS]
    for column in IMPORT_COLUMNS:
        spellings += [(column.name, column.name), (column.name.replace("_", " "), column.name)]
        spellings += [(alias, column.name) for alias in column.aliases]
    for text, name in spellings:
        keys.setdefault(key(text), name)
    return keys


def kind_keys() -> dict[str, str]:
    from models_registry.models import RegistrationKind

    keys: dict[str, str] = {}
    for language in (translation.get_language() or "vi", "en", "vi"):
        with translation.override(language):
            for value, label in RegistrationKind.choices:
                keys.setdefault(key(label), value)
    for value, words in KIND_WORDS.items():
        for word in words:
            keys.setdefault(key(word), value)
    return keys


# --- cell values ------------------------------------------------------------------------------
def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell's value as stored text (NFC, stripped); whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return normalize(str(value))


def cell_year(value) -> int | None:
    """The year a cell holds (a number, digits, or a date), if from 2000 to 2100."""
    if isinstance(value, dt.datetime | dt.date):
        year = value.year
    elif isinstance(value, int | float) and not isinstance(value, bool):
        year = int(value) if float(value).is_integer() else None
    else:
        digits = cell_text(value)
        year = int(float(digits)) if _YEAR.match(digits) else None
    return year if year is not None and 2000 <= year <= 2100 else None


# --- messages (row 0 is the file itself) --------------------------------------------------------
MESSAGE_NOT_XLSX = _(
    "This file is not an Excel (.xlsx) file. Download the template, fill it in and upload it again."
)
MESSAGE_UNPACKED = _("The file unpacks to more than %(limit)s and cannot be read.")
MESSAGE_TOO_MANY_ROWS = _(
    "The file has more than %(limit)s registrations: split it into several files."
)
MESSAGE_NO_HEADER = _(
    "The column titles were not found on the first sheet: keep the template's title row."
)
MESSAGE_MISSING_COLUMN = _("This column is missing: keep the template's column titles.")
MESSAGE_NO_ROWS = _("The file has no registrations to import.")
MESSAGE_REQUIRED = _("This cell is required.")
MESSAGE_TITLE_REQUIRED = _("Give the model a name.")
MESSAGE_YEAR = _("The year must be a number from 2000 to 2100, e.g. 2021.")
MESSAGE_KIND = _('"%(value)s" is not a kind: write "tập thể" or "cá nhân".')
MESSAGE_UNIT_NOT_FOUND = _('No unit named "%(name)s" was found in the ward.')
MESSAGE_UNIT_INACTIVE = _('The unit "%(name)s" is no longer active.')
MESSAGE_UNIT_AMBIGUOUS = _('Several units of the ward match "%(name)s": write the full name.')
MESSAGE_PERSON_REQUIRED = _("An individual registration needs the person's full name.")
MESSAGE_PERSON_NOT_FOUND = _(
    'No person named "%(name)s" was found in the ward: add them to the list of people first.'
)
MESSAGE_PERSON_AMBIGUOUS = _(
    'Several people of the ward are called "%(name)s": register this model through the form.'
)
MESSAGE_PERSON_FOR_COLLECTIVE = _(
    "A collective registration is the organisation's own: leave the person empty."
)
MESSAGE_UNIT_FOR_INDIVIDUAL = _(
    "Give the unit the individual belongs to: the person has no main unit."
)
MESSAGE_FIELD_NOT_FOUND = _(
    'The field "%(name)s" is not in the list of fields (see the instructions sheet).'
)
MESSAGE_OWNER_REQUIRED = _("Give the unit that registers the model.")
MESSAGE_OWNER_FORBIDDEN = _('Row %(row)s: you may not register models for "%(name)s".')
MESSAGE_PLAN_NOT_FOUND = _('No plan with the symbol "%(symbol)s" was found in the ward.')
MESSAGE_PLAN_AMBIGUOUS = _(
    'Several plans of the ward have the symbol "%(symbol)s": set the plan through the form.'
)
MESSAGE_REPLICATES_NOT_FOUND = _('No recognised model named "%(title)s" was found in the ward.')
MESSAGE_REPLICATES_AMBIGUOUS = _(
    'Several recognised models are named "%(title)s": set this one through the form.'
)
MESSAGE_DUPLICATE_IN_FILE = _("Same unit, year and model name as row %(row)s of this file.")
