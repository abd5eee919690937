"""``python manage.py generate_scale_data``: a city of generated wards for the benchmark.

The generator is ``meetings.scale_data``; this command only reads the options, guards the
database and prints the row counts. Like ``load_demo`` it refuses to run with DEBUG off
unless ``--force``, and it refuses a database that already holds wards unless
``--append`` (the new wards are numbered after the generated ones already there).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from meetings.scale_data import Sizes, generate
from wardwork.models import Ward

DEFAULTS = Sizes()


def default_jobs() -> int:
    if connection.vendor != "postgresql":
        return 1
    return max(1, min(4, os.cpu_count() or 1))


class Command(BaseCommand):
    help = (
        "Generate scale data: --wards wards of --years years each (bulk inserts, seeded). "
        "Prints the rows written per table and the time taken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wards", type=int, default=DEFAULTS.wards)
        parser.add_argument("--years", type=int, default=DEFAULTS.years)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        for name in (
            "units",
            "people",
            "users",
            "plans",
            "tasks",
            "registrations",
            "meetings",
            "attendees",
            "contributions",
            "conclusions",
        ):
            parser.add_argument(
                f"--{name}",
                type=int,
                default=getattr(DEFAULTS, name),
                help=f"Per ward (default {getattr(DEFAULTS, name)}).",
            )
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="Processes writing wards at once; 0 (default): one per CPU on PostgreSQL, "
            "1 on SQLite.",
        )
        parser.add_argument(
            "--password",
            default=None,
            help="Password of every generated login (default: the demo password).",
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="Write no simple-history rows (by default each main object gets its '+').",
        )
        parser.add_argument(
            "--figures",
            choices=["all", "last", "none"],
            default="last",
            help="Finalised quarters whose figures are frozen: all (about 7 s more per ward), "
            "each ward's last one (default), none.",
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="Add wards to a database that already holds some.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (never on a production database).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like production. Scale data would mix with real "
                "data; pass --force if this database is a throwaway one."
            )
        existing = Ward.objects.count()
        if existing and not options["append"]:
            raise CommandError(
                f"The database already holds {existing} ward(s). Use an empty database, or "
                "pass --append to add the generated wards next to them."
            )
        sizes = Sizes(**{name: options[name] for name in Sizes.__dataclass_fields__})
        if sizes.wards < 1 or sizes.years < 1:
            raise CommandError("--wards and --years must be at least 1.")
        verbose = options["verbosity"] >= 2
        try:
            result = generate(
                sizes,
                seed=options["seed"],
                append=options["append"],
                jobs=options["jobs"] or default_jobs(),
                password=options["password"],
                history=not options["no_history"],
                figures=options["figures"],
                log=(lambda text: self.stdout.write(text)) if verbose else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(result.counts.values())
        self.stdout.write(f"{'table':<48} {'rows':>10}")
        for table, count in sorted(result.counts.items()):
            self.stdout.write(f"{table:<48} {count:>10}")
        self.stdout.write(f"{'total':<48} {total:>10}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {sizes.wards} ward(s) × {sizes.years} year(s): {total} rows in "
                f"{result.seconds:.1f} s ({total / max(result.seconds, 0.001):.0f} rows/s)."
            )
        )
        first = result.first_index
        self.stdout.write(
            f"Logins p{first:03d}.bithu (ward secretary), p{first:03d}.vp1 (office staff), "
            f"p{first:03d}.dvk (Khối Dân vận), p{first:03d}.cb01 (cell secretary) … "
            f"password: {result.password}"
        )
