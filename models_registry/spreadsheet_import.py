"""Import of 'Dân vận khéo' registrations from XLSX: all rows or none.

Every row of the first sheet is turned into a registration (units, people, fields, plans and
exemplary models looked up in the ward by folded name, each table read once per import) and
saved as a draft through ``registration_create_drafts`` (the checks and rows of
``registration_save_draft``, in bulk) inside one transaction; if any row is wrong, nothing is
saved and the result names each wrong row (as Excel numbers it), its column and the reason.
A file that is not a real XLSX gives one error on row 0, never an exception.
"""

from __future__ import annotations

import dataclasses
import zipfile
from functools import cached_property
from io import BytesIO

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from openpyxl import load_workbook

from models_registry import spreadsheet_columns as cols
from models_registry.models import Field, Registration, RegistrationKind, RegistrationStatus
from models_registry.rules import can_edit_registration
from models_registry.services import registration_create_drafts
from plans.models import Plan
from plans.symbols import symbol_key
from wardwork.models import Organization, Person
from wardwork.roles import is_in_ward, is_ward_staff, roles_of
from wardwork.text import fold, normalize
from wardwork.uploads import MESSAGE_SIZE, sniff

# A real template unpacks to a few hundred kilobytes; anything huge is refused unread.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int  # as Excel shows it; 0 for the file itself
    column: str  # the column's title ("" when the error is not about one cell)
    message: str


@dataclasses.dataclass
class ImportResult:
    created: list[Registration] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading -------------------------------------------------------------------------------------
def _file_error(message, **params) -> ImportResult:
    return ImportResult(errors=[RowError(0, "", str(message) % params if params else str(message))])


def _read_upload(file) -> bytes | ImportResult:
    """The upload's bytes, or the result that refuses it (too large, not an XLSX)."""
    limit = settings.UPLOAD_MAX_BYTES
    if isinstance(file, bytes | bytearray):
        content = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > limit:
            return _file_error(MESSAGE_SIZE, size=filesizeformat(size), limit=filesizeformat(limit))
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(limit + 1) or b""
    if len(content) > limit:
        return _file_error(
            MESSAGE_SIZE, size=filesizeformat(len(content)), limit=filesizeformat(limit)
        )
    if sniff(content[:16], BytesIO(content)) != "xlsx":
        return _file_error(cols.MESSAGE_NOT_XLSX)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            return _file_error(cols.MESSAGE_UNPACKED, limit=filesizeformat(MAX_UNPACKED_BYTES))
    return content


