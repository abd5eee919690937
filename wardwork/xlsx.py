"""Writing user text into XLSX exports safely, shared by every export.

Text typed by a user (a task, a report, a registration) is cleaned of the characters XLSX
cannot hold, cut to Excel's cell limit, and never written as a formula: a value starting
with "=" stays text, so a report reading ``=HYPERLINK(...)`` cannot run when the ward opens
the export (OWASP ASVS 5.3.1).
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CELL_LIMIT = 32767  # characters Excel keeps in one cell


def clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_LIMIT]


def guard(cell: WriteOnlyCell) -> WriteOnlyCell:
    """Keep a text cell a text cell, whatever it starts with."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def cell(sheet, value, *, font=None):
    """A value ready to append to a write-only sheet: plain where nothing is needed, a cell
    object where the text would read as a formula or a font is asked for."""
    if isinstance(value, str):
        value = clean_text(value)
    formula_like = isinstance(value, str) and value.startswith("=")
    if not (font or formula_like):
        return value
    result = guard(WriteOnlyCell(sheet, value=value))
    if font is not None:
        result.font = font
    return result


def row(sheet, values) -> None:
    sheet.append([cell(sheet, value) for value in values])
