"""Backup and restore of the whole installation: the database and the uploaded files.

One archive, ``wardwork-YYYYmmdd-HHMMSS.tar.gz``, holds

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite,
  a copy made with the online backup API), consistent while the app keeps running;
- ``media/``: every uploaded file: the files under ``MEDIA_ROOT``, or, when the default
  storage is not the local disk (an S3 bucket, ``STORAGE_BACKEND``), every file the storage
  lists, read through its API;
- ``manifest.json``: the engine, the latest applied migration of each app, the row count of
  every table *as of the dump* (PostgreSQL: counted in the snapshot ``pg_dump`` reads, so the
  two agree even while people work), the media files, the dump's SHA-256, when and by which
  version it was made.

The manifest is the archive's last member: reading it scans the whole archive, so a truncated
or corrupt file is refused before anything is changed. Restoring checks the manifest, stages
the dump and the files, replaces the database and ``MEDIA_ROOT``, then counts every table
again and reports each difference.

The commands ``backup`` and ``restore`` are thin wrappers; every failure an operator can cause
(missing ``pg_dump``, a corrupt archive, a backup of the other engine) is a ``BackupError``
with a message that says what to do.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = "wardwork-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
SUFFIX = ".tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message tells the operator why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


@dataclass
class TableCheck:
    table: str
    expected: int
    found: int | None  # None: the table is missing after the restore

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: list[TableCheck]
    dropped_tables: list[str] = field(default_factory=list)
    media_files: int = 0

    @property
    def mismatches(self) -> list[TableCheck]:
        return [check for check in self.tables if not check.ok]


def engine_name(vendor: str) -> str:
    return ENGINE_NAMES.get(vendor, vendor)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def default_backup_name(now=None) -> str:
    now = timezone.localtime(now)
    return f"wardwork-{now:%Y%m%d-%H%M%S}{SUFFIX}"


def app_version() -> str:
    try:
        return importlib.metadata.version("wardwork")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# --- Backup ------------------------------------------------------------------------------------


def backup_create(*, output: Path | str | None = None, using: str = "default") -> BackupResult:
    """Write a complete backup archive and return where, how big and its manifest.

    ``output`` is a file name, or a directory to write the default name into (default:
    ``BASE_DIR/backups``). The archive is written under a temporary name and renamed when
    complete, readable by its owner only (it holds personal data and password hashes); an
    existing file is never overwritten. Raises ``BackupError``.
    """
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    target = _output_path(output)
    if target.exists():
        raise BackupError(f"{target} already exists: choose another --output.")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".wardwork-backup-") as staging:
        dump = Path(staging) / DATABASE_MEMBERS[vendor]
        if vendor == "postgresql":
            tables, migrations = _pg_dump(connection, dump)
        else:
            tables, migrations = _sqlite_dump(connection, dump)
        media_root = Path(settings.MEDIA_ROOT)
        storage = _bucket_storage()
        if storage is None:
            media_files = _media_files(media_root)
            media_bytes = sum(path.stat().st_size for path in media_files)
        else:
            media_files = _storage_files(storage)
            media_bytes = 0  # counted while archiving: one read per file, no size requests
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "app_version": app_version(),
            "django_version": django.get_version(),
            "engine": vendor,
            "database": {
                "name": str(connection.settings_dict["NAME"]),
                "file": dump.name,
                "bytes": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "migrations": migrations,
            "tables": tables,
            "media": {
                "files": len(media_files),
                "bytes": media_bytes,
                "storage": settings.STORAGES["default"]["BACKEND"],
            },
        }
        partial = Path(staging) / target.name
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            if storage is None:
                archive.add(
                    media_root if media_root.is_dir() else staging, arcname=MEDIA, recursive=False
                )
                for path in media_files:
                    archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
            else:
                manifest["media"]["files"], manifest["media"]["bytes"] = _archive_storage_files(
                    archive, storage, media_files, staging
                )
            data = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, target)
    return BackupResult(path=target, size=target.stat().st_size, manifest=manifest)


def _output_path(output: Path | str | None) -> Path:
    if output is None:
        return default_backup_dir() / default_backup_name()
    path = Path(output).expanduser()
    if path.is_dir() or str(output).endswith(os.sep):
        return path / default_backup_name()
    return path


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    # Regular files only: a symlink could point outside MEDIA_ROOT; uploads are never links.
    return sorted(
        path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink()
    )


def _bucket_storage():
    """The default storage when uploads are not plain files under ``MEDIA_ROOT`` (an S3
    bucket, any other backend), else ``None``: backup and restore then go through the
    storage API (``listdir``, ``open``, ``delete``, ``save``) instead of the directory."""
    from django.core.files.storage import FileSystemStorage, storages

    storage = storages["default"]
    if isinstance(storage, FileSystemStorage) and Path(storage.location) == Path(
        settings.MEDIA_ROOT
    ):
        return None
    return storage


def _storage_files(storage) -> list[str]:
    """Every file name in ``storage``, sorted; a ``BackupError`` if it cannot list them."""
    names: list[str] = []
    pending = [""]
    try:
        while pending:
            folder = pending.pop()
            folders, files = storage.listdir(folder)
            prefix = f"{folder}/" if folder else ""
            names.extend(prefix + name for name in files)
            pending.extend(prefix + name for name in folders)
    except (NotImplementedError, OSError) as exc:
        raise BackupError(
            f"The uploaded files are in {type(storage).__name__}, which cannot list its "
            f"files ({exc or type(exc).__name__}): back them up with the storage's own tools "
            "(bucket versioning, replication, rclone), see docs/scaling.md."
        ) from exc
    return sorted(names)


def _archive_storage_files(archive, storage, names: list[str], staging: str) -> tuple[int, int]:
    """Copy each file of ``storage`` into the archive under ``media/``; return how many
    files and bytes were copied.

    Each file is read once into a temporary file (uploads are at most UPLOAD_MAX_BYTES),
    so its size in the archive is exactly what was read, even if it changes meanwhile.
    """
    folder = tarfile.TarInfo(MEDIA)
    folder.type = tarfile.DIRTYPE
    folder.mode = 0o700
    folder.mtime = int(timezone.now().timestamp())
    archive.addfile(folder)
    count = total = 0
    for name in names:
        with tempfile.TemporaryFile(dir=staging) as copy:
            try:
                with storage.open(name, "rb") as source:
                    shutil.copyfileobj(source, copy)
            except FileNotFoundError:
                continue  # deleted since the listing
            info = tarfile.TarInfo(f"{MEDIA}/{name}")
            info.size = copy.tell()
            info.mode = 0o600
            info.mtime = folder.mtime
            copy.seek(0)
            archive.addfile(info, copy)
            count += 1
            total += info.size
    return count, total


def _sqlite_dump(connection, dump: Path) -> tuple[dict[str, int], dict[str, str]]:
    # A connection of our own: Django's may be inside a transaction whose uncommitted rows the
    # backup would otherwise copy. The online backup API copies a consistent state even while
    # other processes write.
    source = connection.get_new_connection(connection.get_connection_params())
    destination = sqlite3.connect(dump)
    try:
        source.backup(destination)
        return _sqlite_inventory(destination)
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite backup failed: {exc}") from exc
    finally:
        destination.close()
        source.close()


def _sqlite_inventory(db: sqlite3.Connection) -> tuple[dict[str, int], dict[str, str]]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return _inventory(db.cursor(), names, _quote_sqlite)


def _quote_sqlite(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _inventory(cursor, tables: list[str], quote) -> tuple[dict[str, int], dict[str, str]]:
    """Row count of each table and the latest applied migration of each app."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - quoted names
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, str] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations[app] = max(name, migrations.get(app, ""))
    return counts, dict(sorted(migrations.items()))


