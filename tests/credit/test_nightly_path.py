"""The nightly path at scale: PostgreSQL's one-statement measures equal the portable queries' on the same data,
and a range measured in passes and written in chunks scores each merchant as scoring it alone would."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from complaints import services as complaint_services
from complaints.choices import Outcome, Remedy
from credit import metrics, services
from credit.choices import COMPONENT_LABELS, RATES
from credit.models import CreditScore
from logistics import services as logistics_services
from orders import services as order_services
from orders.models import OrderReview
from tests.complaints.factories import agent, investigating
from tests.credit.factories import days_ago, order_at
from tests.logistics.factories import event, shipment_of
from tests.orders.factories import active_merchant

pytestmark = pytest.mark.django_db
ORDER_BASED = sorted((RATES | {"average_review_score"}) & set(COMPONENT_LABELS))


def busy_merchant(until: datetime):
    """A merchant with a bit of everything, some of it on either side of the as-of time `until`."""
    merchant = active_merchant()
    late = order_at(merchant, placed=days_ago(9), shipped=days_ago(8), ship_by=days_ago(8.5))
    on_time = order_at(merchant, placed=days_ago(8), shipped=days_ago(7.9), ship_by=days_ago(7))
    order_at(merchant, placed=days_ago(7), cancelled=True)
    order_at(merchant, placed=days_ago(0.5))  # placed after the as-of time: outside the window
    order_at(merchant, placed=days_ago(200), shipped=days_ago(199))  # before the window
    day = (until - timedelta(days=5)).astimezone(UTC).date()
    due = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
    shanghai = order_at(merchant, placed=days_ago(20), shipped=days_ago(15), deliver_by=due,
                        delivered=due + timedelta(hours=2), time_zone="Asia/Shanghai")  # fmt: skip
    order_at(merchant, placed=days_ago(20), shipped=days_ago(15), deliver_by=due + timedelta(hours=10),
             delivered=due + timedelta(hours=11), time_zone="America/Sao_Paulo")  # fmt: skip
    delivered = [order_at(merchant, placed=days_ago(6), shipped=days_ago(5), delivered=days_ago(4)) for _ in range(3)]
    # tracking: before the as-of time; only after it; before and after it; none at all (late, shanghai)
    before, after, both = delivered
    logistics_services.tracking_events_ingest(
        events=[
            event(shipment_of(before), "in_transit", days_ago(4.5)),
            event(shipment_of(after), "in_transit", days_ago(0.2)),
            event(shipment_of(both), "in_transit", days_ago(4.5)),
            event(shipment_of(both), "delayed", days_ago(0.1)),
        ],
        actor=None,
    )
    # reviews before and after the as-of time, a poor one among them
    OrderReview.objects.create(order=before, score=5, created_at=days_ago(3))
    OrderReview.objects.create(order=after, score=2, created_at=days_ago(3))
    OrderReview.objects.create(order=after, score=4, created_at=days_ago(3))
    OrderReview.objects.create(order=both, score=1, created_at=days_ago(0.1))
    # returns: a return, a refund-only request (not counted) and an exchange after the as-of time
    for order, kind, when in ((before, "return", days_ago(2)), (after, "refund_only", days_ago(2)),
                              (shanghai, "exchange", days_ago(0.2))):  # fmt: skip
        item = order.items.first()
        with time_machine.travel(when):
            order_services.return_request_create(order=order, type=kind, reason="defective", actor=None,
                                                 items=[{"order_item": item.pk, "quantity": 1}])  # fmt: skip
    # complaints: one upheld three days ago, one rejected, one lost as a dispute by the merchant's silence
    handler = agent()
    with time_machine.travel(days_ago(3)):
        upheld = investigating(merchant, handler=handler, order=late)
        complaint_services.complaint_resolve(complaint=upheld, outcome=Outcome.UPHELD, remedy=Remedy.REFUND,
                                             remedy_amount=Decimal("5"), actor=handler)  # fmt: skip
    rejected = investigating(merchant, handler=handler, order=before)
    complaint_services.complaint_resolve(complaint=rejected, outcome=Outcome.REJECTED, remedy=Remedy.NONE,
                                         actor=handler)  # fmt: skip
    with time_machine.travel(days_ago(6)):
        disputed = investigating(merchant, handler=handler, order=on_time)
        dispute = complaint_services.complaint_escalate(complaint=disputed, reason="no answer", actor=None)
    with time_machine.travel(dispute.stage_due_at + timedelta(minutes=1)):
        complaint_services.disputes_apply_defaults()
    return merchant


def figures(parts: list[dict], merchant_ids: list[int]) -> dict:
    merged: dict[int, dict] = {merchant_id: {} for merchant_id in merchant_ids}
    for part in parts:
        for merchant_id, values in part.items():
            merged[merchant_id].update(values)
    return {m: {name: tuple(values.get(name, (0, 0))) for name in ORDER_BASED} for m, values in merged.items()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement measures are PostgreSQL's")
def test_the_postgresql_statement_gives_the_portable_queries_figures():
    # given two busy merchants and a quiet one, scored as of a day ago over 90 days
    until = timezone.now() - timedelta(days=1)
    since = until - timedelta(days=90)
    merchants = [busy_merchant(until), busy_merchant(until), active_merchant()]
    ids = [m.pk for m in merchants]
    # when measured both ways
    fast = figures([metrics.window_measures_postgres(ids, since, until)], ids)
    portable = figures(
        [metrics.order_measures(ids, since, until), metrics.on_time_measures(ids, since, until),
         metrics.review_measures(ids, since, until)],
        ids,
    )  # fmt: skip
    # then they agree, and the data exercised every branch of the definitions
    assert fast == portable
    busy = fast[merchants[0].pk]
    assert busy["cancellation_rate"] == (1, 8)
    assert busy["late_shipment_rate"] == (3, 7)  # ship-by 48 hours after placing unless given
    assert busy["valid_tracking_rate"] == (2, 7)  # before, both; not the one tracked only after the as-of time
    assert busy["order_defect_rate"] == (3, 8)  # the upheld complaint, the lost dispute, the 2-star review
    assert busy["average_review_score"] == (11, 3)  # the review written after the as-of time is not counted
    assert busy["return_rate"] == (1, 5)
    assert busy["on_time_delivery_rate"] == (1, 2)
    assert fast[merchants[2].pk] == dict.fromkeys(ORDER_BASED, (0, 0))


def test_a_range_measured_in_passes_and_written_in_chunks_scores_each_merchant_as_alone(monkeypatch):
    # given five merchants with different histories
    merchants = [active_merchant() for _ in range(5)]
    for n, merchant in enumerate(merchants):
        for k in range(n + 1):
            order_at(merchant, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(4.5 if k % 2 else 3.5))
        order_at(merchant, placed=days_ago(3), cancelled=n % 2 == 0)
    as_of = timezone.now()

    def taken() -> dict:
        rows = CreditScore.objects.filter(as_of=as_of).prefetch_related("components")
        return {s.merchant_id: (s.score, sorted((c.name, c.numerator, c.denominator) for c in s.components.all()))
                for s in rows}  # fmt: skip

    # when the range is measured three merchants at a time and written two at a time
    monkeypatch.setattr(services, "MEASURE_SIZE", 3)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    ids = sorted(m.pk for m in merchants)
    assert services.merchants_score_range(first_id=ids[0], last_id=ids[-1], as_of=as_of, window_days=90) == 5
    in_range = taken()
    # then each merchant has what scoring it alone gives (which replaces the row)
    for merchant in merchants:
        services.merchants_score(merchant_ids=[merchant.pk], as_of=as_of, window_days=90)
    assert taken() == in_range
    assert len({score for score, _ in in_range.values()}) > 1
