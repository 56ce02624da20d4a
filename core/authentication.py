"""Partner systems authenticate with `Authorization: Api-Key <key>`; only the key's hash is stored."""

import hmac
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.models import ApiKey, hash_api_key

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PartnerPrincipal:
    """Stands in `request.user` for a partner key: authenticated, but no person and no staff role."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"api-key:{self.api_key.name}"

    def get_username(self) -> str:
        return str(self)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid API key header."))
        raw = header[1]
        key = (
            ApiKey.objects.select_related("merchant").filter(prefix=raw[: ApiKey.PREFIX_LENGTH], is_active=True).first()
        )
        if key is None or not hmac.compare_digest(key.hashed_key, hash_api_key(raw)):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        now = timezone.now()
        if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
            # One write a minute at most, however busy the key.
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return PartnerPrincipal(key), key

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Partner key, sent as `Api-Key <key>`.",
        }