def _read_rows(content: bytes):
    """``(header, rows)`` from the first sheet, or an ``ImportResult`` refusing the file.
    ``header`` maps each recognised column name to its index and title as written; each row
    is ``(Excel row number, {column name: raw value})``, empty rows left out."""
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged package
        return _file_error(cols.MESSAGE_NOT_XLSX)
    try:
        if not workbook.worksheets:
            return _file_error(cols.MESSAGE_NOT_XLSX)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # do not trust the recorded size: read every row
        known = cols.header_keys()
        header: dict[str, tuple[int, str]] | None = None
        rows: list[tuple[int, dict]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if number > cols.HEADER_SEARCH_ROWS:
                    break
                found: dict[str, tuple[int, str]] = {}
                for index, value in enumerate(values):
                    name = known.get(cols.key(value)) if not cols.blank(value) else None
                    if name and name not in found:
                        found[name] = (index, normalize(str(value)))
                if len(found) >= 3 or ("title" in found and len(found) >= 2):
                    header = found
                    header_row = number
                continue
            record = {
                name: values[index] if index < len(values) else None
                for name, (index, _title) in header.items()
            }
            if all(cols.blank(value) for value in record.values()):
                continue
            if len(rows) == cols.MAX_ROWS:
                return _file_error(cols.MESSAGE_TOO_MANY_ROWS, limit=cols.MAX_ROWS)
            rows.append((number, record))
    except Exception:  # a damaged sheet inside a valid package
        return _file_error(cols.MESSAGE_NOT_XLSX)
    finally:
        workbook.close()
    if header is None:
        return _file_error(cols.MESSAGE_NO_HEADER)
    missing = [
        RowError(header_row, c.label, str(cols.MESSAGE_MISSING_COLUMN))
        for c in cols.IMPORT_COLUMNS
        if c.required and c.name not in header
    ]
    if missing:
        return ImportResult(errors=missing)
    if not rows:
        return _file_error(cols.MESSAGE_NO_ROWS)
    return header, rows


class _Bad(Exception):
    """The problem of one cell; its message is shown to the user."""


def _group(items, key_of) -> dict[str, list]:
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(key_of(item), []).append(item)
    return groups


def _one(candidates: list, *, not_found, ambiguous, **params):
    if len(candidates) == 1:
        return candidates[0]
    raise _Bad(str(ambiguous if candidates else not_found) % params)


class _Rows:
    """Turns the rows of one import into unsaved registrations; each lookup table of the
    ward (units, people, fields, plans, exemplary models) is loaded once, when first used."""

    def __init__(self, *, actor, ward):
        self.actor, self.ward = actor, ward
        self.kinds = cols.kind_keys()
        managed = roles_of(actor).managed_unit_ids
        staff = is_ward_staff(actor, ward)
        self.default_owner_id = next(iter(managed)) if len(managed) == 1 and not staff else None
        self.seen: dict[tuple, int] = {}

    @cached_property
    def units(self) -> tuple[dict, dict, dict]:
        orgs = list(Organization.objects.filter(ward=self.ward))
        by_name = _group(orgs, lambda o: cols.key(o.name))
        by_short = _group([o for o in orgs if o.short_name], lambda o: cols.key(o.short_name))
        return {o.pk: o for o in orgs}, by_name, by_short

    @cached_property
    def people(self) -> dict[str, list]:
        qs = Person.objects.filter(ward=self.ward)
        qs = qs.only("pk", "ward_id", "full_name", "organization_id")
        return _group(qs, lambda p: cols.key(p.full_name))

    @cached_property
    def fields(self) -> dict[str, list]:
        return _group(Field.objects.filter(is_active=True), lambda f: cols.key(f.name))

    @cached_property
    def plans(self) -> dict[str, list]:
        qs = Plan.objects.filter(ward=self.ward).only("pk", "ward_id", "symbol", "year")
        return _group(qs, lambda p: symbol_key(p.symbol))

    @cached_property
    def exemplary(self) -> dict[str, list]:
        qs = Registration.objects.filter(ward=self.ward, status=RegistrationStatus.RECOGNIZED)
        qs = qs.only("pk", "ward_id", "status", "title", "year")
        return _group(qs, lambda r: cols.key(r.title))

    # One resolver per column: the value, or _Bad.
    def year(self, value, text: str) -> int:
        year = cols.cell_year(value)
        if year is None:
            raise _Bad(cols.MESSAGE_YEAR if text else cols.MESSAGE_REQUIRED)
        return year

    def kind(self, text: str) -> str:
        if not text:
            raise _Bad(cols.MESSAGE_REQUIRED)
        if cols.key(text) not in self.kinds:
            raise _Bad(str(cols.MESSAGE_KIND) % {"value": text})
        return self.kinds[cols.key(text)]

    def unit(self, text: str):
        if not text:
            return None
        _by_id, by_name, by_short = self.units
        candidates = by_name.get(cols.key(text)) or by_short.get(cols.key(text)) or []
        active = [org for org in candidates if org.is_active]
        if candidates and not active:
            raise _Bad(str(cols.MESSAGE_UNIT_INACTIVE) % {"name": text})
        return _one(
            active,
            not_found=cols.MESSAGE_UNIT_NOT_FOUND,
            ambiguous=cols.MESSAGE_UNIT_AMBIGUOUS,
            name=text,
        )

    def person(self, text: str, kind: str | None, organization):
        if kind == RegistrationKind.COLLECTIVE and text:
            raise _Bad(cols.MESSAGE_PERSON_FOR_COLLECTIVE)
        if kind != RegistrationKind.INDIVIDUAL:
            return None
        if not text:
            raise _Bad(cols.MESSAGE_PERSON_REQUIRED)
        candidates = self.people.get(cols.key(text), [])
        if len(candidates) > 1 and organization is not None:  # namesakes: the unit decides
            candidates = [p for p in candidates if p.organization_id == organization.pk]
        return _one(
            candidates,
            not_found=cols.MESSAGE_PERSON_NOT_FOUND,
            ambiguous=cols.MESSAGE_PERSON_AMBIGUOUS,
            name=text,
        )

    def default_unit(self, kind: str | None, person, owner):
        """The unit when its cell is empty: a collective is the owning unit itself, an
        individual belongs to the person's main unit (other problems are reported in their
        own columns)."""
        if kind == RegistrationKind.COLLECTIVE:
            return owner
        if person is not None and person.organization_id not in self.units[0]:
            raise _Bad(cols.MESSAGE_UNIT_FOR_INDIVIDUAL)
        return self.units[0][person.organization_id] if person is not None else None

    def owner(self, number: int, text: str):
        if text:
            owner = self.unit(text)
        elif self.default_owner_id is not None:
            owner = self.units[0].get(self.default_owner_id)
        else:
            raise _Bad(cols.MESSAGE_OWNER_REQUIRED)
        probe = Registration(ward=self.ward, registered_by_unit=owner)
        if not (can_edit_registration(self.actor, probe) or is_ward_staff(self.actor, probe)):
            message = str(cols.MESSAGE_OWNER_FORBIDDEN) % {"row": number, "name": owner.name}
            raise PermissionDenied(message)
        return owner

    def field(self, text: str):
        if not text:
            raise _Bad(cols.MESSAGE_REQUIRED)
        message = cols.MESSAGE_FIELD_NOT_FOUND
        return _one(
            self.fields.get(cols.key(text), []), not_found=message, ambiguous=message, name=text
        )

    def plan(self, text: str, year: int | None):
        if not text:
            return None
        every = self.plans.get(symbol_key(text), [])
        this_year = [p for p in every if p.year == year] if len(every) > 1 else every
        return _one(
            this_year if every else [],
            not_found=cols.MESSAGE_PLAN_NOT_FOUND,
            ambiguous=cols.MESSAGE_PLAN_AMBIGUOUS,
            symbol=text,
        )

    def replicates(self, text: str):
        if not text:
            return None
        return _one(
            self.exemplary.get(cols.key(text), []),
            not_found=cols.MESSAGE_REPLICATES_NOT_FOUND,
            ambiguous=cols.MESSAGE_REPLICATES_AMBIGUOUS,
            title=text,
        )

    def title(self, number: int, text: str, owner, year: int | None) -> str:
        if not text:
            raise _Bad(cols.MESSAGE_TITLE_REQUIRED)
        if owner is not None and year is not None:
            first = self.seen.setdefault((owner.pk, year, fold(text)), number)
            if first != number:
                raise _Bad(str(cols.MESSAGE_DUPLICATE_IN_FILE) % {"row": first})
        return text

    def build(self, number: int, record: dict):
        """``(registration or None, [(column name, message)])`` for one row."""
        text = {name: cols.cell_text(record.get(name)) for name in cols.IMPORT_BY_NAME}
        values: dict = {}
        errors: list[tuple[str, str]] = []

        def resolve(name, method, *args):
            try:
                values[name] = method(*args)
            except _Bad as bad:
                values[name] = None
                errors.append((name, str(bad)))

        resolve("year", self.year, record.get("year"), text["year"])
        resolve("kind", self.kind, text["kind"])
        resolve("organization", self.unit, text["organization"])
        resolve("person", self.person, text["person"], values["kind"], values["organization"])
        resolve("registered_by_unit", self.owner, number, text["registered_by_unit"])
        if not text["organization"]:
            owner = values["registered_by_unit"]
            resolve("organization", self.default_unit, values["kind"], values["person"], owner)
        resolve("field", self.field, text["field"])
        resolve("plan", self.plan, text["plan"], values["year"])
        resolve("replicates", self.replicates, text["replicates"])
        resolve(
            "title", self.title, number, text["title"], values["registered_by_unit"], values["year"]
        )
        if errors:
            return None, errors
        free_text = ("content", "solutions", "schedule", "expected_results")
        values.update({name: text[name] for name in free_text})
        return Registration(ward=self.ward, **values), []


def _validation_messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            ("" if name == NON_FIELD_ERRORS else name, str(message))
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", str(message)) for message in exc.messages]


def _may_import(actor, ward) -> bool:
    return is_ward_staff(actor, ward) or bool(
        is_in_ward(actor, ward) and roles_of(actor).managed_unit_ids
    )


def import_registrations(*, actor, ward, file) -> ImportResult:
    """Create one draft per row of the first sheet of ``file`` (an upload, a file object or
    bytes), all or none. ``PermissionDenied`` when the actor may not register models in
    ``ward``, or a row names an owning unit the actor may not register for."""
    if not _may_import(actor, ward):
        raise PermissionDenied
    content = _read_upload(file)
    if isinstance(content, ImportResult):
        return content
    parsed = _read_rows(content)
    if isinstance(parsed, ImportResult):
        return parsed
    header, rows = parsed

    def column_title(name: str) -> str:
        if name in header:
            return header[name][1]
        return cols.IMPORT_BY_NAME[name].label if name in cols.IMPORT_BY_NAME else ""

    builder = _Rows(actor=actor, ward=ward)
    result = ImportResult()
    with transaction.atomic():
        built = [(number, *builder.build(number, record)) for number, record in rows]
        registrations = [registration for _n, registration, _p in built if registration]
        # All rows at once (one read of the names taken, bulk inserts); nothing is written
        # when a row is refused.
        refusals = iter(registration_create_drafts(actor=actor, registrations=registrations))
        for number, registration, problems in built:
            if registration is not None:
                refused = next(refusals)
                if refused is not None:
                    problems = _validation_messages(refused)
                else:
                    result.created.append(registration)
            result.errors += [
                RowError(number, column_title(name), message) for name, message in problems
            ]
        if result.errors:
            transaction.set_rollback(True)
            result.created = []
    return result
