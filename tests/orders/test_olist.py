"""import_olist on the shared Olist subset (../shared/data/olist/): counts, known values, idempotency."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from merchants.models import Merchant
from orders.models import Order, OrderItem, OrderPayment, OrderReview
from orders.olist import STATUS_MAP, local_time
from tests.conftest import CI

OLIST = settings.BASE_DIR.parent / "shared" / "data" / "olist"
SP = ZoneInfo("America/Sao_Paulo")

needs_data = pytest.mark.skipif(
    not OLIST.is_dir() and not CI, reason=f"the Olist subset is not at {OLIST} (see the README, 'Data')"
)


def test_canceled_and_unavailable_are_both_cancelled_and_times_are_sao_paulo():
    assert STATUS_MAP["canceled"] == STATUS_MAP["unavailable"] == "cancelled"
    assert set(STATUS_MAP) == {
        "created",
        "approved",
        "processing",
        "invoiced",
        "shipped",
        "delivered",
        "canceled",
        "unavailable",
    }
    stamp = local_time("2018-08-08 10:00:35")
    assert stamp.utcoffset().total_seconds() == -3 * 3600
    assert local_time("") is None


@needs_data
@pytest.mark.django_db
def test_the_subset_loads_with_known_values_and_a_second_run_changes_nothing(capsys):
    # when the subset is imported
    call_command("import_olist", str(OLIST))
    out = capsys.readouterr().out
    # progress is printed: per step on PostgreSQL (set-based), per bucket elsewhere (streamed in Python)
    assert "sellers: 3095 new merchants" in out
    assert ("orders: 24735 orders" in out) if connection.vendor == "postgresql" else ("bucket 1/" in out)
    # then every seller is a merchant and each seller's share of an order is one order
    assert Merchant.objects.exclude(external_ref="").count() == 3095
    assert Order.objects.count() == 24735  # 24,569 Olist orders, 305 split between sellers, 153 without items
    assert OrderItem.objects.count() == 25324  # 27,912 item rows, same product and price merged into quantities
    assert sum(OrderItem.objects.values_list("quantity", flat=True)) == 27912
    assert OrderReview.objects.count() == 8027
    assert OrderPayment.objects.count() == 17490
    assert Order.objects.filter(status="cancelled").count() == 79

    # a single-seller order, as Olist has it
    order = Order.objects.get(external_id="00024acbcdf0a6daa1e931b038114c75")
    assert order.merchant.external_ref == "9d7a1d34a5052409006425275ba1c2b4"
    assert order.ship_to_region_id == "BR-SP" and order.currency == "BRL"
    assert order.buyer_ref == "af861d436cfc08b2c2ddefd0ba074622"
    assert (order.items_total, order.shipping_fee, order.total) == (
        Decimal("12.99"),
        Decimal("12.79"),
        Decimal("25.78"),
    )
    assert order.status == "delivered" and order.payment_type == "credit_card"
    assert order.placed_at == datetime(2018, 8, 8, 10, 0, 35, tzinfo=SP)
    assert order.shipped_at == datetime(2018, 8, 10, 13, 28, 0, tzinfo=SP)
    assert order.delivered_at == datetime(2018, 8, 14, 13, 32, 39, tzinfo=SP)
    assert order.deliver_by == datetime(2018, 8, 20, 23, 59, 59, tzinfo=SP)
    assert order.ship_by == datetime(2018, 8, 15, 10, 10, 18, tzinfo=SP)
    assert list(order.payments.values_list("payment_type", "installments", "amount")) == [
        ("credit_card", 2, Decimal("25.78"))
    ]

    # an order from two sellers is two orders, the one payment shared in proportion
    split = Order.objects.filter(external_id="02e405aa2667a116637cdb4affaf93c0").order_by("-total")
    assert [o.merchant.external_ref for o in split] == [
        "640e21a7d01df7614a3b4923e990d40c",
        "391fc6631aebcf3004804e51b40bcf1e",
    ]
    assert [o.total for o in split] == [Decimal("101.86"), Decimal("60.47")]
    assert [o.payments.get().amount for o in split] == [Decimal("101.86"), Decimal("60.47")]

    review = OrderReview.objects.get(external_id="001bb836b02b47248df2f134b8babbe8")
    assert (review.score, review.comment, review.order.external_id) == (
        5,
        "Linda , amei",
        "089a371eeab2f86ebe76b23a4c99d3b1",
    )

    # when it runs again, nothing changes
    call_command("import_olist", str(OLIST))
    assert "0 orders, 0 items, 0 payments, 0 reviews created; 24735 orders already there" in capsys.readouterr().out
    assert Order.objects.count() == 24735 and OrderItem.objects.count() == 25324
    assert OrderReview.objects.count() == 8027 and Merchant.objects.exclude(external_ref="").count() == 3095
