"""Evidence uploads: the type is read from the content, never trusted from the name or the browser."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# The extensions each detected type may carry.
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    OOXML["word/"]: {".docx"},
    OOXML["xl/"]: {".xlsx"},
    OOXML["ppt/"]: {".pptx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "application/vnd.oasis.opendocument.presentation": {".odp"},
    "application/x-ole-storage": {".doc", ".xls", ".ppt"},
}
ACCEPTED_EXTENSIONS = sorted({ext for exts in EXTENSIONS.values() for ext in exts})


def sniff_content_type(uploaded) -> str | None:
    """The file's type from its first bytes (and, for office documents, its zip directory)."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = archive.namelist()
                if "mimetype" in names:
                    info = archive.getinfo("mimetype")
                    # A real ODF "mimetype" entry is a few dozen bytes, stored, never encrypted.
                    if info.file_size <= 100 and not info.flag_bits & 0x1:
                        mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                        if mimetype in EXTENSIONS:
                            return mimetype
                if "[Content_Types].xml" in names:
                    for prefix, content_type in OOXML.items():
                        if any(name.startswith(prefix) for name in names):
                            return content_type
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError, zlib.error):
            return None
        finally:
            uploaded.seek(0)
    return None


def validate_evidence_file(uploaded) -> str:
    """Return the detected content type, or raise a ValidationError that says what is wrong."""
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("This file is %(size)s; files may be at most %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    extension = PurePath(uploaded.name or "").suffix.lower()
    content_type = sniff_content_type(uploaded)
    if content_type is None:
        raise ValidationError(
            _("This file is not a PDF, an image or an office document (accepted: %(types)s).")
            % {"types": ", ".join(ACCEPTED_EXTENSIONS)},
            code="bad_type",
        )
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            _("The file's name says %(extension)s but its content is something else; rename it or upload another.")
            % {"extension": extension or _("no type")},
            code="disguised",
        )
    return content_type
