"""Debounced rescoring after events: order delivered, complaint upheld (by an agent or a lost dispute),
violation decided or its appeal upheld.

A burst sends one task; the task's rescore reflects the events, is the day's interim row (as of the coming
midnight) and has one effect however often it runs; the embedded mode rescores right after the commit.
"""

import time
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from complaints import services as complaint_services
from complaints.choices import Outcome, Remedy
from config.celery import app
from credit import services, tasks
from credit.models import CreditScore
from credit.services import rescore
from credit.services import violations as violation_services
from credit.services.rescore import interim_as_of, rescore_key
from logistics import services as logistics_services
from merchants.models import Merchant
from orders import services as order_services
from tests.complaints.factories import agent, investigating
from tests.credit import violation_factories
from tests.credit.factories import components, days_ago, order_at
from tests.factories import merchant_owner
from tests.logistics.factories import deliver, event, shipment_of, shipped_order
from tests.orders.factories import active_merchant

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def rescore_on(settings):
    settings.CREDIT_RESCORE_ON_EVENTS = True
    settings.CREDIT_RESCORE_DEBOUNCE_SECONDS = 300
    made: list[int] = []
    yield made
    cache.delete_many([rescore_key(merchant_id) for merchant_id in made])


def fresh(made: list[int], merchant):
    """A merchant with no rescore pending (keys live in the shared cache, which outlives test databases)."""
    cache.delete(rescore_key(merchant.pk))
    made.append(merchant.pk)
    return merchant


