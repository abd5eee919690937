"""``python manage.py restore PATH``: bring back a backup written by ``manage.py backup``."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from wardwork.backup import (
    BackupError,
    backup_read_manifest,
    backup_restore,
    engine_name,
    human_size,
    restore_check,
)


class Command(BaseCommand):
    help = (
        "Replace the whole database and MEDIA_ROOT by a backup of `manage.py backup`, then "
        "count every table and compare with the backup's manifest (exit status 1 on any "
        "difference). The backup must be of the same engine as the current database. Stop the "
        "site first; take a backup of the current state first if it may still be needed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup archive (.tar.gz).")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask for confirmation (for scripts).",
        )

    def handle(self, *args, path, yes=False, **options):
        try:
            manifest = backup_read_manifest(path)
            notes = restore_check(manifest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["tables"]
        self.stdout.write(
            f"Backup {path}: made {manifest['created_at']} by Wardwork "
            f"{manifest['app_version']}; {engine_name(manifest['engine'])}, {len(tables)} "
            f"tables, {sum(tables.values())} rows; {manifest['media']['files']} media files "
            f"({human_size(manifest['media']['bytes'])})."
        )
        if not yes:
            self._confirm()
        try:
            result = backup_restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

        width = max((len(check.table) for check in result.tables), default=5)
        self.stdout.write(f"{'table':<{width}}  {'backup':>8}  {'now':>8}")
        for check in result.tables:
            found = "missing" if check.found is None else str(check.found)
            line = f"{check.table:<{width}}  {check.expected:>8}  {found:>8}"
            self.stdout.write(line if check.ok else self.style.ERROR(f"{line}  MISMATCH"))
        for table in result.dropped_tables:
            self.stdout.write(f"Dropped table {table}: it is not in the backup.")
        self.stdout.write(f"Media: {result.media_files} files restored into {settings.MEDIA_ROOT}.")
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
        if result.mismatches:
            names = ", ".join(check.table for check in result.mismatches)
            raise CommandError(
                f"The restored database does not match the backup's manifest in "
                f"{len(result.mismatches)} table(s): {names}. Do not open the site; restore "
                "again or from another backup."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path}: {len(result.tables)} tables, "
                f"{sum(tables.values())} rows, all counts match the backup."
            )
        )

    def _confirm(self):
        target = f"{engine_name(connection.vendor)} database {connection.settings_dict['NAME']}"
        warning = f"This replaces ALL data in the {target} and every file in {settings.MEDIA_ROOT}."
        if not sys.stdin.isatty():
            raise CommandError(
                f"{warning} Nothing was changed: pass --yes to confirm (no terminal to ask)."
            )
        self.stdout.write(self.style.WARNING(warning))
        try:
            answer = input("Type 'yes' to restore: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled: nothing was changed.")
