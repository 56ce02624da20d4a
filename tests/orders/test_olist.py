"""import_olist on the shared Olist subset (../shared/data/olist/): counts, known values, idempotency."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from merchants.models import Merchant
from orders.models import Order, OrderItem, OrderPayment, OrderReview
from orders.olist import STATUS_MAP, OlistImport, PostgresOlistImport, fall_back_dates, local_time
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


def test_fall_back_dates_are_the_days_sao_paulo_turned_its_clocks_back():
    dates = fall_back_dates(SP)
    assert date(2018, 2, 17) in dates and date(2019, 2, 16) in dates  # 00:00 DST became 23:00 the day before
    assert date(2018, 11, 4) not in dates  # clocks went forward that day: no time occurs twice
    assert max(dates) == date(2019, 2, 16)  # no daylight saving time since 2019
    twice = local_time("2018-02-17 23:30:00")
    assert twice.utcoffset() == timedelta(hours=-2)  # the first of the two 23:30s, as Python's fold=0


# A small data set with every corner the mapping has: a cart split between two sellers, lines out of
# order and repeated (one line with a quantity), products missing or without category or weight, an
# unknown payment type, equal payment shares, empty installments, an order without items, a time that
# occurs twice, quoted fields with commas and newlines, a byte-order mark and an over-long review title.
CORNERS = {
    "olist_sellers_dataset.csv": '"seller_id","seller_zip_code_prefix","seller_city","seller_state"\n'
    '"s1000000aaaa","01000","sao paulo",SP\ns2000000bbbb,"20000","rio, de janeiro",RJ\n',
    "olist_products_dataset.csv": '"product_id","product_category_name","product_weight_g"\n'
    "p1,beleza_saude,225\np2,unknown_category,\np3,,1500\n",
    "product_category_name_translation.csv": "\ufeffproduct_category_name,product_category_name_english\n"
    "beleza_saude,health_beauty\n",
    "olist_customers_dataset.csv": "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,"
    "customer_state\n"
    "c1,buyer1,01000,sao paulo,SP\nc2,buyer2,20000,rio,rj\n",
    "olist_orders_dataset.csv": "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n"
    "a1,c1,delivered,2018-03-01 10:00:00,2018-03-01 10:10:00,2018-03-02 09:00:00,2018-03-05 15:00:00,"
    "2018-03-20 00:00:00\n"
    "a2,c2,canceled,2018-02-17 23:30:00,,,,2018-03-10 00:00:00\n"
    "a3,c1,unavailable,2018-04-01 08:00:00,2018-04-01 08:05:00,,,2018-04-20 00:00:00\n"
    "a4,c2,invoiced,2017-10-15 00:30:00,2017-10-15 02:00:00,,,\n",
    "olist_order_items_dataset.csv": "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,"
    "freight_value\n"
    "a1,1,p1,s1000000aaaa,2018-03-05 10:10:00,10.00,5.00\n"
    "a1,2,p2,s2000000bbbb,2018-03-06 10:10:00,20.00,1.00\n"
    "a2,3,p3,s1000000aaaa,2018-02-20 00:00:00,7.50,2.00\n"
    "a2,1,p1,s1000000aaaa,2018-02-19 23:30:00,3.33,1.00\n"
    "a2,2,p1,s1000000aaaa,2018-02-21 10:00:00,3.33,1.00\n"
    "a2,4,p9,s1000000aaaa,2018-02-22 10:00:00,1.00,0.00\n"
    "a4,1,p2,s2000000bbbb,2017-10-20 10:00:00,50.00,0.00\n",
    "olist_order_payments_dataset.csv": "order_id,payment_sequential,payment_type,payment_installments,payment_value\n"
    "a1,2,credit_card,3,26.00\na1,1,voucher,1,10.00\na2,2,boleto,1,9.08\na2,1,pix,,9.08\n"
    "a4,1,debit_card,0,25.00\na4,2,credit_card,2,25.00\n",
    "olist_order_reviews_dataset.csv": "review_id,order_id,review_score,review_comment_title,review_comment_message,"
    "review_creation_date,review_answer_timestamp\n"
    f'r1,a1,4,"{"long title " * 30}","good, ""really""\nsecond line",2018-03-06 00:00:00,2018-03-07 12:00:00\n'
    "r2,a2,1,,,2018-02-25 00:00:00,\nr3,a3,2,,never came,2018-04-25 00:00:00,2018-04-26 00:00:00\n",
}


def corner_rows() -> dict:
    orders = Order.objects.select_related("merchant")
    return {
        "merchants": sorted(
            Merchant.objects.exclude(external_ref="").values_list("external_ref", "name", "legal_name", "status")
        ),
        "orders": sorted(
            tuple(
                getattr(order, field.attname)
                for field in Order._meta.concrete_fields
                if field.attname not in ("id", "created_at", "updated_at", "merchant_id")
            )
            + (order.merchant.external_ref,)
            for order in orders
        ),
        "items": sorted(
            OrderItem.objects.values_list(
                "order__external_id",
                "order__merchant__external_ref",
                "line_no",
                "sku",
                "name",
                "quantity",
                "unit_price",
                "weight_kg",
            )
        ),  # fmt: skip
        "payments": sorted(
            OrderPayment.objects.values_list(
                "order__external_id",
                "order__merchant__external_ref",
                "sequential",
                "payment_type",
                "installments",
                "amount",
            )
        ),  # fmt: skip
        "reviews": sorted(
            OrderReview.objects.values_list(
                "order__external_id",
                "order__merchant__external_ref",
                "external_id",
                "score",
                "title",
                "comment",
                "created_at",
                "answered_at",
            )
        ),  # fmt: skip
    }


@pytest.mark.services
@pytest.mark.django_db
def test_the_set_based_import_gives_exactly_the_rows_of_the_python_one(tmp_path):
    for name, text in CORNERS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    # given what the streaming Python import makes of the corners
    python_stats = OlistImport(tmp_path).run()
    python_rows = corner_rows()
    Order.objects.all().delete()
    Merchant.objects.filter(external_ref__startswith="s").delete()
    # when the set-based import loads them
    sql_stats = PostgresOlistImport(tmp_path).run()
    # then rows and counts are the same
    assert corner_rows() == python_rows
    assert sql_stats == python_stats
    assert (sql_stats.orders, sql_stats.items, sql_stats.orders_without_items) == (4, 6, 1)
    split = {o.merchant.external_ref: o for o in Order.objects.filter(external_id="a1").select_related("merchant")}
    assert [p.amount for p in split["s1000000aaaa"].payments.order_by("sequential")] == [
        Decimal("4.17"),
        Decimal("10.83"),
    ]
    assert split["s1000000aaaa"].payment_type == "credit_card"
    cancelled = Order.objects.get(external_id="a2")
    assert (cancelled.status, cancelled.cancel_reason, cancelled.payment_status) == (
        "cancelled",
        "olist: canceled",
        "pending",
    )
    # the earlier of the two 23:30s that night (-02:00); an ambiguous time never equals one in another zone
    assert cancelled.placed_at == datetime(2018, 2, 18, 1, 30, tzinfo=UTC)
    assert cancelled.payment_type == "not_defined"  # 'pix' is unknown; its share ties with boleto's and comes first
    assert list(cancelled.items.values_list("line_no", "sku", "name", "quantity", "weight_kg")) == [
        (1, "p3", "product", 1, Decimal("1.500")),
        (2, "p1", "health_beauty", 2, Decimal("0.225")),
        (3, "p9", "product", 1, Decimal("0")),
    ]
    assert set(OrderReview.objects.filter(external_id="r1").values_list("title", flat=True)) == {
        ("long title " * 30)[:200]
    }

    # and a second run changes nothing
    again = PostgresOlistImport(tmp_path).run()
    assert (again.merchants, again.orders, again.items, again.skipped_orders) == (0, 0, 0, 4)
    assert corner_rows() == python_rows


@pytest.mark.services
@pytest.mark.django_db
def test_a_file_without_a_needed_column_is_refused_and_nothing_is_loaded(tmp_path):
    for name, text in CORNERS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "olist_order_items_dataset.csv").write_text("order_id,product_id\na1,p1\n")
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_olist", str(tmp_path))
    assert not Merchant.objects.filter(external_ref__startswith="s").exists() and not Order.objects.exists()
