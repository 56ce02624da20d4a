"""Schema generation: every operation documents the error responses it can give, in the one shape."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from drf_standardized_errors.openapi_serializers import ValidationErrorEnum
from inflection import camelize
from rest_framework import serializers

from core.errors import ParseErrorResponse, error_type_for
from core.idempotency import is_idempotent


def _blank_in_model(field, *, choices: bool = True) -> bool:
    """Whether a serializer field reads a model field that may be blank ("" until given or decided), and
    with choices unless `choices` is False."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return bool(getattr(model_field, "blank", False) and (getattr(model_field, "choices", None) or not choices))


class AutoSchema(StandardizedAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank from read-only model fields, so their enums would leave out the "" that a
        # complaint's outcome or a violation's measure holds until decided.
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            field.allow_blank = _blank_in_model(field)
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            field.read_only
            and schema.get("type") == "string"
            and schema.get("format") in ("email", "uri")
            and _blank_in_model(field, choices=False)
        ):
            # An optional e-mail or URL is "" when not given, which no `format` admits.
            formatted = {key: schema.pop(key) for key in ("type", "format")}
            schema["anyOf"] = [formatted, {"type": "string", "maxLength": 0}]
        return schema

    def _get_error_response_examples(self):
        """The library's examples, with the error `type` this API really sends for each status."""
        examples = []
        for example in super()._get_error_response_examples():
            status = int(example.status_codes[0])
            value = {**example.value, "type": "parse_error" if example.name == "ParseError" else error_type_for(status)}
            examples.append(
                OpenApiExample(example.name, value=value, response_only=True, status_codes=example.status_codes)
            )
        return examples

    def _should_add_error_response(self, responses: dict, status_code: str) -> bool:
        if status_code == "409":
            return self.method == "POST" and super()._should_add_error_response(responses, status_code)
        if status_code == "422":
            return (
                self.method == "POST"
                and is_idempotent(self.view)
                and super()._should_add_error_response(responses, status_code)
            )
        return super()._should_add_error_response(responses, status_code)

    def _get_validation_error_codes_by_field(self, data_fields):
        """The fields' own codes, plus `invalid` on each: services check business rules a field cannot (a
        penalty needs a severity, a window of at most 365 days) and raise Django's ValidationError keyed by
        the field, whose code is `invalid` unless they name another."""
        codes = super()._get_validation_error_codes_by_field(data_fields)
        for field_codes in codes.values():
            field_codes.add("invalid")
        return codes

    def _get_http400_serializer(self):
        component_name = f"{camelize(self.get_operation_id())}ErrorResponse400"
        serializers = {}
        if self._should_add_validation_error_response():
            serializers[ValidationErrorEnum.VALIDATION_ERROR.value] = (
                self._get_serializer_for_validation_error_response()
            )
        if self._should_add_parse_error_response():
            serializers["parse_error"] = ParseErrorResponse
        return PolymorphicProxySerializer(
            component_name=component_name, serializers=serializers, resource_type_field_name="type"
        )
