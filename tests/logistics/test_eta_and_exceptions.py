"""ETA from the SLA and measured transit times; exception detection with frozen time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from core.access import OPS_MANAGER
from core.models import AuditEntry
from logistics import services
from logistics.models import ShipmentException
from tests.contract.test_errors import assert_error_shape
from tests.factories import merchant_owner, staff
from tests.logistics.factories import carrier, deliver, event, shipment_of, shipped_order

pytestmark = pytest.mark.django_db
SHANGHAI_TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI_TZ)


def test_the_eta_is_the_lane_sla_until_the_lane_has_enough_deliveries():
    # given ZTO with a 3-day SLA from Shanghai to Beijing
    carrier("ZTO", first="7", extra="4", sla=3)
    merchant = shipped_order(carrier_code="ZTO", shipped_at=T0).merchant
    first = shipment_of(merchant.orders.get())
    # then the first shipment's ETA is the SLA
    assert first.eta == T0 + timedelta(days=3)
    assert first.sla_days == 3 and first.quoted_price == 7
    # given five deliveries measured at 1, 2, 2, 2 and 4 days
    for offset, days in enumerate([1, 2, 2, 2, 4]):
        shipped = T0 + timedelta(days=offset + 1)
        deliver(
            shipment_of(shipped_order(merchant, carrier_code="ZTO", shipped_at=shipped)), shipped + timedelta(days=days)
        )
    # when another parcel ships, its ETA is the 80th percentile of the measured transit times (the 5th of 5: 4 days)
    late = T0 + timedelta(days=20)
    shipment = shipment_of(shipped_order(merchant, carrier_code="ZTO", shipped_at=late))
    assert shipment.eta == late + timedelta(days=4)


def test_the_eta_follows_faster_measured_deliveries():
    carrier("ZTO", first="7", extra="4", sla=3)
    merchant = shipped_order(carrier_code="ZTO", shipped_at=T0).merchant
    for offset in range(10):
        shipped = T0 + timedelta(days=offset)
        deliver(
            shipment_of(shipped_order(merchant, carrier_code="ZTO", shipped_at=shipped)), shipped + timedelta(hours=30)
        )
    late = T0 + timedelta(days=20)
    assert shipment_of(shipped_order(merchant, carrier_code="ZTO", shipped_at=late)).eta == late + timedelta(hours=30)


def test_an_unknown_carrier_gets_no_eta():
    shipment = shipment_of(shipped_order(carrier_code="NEWCO", shipped_at=T0))
    assert shipment.carrier is None and shipment.eta is None and shipment.quoted_price is None


@override_settings(LOGISTICS_STALL_HOURS=48)
def test_the_sweep_flags_stalled_late_and_lost_shipments_once(eager_tasks, django_capture_on_commit_callbacks):
    carrier("SF", first="22", extra="12", sla=2)
    merchant_order = shipped_order(carrier_code="SF", shipped_at=T0)
    merchant = merchant_order.merchant
    merchant_owner(merchant, user__email="owner@example.com")
    quiet = shipment_of(merchant_order)  # no event at all
    moving = shipment_of(shipped_order(merchant, carrier_code="SF", shipped_at=T0))
    lost = shipment_of(shipped_order(merchant, carrier_code="SF", shipped_at=T0))
    services.tracking_events_ingest(
        events=[
            event(moving, "in_transit", T0 + timedelta(hours=40)),
            event(lost, "in_transit", T0 + timedelta(hours=2)),
            event(lost, "lost", T0 + timedelta(hours=20)),
        ],
        actor=None,
    )
    # at 47 hours: only the lost parcel is flagged
    with (
        time_machine.travel(T0 + timedelta(hours=47), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        flagged = services.shipment_exceptions_detect()
    assert [(item.shipment_id, item.kind) for item in flagged] == [(lost.pk, "lost")]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.com"]
    # at 49 hours: the quiet one has stalled, and both unfinished ones are past their 2-day ETA
    with time_machine.travel(T0 + timedelta(hours=49), tick=False):
        flagged = services.shipment_exceptions_detect()
    assert sorted((item.shipment_id, item.kind) for item in flagged) == sorted(
        [(quiet.pk, "stalled"), (quiet.pk, "past_eta"), (moving.pk, "past_eta")]
    )
    # running the sweep again flags nothing new
    with time_machine.travel(T0 + timedelta(hours=50), tick=False):
        assert services.shipment_exceptions_detect() == []
    # the moving parcel stalls 48 hours after its last event
    with time_machine.travel(T0 + timedelta(hours=40 + 49), tick=False):
        flagged = services.shipment_exceptions_detect()
    assert [(item.shipment_id, item.kind) for item in flagged] == [(moving.pk, "stalled")]
    assert AuditEntry.objects.filter(action="shipment.exception").count() == 5


def test_staff_resolve_an_exception_with_a_note(as_user):
    shipment = shipment_of(shipped_order(shipped_at=T0))
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        (item,) = services.shipment_exceptions_detect()
    assert item.kind == "stalled"
    ops = as_user(staff(OPS_MANAGER))
    url = f"/api/v1/logistics/exceptions/{item.pk}/resolve/"
    assert_error_shape(ops.post(url, {"note": ""}, format="json"), 400, "validation_error")
    owner = as_user(merchant_owner(shipment.merchant))
    assert owner.get(f"/api/v1/logistics/exceptions/{item.pk}/").status_code == 200
    assert owner.post(url, {"note": "done"}, format="json").status_code == 403
    assert ShipmentException.objects.get(pk=item.pk).status == "open"
    response = ops.post(url, {"note": "Carrier found the parcel at the Beijing hub."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "resolved"
    assert response.json()["resolution_note"] == "Carrier found the parcel at the Beijing hub."
    assert AuditEntry.objects.filter(action="shipment_exception.resolve", object_id=str(item.pk)).exists()
    assert_error_shape(ops.post(url, {"note": "again"}, format="json"), 409, "conflict")


def test_the_staff_queue_resolves_through_the_service(client):
    shipment_of(shipped_order(shipped_at=T0))
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        (item,) = services.shipment_exceptions_detect()
    client.force_login(staff(OPS_MANAGER))
    page = client.get("/admin/logistics/shipmentexception/")
    assert page.status_code == 200 and b"resolve" in page.content
    form = client.get(f"/admin/logistics/shipmentexception/{item.pk}/resolve/")
    assert form.status_code == 200
    client.post(f"/admin/logistics/shipmentexception/{item.pk}/resolve/", {"note": "Called the carrier."})
    item.refresh_from_db()
    assert (item.status, item.resolution_note) == ("resolved", "Called the carrier.")
