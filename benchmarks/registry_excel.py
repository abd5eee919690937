"""Benchmark of the registrations spreadsheets: export of 1,000 and 10,000 registrations
(time, peak Python memory, file size, queries) and import of 1,000 rows (all saved, and all
rolled back because of one bad last row).

Run from the project root: ``.venv/bin/python benchmarks/registry_excel.py``. It uses a
throwaway SQLite database in a temporary folder and prints a Markdown table.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import QueryCounter, setup_django  # noqa: E402

EXPORT_SIZES = (1_000, 5_000, 10_000)
IMPORT_ROWS = 1_000
CONTENT = (
    "Tuyên truyền, vận động nhân dân chấp hành chủ trương của Đảng, chính sách, pháp luật "
    "của Nhà nước; phân công đảng viên phụ trách từng hộ, đối thoại trực tiếp, lắng nghe ý "
    "kiến và kịp thời giải quyết những kiến nghị chính đáng của nhân dân."
)


def setup_ward():
    from wardwork.models import (
        Organization,
        OrganizationKind,
        Person,
        Position,
        PositionRole,
        User,
        Ward,
    )

    ward = Ward.objects.create(name="Phường Phúc Đồng", place_name="Phúc Đồng")
    committee = Organization.objects.create(
        ward=ward, name="Đảng ủy phường Phúc Đồng", kind=OrganizationKind.WARD_COMMITTEE
    )
    units = [
        Organization.objects.create(
            ward=ward,
            name=f"Chi bộ Khu dân cư số {n}",
            short_name=f"KDC {n}",
            kind=OrganizationKind.PARTY_CELL,
            parent=committee,
        )
        for n in range(1, 21)
    ]
    people = [
        Person.objects.create(ward=ward, full_name=f"Nguyễn Văn Hội {n}", organization=unit)
        for n, unit in enumerate(units, start=1)
    ]
    staff_person = Person.objects.create(ward=ward, full_name="Hoàng Thị Trang")
    Position.objects.create(
        person=staff_person,
        organization=committee,
        role=PositionRole.STAFF,
        started_on="2020-07-01",
    )
    staff = User.objects.create(username="bench-staff", ward=ward, person=staff_person)
    return ward, units, people, staff


def create_registrations(ward, units, people, count: int, *, year: int = 2021) -> None:
    """``count`` registrations of ``ward`` (bulk insert), spread over ``units``."""
    from models_registry.models import Field, Registration, RegistrationKind

    fields = list(Field.objects.all())
    batch = []
    for n in range(count):
        unit = units[n % len(units)]
        individual = n % 7 == 0
        batch.append(
            Registration(
                ward=ward,
                year=year,
                kind=RegistrationKind.INDIVIDUAL if individual else RegistrationKind.COLLECTIVE,
                organization=unit,
                person=people[n % len(units)] if individual else None,
                registered_by_unit=unit,
                title=f"Mô hình dân vận khéo số {n + 1}",
                field=fields[n % len(fields)],
                content=CONTENT,
                solutions=CONTENT,
                schedule="Quý I – quý IV/2021",
                expected_results="100% hộ dân đồng thuận",
            )
        )
    for registration in batch:  # what save() derives; bulk_create does not call it
        registration.fill_derived()
    Registration.objects.bulk_create(batch, batch_size=1000)


def measure_export(ward, rows: int) -> dict:
    """Export the first ``rows`` registrations of ``ward``: time, queries, file size, and the
    peak of Python's memory in a second run (tracemalloc)."""
    from models_registry.models import Registration
    from models_registry.spreadsheets import registrations_workbook

    qs = Registration.objects.filter(ward=ward).order_by("pk")[:rows]
    start = time.perf_counter()
    with QueryCounter() as queries:
        content = registrations_workbook(qs)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    registrations_workbook(qs)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "what": f"export {rows:,} registrations",
        "seconds": seconds,
        "peak": peak,
        "size": len(content),
        "queries": queries.count,
    }


def import_file(units, rows: int, *, bad_last_row: bool = False) -> bytes:
    """An import spreadsheet of ``rows`` collective registrations of ``units``."""
    from openpyxl import Workbook

    from models_registry import spreadsheet_columns as cols
    from models_registry.models import Field

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.label for column in cols.IMPORT_COLUMNS])
    fields = list(Field.objects.values_list("name", flat=True))
    for n in range(rows):
        unit = units[n % len(units)]
        values = {
            "year": 2022,
            "kind": "tập thể",
            "organization": unit.name.lower(),
            "registered_by_unit": unit.short_name or unit.name,
            "title": f"Mô hình nhập từ Excel số {n + 1}",
            "field": fields[n % len(fields)],
            "content": CONTENT,
            "schedule": "Năm 2022",
        }
        if bad_last_row and n == rows - 1:
            values["organization"] = "Chi bộ không tồn tại"
        sheet.append([values.get(column.name) for column in cols.IMPORT_COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure_import(ward, units, staff, *, bad_last_row: bool, rows: int = IMPORT_ROWS) -> dict:
    """Import ``rows`` rows as ``staff``: all saved, or (``bad_last_row``) none."""
    from models_registry.models import Registration
    from models_registry.spreadsheets import import_registrations

    content = import_file(units, rows, bad_last_row=bad_last_row)
    before = Registration.objects.count()
    start = time.perf_counter()
    with QueryCounter() as queries:
        result = import_registrations(actor=staff, ward=ward, file=BytesIO(content))
    seconds = time.perf_counter() - start
    saved = Registration.objects.count() - before
    expected = 0 if bad_last_row else rows
    if saved != expected or result.ok == bad_last_row:
        raise SystemExit(f"unexpected import result: {saved} saved, {result.errors[:3]}")
    what = f"import {rows:,} rows, " + (
        "last row bad: nothing saved" if bad_last_row else "all saved as drafts"
    )
    return {
        "what": what,
        "seconds": seconds,
        "peak": None,
        "size": len(content),
        "queries": queries.count,
    }


def main() -> None:
    import django
    from django.core.management import call_command
    from django.utils import translation

    translation.activate("vi")
    call_command("migrate", verbosity=0)
    ward, units, people, staff = setup_ward()
    create_registrations(ward, units, people, max(EXPORT_SIZES))
    results = [measure_export(ward, rows) for rows in EXPORT_SIZES]
    results.append(measure_import(ward, units, staff, bad_last_row=True))
    results.append(measure_import(ward, units, staff, bad_last_row=False))

    print(f"SQLite, Python {sys.version.split()[0]}, Django {django.get_version()}\n")
    print("| operation | time | peak Python memory | file | queries |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        peak = f"{r['peak'] / 2**20:.1f} MiB" if r["peak"] is not None else "–"
        print(
            f"| {r['what']} | {r['seconds']:.2f} s | {peak} | "
            f"{r['size'] / 1024:.0f} KiB | {r['queries']} |"
        )


if __name__ == "__main__":
    TEMP = tempfile.TemporaryDirectory(prefix="wardwork-bench-")
    setup_django(f"sqlite:///{Path(TEMP.name) / 'bench.sqlite3'}")
    from django.db import connection

    try:
        main()
    finally:
        connection.close()
        TEMP.cleanup()
