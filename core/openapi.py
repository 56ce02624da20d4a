"""Schema generation: every operation documents the error responses it can give, in the one shape."""

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from drf_standardized_errors.openapi_serializers import ValidationErrorEnum
from inflection import camelize

from core.errors import ParseErrorResponse, error_type_for
from core.idempotency import is_idempotent


class AutoSchema(StandardizedAutoSchema):
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
