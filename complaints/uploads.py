"""Upload rules for complaint evidence and dispute documents: the type is read from the content (PDF,
JPEG, PNG), never from the name or the header a client sends; the size is capped and images are checked for
decompression bombs, by the same rules as onboarding documents (core.uploads)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from core.uploads import accept_upload

MAX_FILES = 10


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    content: bytes

    def as_django_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def check_upload(name: str, content: bytes, *, field: str = "file") -> CheckedFile:
    """Refuse what is empty, too large, not a PDF, JPEG or PNG by its content, or an image bomb."""
    try:
        accepted = accept_upload(
            ContentFile(content, name=name or "file"), max_bytes=settings.COMPLAINT_UPLOAD_MAX_BYTES
        )
    except ValidationError as error:
        raise ValidationError({field: error.error_dict["file"]}) from None
    stem = "".join(ch for ch in (name or "file").rsplit(".", 1)[0] if ch.isalnum() or ch in "-_")[:80] or "file"
    return CheckedFile(name=f"{stem}.{accepted.extension}", content_type=accepted.content_type, content=content)


def read_upload(upload, *, field: str = "file") -> CheckedFile:
    """A Django UploadedFile, read up to one byte past the limit so a huge upload is not held whole."""
    content = upload.read(settings.COMPLAINT_UPLOAD_MAX_BYTES + 1)
    return check_upload(upload.name, content, field=field)
