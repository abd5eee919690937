"""``python manage.py backup``: the database and the uploaded files in one archive (for cron)."""

from django.core.management.base import BaseCommand, CommandError

from wardwork.backup import BackupError, backup_create, engine_name, human_size


class Command(BaseCommand):
    help = (
        "Write a complete, restorable backup: the database (PostgreSQL: pg_dump custom format; "
        "SQLite: the online backup API, consistent while the site runs), every file under "
        "MEDIA_ROOT and a manifest (engine, migrations, row count of every table) in one "
        "archive, readable by its owner only. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help=(
                "The archive to write, or a directory to write wardwork-YYYYmmdd-HHMMSS.tar.gz "
                "into (default: backups/ in the project directory). Never overwrites."
            ),
        )

    def handle(self, *args, output=None, **options):
        try:
            result = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        tables = manifest["tables"]
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {result.path} ({human_size(result.size)})")
        )
        self.stdout.write(
            f"  database: {engine_name(manifest['engine'])} {manifest['database']['name']}, "
            f"{len(tables)} tables, {sum(tables.values())} rows"
        )
        self.stdout.write(
            f"  media:    {manifest['media']['files']} files, "
            f"{human_size(manifest['media']['bytes'])}"
        )
