"""The portal's ship step uses the recommendation; the logistics cost page."""

from decimal import Decimal

import pytest

from logistics import services
from logistics.models import Shipment
from orders import services as order_services
from tests.factories import merchant_owner
from tests.logistics.factories import BEIJING_DONGCHENG, carrier, ensure_beijing, shipped_order
from tests.orders.factories import active_merchant, warehouse_for

pytestmark = pytest.mark.django_db


def packed_order(merchant):
    ensure_beijing()
    order = order_services.order_create(
        merchant=merchant,
        external_id="P-1",
        buyer_ref="b",
        ship_to_region=BEIJING_DONGCHENG,
        items=[{"sku": "A", "name": "A", "quantity": 2, "unit_price": Decimal("10.00"), "weight_kg": Decimal("1.2")}],
        total=Decimal("20.00"),
        actor=None,
    )
    order = order_services.order_confirm(order=order, actor=None)
    order = order_services.order_allocate(order=order, warehouse=warehouse_for(merchant), actor=None)
    return order_services.order_pack(order=order, actor=None)


def test_the_ship_step_offers_the_ranked_carriers_and_ships(client):
    carrier("SF", first="22", extra="12", sla=2)
    carrier("ZTO", first="7", extra="4", sla=3)
    merchant = active_merchant()
    order = packed_order(merchant)
    client.force_login(merchant_owner(merchant))
    page = client.get(f"/portal/orders/{order.pk}/")
    assert page.status_code == 200
    codes = [c.code for c in page.context["recommended"]]
    assert sorted(codes) == ["SF", "ZTO"]
    # 2.4 kg: first kg plus 2 started kilograms
    prices = {c.code: c.price for c in page.context["recommended"]}
    assert prices == {"SF": Decimal("46.00"), "ZTO": Decimal("15.00")}
    assert b'name="carrier" value="' + codes[0].encode() in page.content
    shipped = client.post(f"/portal/orders/{order.pk}/ship/", {"carrier": "ZTO", "tracking_number": "ZT123"})
    assert shipped.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == ("shipped", "ZTO", "ZT123")
    shipment = Shipment.objects.get(order=order)
    assert shipment.quoted_price == Decimal("15.00")
    detail = client.get(f"/portal/orders/{order.pk}/")
    assert detail.context["shipment"] == shipment


def test_a_ship_without_tracking_number_is_refused(client):
    merchant = active_merchant()
    order = packed_order(merchant)
    client.force_login(merchant_owner(merchant))
    client.post(f"/portal/orders/{order.pk}/ship/", {"carrier": "ZTO", "tracking_number": ""})
    order.refresh_from_db()
    assert order.status == "packed" and not Shipment.objects.exists()


def test_another_merchant_cannot_ship_my_order(client):
    order = packed_order(active_merchant())
    client.force_login(merchant_owner(active_merchant()))
    response = client.post(f"/portal/orders/{order.pk}/ship/", {"carrier": "ZTO", "tracking_number": "X"})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "packed"


def test_the_cost_page_shows_costs_and_savings(client):
    carrier("SF", first="22", extra="12", sla=2)
    carrier("JD", first="15", extra="5", sla=2)
    merchant = active_merchant()
    order = shipped_order(merchant, carrier_code="SF")
    services.cost_line_record(order=order, kind="transport", amount=Decimal("22.00"), actor=None)
    client.force_login(merchant_owner(merchant))
    page = client.get("/portal/logistics/")
    assert page.status_code == 200
    assert page.context["analysis"]["total"] == Decimal("22.00")
    assert page.context["report"]["savings"] == Decimal("7.00")
    assert b"JD" in page.content


def test_the_staff_cost_analysis_page_is_platform_wide_or_per_merchant(client):
    from core.access import OPS_MANAGER
    from tests.factories import staff

    first, second = shipped_order(), shipped_order()
    services.cost_line_record(order=first, kind="transport", amount=Decimal("10.00"), actor=None)
    services.cost_line_record(order=second, kind="transport", amount=Decimal("30.00"), actor=None)
    client.force_login(staff(OPS_MANAGER))
    page = client.get("/admin/logistics/costline/analysis/")
    assert page.status_code == 200
    assert page.context["analysis"]["total"] == Decimal("40.00")
    one = client.get(f"/admin/logistics/costline/analysis/?merchant={second.merchant_id}")
    assert one.context["analysis"]["total"] == Decimal("30.00")


def test_ops_set_the_weights_in_the_console_through_the_service(client):
    from core.access import OPS_MANAGER
    from core.models import AuditEntry
    from logistics.models import RecommendationWeights
    from tests.factories import staff

    weights = services.recommendation_weights()
    client.force_login(staff(OPS_MANAGER))
    url = f"/admin/logistics/recommendationweights/{weights.pk}/change/"
    refused = client.post(url, {"price": "0", "sla": "0", "on_time": "0", "exception": "0"})
    assert refused.status_code == 200  # the form again, with the error
    assert RecommendationWeights.objects.get().price == Decimal("0.40")
    client.post(url, {"price": "0.5", "sla": "0.5", "on_time": "0", "exception": "0"})
    assert RecommendationWeights.objects.get().sla == Decimal("0.50")
    assert AuditEntry.objects.filter(action="recommendation_weights.set").exists()
