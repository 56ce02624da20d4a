import logging

from django.http import JsonResponse
from django.utils.translation import gettext as _

from core.context import client_ip, ip_from_meta
from core.errors import error_type_for

API_PREFIX = "/api/"
logger = logging.getLogger(__name__)


class RequestContextMiddleware:
    """Makes the caller's address available to services for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(ip_from_meta(request.META))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class ApiErrorMiddleware:
    """Errors raised outside DRF (no route matched, a crash in middleware) still reach API clients
    in the one error shape, never as an HTML page or a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self.json_error(response.status_code)
        return response

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX):
            logger.exception("Unhandled error on %s %s", request.method, request.path)
            return self.json_error(500)
        return None

    @staticmethod
    def json_error(status_code: int) -> JsonResponse:
        messages = {
            404: (_("Not found."), "not_found"),
            405: (_("Method not allowed."), "method_not_allowed"),
        }
        detail, code = messages.get(status_code, (_("Server error."), "error"))
        if status_code < 500 and status_code not in messages:
            detail, code = _("The request could not be served."), "error"
        body = {"type": error_type_for(status_code), "errors": [{"code": code, "detail": detail, "attr": None}]}
        return JsonResponse(body, status=status_code)
