from unittest import mock

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True)
def test_embedded_mode_is_healthy_without_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "not_configured", "worker": "in_process"}


def test_a_database_that_does_not_answer_is_503(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=Exception("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


@override_settings(REDIS_URL="redis://127.0.0.1:1/0", CELERY_TASK_ALWAYS_EAGER=False)
def test_an_unreachable_redis_is_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"
    assert response.json()["checks"]["worker"] == "down"


@pytest.mark.services
def test_with_redis_and_a_worker_everything_is_ok(client, celery_worker_live):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.services
def test_with_redis_but_no_worker_it_is_503(client):
    with mock.patch("config.celery.app.control.ping", return_value=[]):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "down"