PG_TABLES_SQL = """
    SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(current_schemas(false))
"""


def _pg_dump(connection, dump: Path) -> tuple[dict[str, int], dict[str, str]]:
    # Count the rows in a snapshot and let pg_dump read that very snapshot: the manifest
    # describes exactly what the dump holds, however busy the site is.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(PG_TABLES_SQL)
        names = [row[0] for row in cursor.fetchall()]
        inventory = _inventory(cursor, names, connection.ops.quote_name)
        _pg_run(
            "pg_dump",
            connection.settings_dict,
            "--format=custom",
            f"--snapshot={snapshot}",
            f"--file={dump}",
        )
        cursor.execute("COMMIT")
        return inventory
    finally:
        raw.close()


def _pg_run(program: str, settings_dict: dict, *options: str) -> None:
    """Run a PostgreSQL client with the connection settings of ``settings_dict``.

    The password goes through ``PGPASSWORD`` in the child's environment, never on the command
    line (where ``ps`` shows it to every user); ``--no-password`` makes a missing one an error
    instead of a prompt that would hang cron.
    """
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} was not found on PATH. Install the PostgreSQL client tools of the "
            "server's major version (Debian: apt install postgresql-client)."
        )
    env = dict(os.environ)
    options_dict = settings_dict.get("OPTIONS") or {}
    args = [executable, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options_dict.get(option):
            env[variable] = str(options_dict[option])
    args.append(f"--dbname={settings_dict['NAME']}")
    args.extend(options)
    completed = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        args, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip() or "no message"
        raise BackupError(f"{program} failed (exit status {completed.returncode}): {detail}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Restore -----------------------------------------------------------------------------------

READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, UnicodeDecodeError, ValueError)


def backup_read_manifest(path: Path | str) -> dict[str, Any]:
    """The manifest of the archive at ``path``, after reading the whole archive.

    Raises ``BackupError`` when the file is missing, unreadable, truncated or corrupt, or is
    not a Wardwork backup of a format this version knows.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    try:
        with tarfile.open(path, mode="r:*") as archive:
            members = {member.name: member for member in archive.getmembers()}
            if MANIFEST not in members:
                raise BackupError(f"{path} is not a Wardwork backup: it has no {MANIFEST}.")
            stream = archive.extractfile(members[MANIFEST])
            manifest = json.loads(stream.read().decode("utf-8"))
            if not isinstance(manifest, dict):
                raise ValueError("the manifest is not a JSON object")
            database_file = (manifest.get("database") or {}).get("file")
            if database_file not in members:
                raise BackupError(f"{path} is incomplete: it lacks the database dump.")
    except BackupError:
        raise
    except READ_ERRORS as exc:
        raise BackupError(
            f"{path} is not a readable Wardwork backup (truncated or corrupt?): {exc}"
        ) from exc
    if manifest.get("format") != FORMAT or manifest.get("engine") not in DATABASE_MEMBERS:
        raise BackupError(f"{path} is not a Wardwork backup: its manifest is not one.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} has backup format {manifest.get('format_version')!r}; this version of "
            f"Wardwork reads format {FORMAT_VERSION}."
        )
    if not _manifest_is_well_formed(manifest):
        raise BackupError(f"{path} is damaged: its manifest is malformed.")
    return manifest


def _manifest_is_well_formed(manifest: dict[str, Any]) -> bool:
    database = manifest.get("database")
    media = manifest.get("media")
    tables = manifest.get("tables")
    migrations = manifest.get("migrations")
    return (
        isinstance(database, dict)
        and database.get("file") == DATABASE_MEMBERS[manifest["engine"]]
        and isinstance(database.get("sha256"), str)
        and isinstance(media, dict)
        and all(isinstance(media.get(key), int) for key in ("files", "bytes"))
        and isinstance(tables, dict)
        and all(isinstance(k, str) and type(v) is int for k, v in tables.items())
        and isinstance(migrations, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in migrations.items())
        and all(isinstance(manifest.get(key), str) for key in ("created_at", "app_version"))
    )


def restore_check(manifest: dict[str, Any], *, using: str = "default") -> list[str]:
    """Refuse a backup the current database cannot take; return notes for the operator.

    Raises ``BackupError`` when the engines differ or the backup was made by a newer version
    (it has migrations this code does not know). An older backup is accepted with a note: run
    ``migrate`` after restoring it.
    """
    vendor = connections[using].vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This backup is of a {engine_name(manifest['engine'])} database, but the current "
            f"database is {engine_name(vendor)}: a backup can only be restored into the same "
            "engine. Point DATABASE_URL at a database of that engine, or move the data with "
            "dumpdata/loaddata."
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    latest_in_code: dict[str, str] = {}
    for app, name in loader.graph.leaf_nodes():
        latest_in_code[app] = max(name, latest_in_code.get(app, ""))
    notes = []
    behind = []
    for app, name in (manifest.get("migrations") or {}).items():
        if (app, name) in known:
            if latest_in_code.get(app, name) != name:
                behind.append(f"{app} {name}")
        elif app in latest_in_code and name > latest_in_code[app]:
            raise BackupError(
                "This backup was made by a newer version of Wardwork "
                f"({manifest.get('app_version')}): migration {app}.{name} is unknown here. "
                "Install that version (or later), then restore."
            )
        else:
            notes.append(f"Migration {app}.{name} of the backup is unknown to this code.")
    if behind:
        notes.append(
            "The backup predates migrations of this code (last in the backup: "
            + ", ".join(behind)
            + "): run `python manage.py migrate` after the restore."
        )
    return notes


def backup_restore(path: Path | str, *, using: str = "default") -> RestoreResult:
    """Replace the database and ``MEDIA_ROOT`` by the backup at ``path`` and verify them.

    Checks first (``backup_read_manifest``, ``restore_check``, the dump's SHA-256) and stages
    the dump and the files before changing anything. PostgreSQL: ``pg_restore --clean`` in one
    transaction, then tables the backup does not have are dropped, so the database is the
    backup's. SQLite: the backup API copies the dump over the database. The result lists
    every table's expected and found row count; the caller decides what a mismatch means.
    Raises ``BackupError``.
    """
    path = Path(path)
    manifest = backup_read_manifest(path)
    restore_check(manifest, using=using)
    connection = connections[using]
    storage = _bucket_storage()
    media_root = Path(settings.MEDIA_ROOT)
    if storage is None:
        media_root.mkdir(parents=True, exist_ok=True)
    else:
        _storage_files(storage)  # refuse a storage that cannot list before changing anything
    with (
        tempfile.TemporaryDirectory(prefix="wardwork-restore-") as staging,
        tempfile.TemporaryDirectory(
            dir=media_root if storage is None else None, prefix=".restore-"
        ) as media_staging,
    ):
        dump = Path(staging) / manifest["database"]["file"]
        media_count = _extract(path, Path(staging), Path(media_staging))
        if _sha256(dump) != manifest["database"].get("sha256"):
            raise BackupError(
                f"{path} is corrupt: its database dump does not match the manifest's checksum."
            )
        if connection.vendor == "postgresql":
            dropped = _pg_restore(connection, dump, manifest)
        else:
            dropped = []
            _sqlite_restore(connection, dump)
        if storage is None:
            _replace_media(media_root, Path(media_staging))
        else:
            _replace_storage_files(storage, Path(media_staging))

    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    return RestoreResult(
        manifest=manifest,
        tables=_verify(connection, manifest["tables"]),
        dropped_tables=dropped,
        media_files=media_count,
    )


def _extract(path: Path, staging: Path, media_staging: Path) -> int:
    """Unpack the dump into ``staging`` and the files into ``media_staging``; count files."""
    prefix = MEDIA + "/"
    count = 0
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive.getmembers():
                if member.name == MANIFEST or member.name == MEDIA:
                    continue
                if member.name in DATABASE_MEMBERS.values():
                    archive.extract(member, staging, filter="data")
                elif member.name.startswith(prefix):
                    # The "data" filter refuses absolute paths, "..", links out of the tree
                    # and device files: an archive cannot write outside MEDIA_ROOT.
                    member = member.replace(name=member.name[len(prefix) :], deep=False)
                    archive.extract(member, media_staging, filter="data")
                    count += member.isfile()
                else:
                    raise BackupError(f"{path} holds an unexpected member {member.name!r}.")
    except BackupError:
        raise
    except READ_ERRORS as exc:
        raise BackupError(f"{path} could not be unpacked (corrupt?): {exc}") from exc
    return count


def _sqlite_restore(connection, dump: Path) -> None:
    source = sqlite3.connect(dump)
    try:
        check = source.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The database in the backup is damaged: {check}")
        # Django's connection is closed first so that no statement or transaction of it spans
        # the copy. An in-memory database (the test suite's) lives only in Django's
        # connection, which close() keeps open: it is the copy's destination.
        connection.close()
        if connection.is_in_memory_db():
            connection.ensure_connection()
            source.backup(connection.connection)
        else:
            destination = connection.get_new_connection(connection.get_connection_params())
            try:
                source.backup(destination)
            finally:
                destination.close()
    except sqlite3.Error as exc:
        raise BackupError(f"The SQLite restore failed: {exc}") from exc
    finally:
        source.close()


def _pg_restore(connection, dump: Path, manifest: dict[str, Any]) -> list[str]:
    connection.close()
    _pg_run(
        "pg_restore",
        connection.settings_dict,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-acl",
        "--single-transaction",
        "--exit-on-error",
        str(dump),
    )
    # pg_restore --clean drops only what the dump holds; a table created since (a newer
    # migration) would keep its rows and break the next migrate. The database becomes the
    # backup's, nothing more.
    with connection.cursor() as cursor:
        cursor.execute(PG_TABLES_SQL)
        extra = sorted(row[0] for row in cursor.fetchall() if row[0] not in manifest["tables"])
        for table in extra:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    return extra


def _replace_media(media_root: Path, media_staging: Path) -> None:
    # The staging directory is inside MEDIA_ROOT (one filesystem, even when MEDIA_ROOT is a
    # mount point), so moving the restored files into place is a series of renames.
    for entry in media_root.iterdir():
        if entry == media_staging:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in media_staging.iterdir():
        entry.rename(media_root / entry.name)


def _replace_storage_files(storage, media_staging: Path) -> None:
    """Make the storage hold exactly the backup's files, under their own names."""
    from django.core.files import File

    for name in _storage_files(storage):
        storage.delete(name)
    for path in sorted(p for p in media_staging.rglob("*") if p.is_file()):
        name = path.relative_to(media_staging).as_posix()
        with path.open("rb") as content:
            saved = storage.save(name, File(content, name=name))
        if saved != name:
            raise BackupError(
                f"The storage saved {name} as {saved}: the database refers to {name}. "
                "Check that nothing else writes to the storage during the restore."
            )


def _verify(connection, expected: dict[str, int]) -> list[TableCheck]:
    existing = set(connection.introspection.table_names())
    checks = []
    with connection.cursor() as cursor:
        for table, count in sorted(expected.items()):
            found = None
            if table in existing:
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - quoted name
                found = cursor.fetchone()[0]
            checks.append(TableCheck(table=table, expected=count, found=found))
    return checks
