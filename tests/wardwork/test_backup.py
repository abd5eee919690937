"""Backup and restore: the demo data survives a round trip table by table, file by file, and
every archive that cannot be restored safely is refused with a message, before any change.

The round trip runs on the engine the suite runs on (SQLite by default, PostgreSQL when
DATABASE_URL says so); CI runs the suite on both, so both paths are proved there. The suite's
SQLite database lives in memory, so one more test backs up and restores a SQLite *file* (the
deployment case) through a second connection, on either engine's run.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from plans.models import ProgressReport
from tests.factories import WardFactory
from wardwork import backup as backup_module
from wardwork.backup import BackupError
from wardwork.models import Person, Ward

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
# Tables whose content (not only their size) must come back: primary key and a text column.
CONTENT_COLUMNS = {
    "wardwork_person": "full_name",
    "wardwork_ward": "name",
    "plans_task": "title",
    "plans_progressreport": "narrative",
    "models_registry_registration": "title",
    "meetings_meeting": "title",
}
EXPECTED_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "plans" / "2021").mkdir(parents=True)
    (settings.MEDIA_ROOT / "plans" / "2021" / "báo cáo quý I.pdf").write_bytes(b"%PDF-1.4 q1")
    (settings.MEDIA_ROOT / "meetings").mkdir()
    (settings.MEDIA_ROOT / "meetings" / "bien-ban.docx").write_bytes(b"PK\x03\x04 minutes")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def postgresql_tools():
    """The PostgreSQL path needs pg_dump and pg_restore; CI must never skip for want of them."""
    if connection.vendor != "postgresql":
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not found: install postgresql-client"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _database_state() -> dict:
    """Every table's row count, and a checksum of a few tables' keys and text."""
    state = {}
    with connection.cursor() as cursor:
        for table in _tables():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
            state[table] = cursor.fetchone()[0]
        for table, column in CONTENT_COLUMNS.items():
            cursor.execute(
                f"SELECT id, {connection.ops.quote_name(column)} FROM {table} ORDER BY id"  # noqa: S608
            )
            rows = cursor.fetchall()
            assert rows, f"the demo has no {table} rows: the checksum would prove nothing"
            state[f"{table} content"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return state


def _media_state(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


def _backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups") + os.sep, stdout=out)
    match = re.search(r"Backup written: (\S+) \((.+)\)", out.getvalue())
    assert match, out.getvalue()
    return Path(match.group(1))


def _restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def _rewrite(path: Path, target: Path, *, manifest=None, members=None, drop=()) -> Path:
    """A copy of the archive at ``path`` with the manifest changed or members replaced."""
    with tarfile.open(path) as archive:
        contents = {
            member.name: (member, archive.extractfile(member).read() if member.isfile() else None)
            for member in archive.getmembers()
        }
    data = json.loads(contents["manifest.json"][1])
    if manifest:
        manifest(data)
    contents["manifest.json"] = (contents["manifest.json"][0], json.dumps(data).encode())
    for name, payload in (members or {}).items():
        info = contents[name][0] if name in contents else tarfile.TarInfo(name)
        contents[name] = (info, payload)
    with tarfile.open(target, "w:gz") as archive:
        for name, (info, payload) in contents.items():
            if name in drop:
                continue
            if payload is None:
                archive.addfile(info)
            else:
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))
    return target


# --- The round trip ----------------------------------------------------------------------------


def test_round_trip_restores_every_table_and_file(demo, media, tmp_path):
    before = _database_state()
    files_before = _media_state(media)
    assert before["wardwork_person"] > 10 and before["plans_progressreport"] > 50

    path = _backup(tmp_path)
    assert path.parent == tmp_path / "backups"
    assert re.fullmatch(r"wardwork-\d{8}-\d{6}\.tar\.gz", path.name)
    assert path.stat().st_mode & 0o777 == 0o600  # personal data and password hashes
    with tarfile.open(path) as archive:
        names = set(archive.getnames())
        manifest = json.load(archive.extractfile("manifest.json"))
    assert EXPECTED_MEMBER[connection.vendor] in names
    assert {"media/plans/2021/báo cáo quý I.pdf", "media/meetings/bien-ban.docx"} <= names
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == {k: v for k, v in before.items() if not k.endswith(" content")}
    assert manifest["migrations"]["meetings"].startswith("0")
    assert manifest["media"]["files"] == 2

    # Work goes on after the backup: rows deleted, changed, added, a table and files appear.
    ngoc = Person.objects.get(full_name="Nguyễn Thị Ngọc")
    Person.objects.filter(pk=ngoc.pk).update(full_name="Đã sửa sau khi sao lưu")
    ProgressReport.objects.filter(
        pk__in=list(ProgressReport.objects.values_list("pk", flat=True)[:7])
    ).delete()
    WardFactory(name="Phường Mới Sau Sao Lưu")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE zz_after_backup (id integer PRIMARY KEY)")
    (media / "meetings" / "bien-ban.docx").unlink()
    (media / "plans" / "2021" / "báo cáo quý I.pdf").write_bytes(b"overwritten")
    (media / "new-upload.xlsx").write_bytes(b"after the backup")
    assert _database_state() != before

    output = _restore(path, "--yes")

    assert _database_state() == before
    assert "zz_after_backup" not in _tables()
    assert _media_state(media) == files_before
    assert not list(media.glob(".restore-*"))
    # The application reads the restored rows.
    assert Person.objects.get(pk=ngoc.pk).full_name == "Nguyễn Thị Ngọc"
    assert not Ward.objects.filter(name="Phường Mới Sau Sao Lưu").exists()
    persons = before["wardwork_person"]
    assert re.search(rf"wardwork_person\s+{persons}\s+{persons}\n", output)
    assert f"{len(manifest['tables'])} tables" in output
    assert "all counts match the backup" in output
    assert "MISMATCH" not in output


def test_backup_output_names_the_file_and_its_size(db, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    out = io.StringIO()
    call_command("backup", stdout=out)
    written = list((tmp_path / "backups").glob("wardwork-*.tar.gz"))
    assert len(written) == 1
    text = out.getvalue()
    assert f"Backup written: {written[0]} (" in text
    assert re.search(r"\((\d+ bytes|[\d.]+ KB|[\d.]+ MB)\)", text)
    assert "media:    2 files" in text


def test_backup_never_overwrites(db, tmp_path):
    target = tmp_path / "existing.tar.gz"
    target.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(target))
    assert target.read_bytes() == b"an older backup"


# --- Refusals: nothing changes -----------------------------------------------------------------


@pytest.fixture
def archive(tmp_path):
    """A backup of a small database, then a change it would undo."""
    WardFactory(name="Phường Trong Bản Sao")
    path = _backup(tmp_path)
    WardFactory(name="Phường Sau Bản Sao")
    return path


def _unchanged():
    return Ward.objects.filter(name="Phường Sau Bản Sao").exists()


def test_restore_refuses_without_yes(archive, monkeypatch):
    # No terminal (cron, a pipe): nobody can answer, so nothing happens without --yes.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(CommandError, match="pass --yes"):
        _restore(archive)
    assert _unchanged()
    # At a terminal, anything but "yes" cancels.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled: nothing was changed"):
        _restore(archive)
    assert _unchanged()


def test_restore_asks_and_yes_restores(archive, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert "all counts match" in _restore(archive)
    assert not _unchanged()
    assert Ward.objects.filter(name="Phường Trong Bản Sao").exists()


def test_a_backup_of_the_other_engine_is_refused(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def swap(manifest):
        manifest["engine"] = other
        manifest["database"]["file"] = EXPECTED_MEMBER[other]

    with tarfile.open(archive) as tar:
        dump = tar.extractfile(EXPECTED_MEMBER[connection.vendor]).read()
    wrong = _rewrite(
        archive,
        tmp_path / "other.tar.gz",
        manifest=swap,
        members={EXPECTED_MEMBER[other]: dump},
        drop={EXPECTED_MEMBER[connection.vendor]},
    )
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    expected = (
        f"This backup is of a {names[other]} database, but the current database is "
        f"{names[connection.vendor]}"
    )
    with pytest.raises(CommandError, match=re.escape(expected)):
        _restore(wrong, "--yes")
    assert _unchanged()


def test_a_backup_of_a_newer_version_is_refused(archive, tmp_path):
    def future(manifest):
        manifest["migrations"]["wardwork"] = "9999_from_the_future"

    newer = _rewrite(archive, tmp_path / "newer.tar.gz", manifest=future)
    with pytest.raises(CommandError, match=r"newer version of Wardwork .*wardwork\.9999_"):
        _restore(newer, "--yes")
    assert _unchanged()


def _truncated(archive, tmp_path):
    data = archive.read_bytes()
    target = tmp_path / "truncated.tar.gz"
    target.write_bytes(data[: len(data) // 2])
    return target


def _garbage(archive, tmp_path):
    target = tmp_path / "garbage.tar.gz"
    target.write_bytes(b"\x1f\x8b this is not gzip at all" * 100)
    return target


def _no_manifest(archive, tmp_path):
    return _rewrite(archive, tmp_path / "bare.tar.gz", drop={"manifest.json"})


def _bad_manifest_json(archive, tmp_path):
    return _rewrite(archive, tmp_path / "badjson.tar.gz", members={"manifest.json": b"{not json"})


def _malformed_counts(archive, tmp_path):
    def damage(manifest):
        manifest["tables"]["wardwork_ward"] = "two"

    return _rewrite(archive, tmp_path / "counts.tar.gz", manifest=damage)


def _dump_pointing_at_a_media_file(archive, tmp_path):
    def damage(manifest):
        manifest["database"]["file"] = "media/meetings/bien-ban.docx"

    return _rewrite(archive, tmp_path / "pointer.tar.gz", manifest=damage)


def _tampered_dump(archive, tmp_path):
    with tarfile.open(archive) as tar:
        name = next(n for n in tar.getnames() if n.startswith("database."))
        dump = bytearray(tar.extractfile(name).read())
    dump[len(dump) // 2] ^= 0xFF
    return _rewrite(archive, tmp_path / "tampered.tar.gz", members={name: bytes(dump)})


def _escaping_media(archive, tmp_path):
    return _rewrite(
        archive, tmp_path / "escape.tar.gz", members={"media/../../escaped.txt": b"outside"}
    )


def _unknown_member(archive, tmp_path):
    return _rewrite(archive, tmp_path / "extra.tar.gz", members={"settings.py": b"DEBUG = 1"})


DAMAGES = [
    (_truncated, "not a readable Wardwork backup"),
    (_garbage, "not a readable Wardwork backup"),
    (_no_manifest, "has no manifest.json"),
    (_bad_manifest_json, "not a readable Wardwork backup"),
    (_malformed_counts, "its manifest is malformed"),
    (_dump_pointing_at_a_media_file, "its manifest is malformed"),
    (_tampered_dump, "does not match the manifest's checksum"),
    (_escaping_media, "could not be unpacked"),
    (_unknown_member, "unexpected member 'settings.py'"),
]


def test_a_damaged_archive_is_refused_with_a_message(archive, tmp_path, media):
    # One backup for all the damages: each transactional test costs a flush of every table.
    files = _media_state(media)
    for make, message in DAMAGES:
        damaged = make(archive, tmp_path)
        with pytest.raises(CommandError, match=re.escape(message)):
            _restore(damaged, "--yes")
        assert _unchanged(), make.__name__
        assert _media_state(media) == files, make.__name__
        assert not (tmp_path / "escaped.txt").exists()
        assert not list(media.glob(".restore-*")), make.__name__


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no such backup file"):
        _restore(tmp_path / "nowhere.tar.gz", "--yes")


def test_counts_that_differ_from_the_manifest_fail_the_restore(archive, tmp_path):
    def inflate(manifest):
        manifest["tables"]["wardwork_ward"] += 5

    wrong = _rewrite(archive, tmp_path / "inflated.tar.gz", manifest=inflate)
    with pytest.raises(CommandError, match=r"does not match .* 1 table\(s\): wardwork_ward"):
        _restore(wrong, "--yes")


# --- The PostgreSQL client tools ---------------------------------------------------------------


def test_a_missing_pg_tool_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda program: None)
    with pytest.raises(BackupError, match="pg_dump was not found on PATH"):
        backup_module._pg_run("pg_dump", {"NAME": "wardwork"})


def test_the_password_goes_through_the_environment_not_the_command_line(monkeypatch):
    seen = {}

    def run(args, env, **kwargs):
        seen.update(args=args, env=env)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(backup_module.shutil, "which", lambda program: f"/usr/bin/{program}")
    monkeypatch.setattr(backup_module.subprocess, "run", run)
    database = {
        "NAME": "wardwork",
        "USER": "ww",
        "PASSWORD": "s3cret-pass",
        "HOST": "db.example",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }
    backup_module._pg_run("pg_dump", database, "--format=custom")
    assert not any("s3cret" in arg for arg in seen["args"])
    assert seen["env"]["PGPASSWORD"] == "s3cret-pass"
    assert seen["env"]["PGSSLMODE"] == "require"
    assert seen["args"][1:] == [
        "--no-password",
        "--host=db.example",
        "--port=5433",
        "--username=ww",
        "--dbname=wardwork",
        "--format=custom",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server")
def test_a_failing_pg_dump_is_a_clear_error(settings, tmp_path):
    database = dict(connection.settings_dict, NAME="ww_no_such_database_for_backup")
    with pytest.raises(BackupError, match=r"pg_dump failed \(exit status 1\): .*does not exist"):
        backup_module._pg_run("pg_dump", database, f"--file={tmp_path / 'x.dump'}")


# --- The deployment case: a SQLite file ------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path):
    """A second connection, to a SQLite file (the suite's own SQLite database is in memory)."""
    path = tmp_path / "site.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE django_migrations (id integer PRIMARY KEY, app, name, applied)")
        db.execute("INSERT INTO django_migrations VALUES (1, 'wardwork', '0001_initial', '')")
        db.execute("CREATE TABLE notes (id integer PRIMARY KEY, body text)")
        db.executemany(
            "INSERT INTO notes (body) VALUES (?)", [(f"ghi chú {i}",) for i in range(50)]
        )
    db.close()
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = connections.configure_settings(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}}
    )
    connections["site_file"] = DatabaseWrapper(config["default"], "site_file")
    yield path
    connections["site_file"].close()
    del connections["site_file"]


def test_a_sqlite_file_database_round_trips_while_connected(sqlite_file, tmp_path, media):
    other = sqlite3.connect(sqlite_file)  # another process of the site, connected throughout
    result = backup_module.backup_create(output=tmp_path / "nightly.tar.gz", using="site_file")
    assert result.manifest["tables"] == {"django_migrations": 1, "notes": 50}
    assert result.manifest["migrations"] == {"wardwork": "0001_initial"}

    other.execute("DELETE FROM notes WHERE id > 10")
    other.execute("UPDATE notes SET body = 'sửa' WHERE id = 1")
    other.execute("CREATE TABLE zz_after_backup (id integer)")
    other.commit()

    restored = backup_module.backup_restore(result.path, using="site_file")

    assert not restored.mismatches
    assert [(c.table, c.found) for c in restored.tables] == [
        ("django_migrations", 1),
        ("notes", 50),
    ]
    rows = other.execute("SELECT id, body FROM notes ORDER BY id").fetchall()
    assert rows == [(i + 1, f"ghi chú {i}") for i in range(50)]
    tables = {row[0] for row in other.execute("SELECT name FROM sqlite_master")}
    assert "zz_after_backup" not in tables
    other.close()
