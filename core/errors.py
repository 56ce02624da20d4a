"""One error shape for every 4xx and 5xx: {"type": ..., "errors": [{"code", "detail", "attr"}]}.

Services raise the domain errors below; the handler turns them (and Django's own) into API errors.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors import formatter, handler
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail


class DomainError(Exception):
    """Base of the errors services raise; each maps to one HTTP status and error code."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Conflict(DomainError):
    code = "conflict"


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class UnprocessableError(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("The request cannot be processed.")
    default_code = "unprocessable"


ERROR_TYPES = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
}
SERVER_ERROR = "server_error"


def error_type_for(status_code: int) -> str:
    return ERROR_TYPES.get(status_code, SERVER_ERROR if status_code >= 500 else "client_error")


class ExceptionHandler(handler.ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, Http404):
            return exceptions.NotFound()
        if isinstance(exc, DjangoPermissionDenied):
            return exceptions.PermissionDenied()
        if isinstance(exc, DomainError):
            return ConflictError(detail=exc.message, code=exc.code)
        if isinstance(exc, DjangoValidationError):
            # get_error_detail keeps each message's code (e.g. "too_large") for the client.
            detail = get_error_detail(exc)
            if not hasattr(exc, "error_dict"):
                detail = {"non_field_errors": detail}
            return exceptions.ValidationError(detail=detail)
        return exc


class ExceptionFormatter(formatter.ExceptionFormatter):
    def get_error_type(self):
        if isinstance(self.exc, exceptions.ParseError):
            return "parse_error"
        return error_type_for(self.exc.status_code)


# --- OpenAPI components for the error responses ------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


def _error_response(status_code: int, type_value: str) -> type[serializers.Serializer]:
    name = f"ErrorResponse{status_code}"
    fields = {
        "type": serializers.ChoiceField(choices=[(type_value, type_value)]),
        "errors": ErrorSerializer(many=True),
    }
    return type(name, (serializers.Serializer,), fields)


ErrorResponse401 = _error_response(401, ERROR_TYPES[401])
ErrorResponse403 = _error_response(403, ERROR_TYPES[403])
ErrorResponse404 = _error_response(404, ERROR_TYPES[404])
ErrorResponse405 = _error_response(405, ERROR_TYPES[405])
ErrorResponse409 = _error_response(409, ERROR_TYPES[409])
ErrorResponse415 = _error_response(415, ERROR_TYPES[415])
ErrorResponse422 = _error_response(422, ERROR_TYPES[422])
ErrorResponse429 = _error_response(429, ERROR_TYPES[429])
ErrorResponse500 = _error_response(500, SERVER_ERROR)
ParseErrorResponse = _error_response(400, "parse_error")
