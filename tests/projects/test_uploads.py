"""Evidence files: the type is read from the content; odd archives are refused, never a crash."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import sniff_content_type


def zip_bytes(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_office_documents_are_recognised_by_their_content():
    docx = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert sniff_content_type(SimpleUploadedFile("a.docx", docx)).endswith("wordprocessingml.document")
    odt = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"}, compression=zipfile.ZIP_STORED)
    assert sniff_content_type(SimpleUploadedFile("a.odt", odt)) == "application/vnd.oasis.opendocument.text"


def test_a_huge_or_broken_archive_entry_is_refused_not_a_crash():
    bomb = zip_bytes({"mimetype": b"a" * 10_000_000})  # compresses to a few kB
    assert sniff_content_type(SimpleUploadedFile("bomb.odt", bomb)) is None
    truncated = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "x": b"y" * 1000})[:60]
    assert sniff_content_type(SimpleUploadedFile("cut.odt", truncated)) is None
    plain_zip = zip_bytes({"readme.txt": b"hello"})
    assert sniff_content_type(SimpleUploadedFile("a.zip", plain_zip)) is None
