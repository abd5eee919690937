"""Upload checks shared by every app: type by content (not only the name), size, file name.

Accepted: PDF, DOCX, XLSX, JPEG and PNG. A file must both carry an accepted extension and
start with the bytes of that type; DOCX and XLSX are ZIP packages that must hold their main
part (``word/document.xml``, ``xl/workbook.xml``).
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

ACCEPTED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
}

MESSAGE_TYPE = _("Only PDF, Word (.docx), Excel (.xlsx), JPEG or PNG files are accepted.")
MESSAGE_CONTENT = _("The file's content is not a real %(kind)s file: it may be damaged or renamed.")
MESSAGE_SIZE = _("The file is %(size)s; the largest accepted is %(limit)s.")
MESSAGE_NAME = _("The file name is not acceptable. Rename the file and try again.")
MESSAGE_EMPTY = _("The file is empty.")


def sniff(head: bytes, fileobj) -> str | None:
    """The kind the content really is, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            fileobj.seek(0)
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


@deconstructible
class DocumentFileValidator:
    """Validate an uploaded evidence or document file."""

    def __init__(self, max_bytes: int | None = None):
        self.max_bytes = max_bytes

    def __call__(self, upload) -> None:
        name = getattr(upload, "name", "") or ""
        # A stored file keeps its folder ("plans/2021/04/x.pdf"); anything that climbs out of
        # a folder, uses Windows separators or hides the file is refused.
        parts = name.split("/")
        base = parts[-1]
        if (
            not base
            or "\\" in name
            or name.startswith("/")
            or any(part in ("", ".", "..") for part in parts)
            or base.startswith(".")
            or ".." in base
            or any(ch in base for ch in '\x00<>:"|?*')
        ):
            raise ValidationError(MESSAGE_NAME, code="name")
        suffix = PurePosixPath(base).suffix.lower()
        expected = ACCEPTED.get(suffix)
        if expected is None:
            raise ValidationError(MESSAGE_TYPE, code="type")
        limit = self.max_bytes or settings.UPLOAD_MAX_BYTES
        size = getattr(upload, "size", None) or 0
        if size == 0:
            raise ValidationError(MESSAGE_EMPTY, code="empty")
        if size > limit:
            raise ValidationError(
                MESSAGE_SIZE,
                code="size",
                params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
            )
        fileobj = getattr(upload, "file", upload)
        position = fileobj.tell() if hasattr(fileobj, "tell") else 0
        fileobj.seek(0)
        head = fileobj.read(16)
        try:
            actual = sniff(head, fileobj)
        finally:
            fileobj.seek(position)
        if actual != expected:
            raise ValidationError(
                MESSAGE_CONTENT, code="content", params={"kind": suffix[1:].upper()}
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DocumentFileValidator) and other.max_bytes == self.max_bytes


validate_document_file = DocumentFileValidator()
