"""Upload checks: type by content and extension, size, file name.

The Vietnamese catalogue has no translation of these messages yet, so the tests check the
ValidationError ``code`` and that the message is rendered lazily in the active language ("vi"),
not the Vietnamese wording itself.
"""

import base64
import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import get_language
from docx import Document
from openpyxl import Workbook

from wardwork.uploads import (
    MESSAGE_CONTENT,
    MESSAGE_EMPTY,
    MESSAGE_NAME,
    MESSAGE_SIZE,
    MESSAGE_TYPE,
    DocumentFileValidator,
    validate_document_file,
)

# --- real files ---------------------------------------------------------------------------------
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# The smallest baseline JPEG: one 1x1 grey pixel.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////"
    "////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/a"
    "AAgBAQABPxA="
)


def png_bytes() -> bytes:
    """A real 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = png_bytes()


def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("ĐẢNG CỘNG SẢN VIỆT NAM")
    document.add_paragraph("Số 35-BC/ĐU")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Tên mô hình", "Đơn vị"])
    sheet.append([1, "Dân vận khéo trong giải phóng mặt bằng", "Chi bộ số 1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = docx_bytes()
XLSX = xlsx_bytes()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def rejected(file, code: str, message) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validate_document_file(file)
    assert error.value.code == code
    assert error.value.message == message
    # Lazy: shown in the active language (Vietnamese by default), with its values filled in.
    assert get_language() == "vi"
    assert error.value.messages == [str(message) % (error.value.params or {})]
    return error.value


# --- accepted -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao-quy-I.pdf", PDF),
        ("BAO CAO.PDF", PDF),
        ("anh-hien-truong.png", PNG),
        ("anh.jpg", JPEG),
        ("anh.JPEG", JPEG),
        ("Báo cáo quý I-2021.docx", DOCX),
        ("danh-sach-mo-hinh.xlsx", XLSX),
    ],
)
def test_real_documents_are_accepted(name, content):
    file = upload(name, content)
    validate_document_file(file)
    # The validator leaves the file where it found it, ready to be saved.
    assert file.tell() == 0
    assert file.read() == content


def test_file_position_is_restored():
    file = upload("x.docx", DOCX)
    file.seek(5)
    validate_document_file(file)
    assert file.tell() == 5


def test_a_stored_file_name_with_folders_is_accepted():
    # A FieldFile already saved carries its storage path; re-validating it must pass.
    validate_document_file(ContentFile(PDF, name="plans/2021/04/bao-cao.pdf"))


def test_real_files_have_the_expected_signatures():
    assert JPEG.startswith(b"\xff\xd8\xff")
    assert PNG.startswith(b"\x89PNG\r\n\x1a\n")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(DOCX)).namelist()
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(XLSX)).namelist()


# --- rejected: type and content -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("report.pdf.exe", PDF),
        ("report.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("notes.txt", b"hello"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("archive.zip", zip_bytes({"a.txt": b"a"})),
        ("no-extension", PDF),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_other_types_are_rejected_by_extension(name, content):
    rejected(upload(name, content), "type", MESSAGE_TYPE)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", b"This is only text, not a PDF.\n"),
        ("bao-cao.pdf", b"MZ\x90\x00" + PDF),
        ("anh.docx", PNG),
        ("anh.png", JPEG),
        ("anh.jpg", PNG),
        ("bang.xlsx", DOCX),
        ("van-ban.docx", XLSX),
        ("van-ban.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "readme.txt": b"x"})),
        ("van-ban.docx", zip_bytes({"word/document.xml": b"<w:document/>"})),
        ("van-ban.docx", b"PK\x03\x04 not really a zip archive"),
        ("bang.xlsx", zip_bytes({"[Content_Types].xml": b"<Types/>"})),
    ],
)
def test_content_that_does_not_match_the_extension_is_rejected(name, content):
    error = rejected(upload(name, content), "content", MESSAGE_CONTENT)
    assert error.params == {"kind": name.rsplit(".", 1)[1].upper()}


def test_a_zip_renamed_docx_without_its_main_part_is_rejected():
    content = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/styles.xml": b"<w:styles/>"})
    rejected(upload("ke-hoach.docx", content), "content", MESSAGE_CONTENT)


# --- rejected: size -----------------------------------------------------------------------------
def test_an_empty_file_is_rejected():
    rejected(upload("empty.pdf", b""), "empty", MESSAGE_EMPTY)


def test_an_oversize_file_is_rejected(settings):
    settings.UPLOAD_MAX_BYTES = 100
    content = PDF + b"%" + b"x" * 200
    error = rejected(upload("big.pdf", content), "size", MESSAGE_SIZE)
    assert set(error.params) == {"size", "limit"}
    validate_document_file(upload("small.pdf", content[:100]))  # exactly at the limit


def test_a_validator_with_its_own_limit():
    validator = DocumentFileValidator(max_bytes=10)
    with pytest.raises(ValidationError) as error:
        validator(upload("x.pdf", PDF))
    assert error.value.code == "size"
    assert validator == DocumentFileValidator(max_bytes=10)
    assert validator != DocumentFileValidator(max_bytes=11)


# --- rejected: names ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [".hidden.pdf", ".pdf", "bao..cao.pdf", "a<b>.pdf", 'a"b.pdf', "a|b.pdf", "a?.pdf", "a*.pdf"],
)
def test_unsafe_names_are_rejected(name):
    rejected(upload(name, PDF), "name", MESSAGE_NAME)


def test_a_name_with_a_nul_byte_is_rejected():
    rejected(ContentFile(PDF, name="bao-cao\x00.pdf"), "name", MESSAGE_NAME)


def test_browser_upload_names_lose_their_folders_before_validation():
    # Django's UploadedFile keeps only the base name of what the client sent, so a path
    # written with "/" never reaches storage; the validator then judges "passwd.pdf".
    file = upload("../../etc/passwd.pdf", PDF)
    assert file.name == "passwd.pdf"


@pytest.mark.parametrize(
    "file",
    [
        pytest.param(upload("..\\x.pdf", PDF), id="backslash-upload"),
        pytest.param(upload("..\\..\\windows\\x.pdf", PDF), id="backslash-deep-upload"),
        pytest.param(ContentFile(PDF, name="../../etc/passwd.pdf"), id="slash-file"),
        pytest.param(ContentFile(PDF, name="plans/../../x.pdf"), id="slash-inside-file"),
    ],
)
def test_path_tricks_are_rejected(file):
    rejected(file, "name", MESSAGE_NAME)
