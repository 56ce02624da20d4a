"""What the OpenAPI schema promises about values the API really sends (found by schemathesis, pinned here)."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def test_a_read_only_choice_that_is_blank_until_decided_admits_the_blank(components):
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    assert blank in components["Complaint"]["properties"]["outcome"]["oneOf"]
    assert blank in components["Violation"]["properties"]["measure"]["oneOf"]
    # a choice that is never blank keeps its plain enum
    assert "oneOf" not in components["Complaint"]["properties"]["status"]


def test_a_business_rule_a_service_checks_on_a_field_is_a_documented_error_code(components):
    # credit.services.records: "A penalty or judgment needs a severity", code `invalid`, on a choice field.
    severity = components["V1CreditExternalRecordsCreateSeverityErrorComponent"]["properties"]["code"]["enum"]
    assert {"invalid", "invalid_choice"} <= set(severity)


def test_an_optional_email_may_be_empty_and_an_unsaved_profile_has_no_update_time(components):
    profile = components["Profile"]["properties"]
    assert profile["contact_email"]["anyOf"] == [
        {"type": "string", "format": "email"},
        {"type": "string", "maxLength": 0},
    ]
    assert profile["updated_at"]["nullable"] is True
    assert profile["updated_at"]["format"] == "date-time"
