"""What a locked-out login sees: the portal page for people, the error shape for API clients."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import error_type_for

STATUS = 429


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        detail = _("Too many failed logins for this account from this address. Try again later.")
        body = {"type": error_type_for(STATUS), "errors": [{"code": "locked_out", "detail": detail, "attr": None}]}
        return JsonResponse(body, status=STATUS)
    return render(request, "portal/locked_out.html", status=STATUS)
