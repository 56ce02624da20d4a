"""Uploaded files (onboarding documents, complaint evidence) are accepted by what they contain, not by what
they are called: PDF, JPEG or PNG by their first bytes, a size cap, and images checked for decompression bombs."""

import hashlib
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG recognised by its first bytes, else None."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


@dataclass(frozen=True)
class AcceptedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def _image_pixels(upload) -> int:
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(upload) as image:
            width, height = image.size
            image.verify()
    return width * height


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": [ValidationError(message, code=code)]})


def accept_upload(upload, *, max_bytes: int) -> AcceptedFile:
    """Check an uploaded file; raise ValidationError({"file": ...}) for anything we do not keep."""
    size = upload.size
    if size is None or size == 0:
        raise _refuse(_("The file is empty."), "empty")
    if size > max_bytes:
        raise _refuse(_("The file is larger than %(max)s MB.") % {"max": f"{max_bytes / 1024 / 1024:g}"}, "too_large")
    upload.seek(0)
    recognised = sniff(upload.read(16))
    if recognised is None:
        raise _refuse(_("Upload a PDF, JPEG or PNG file."), "unsupported_type")
    content_type, extension = recognised
    if content_type != "application/pdf":
        try:
            pixels = _image_pixels(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            pixels = None
        except Exception:  # Pillow raises many kinds of error on a broken image
            raise _refuse(_("The image is damaged."), "damaged_image") from None
        if pixels is None or pixels > settings.UPLOAD_IMAGE_MAX_PIXELS:
            raise _refuse(_("The image has too many pixels; scan it at a lower resolution."), "too_many_pixels")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return AcceptedFile(content_type=content_type, extension=extension, size=size, sha256=digest.hexdigest())
