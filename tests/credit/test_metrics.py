"""Each component on hand-built data, exactly per DESIGN §3's metric definitions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints import services as complaint_services
from complaints.choices import Outcome, Remedy
from credit.choices import ComponentStatus
from logistics import services as logistics_services
from merchants.models import Merchant
from orders import services as order_services
from orders.models import OrderReview
from profiles.models import Profile
from tests.complaints.factories import agent, make_complaint
from tests.credit.factories import components, days_ago, order_at, score_now
from tests.logistics.factories import event, shipment_of
from tests.orders.factories import active_merchant

pytestmark = pytest.mark.django_db


def test_late_shipment_and_cancellation_rates_count_orders_placed_in_the_window():
    merchant = active_merchant()
    # given 4 handed to the carrier (1 after its ship-by time), 1 cancelled, 1 pending, 1 outside the window
    order_at(merchant, placed=days_ago(10), shipped=days_ago(8), ship_by=days_ago(9))  # late
    order_at(merchant, placed=days_ago(10), shipped=days_ago(9), ship_by=days_ago(8))
    order_at(merchant, placed=days_ago(10), shipped=days_ago(9))  # no ship-by: handed, not late
    order_at(merchant, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(4))  # exactly on time
    order_at(merchant, placed=days_ago(3), cancelled=True)
    order_at(merchant, placed=days_ago(2))
    order_at(merchant, placed=days_ago(100), shipped=days_ago(99), ship_by=days_ago(100))  # before the window
    # when scored
    c = components(score_now(merchant)[merchant.pk])
    # then
    late = c["late_shipment_rate"]
    assert (late.numerator, late.denominator, late.value) == (1, 4, 0.25)
    cancel = c["cancellation_rate"]
    assert (cancel.numerator, cancel.denominator) == (1, 6)
    assert cancel.value == pytest.approx(1 / 6)


def test_on_time_delivery_compares_calendar_dates_in_the_orders_own_time_zone():
    merchant = active_merchant()
    day = (timezone.now() - timedelta(days=5)).date()
    # Shanghai: due 23:00 on the day, delivered 01:00 the next day there (the same UTC date): late
    due = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
    order_at(merchant, placed=days_ago(20), shipped=days_ago(15), deliver_by=due,
             delivered=due + timedelta(hours=2), time_zone="Asia/Shanghai")  # fmt: skip
    # São Paulo: due 22:00 on the day, delivered 23:30 the same day there (the next UTC date): on time
    due = datetime(day.year, day.month, day.day, 22, tzinfo=UTC) + timedelta(hours=3)
    order_at(merchant, placed=days_ago(20), shipped=days_ago(15), deliver_by=due,
             delivered=due + timedelta(minutes=90), time_zone="America/Sao_Paulo")  # fmt: skip
    # delivered without a promised date: not counted; shipped, not delivered: not counted
    order_at(merchant, placed=days_ago(20), shipped=days_ago(15), delivered=days_ago(10))
    order_at(merchant, placed=days_ago(20), shipped=days_ago(15), deliver_by=days_ago(1))
    c = components(score_now(merchant)[merchant.pk])["on_time_delivery_rate"]
    assert (c.numerator, c.denominator, c.value) == (1, 2, 0.5)


def test_valid_tracking_rate_counts_shipped_orders_with_a_tracking_event():
    merchant = active_merchant()
    tracked = order_at(merchant, placed=days_ago(10), shipped=days_ago(9))
    order_at(merchant, placed=days_ago(10), shipped=days_ago(9))
    order_at(merchant, placed=days_ago(10))  # not shipped: not counted
    logistics_services.tracking_events_ingest(
        events=[event(shipment_of(tracked), "in_transit", days_ago(8))], actor=None
    )
    c = components(score_now(merchant)[merchant.pk])["valid_tracking_rate"]
    assert (c.numerator, c.denominator, c.value) == (1, 2, 0.5)


def test_average_review_score_is_the_mean_of_each_review_once():
    merchant = active_merchant()
    first = order_at(merchant, placed=days_ago(10), shipped=days_ago(9), delivered=days_ago(8))
    second = order_at(merchant, placed=days_ago(10), shipped=days_ago(9), delivered=days_ago(8))
    OrderReview.objects.create(order=first, score=5, created_at=days_ago(7))
    OrderReview.objects.create(order=first, score=2, created_at=days_ago(6))
    OrderReview.objects.create(order=second, score=4, created_at=days_ago(6))
    c = components(score_now(merchant)[merchant.pk])["average_review_score"]
    assert (c.numerator, c.denominator, c.value) == (11, 3, pytest.approx(11 / 3))


def test_order_defect_rate_counts_upheld_complaints_lost_disputes_and_poor_reviews_once_per_order():
    merchant = active_merchant()
    orders = [order_at(merchant, placed=days_ago(10), shipped=days_ago(9), delivered=days_ago(8)) for _ in range(5)]
    handler = agent()
    # an upheld complaint on order 0
    complaint = make_complaint(merchant, order=orders[0])
    complaint_services.complaint_assign(complaint=complaint, actor=handler, agent=handler)
    complaint_services.complaint_resolve(
        complaint=complaint, outcome=Outcome.UPHELD, remedy=Remedy.REFUND, remedy_amount=Decimal("5"), actor=handler
    )
    # a rejected complaint on order 1 does not count
    rejected = make_complaint(merchant, order=orders[1])
    complaint_services.complaint_assign(complaint=rejected, actor=handler, agent=handler)
    complaint_services.complaint_resolve(complaint=rejected, outcome=Outcome.REJECTED, remedy=Remedy.NONE,
                                         actor=handler)  # fmt: skip
    # 1- and 2-star reviews on order 2 (twice: still one order), a 3-star one on order 3
    OrderReview.objects.create(order=orders[2], score=1, created_at=days_ago(7))
    OrderReview.objects.create(order=orders[2], score=2, created_at=days_ago(7))
    OrderReview.objects.create(order=orders[3], score=3, created_at=days_ago(7))
    # a 1-star review of order 0 as well: the order still counts once
    OrderReview.objects.create(order=orders[0], score=1, created_at=days_ago(7))
    c = components(score_now(merchant)[merchant.pk])["order_defect_rate"]
    assert (c.numerator, c.denominator, c.value) == (2, 5, 0.4)


def test_return_rate_counts_return_and_exchange_requests_over_delivered_orders():
    merchant = active_merchant()
    now = timezone.now()
    delivered = [order_at(merchant, placed=days_ago(5), shipped=days_ago(4), delivered=days_ago(3)) for _ in range(3)]
    order_at(merchant, placed=days_ago(5), shipped=days_ago(4))  # not delivered
    for order, kind in ((delivered[0], "return"), (delivered[1], "refund_only")):
        item = order.items.first()
        order_services.return_request_create(
            order=order, type=kind, reason="defective", items=[{"order_item": item.pk, "quantity": 1}],
            actor=None, now=now - timedelta(days=1),
        )  # fmt: skip
    c = components(score_now(merchant)[merchant.pk])["return_rate"]
    assert (c.numerator, c.denominator) == (1, 3)


def test_reputation_comes_from_the_profile_and_is_insufficient_without_one():
    merchant, bare = active_merchant(), active_merchant()
    today = timezone.localdate()
    Profile.objects.create(
        merchant=merchant, founded_on=today.replace(year=today.year - 4), registered_capital=Decimal("200000")
    )
    scores = score_now(merchant, bare)
    c = components(scores[merchant.pk])
    assert c["years_in_business"].value == pytest.approx(4, abs=0.01)
    assert c["years_in_business"].status == ComponentStatus.OK
    assert c["registered_capital"].value == 200000
    assert c["registered_capital"].status == ComponentStatus.WARNING  # below 500,000, above the 100,000 target
    assert components(scores[bare.pk])["years_in_business"].status == ComponentStatus.INSUFFICIENT_DATA


def test_scores_are_set_based_whatever_the_number_of_merchants(django_assert_max_num_queries):
    few = [active_merchant() for _ in range(2)]
    # 8 merchants' 88 components still fit one INSERT on SQLite (999 parameters a statement).
    many = few + [active_merchant() for _ in range(6)]
    for merchant in many:
        order_at(merchant, placed=days_ago(5), shipped=days_ago(4), delivered=days_ago(3), deliver_by=days_ago(2))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        score_now(*few)
    with CaptureQueriesContext(connection) as large:
        score_now(*many)
    assert len(small) == len(large)
    assert Merchant.objects.get(pk=many[-1].pk).credit_score is not None
