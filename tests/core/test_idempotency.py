import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from core.access import OPS_MANAGER
from core.models import IdempotencyRecord
from core.services import idempotency_records_purge
from core.tasks import idempotency_keys_purge
from merchants.models import Merchant
from tests.factories import staff

URL = "/api/v1/merchants/"
BODY = {"name": "Store", "legal_name": "Store Co.", "external_ref": "ERP-77"}


@pytest.mark.django_db
def test_a_replay_returns_the_first_response_and_creates_once(as_user):
    client = as_user(staff(OPS_MANAGER))
    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Merchant.objects.filter(external_ref="ERP-77").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_422_and_creates_nothing(as_user):
    client = as_user(staff(OPS_MANAGER))
    client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = client.post(URL, {**BODY, "external_ref": "ERP-78"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["type"] == "unprocessable"
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert not Merchant.objects.filter(external_ref="ERP-78").exists()


@pytest.mark.django_db
def test_keys_belong_to_their_caller(as_user):
    one, two = as_user(staff(OPS_MANAGER)), as_user(staff(OPS_MANAGER))
    assert one.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    other = two.post(URL, {**BODY, "external_ref": "ERP-79"}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert other.status_code == 201
    assert Merchant.objects.filter(external_ref__in=["ERP-77", "ERP-79"]).count() == 2


@pytest.mark.django_db
def test_a_failed_request_can_be_retried_with_the_same_key(as_user):
    client = as_user(staff(OPS_MANAGER))
    client.raise_request_exception = False
    with mock.patch("merchants.services.merchant_create", side_effect=RuntimeError("db went away")):
        assert client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 500
    assert client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 201


@pytest.mark.django_db
def test_an_overlong_key_is_a_validation_error(as_user):
    response = as_user(staff(OPS_MANAGER)).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert not Merchant.objects.filter(external_ref="ERP-77").exists()


@pytest.mark.django_db
def test_keys_older_than_48_hours_are_purged_by_the_task():
    old = IdempotencyRecord.objects.create(owner="user:1", key="old", method="POST", path="/", fingerprint="f")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=49))
    fresh = IdempotencyRecord.objects.create(owner="user:1", key="fresh", method="POST", path="/", fingerprint="f")
    assert idempotency_keys_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert idempotency_records_purge() == 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_same_key_in_flight_concurrently_is_409(as_user):
    """Two requests race with one key: one creates, the other is told the key is in flight."""
    client_a, client_b = as_user(staff(OPS_MANAGER)), as_user(staff(OPS_MANAGER))
    client_b.credentials(**client_a._credentials)
    started, release = threading.Event(), threading.Event()
    from merchants import services

    real_create = services.merchant_create

    def slow_create(**kwargs):
        started.set()
        assert release.wait(10)
        return real_create(**kwargs)

    results = {}

    def first_request():
        try:
            results["a"] = client_a.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
        finally:
            connection.close()

    with mock.patch("merchants.services.merchant_create", side_effect=slow_create):
        worker = threading.Thread(target=first_request)
        worker.start()
        assert started.wait(10)
        results["b"] = client_b.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
        release.set()
        worker.join(10)

    assert results["a"].status_code == 201
    assert results["b"].status_code == 409
    assert results["b"].json()["errors"][0]["code"] == "idempotency_key_in_flight"
    assert Merchant.objects.filter(external_ref="ERP-77").count() == 1
    # once the first has finished, the same key replays its answer
    replay = client_b.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert replay.status_code == 201 and replay.json() == results["a"].json()
