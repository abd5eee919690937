"""Backup and restore of uploads kept outside MEDIA_ROOT (an S3 bucket, STORAGE_BACKEND):
the files are read and written through the default storage's API, so the archive holds
them; a storage that cannot list its files is refused with a message before anything is
written or changed. tests/wardwork/test_backup.py covers the MEDIA_ROOT case."""

from __future__ import annotations

import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, storages

from wardwork.backup import BackupError, backup_create, backup_restore
from wardwork.models import Ward

pytestmark = pytest.mark.django_db(transaction=True)

UPLOADS = {
    "plans/2021/04/báo cáo quý I.pdf": b"%PDF-1.4 q1",
    "meetings/bien-ban.docx": b"PK\x03\x04 minutes",
    "models_registry/anh.jpg": b"\xff\xd8\xff jpeg",
}


class UnlistableStorage(InMemoryStorage):
    """A storage whose files cannot be listed (like a bucket policy without ListBucket)."""

    def listdir(self, path):
        raise NotImplementedError("listing is not allowed")


@pytest.fixture
def bucket(settings, tmp_path):
    """Uploads in a storage with no MEDIA_ROOT; MEDIA_ROOT holds only an unrelated file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "not-an-upload.txt").write_bytes(b"left over on the disk")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    storage = storages["default"]
    assert isinstance(storage, InMemoryStorage)
    for name, content in UPLOADS.items():
        assert storage.save(name, ContentFile(content)) == name
    return storage


def stored(storage) -> dict[str, bytes]:
    found, pending = {}, [""]
    while pending:
        folder = pending.pop()
        folders, files = storage.listdir(folder)
        prefix = f"{folder}/" if folder else ""
        pending += [prefix + name for name in folders]
        for name in files:
            with storage.open(prefix + name, "rb") as handle:
                found[prefix + name] = handle.read()
    return found


def test_the_backup_holds_the_files_of_the_storage(bucket, tmp_path):
    result = backup_create(output=tmp_path / "backup.tar.gz")
    with tarfile.open(result.path) as archive:
        media = {
            m.name.removeprefix("media/"): archive.extractfile(m).read()
            for m in archive.getmembers()
            if m.isfile() and m.name.startswith("media/")
        }
        manifest = json.load(archive.extractfile("manifest.json"))
    assert media == UPLOADS  # every upload, and nothing of the local disk
    assert manifest["media"] == {
        "files": 3,
        "bytes": sum(len(c) for c in UPLOADS.values()),
        "storage": "django.core.files.storage.InMemoryStorage",
    }
    assert result.manifest["media"]["files"] == 3


def test_the_restore_puts_back_exactly_the_backups_files(bucket, tmp_path):
    path = backup_create(output=tmp_path / "backup.tar.gz").path
    # Work goes on: a file deleted, one replaced, one added, a row added.
    bucket.delete("meetings/bien-ban.docx")
    bucket.delete("models_registry/anh.jpg")
    bucket.save("models_registry/anh.jpg", ContentFile(b"another picture"))
    bucket.save("plans/2022/new.pdf", ContentFile(b"%PDF after the backup"))
    Ward.objects.create(name="Phường Mới Sau Sao Lưu")

    result = backup_restore(path)

    assert stored(storages["default"]) == UPLOADS
    assert result.media_files == 3
    assert not Ward.objects.filter(name="Phường Mới Sau Sao Lưu").exists()
    assert not result.mismatches


def test_a_storage_that_cannot_list_is_refused_before_anything_is_written(
    bucket, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.UnlistableStorage"},
    }
    target = tmp_path / "backup.tar.gz"
    with pytest.raises(BackupError, match=r"cannot list its files.*docs/scaling\.md"):
        backup_create(output=target)
    assert not target.exists()
    assert list(tmp_path.glob("**/.wardwork-backup-*")) == []


def test_a_restore_into_a_storage_that_cannot_list_changes_nothing(bucket, settings, tmp_path):
    path = backup_create(output=tmp_path / "backup.tar.gz").path
    Ward.objects.create(name="Phường Sau Sao Lưu")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.UnlistableStorage"},
    }
    with pytest.raises(BackupError, match="cannot list its files"):
        backup_restore(path)
    assert Ward.objects.filter(name="Phường Sau Sao Lưu").exists()  # the database untouched
