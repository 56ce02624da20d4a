"""The nightly run on a real Celery worker: range tasks on the `scoring` queue score every merchant."""

import time

import pytest

from config.celery import app
from credit import tasks
from credit.models import CreditScore
from merchants.models import Merchant
from tests.credit.factories import days_ago, order_at
from tests.orders.factories import active_merchant


def test_credit_tasks_go_to_the_scoring_queue():
    for name in ("credit.tasks.merchants_score_all", "credit.tasks.merchants_score_range"):
        assert app.amqp.router.route({}, name)["queue"].name == "scoring"


@pytest.mark.services
def test_the_nightly_run_scores_every_merchant_on_a_real_worker(celery_worker_live):
    merchants = [active_merchant() for _ in range(3)]
    order_at(merchants[0], placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5))
    as_of = tasks.nightly_as_of()
    tasks.merchants_score_all.delay()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and CreditScore.objects.filter(as_of=as_of).count() < len(merchants):
        time.sleep(0.2)
    assert CreditScore.objects.filter(as_of=as_of).count() == len(merchants)
    assert Merchant.objects.filter(pk__in=[m.pk for m in merchants], credit_score__isnull=True).count() == 0
