"""Benchmark of the quarterly report: how long generating the DOCX and the XLSX annex takes
for one ward's quarter (Phúc Đồng, quarter I/2021 of the demo data), the median and the
slowest of N runs, with the queries each run makes and the size of the file.

Run from the project root: ``.venv/bin/python benchmarks/quarterly_report.py [N]`` (N = 20
by default). It loads the demo data into a throwaway SQLite database in a temporary folder
and prints a Markdown table. The target is well under a second per document.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import QueryCounter, median, setup_django  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
QUARTER = (2021, 1)  # year, quarter


def measure(what: str, run) -> dict:
    """``run()`` once to warm up (imports, template file cache), then ``RUNS`` times."""
    run()
    times, queries, size = [], 0, 0
    for _ in range(RUNS):
        start = time.perf_counter()
        with QueryCounter() as counter:
            content = run()
        times.append(time.perf_counter() - start)
        queries, size = counter.count, len(content) if isinstance(content, bytes) else 0
    return {
        "what": what,
        "median": median(times),
        "max": max(times),
        "queries": queries,
        "size": size,
    }


def main() -> None:
    import django
    from django.core.management import call_command
    from django.utils import translation

    from meetings.review_figures import quarter_figures
    from meetings.review_services import (
        review_annex_xlsx,
        review_get_or_create,
        review_report_docx,
    )
    from wardwork.models import User, Ward
    from wardwork.quarters import Quarter

    quarter = Quarter(*QUARTER)
    translation.activate("vi")
    call_command("migrate", verbosity=0)
    with redirect_stdout(io.StringIO()):
        call_command("load_demo", force=True)  # DEBUG is off here, on purpose
    ward = Ward.objects.get(place_name="Phúc Đồng")
    secretary = User.objects.get(username="ngoc")
    review = review_get_or_create(ward=ward, quarter=quarter, actor=secretary)
    review_report_docx(actor=secretary, review=review)  # takes its number once

    results = [
        measure("figures of the quarter", lambda: quarter_figures(ward=ward, quarter=quarter)),
        measure(
            "report DOCX (numbered, figures included)",
            lambda: review_report_docx(actor=secretary, review=review)[0],
        ),
        measure(
            "report DOCX (draft)",
            lambda: review_report_docx(actor=secretary, review=review, draft=True)[0],
        ),
        measure("annex XLSX (figures included)", lambda: review_annex_xlsx(review=review)),
    ]
    figures = quarter_figures(ward=ward, quarter=quarter)
    print(
        f"SQLite, Python {sys.version.split()[0]}, Django {django.get_version()}; "
        f"{ward.name}, quý {quarter.short_label}: {figures['tasks']['total']} tasks, "
        f"{len(figures['tasks']['units'])} units, {figures['registrations']['total']} "
        f"registrations counted; median and slowest of {RUNS} runs\n"
    )
    print("| operation | median | slowest | queries | file |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        size = f"{r['size'] / 1024:.0f} KiB" if r["size"] else "–"
        print(
            f"| {r['what']} | {r['median'] * 1000:.0f} ms | {r['max'] * 1000:.0f} ms | "
            f"{r['queries']} | {size} |"
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
