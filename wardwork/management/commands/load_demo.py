"""``python manage.py load_demo``: the demo data of the seed article, idempotent."""

from importlib import import_module, util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wardwork.demo import DemoLoader

# Layer order: each app's demo builds on the ones before it.
DEMO_APPS = ["wardwork", "plans", "models_registry", "meetings"]


class Command(BaseCommand):
    help = "Load the Phúc Đồng demo (quarter I/2021) and the demo logins. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (never in production).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Demo data would mix with real data; "
                "pass --force if you really mean it."
            )
        loader = DemoLoader()
        with transaction.atomic():
            for label in DEMO_APPS:
                if not apps.is_installed(label) or util.find_spec(f"{label}.demo") is None:
                    continue
                import_module(f"{label}.demo").load(loader)
        created = sum(loader.created.values())
        changed = sum(loader.changed.values())
        if created or changed:
            details = ", ".join(
                f"{name}: {count}" for name, count in sorted(loader.created.items())
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded: {created} rows created ({details}), {changed} updated."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already up to date: nothing changed."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for username, description in loader.logins:
            self.stdout.write(f"  {username:<9} {description}")
