"""Cost lines and the cost analysis; fixed query counts on every logistics list."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.access import OPS_MANAGER, PLATFORM_ADMIN
from logistics import services
from logistics.models import CostLine
from tests.contract.test_errors import assert_error_shape
from tests.factories import merchant_owner, staff
from tests.logistics.factories import carrier, shipment_of, shipped_order
from tests.orders.factories import active_merchant
from tests.query_counts import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db
LINES = "/api/v1/logistics/cost-lines/"


def test_a_merchant_records_cost_lines_and_recording_again_replaces(as_user):
    order = shipped_order()
    owner = as_user(merchant_owner(order.merchant))
    first = owner.post(LINES, {"order": order.pk, "kind": "transport", "amount": "12.00"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["merchant"] == order.merchant_id and first.json()["source"] == "recorded"
    again = owner.post(LINES, {"order": order.pk, "kind": "transport", "amount": "11.50"}, format="json")
    assert again.status_code == 201
    assert CostLine.objects.get().amount == Decimal("11.50")


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"kind": "transport", "amount": "-1"}, "amount"),
        ({"kind": "fuel", "amount": "1"}, "kind"),
        ({"kind": "transport", "amount": "1", "order": 999999}, "order"),
    ],
)
def test_bad_cost_lines_are_refused(as_user, payload, attr):
    order = shipped_order()
    response = as_user(merchant_owner(order.merchant)).post(LINES, {"order": order.pk, **payload}, format="json")
    errors = assert_error_shape(response, 400, "validation_error")["errors"]
    assert attr in {error["attr"] for error in errors}
    assert not CostLine.objects.exists()


def test_another_merchants_order_is_unknown_for_cost_lines(as_user):
    order = shipped_order()
    stranger = as_user(merchant_owner(active_merchant()))
    response = stranger.post(LINES, {"order": order.pk, "kind": "transport", "amount": "1"}, format="json")
    assert_error_shape(response, 400, "validation_error")
    assert not CostLine.objects.exists()


def test_import_is_all_or_nothing(as_key, tmp_path):
    order = shipped_order(external_id="SO-9")
    client = as_key("logistics:write", merchant=order.merchant)
    rows = [
        {"external_id": "SO-9", "kind": "packaging", "amount": "1.20"},
        {"external_id": "NOPE", "kind": "transport", "amount": "5.00"},
    ]
    refused = client.post(f"{LINES}import/", {"rows": rows}, format="json")
    errors = assert_error_shape(refused, 400, "validation_error")["errors"]
    assert [error["attr"] for error in errors] == ["rows.1.external_id"]
    assert not CostLine.objects.exists()
    done = client.post(f"{LINES}import/", {"merchant": order.merchant_id, "rows": rows[:1]}, format="json")
    assert done.json() == {"imported": 1}
    assert CostLine.objects.get().source == "imported"
    # and from a CSV file with the management command
    path = tmp_path / "costs.csv"
    path.write_text("external_id,kind,amount,incurred_on\nSO-9,warehousing,3.40,2026-03-01\n", encoding="utf-8")
    call_command("import_logistics_costs", str(path), merchant=order.merchant_id)
    assert CostLine.objects.get(kind="warehousing").incurred_on == date(2026, 3, 1)


def test_cost_analysis_per_order_per_kg_by_carrier_region_and_month(as_user):
    merchant = active_merchant()
    sf = shipped_order(merchant, carrier_code="SF", weight_kg="0.5")
    zto = shipped_order(merchant, carrier_code="ZTO", weight_kg="2.5")
    day = date(2026, 3, 10)
    for order, kind, amount in [
        (sf, "transport", "10"),
        (sf, "packaging", "2"),
        (zto, "transport", "8"),
        (zto, "warehousing", "3"),
    ]:
        services.cost_line_record(order=order, kind=kind, amount=Decimal(amount), actor=None, incurred_on=day)
    other = shipped_order()  # another merchant's cost, visible platform-wide only
    services.cost_line_record(order=other, kind="transport", amount=Decimal("100"), actor=None, incurred_on=day)
    body = as_user(merchant_owner(merchant)).get("/api/v1/logistics/cost-analysis/").json()
    assert (body["orders"], body["total"], body["weight_kg"]) == (2, "23.00", "3.000")
    assert (body["per_order"], body["per_kg"]) == ("11.50", "7.67")
    assert body["by_kind"] == [
        {"kind": "transport", "total": "18.00"},
        {"kind": "packaging", "total": "2.00"},
        {"kind": "warehousing", "total": "3.00"},
        {"kind": "delivery", "total": "0.00"},
    ]
    assert body["by_carrier"] == [
        {"carrier": "SF", "orders": 1, "total": "12.00", "per_order": "12.00"},
        {"carrier": "ZTO", "orders": 1, "total": "11.00", "per_order": "11.00"},
    ]
    assert body["by_region"] == [{"region": "110000", "orders": 2, "total": "23.00", "per_order": "11.50"}]
    assert body["trend"] == [{"month": "2026-03", "orders": 2, "total": "23.00", "per_order": "11.50"}]
    platform = as_user(staff(OPS_MANAGER)).get("/api/v1/logistics/cost-analysis/").json()
    assert (platform["orders"], platform["total"]) == (3, "123.00")
    one = as_user(staff(OPS_MANAGER)).get("/api/v1/logistics/cost-analysis/", {"merchant": merchant.pk}).json()
    assert one["total"] == "23.00"
    # a merchant naming another merchant is refused
    foreign = as_user(merchant_owner(merchant)).get("/api/v1/logistics/cost-analysis/", {"merchant": other.merchant_id})
    assert_error_shape(foreign, 400, "validation_error")


# --- Query counts ----------------------------------------------------------------------------


@pytest.fixture
def merchant():
    return active_merchant()


def test_shipment_list_query_count(as_user, merchant):
    client = as_user(merchant_owner(merchant))

    def add(n):
        for _ in range(n):
            shipment = shipment_of(shipped_order(merchant))
            services.tracking_events_ingest(
                events=[{"shipment_id": shipment.pk, "code": "in_transit", "occurred_at": timezone.now()}], actor=None
            )

    assert_constant_queries(lambda: client.get("/api/v1/logistics/shipments/?page_size=200"), add)


def test_exception_list_and_queue_page_query_counts(as_user, client, merchant):
    api_client = as_user(merchant_owner(merchant))
    client.force_login(staff(PLATFORM_ADMIN))

    def add(n):
        for _ in range(n):
            shipped_order(merchant, shipped_at=timezone.now() - timedelta(days=5))
        services.shipment_exceptions_detect()

    add(10)
    before = [
        count(lambda: api_client.get("/api/v1/logistics/exceptions/?page_size=200")),
        count(lambda: client.get("/admin/logistics/shipmentexception/")),
    ]
    add(90)
    assert before == [
        count(lambda: api_client.get("/api/v1/logistics/exceptions/?page_size=200")),
        count(lambda: client.get("/admin/logistics/shipmentexception/")),
    ]


def test_cost_line_list_and_staff_pages_query_counts(as_user, client, merchant):
    api_client = as_user(merchant_owner(merchant))
    client.force_login(staff(PLATFORM_ADMIN))

    def add(n):
        for _ in range(n):
            services.cost_line_record(order=shipped_order(merchant), kind="transport", amount=Decimal("5"), actor=None)
        services.carrier_quality_refresh()

    carrier("SF", first="22", extra="12", sla=2)
    add(10)
    before = [
        count(lambda: api_client.get(f"{LINES}?page_size=200")),
        count(lambda: client.get("/admin/logistics/costline/")),
        count(lambda: client.get("/admin/logistics/carrierquality/")),
    ]
    add(90)
    assert before == [
        count(lambda: api_client.get(f"{LINES}?page_size=200")),
        count(lambda: client.get("/admin/logistics/costline/")),
        count(lambda: client.get("/admin/logistics/carrierquality/")),
    ]


def test_carrier_list_and_staff_pages_query_counts(as_user, client):
    api_client = as_user(staff(OPS_MANAGER))
    client.force_login(staff(PLATFORM_ADMIN))

    def add(n):
        from logistics.models import Carrier

        start = Carrier.objects.count()
        for i in range(n):
            carrier(f"C{start + i}", first="5", extra="2", sla=3)
            shipped_order(carrier_code=f"C{start + i}")

    add(10)
    counts = [
        count(lambda: api_client.get("/api/v1/logistics/carriers/?page_size=200")),
        count(lambda: client.get("/admin/logistics/carrier/")),
        count(lambda: client.get("/admin/logistics/carrierrate/")),
        count(lambda: client.get("/admin/logistics/shipment/")),
    ]
    add(90)
    assert counts == [
        count(lambda: api_client.get("/api/v1/logistics/carriers/?page_size=200")),
        count(lambda: client.get("/admin/logistics/carrier/")),
        count(lambda: client.get("/admin/logistics/carrierrate/")),
        count(lambda: client.get("/admin/logistics/shipment/")),
    ]


def count(call) -> int:
    return count_queries(call)
