"""The carrier recommendation against hand-computed scores, and the savings report on a known data set."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.access import OPS_MANAGER
from logistics import services
from logistics.demo_carriers import DEMO_CARRIERS, PROVINCES, demo_carriers_load
from logistics.models import Carrier, CarrierQuality, CarrierRate
from tests.contract.test_errors import assert_error_shape
from tests.factories import merchant_owner, staff
from tests.logistics.factories import carrier, shipment_of, shipped_order
from tests.orders.factories import active_merchant, warehouse_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/logistics/carriers/recommend/"


def measured(code: str, on_time: str, exceptions: str) -> None:
    CarrierQuality.objects.create(
        carrier=Carrier.objects.get(code=code),
        as_of=timezone.now(),
        window_days=90,
        shipments=100,
        delivered=90,
        on_time_rate=Decimal(on_time),
        exception_rate=Decimal(exceptions),
    )


@pytest.fixture
def lane():
    carrier("AAA", first="10", extra="2", sla=2)
    carrier("BBB", first="6", extra="3", sla=3)
    carrier("CCC", first="20", extra="5", sla=1)
    carrier("DDD", first="1", extra="1", sla=1, destination="440000")  # does not serve Beijing
    measured("AAA", "0.90", "0.02")
    measured("BBB", "0.80", "0.10")


def test_carriers_are_ranked_by_the_weighted_score_computed_by_hand(as_user, lane):
    ops = as_user(staff(OPS_MANAGER))
    weights = {"price": "0.40", "sla": "0.30", "on_time": "0.20", "exception": "0.10"}
    assert ops.put("/api/v1/logistics/recommendation-weights/", weights, format="json").status_code == 200
    response = ops.get(URL, {"origin": "310101", "region": "110101", "weight_kg": "2.5"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["origin"], body["destination"], body["weights"]) == ("310000", "110000", weights)
    results = {row["code"]: row for row in body["results"]}
    assert [row["code"] for row in body["results"]] == ["AAA", "BBB", "CCC"]
    # 2.5 kg: the first kg plus 2 started kilograms
    assert [results[c]["price"] for c in ("AAA", "BBB", "CCC")] == ["14.00", "12.00", "30.00"]
    # AAA: 0.4 × 12/14 + 0.3 × 1/2 + 0.2 × 0.90 + 0.1 × 0.98 = 0.7708
    assert results["AAA"]["components"] == {
        "price": "0.8571",
        "sla": "0.5000",
        "on_time": "0.9000",
        "exception": "0.9800",
    }
    assert results["AAA"]["score"] == "0.7708"
    # BBB: 0.4 × 1 + 0.3 × 1/3 + 0.2 × 0.80 + 0.1 × 0.90 = 0.7500
    assert results["BBB"]["score"] == "0.7500"
    # CCC is unmeasured: it gets the average of the measured (0.85 on time, 0.06 exceptions)
    # 0.4 × 12/30 + 0.3 × 1 + 0.2 × 0.85 + 0.1 × 0.94 = 0.7240
    assert results["CCC"]["measured"] is False and results["CCC"]["on_time_rate"] is None
    assert results["CCC"]["components"]["on_time"] == "0.8500"
    assert results["CCC"]["score"] == "0.7240"
    # when ops care about price alone, the cheapest leads
    price_only = {"price": "1.00", "sla": "0.00", "on_time": "0.00", "exception": "0.00"}
    ops.put("/api/v1/logistics/recommendation-weights/", price_only, format="json")
    ranked = ops.get(URL, {"origin": "310101", "region": "110101", "weight_kg": "2.5"}).json()["results"]
    assert [(row["code"], row["score"]) for row in ranked] == [("BBB", "1.0000"), ("AAA", "0.8571"), ("CCC", "0.4000")]


def test_the_origin_defaults_to_the_merchants_warehouse(as_user, lane):
    merchant = active_merchant()
    warehouse_for(merchant)
    owner = as_user(merchant_owner(merchant))
    response = owner.get(URL, {"region": "110101", "weight_kg": "1"})
    assert response.status_code == 200, response.content
    assert response.json()["origin"] == "310000"
    assert len(response.json()["results"]) == 3
    # a merchant without a warehouse must say where from
    bare = as_user(merchant_owner(active_merchant()))
    assert_error_shape(bare.get(URL, {"region": "110101", "weight_kg": "1"}), 400, "validation_error")


def test_weights_are_set_by_ops_only_and_checked(as_user):
    owner = as_user(merchant_owner(active_merchant()))
    weights = {"price": "1", "sla": "0", "on_time": "0", "exception": "0"}
    assert owner.put("/api/v1/logistics/recommendation-weights/", weights, format="json").status_code == 403
    ops = as_user(staff(OPS_MANAGER))
    zero = {"price": "0", "sla": "0", "on_time": "0", "exception": "0"}
    assert_error_shape(
        ops.put("/api/v1/logistics/recommendation-weights/", zero, format="json"), 400, "validation_error"
    )
    negative = {**weights, "sla": "-1"}
    assert_error_shape(
        ops.put("/api/v1/logistics/recommendation-weights/", negative, format="json"), 400, "validation_error"
    )
    assert owner.get("/api/v1/logistics/recommendation-weights/").json()["price"] == "0.40"


def test_the_demo_loader_fills_full_price_tables_and_is_rerunnable():
    carriers, lanes = demo_carriers_load()
    assert carriers == len(DEMO_CARRIERS) == 8
    again = demo_carriers_load()
    assert again == (carriers, lanes)
    assert Carrier.objects.filter(is_demo=True).count() == 8
    assert CarrierRate.objects.filter(carrier__code="SF").count() == len(PROVINCES) ** 2
    # J&T does not serve Tibet in the demo figures
    assert not CarrierRate.objects.filter(carrier__code="JT", destination="540000").exists()
    sf = CarrierRate.objects.get(carrier__code="SF", origin="310000", destination="110000")
    zto = CarrierRate.objects.get(carrier__code="ZTO", origin="310000", destination="110000")
    assert sf.first_price > zto.first_price and sf.sla_days < zto.sla_days


def test_carrier_quality_is_measured_from_our_shipments():
    carrier("SF", first="22", extra="12", sla=2)
    now = timezone.now()
    on_time = shipment_of(shipped_order(carrier_code="SF", shipped_at=now - timedelta(days=10)))
    late = shipment_of(shipped_order(carrier_code="SF", shipped_at=now - timedelta(days=10)))
    damaged = shipment_of(shipped_order(carrier_code="SF", shipped_at=now - timedelta(days=10)))
    shipped_order(carrier_code="SF", shipped_at=now - timedelta(days=100))  # outside the window
    services.tracking_events_ingest(
        events=[
            {"shipment_id": on_time.pk, "code": "delivered", "occurred_at": on_time.shipped_at + timedelta(days=1)},
            {"shipment_id": late.pk, "code": "delivered", "occurred_at": late.shipped_at + timedelta(days=5)},
            {"shipment_id": damaged.pk, "code": "damaged", "occurred_at": damaged.shipped_at + timedelta(days=1)},
        ],
        actor=None,
    )
    assert services.carrier_quality_refresh(now=now) == 1
    quality = CarrierQuality.objects.get(carrier__code="SF")
    assert (quality.shipments, quality.delivered) == (3, 2)
    assert quality.on_time_rate == Decimal("0.5000")
    assert quality.exception_rate == Decimal("0.3333")
    assert quality.damage_loss_rate == Decimal("0.3333")
    assert quality.complaint_rate == Decimal("0.0000")


def test_the_savings_report_on_a_known_data_set(as_user):
    carrier("SF", first="22", extra="12", sla=2)
    carrier("ZTO", first="7", extra="4", sla=3)
    carrier("JD", first="15", extra="5", sla=2)
    recent = timezone.now() - timedelta(days=10)
    merchant = active_merchant()
    shipped_order(merchant, carrier_code="SF", weight_kg="0.5", shipped_at=recent)  # 22 → JD 15
    shipped_order(merchant, carrier_code="SF", weight_kg="2.5", shipped_at=recent)  # 46 → JD 25
    shipped_order(merchant, carrier_code="ZTO", weight_kg="0.5", shipped_at=recent)  # 7, already cheapest in 3 days
    negotiated = shipped_order(merchant, carrier_code="SF", weight_kg="0.5", shipped_at=recent)  # recorded 18 → 15
    services.cost_line_record(order=negotiated, kind="transport", amount=Decimal("18.00"), actor=None)
    shipped_order(merchant, carrier_code="SF", weight_kg="0.5", shipped_at=timezone.now() - timedelta(days=100))
    response = as_user(merchant_owner(merchant)).get("/api/v1/logistics/optimisation-report/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "window_days": 90,
        "shipments": 4,
        "actual": "93.00",
        "savings": "31.00",
        "lanes": [
            {
                "origin": "310000",
                "destination": "110000",
                "shipments": 4,
                "actual": "93.00",
                "optimal": "62.00",
                "savings": "31.00",
                "suggested_carrier": "JD",
            }
        ],
    }
    # another merchant sees nothing of it
    other = as_user(merchant_owner(active_merchant())).get("/api/v1/logistics/optimisation-report/")
    assert other.json()["shipments"] == 0


def test_the_carrier_complaint_rate_counts_logistics_complaints_and_poor_reviews():
    from orders.models import OrderReview
    from tests.complaints.factories import make_complaint

    carrier("SF", first="22", extra="12", sla=2)
    now = timezone.now()
    orders = [shipped_order(carrier_code="SF", shipped_at=now - timedelta(days=10)) for _ in range(4)]
    # a logistics complaint, a quality complaint (not the carrier's fault) and a one-star review
    make_complaint(orders[0].merchant, order=orders[0], text="快递一直没到，物流不更新")
    make_complaint(orders[1].merchant, order=orders[1], text="质量太差，做工粗糙")
    OrderReview.objects.create(order=orders[2], score=1, comment="chegou quebrado", created_at=now)
    from complaints.models import Complaint

    assert set(Complaint.objects.values_list("category", flat=True)) == {"logistics", "product_quality"}
    services.carrier_quality_refresh(now=now)
    assert CarrierQuality.objects.get(carrier__code="SF").complaint_rate == Decimal("0.5000")
