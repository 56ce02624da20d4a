from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from core.models import IdempotencyRecord
from core.tasks import idempotency_keys_purge


@pytest.mark.services
def test_a_task_makes_the_round_trip_through_redis_and_a_real_worker(celery_worker_live):
    # given a stale idempotency key in the database
    old = IdempotencyRecord.objects.create(owner="user:1", key="old", method="POST", path="/", fingerprint="f")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=50))
    # when the purge task is sent through the broker
    result = idempotency_keys_purge.delay()
    # then a worker ran it and the result came back through Redis
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    assert result.get(timeout=30) == 1
    assert not IdempotencyRecord.objects.exists()


def test_queues_routes_and_limits_are_configured():
    queues = {queue.name for queue in app.conf.task_queues}
    assert queues == {"default", "review", "scoring", "reports"}
    assert app.conf.task_routes["onboarding.tasks.*"] == {"queue": "review"}
    assert app.conf.task_routes["credit.tasks.*"] == {"queue": "scoring"}
    assert app.conf.task_acks_late is True
    # a task must end before Redis would hand it to a second worker
    assert app.conf.task_time_limit < app.conf.broker_transport_options["visibility_timeout"]
    assert "purge-idempotency-keys" in app.conf.beat_schedule
