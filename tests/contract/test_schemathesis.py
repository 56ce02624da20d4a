"""Property-based tests over the whole OpenAPI schema, in-process: no server errors, and every response
conforms to the schema it is documented with."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from core.access import PLATFORM_ADMIN

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def keep_test_connection():
    """Serve requests the way Django's test client does: the WSGI app must not close the connection
    that holds the test's transaction at the end of each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db, keep_test_connection):
    from rest_framework.authtoken.models import Token

    from tests.factories import MerchantFactory, merchant_owner, staff

    merchant = MerchantFactory()
    merchant_owner(merchant)
    return Token.objects.get_or_create(user=staff(PLATFORM_ADMIN))[0].key


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"}, checks=CHECKS)
