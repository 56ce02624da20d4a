"""The violations sweep: scheduled by beat, routed to the `scoring` queue, and run by a real worker."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from config.celery import app
from credit import tasks
from merchants.models import Merchant
from tests.credit.violation_factories import decided
from tests.orders.factories import active_merchant


def test_beat_runs_the_sweep_on_the_scoring_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["violations-sweep"]
    assert entry["task"] == "credit.tasks.violations_sweep" and entry["schedule"] == timedelta(minutes=15)
    assert "credit.tasks.violations_sweep" in app.tasks
    assert app.amqp.router.route({}, "credit.tasks.violations_sweep")["queue"].name == "scoring"


@pytest.mark.services
def test_a_real_worker_lifts_an_expired_measure(celery_worker_live):
    # given a one-day restriction decided ten days ago
    merchant = active_merchant()
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        decided(merchant, points=0, measure="trading_restriction", measure_days=1)
    assert Merchant.objects.get(pk=merchant.pk).status == "restricted"
    # when the beat's task runs on the worker, then the merchant is active again
    tasks.violations_sweep.delay()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and Merchant.objects.get(pk=merchant.pk).status != "active":
        time.sleep(0.2)
    assert Merchant.objects.get(pk=merchant.pk).restriction_reason is None
    assert Merchant.objects.get(pk=merchant.pk).status == "active"
