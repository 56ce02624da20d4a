"""`Idempotency-Key` on partner creates: a retry gets the first response and never creates twice.

The key is stored with a fingerprint of the request and, once done, the response. A replay returns
that response; the same key with another body is 422; the same key while the first is running is 409.
"""

import functools
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from core.access import api_key_of
from core.errors import ConflictError, UnprocessableError
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Answers that depend on timing rather than on the request are not kept: a retry runs afresh.
NOT_KEPT = {409, 429}


def owner_of(request: Request) -> str:
    key = api_key_of(request)
    return f"key:{key.pk}" if key is not None else f"user:{request.user.pk}"


def fingerprint_of(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(owner: str, key: str, request: Request, fingerprint: str) -> IdempotencyRecord | None:
    """Insert the in-flight record, or return the one already there."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    owner=owner, key=key, method=request.method, path=request.path[:500], fingerprint=fingerprint
                )
            return None
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if existing is None:
                continue  # purged between our insert and read: claim again
            if existing.created_at < timezone.now() - settings.IDEMPOTENCY_KEY_TTL:
                IdempotencyRecord.objects.filter(pk=existing.pk).delete()
                continue
            return existing
    raise ConflictError(_("This Idempotency-Key is in use; retry shortly."), code="idempotency_key_in_use")


def run_idempotent(request: Request, handler: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [_("Must be 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH}]}, code="invalid"
        )
    owner, fingerprint = owner_of(request), fingerprint_of(request)
    existing = _claim(owner, key, request, fingerprint)
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise UnprocessableError(
                _("This Idempotency-Key was used with a different request."), code="idempotency_key_reused"
            )
        if existing.in_flight:
            raise ConflictError(
                _("A request with this Idempotency-Key is still being processed."),
                code="idempotency_key_in_flight",
            )
        return Response(
            existing.response_body, status=existing.response_status, headers={"Idempotent-Replayed": "true"}
        )

    try:
        response = handler()
    except Exception:
        IdempotencyRecord.objects.filter(owner=owner, key=key).delete()
        raise
    if response.status_code >= 500 or response.status_code in NOT_KEPT:
        IdempotencyRecord.objects.filter(owner=owner, key=key).delete()
        return response
    IdempotencyRecord.objects.filter(owner=owner, key=key).update(
        response_status=response.status_code,
        response_body=json.loads(JSONRenderer().render(response.data) or b"null"),
        completed_at=timezone.now(),
    )
    return response


def idempotent(view_method):
    """Decorate a partner-facing create so it honours the `Idempotency-Key` header."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        return run_idempotent(request, lambda: view_method(self, request, *args, **kwargs))

    wrapper.idempotent = True
    return wrapper


def is_idempotent(view) -> bool:
    handler = getattr(view, getattr(view, "action", None) or "", None)
    return bool(getattr(handler, "idempotent", False))
