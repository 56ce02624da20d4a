"""Every 4xx and 5xx reaches the client in one shape: {"type", "errors": [{"code", "detail", "attr"}]}."""

from unittest import mock

import pytest

from core.access import PLATFORM_ADMIN, REVIEWER, RISK_OFFICER
from tests.factories import MerchantFactory, staff

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status: int, error_type: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert body["type"] == error_type
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}
        assert "Traceback" not in error["detail"]
    return body


def test_400_validation_error_names_each_field(api):
    body = assert_error_shape(api.post("/api/v1/auth/register/", {}, format="json"), 400, "validation_error")
    assert {e["attr"] for e in body["errors"]} == {"username", "password", "email"}
    assert {e["code"] for e in body["errors"]} == {"required"}


def test_400_for_malformed_json(api):
    response = api.generic("POST", "/api/v1/auth/token/", "{not json", content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


def test_401_without_credentials(api):
    body = assert_error_shape(api.get("/api/v1/merchants/"), 401, "not_authenticated")
    assert body["errors"][0]["code"] == "not_authenticated"


def test_401_with_a_wrong_api_key(api):
    api.credentials(HTTP_AUTHORIZATION="Api-Key not-a-real-key")
    assert_error_shape(api.get("/api/v1/merchants/"), 401, "not_authenticated")


def test_403_for_a_known_caller_without_the_right(as_user):
    response = as_user(staff(REVIEWER)).post("/api/v1/merchants/", {"name": "x", "legal_name": "y"})
    assert_error_shape(response, 403, "permission_denied")


def test_404_for_a_missing_object_and_an_unknown_route(as_user):
    client = as_user(staff(REVIEWER))
    assert_error_shape(client.get("/api/v1/merchants/999999/"), 404, "not_found")
    assert_error_shape(client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_405_for_a_method_the_resource_lacks(as_user):
    merchant = MerchantFactory()
    response = as_user(staff(REVIEWER)).delete(f"/api/v1/merchants/{merchant.pk}/")
    assert_error_shape(response, 405, "method_not_allowed")


def test_409_for_an_illegal_transition(as_user):
    merchant = MerchantFactory()
    response = as_user(staff(RISK_OFFICER)).post(f"/api/v1/merchants/{merchant.pk}/reinstate/", {"reason": "r"})
    body = assert_error_shape(response, 409, "conflict")
    assert body["errors"][0]["code"] == "invalid_transition"


def test_500_is_in_the_error_shape_without_a_stack_trace(as_user):
    client = as_user(staff(REVIEWER))
    client.raise_request_exception = False
    with mock.patch("merchants.selectors.merchant_list", side_effect=RuntimeError("secret internals")):
        response = client.get("/api/v1/merchants/")
    body = assert_error_shape(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert body["errors"][0]["code"] == "error"


def test_an_id_too_big_for_any_key_in_a_filter_is_a_400_not_a_server_error(as_user):
    client = as_user(staff(PLATFORM_ADMIN))
    for value in ("2.6582820080500985e+43", str(2**63), "0", "7.5"):
        body = assert_error_shape(
            client.get("/api/v1/onboarding/applications/", {"assignee": value}), 400, "validation_error"
        )
        assert body["errors"][0]["attr"] == "assignee"
    assert client.get("/api/v1/onboarding/applications/", {"assignee": str(2**63 - 1)}).json()["results"] == []


def test_a_return_policy_names_who_pays_return_shipping(as_user):
    merchant = MerchantFactory()
    client = as_user(staff(PLATFORM_ADMIN))
    body = {"merchant": merchant.pk, "window_days": 14, "restocking_fee_percent": "0"}
    errors = assert_error_shape(client.post("/api/v1/orders/return-policies/", body), 400, "validation_error")
    assert [(e["attr"], e["code"]) for e in errors["errors"]] == [("return_shipping_paid_by", "required")]
    created = client.post("/api/v1/orders/return-policies/", {**body, "return_shipping_paid_by": "merchant"})
    assert created.status_code == 200, created.content
    assert created.json()["return_shipping_paid_by"] == "merchant"
