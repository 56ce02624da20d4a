"""Upload rules for complaint evidence and dispute documents: the type is read from the content (PDF,
JPEG, PNG), never from the name or the header a client sends, and the size is capped."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
MAX_FILES = 10


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes

    def as_django_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def check_upload(name: str, content: bytes, *, field: str = "file") -> CheckedFile:
    """Refuse what is empty, too large or not a PDF, JPEG or PNG by its content."""
    limit = settings.COMPLAINT_UPLOAD_MAX_BYTES
    if not content:
        raise ValidationError({field: [_("The file is empty.")]})
    if len(content) > limit:
        raise ValidationError(
            {field: [_("The file is larger than %(mb).1f MB.") % {"mb": limit / (1024 * 1024)}]}, code="too_large"
        )
    kind = sniff(content[:16])
    if kind is None:
        raise ValidationError({field: [_("Only PDF, JPEG and PNG files are accepted.")]}, code="file_type")
    content_type, extension = kind
    stem = "".join(ch for ch in (name or "file").rsplit(".", 1)[0] if ch.isalnum() or ch in "-_")[:80] or "file"
    return CheckedFile(name=f"{stem}.{extension}", content_type=content_type, content=content)


def read_upload(upload, *, field: str = "file") -> CheckedFile:
    """A Django UploadedFile, read up to one byte past the limit so a huge upload is not held whole."""
    content = upload.read(settings.COMPLAINT_UPLOAD_MAX_BYTES + 1)
    return check_upload(upload.name, content, field=field)