@pytest.fixture
def sent(monkeypatch, eager_tasks):
    """Rescores go to a broker in front of a worker, as in deployments: the tasks sent, as (merchant id,
    countdown). Other tasks run in-process."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(rescore, "runs_in_process", lambda: False)
    monkeypatch.setattr(
        tasks.merchant_rescore,
        "apply_async",
        lambda kwargs, countdown, **options: calls.append((kwargs["merchant_id"], countdown)),
    )
    return calls


def interim_rows(merchant) -> list[CreditScore]:
    return list(CreditScore.objects.filter(merchant=merchant, as_of=interim_as_of()).prefetch_related("components"))


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_events_sends_one_rescore_and_the_next_burst_another(rescore_on, sent):
    # given a merchant with three shipped orders and a complaint under investigation
    merchant = fresh(rescore_on, active_merchant())
    orders = [order_at(merchant, placed=days_ago(3), shipped=days_ago(2)) for _ in range(3)]
    handler = agent()
    complaint = investigating(merchant, handler=handler, order=orders[0])
    # when the orders are delivered and the complaint upheld, each in its own transaction
    for order in orders:
        order_services.order_deliver(order=order, actor=None)
    complaint_services.complaint_resolve(
        complaint=complaint, outcome=Outcome.UPHELD, remedy=Remedy.REFUND, remedy_amount=Decimal("5"), actor=handler
    )
    # then one rescore is on its way, after the debounce
    assert sent == [(merchant.pk, 300)]
    assert cache.get(rescore_key(merchant.pk)) is not None
    # when it runs, the next event sends the next one
    tasks.merchant_rescore(merchant.pk)
    assert cache.get(rescore_key(merchant.pk)) is None
    order_services.order_deliver(order=order_at(merchant, placed=days_ago(3), shipped=days_ago(2)), actor=None)
    assert sent == [(merchant.pk, 300), (merchant.pk, 300)]


@pytest.mark.django_db(transaction=True)
def test_events_rolled_back_schedule_nothing(rescore_on, sent):
    merchant = fresh(rescore_on, active_merchant())
    order = order_at(merchant, placed=days_ago(3), shipped=days_ago(2))
    with pytest.raises(RuntimeError), transaction.atomic():
        order_services.order_deliver(order=order, actor=None)
        raise RuntimeError("the caller's transaction fails")
    order.refresh_from_db()
    assert order.status == "shipped"
    assert sent == [] and cache.get(rescore_key(merchant.pk)) is None


@pytest.mark.django_db
def test_one_transaction_schedules_each_merchant_once(rescore_on, sent, django_capture_on_commit_callbacks):
    first, second = fresh(rescore_on, active_merchant()), fresh(rescore_on, active_merchant())
    orders = [order_at(m, placed=days_ago(3), shipped=days_ago(2)) for m in (first, first, second)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for order in orders:
            order_services.order_deliver(order=order, actor=None)
    assert sorted(sent) == sorted([(first.pk, 300), (second.pk, 300)])


@pytest.mark.django_db
def test_rejected_complaints_do_not_rescore_upheld_ones_and_lost_disputes_do(
    rescore_on, sent, django_capture_on_commit_callbacks
):
    handler = agent()
    rejected = investigating(fresh(rescore_on, active_merchant()), handler=handler)
    upheld = investigating(fresh(rescore_on, active_merchant()), handler=handler)
    disputed = investigating(fresh(rescore_on, active_merchant()), handler=handler)
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_resolve(complaint=rejected, outcome=Outcome.REJECTED, remedy=Remedy.NONE,
                                             actor=handler)  # fmt: skip
    assert sent == []
    with django_capture_on_commit_callbacks(execute=True):
        complaint_services.complaint_resolve(complaint=upheld, outcome=Outcome.PARTLY_UPHELD, remedy=Remedy.APOLOGY,
                                             actor=handler)  # fmt: skip
    assert sent == [(upheld.merchant_id, 300)]
    # a merchant silent in the negotiation loses the dispute by default: its complaint is upheld
    dispute = complaint_services.complaint_escalate(complaint=disputed, reason="no answer", actor=None)
    late = dispute.stage_due_at + timedelta(minutes=1)
    with time_machine.travel(late), django_capture_on_commit_callbacks(execute=True):
        assert complaint_services.disputes_apply_defaults() == 1
    assert sent == [(upheld.merchant_id, 300), (disputed.merchant_id, 300)]


@pytest.mark.django_db(transaction=True)
def test_a_violation_decided_and_an_appeal_upheld_rescore(rescore_on, sent):
    merchant = fresh(rescore_on, active_merchant())
    decider, ruler = violation_factories.officer(), violation_factories.officer()
    violation = violation_factories.decided(merchant, by=decider)
    assert sent == [(merchant.pk, 300)]
    tasks.merchant_rescore(merchant.pk)  # the worker ran it
    violation_services.violation_appeal(
        violation=violation, actor=merchant_owner(merchant), root_cause="An agency wrote the copy.",
        corrective_action="Corrected.", preventive_action="Reviewed before publishing.",
    )  # fmt: skip
    assert sent == [(merchant.pk, 300)]  # an appeal alone changes nothing yet
    violation_services.violation_appeal_rule(violation=violation, actor=ruler, ruling="upheld", reason="Shown.")
    assert sent == [(merchant.pk, 300), (merchant.pk, 300)]


@pytest.mark.django_db
def test_a_carrier_delivery_rescores_through_the_orders_service(rescore_on, sent, django_capture_on_commit_callbacks):
    order = shipped_order(fresh(rescore_on, active_merchant()))
    deliver(shipment_of(order), days_ago(0.5))
    with django_capture_on_commit_callbacks(execute=True):
        assert logistics_services.shipment_orders_deliver(shipment_ids=[shipment_of(order).pk]) == 1
    assert sent == [(order.merchant_id, 300)]


@pytest.mark.django_db(transaction=True)
def test_a_carrier_batch_rescores_each_merchant_once_in_the_embedded_mode(rescore_on, eager_tasks, monkeypatch):
    # given three shipped orders of two merchants, and the rescores counted
    first, second = fresh(rescore_on, active_merchant()), fresh(rescore_on, active_merchant())
    shipments = [shipment_of(shipped_order(merchant)) for merchant in (first, first, second)]
    rescored: list[int] = []
    real = rescore.merchant_rescore
    monkeypatch.setattr(rescore, "merchant_rescore", lambda *, merchant_id: rescored.append(merchant_id) or real(
        merchant_id=merchant_id))  # fmt: skip
    # when one carrier batch delivers them all (its orders are delivered in-process, each in its own transaction)
    logistics_services.tracking_events_ingest(
        events=[event(shipment, "delivered", days_ago(0.5), "Beijing") for shipment in shipments], actor=None
    )
    # then each merchant is rescored once, after all of its deliveries
    assert sorted(rescored) == sorted([first.pk, second.pk])
    [row] = interim_rows(first)
    assert components(row)["return_rate"].denominator == 2


@pytest.mark.django_db
def test_the_rescore_reflects_the_events_and_running_it_twice_has_one_effect(rescore_on, sent):
    # given a merchant scored last night, with two orders on their way and promised for tomorrow
    merchant = fresh(rescore_on, active_merchant())
    orders = [order_at(merchant, placed=days_ago(3), shipped=days_ago(2), deliver_by=days_ago(-1)) for _ in range(2)]
    services.merchants_score(merchant_ids=[merchant.pk], as_of=tasks.nightly_as_of())
    # when both are delivered, one complaint upheld, and the rescore runs twice
    for order in orders:
        order_services.order_deliver(order=order, actor=None)
    handler = agent()
    complaint = investigating(merchant, handler=handler, order=orders[0])
    complaint_services.complaint_resolve(complaint=complaint, outcome=Outcome.UPHELD, remedy=Remedy.APOLOGY,
                                         actor=handler)  # fmt: skip
    first = tasks.merchant_rescore(merchant.pk)
    second = tasks.merchant_rescore(merchant.pk)
    # then the day's interim row counts them, once, and the merchant carries its score
    [row] = interim_rows(merchant)
    c = components(row)
    assert (c["on_time_delivery_rate"].numerator, c["on_time_delivery_rate"].denominator) == (2, 2)
    assert (c["order_defect_rate"].numerator, c["order_defect_rate"].denominator) == (1, 2)
    assert first == second == row.score
    merchant.refresh_from_db()
    assert (merchant.credit_score, merchant.tier) == (row.score, row.tier)
    assert CreditScore.objects.filter(merchant=merchant).count() == 2  # last night's and today's interim row


@pytest.mark.django_db
def test_the_history_keeps_one_row_a_day_that_the_nightly_run_replaces(rescore_on):
    merchant = fresh(rescore_on, active_merchant())
    morning = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
    tonight = datetime(2026, 3, 11, tzinfo=SHANGHAI)
    with time_machine.travel(morning, tick=False):
        order_at(merchant, placed=days_ago(2), cancelled=True)
        tasks.merchant_rescore(merchant.pk)
    with time_machine.travel(morning + timedelta(hours=8), tick=False):
        order_at(merchant, placed=days_ago(0.1))  # a second order: the cancellation rate halves
        tasks.merchant_rescore(merchant.pk)
    # one interim row for the day, as of the coming midnight, with the afternoon's figures
    [row] = CreditScore.objects.filter(merchant=merchant).prefetch_related("components")
    assert row.as_of == tonight
    assert components(row)["cancellation_rate"].denominator == 2
    # the nightly run after midnight gives the day its final row, in the interim row's place
    with time_machine.travel(tonight + timedelta(hours=2), tick=False):
        assert tasks.nightly_as_of() == tonight
        services.merchants_score(merchant_ids=[merchant.pk], as_of=tasks.nightly_as_of())
        [nightly] = CreditScore.objects.filter(merchant=merchant)
        assert (nightly.as_of, nightly.computed_at) == (tonight, timezone.now())
        # and the next day's events start the next day's row
        tasks.merchant_rescore(merchant.pk)
    assert sorted(CreditScore.objects.filter(merchant=merchant).values_list("as_of", flat=True)) == [
        tonight,
        tonight + timedelta(days=1),
    ]


@pytest.mark.django_db
def test_embedded_mode_rescores_right_after_the_commit(rescore_on, eager_tasks, django_capture_on_commit_callbacks):
    merchant = fresh(rescore_on, active_merchant())
    order = order_at(merchant, placed=days_ago(3), shipped=days_ago(2))
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_deliver(order=order, actor=None)
    [row] = interim_rows(merchant)
    assert components(row)["return_rate"].denominator == 1
    assert cache.get(rescore_key(merchant.pk)) is None


@pytest.mark.django_db
def test_events_schedule_nothing_when_rescoring_on_events_is_off(settings, sent, django_capture_on_commit_callbacks):
    settings.CREDIT_RESCORE_ON_EVENTS = False
    order = order_at(active_merchant(), placed=days_ago(3), shipped=days_ago(2))
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_deliver(order=order, actor=None)
    assert sent == []


@pytest.mark.django_db
def test_a_rescore_of_a_merchant_that_does_not_exist_is_moot():
    missing = (Merchant.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    assert tasks.merchant_rescore(missing) is None
    assert not CreditScore.objects.filter(merchant_id=missing).exists()


def test_the_rescore_task_goes_to_the_scoring_queue():
    assert app.amqp.router.route({}, "credit.tasks.merchant_rescore")["queue"].name == "scoring"


@pytest.mark.services
def test_a_burst_on_a_real_worker_ends_in_one_interim_row_with_all_of_it(rescore_on, settings, celery_worker_live):
    settings.CREDIT_RESCORE_DEBOUNCE_SECONDS = 1
    merchant = fresh(rescore_on, active_merchant())
    orders = [order_at(merchant, placed=days_ago(3), shipped=days_ago(2)) for _ in range(3)]
    for order in orders:
        order_services.order_deliver(order=order, actor=None)

    def delivered_counted() -> float | None:
        row = CreditScore.objects.filter(merchant=merchant, components__name="return_rate")
        return row.values_list("components__denominator", flat=True).first()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (delivered_counted() != len(orders) or cache.get(rescore_key(merchant.pk))):
        time.sleep(0.2)
    [row] = interim_rows(merchant)
    assert components(row)["return_rate"].denominator == len(orders)
    assert cache.get(rescore_key(merchant.pk)) is None
