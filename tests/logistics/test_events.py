"""Tracking events: any order, any number of times; the status follows the latest by time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.access import OPS_MANAGER
from core.models import AuditEntry
from logistics.models import Shipment, TrackingEvent
from logistics.services import derive_status, tracking_events_ingest
from orders.models import Order
from tests.contract.test_errors import assert_error_shape
from tests.factories import merchant_owner, staff
from tests.logistics.factories import event, shipment_of, shipped_order

pytestmark = pytest.mark.django_db


def url(shipment) -> str:
    return f"/api/v1/logistics/shipments/{shipment.pk}/events/"


def body(code, at, location="Shanghai hub"):
    return {"code": code, "occurred_at": at.isoformat(), "location": location, "description": f"{code} scan"}


def test_a_shipment_is_created_when_the_order_ships():
    order = shipped_order(carrier_code="ZTO")
    shipment = shipment_of(order)
    assert (shipment.carrier_code, shipment.tracking_number) == ("ZTO", order.tracking_number)
    assert shipment.status == "created"
    assert (shipment.origin, shipment.destination) == ("310000", "110000")
    assert shipment.weight_kg == order.items.get().weight_kg
    assert AuditEntry.objects.filter(action="shipment.create", object_id=str(shipment.pk)).exists()


def test_events_out_of_order_and_repeated_give_the_status_of_the_latest(
    as_key, eager_tasks, django_capture_on_commit_callbacks
):
    # given a shipped order and a carrier key
    order = shipped_order()
    shipment = shipment_of(order)
    client = as_key("logistics:write", "read")
    t0 = timezone.now() - timedelta(days=2)
    # when the delivery scan arrives first, then an earlier scan, then the delivery again
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(shipment), body("delivered", t0 + timedelta(hours=30), "Beijing"), format="json")
    early = client.post(url(shipment), body("in_transit", t0), format="json")
    out = client.post(url(shipment), body("out_for_delivery", t0 + timedelta(hours=26), "Beijing"), format="json")
    again = client.post(url(shipment), body("delivered", t0 + timedelta(hours=30), "Beijing"), format="json")
    # then every answer shows the shipment delivered, events sorted by time, the duplicate kept once
    assert first.status_code == early.status_code == out.status_code == 201
    assert again.status_code == 200
    result = again.json()
    assert result["status"] == "delivered"
    assert [e["code"] for e in result["events"]] == ["in_transit", "out_for_delivery", "delivered"]
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 3
    shipment.refresh_from_db()
    assert shipment.delivered_at == t0 + timedelta(hours=30)
    assert shipment.last_event_at == t0 + timedelta(hours=30)
    # and the order is delivered, at the carrier's delivery time, through the orders service
    order.refresh_from_db()
    assert order.status == "delivered"
    assert order.delivered_at == t0 + timedelta(hours=30)
    assert AuditEntry.objects.filter(action="order.delivered", object_id=str(order.pk)).exists()


def test_a_later_exception_event_wins_over_an_earlier_scan():
    shipment = shipment_of(shipped_order())
    t0 = timezone.now() - timedelta(days=1)
    tracking_events_ingest(
        events=[event(shipment, "lost", t0 + timedelta(hours=5)), event(shipment, "in_transit", t0)], actor=None
    )
    shipment.refresh_from_db()
    assert shipment.status == "exception"
    # a delayed notice later does not change the status
    tracking_events_ingest(events=[event(shipment, "delayed", t0 + timedelta(hours=6))], actor=None)
    shipment.refresh_from_db()
    assert shipment.status == "exception"


def test_derive_status_is_independent_of_arrival_order():
    t0 = timezone.now()
    events = [
        ("in_transit", t0),
        ("out_for_delivery", t0 + timedelta(hours=3)),
        ("delayed", t0 + timedelta(hours=4)),
        ("delivered", t0 + timedelta(hours=5)),
    ]
    import itertools

    for permutation in itertools.permutations(events):
        assert derive_status(list(permutation)) == ("delivered", t0 + timedelta(hours=5), t0 + timedelta(hours=5))
    # same timestamp: the later step of the parcel's journey counts
    assert derive_status([("delivered", t0), ("in_transit", t0)])[0] == "delivered"
    assert derive_status([]) == ("created", None, None)


def test_a_replayed_idempotency_key_returns_the_first_answer_and_another_body_is_422(as_key):
    shipment = shipment_of(shipped_order())
    client = as_key("logistics:write")
    at = timezone.now() - timedelta(hours=1)
    first = client.post(url(shipment), body("in_transit", at), format="json", HTTP_IDEMPOTENCY_KEY="scan-1")
    again = client.post(url(shipment), body("in_transit", at), format="json", HTTP_IDEMPOTENCY_KEY="scan-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    other = client.post(url(shipment), body("delivered", at), format="json", HTTP_IDEMPOTENCY_KEY="scan-1")
    assert_error_shape(other, 422, "unprocessable")
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 1


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"code": "teleported", "occurred_at": "2026-01-01T00:00:00Z"}, "code"),
        ({"code": "in_transit"}, "occurred_at"),
        ({"code": "in_transit", "occurred_at": "yesterday"}, "occurred_at"),
        ({"code": "in_transit", "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"code": "in_transit", "occurred_at": "2026-01-01T00:00:00Z", "location": "x" * 201}, "location"),
    ],
)
def test_bad_events_are_refused_and_nothing_changes(as_key, payload, attr):
    shipment = shipment_of(shipped_order())
    response = as_key("logistics:write").post(url(shipment), payload, format="json")
    errors = assert_error_shape(response, 400, "validation_error")["errors"]
    assert attr in {error["attr"] for error in errors}
    assert not TrackingEvent.objects.exists()
    assert Shipment.objects.get(pk=shipment.pk).status == "created"


def test_who_may_post_events(as_key, as_user):
    order = shipped_order()
    shipment = shipment_of(order)
    at = timezone.now().isoformat()
    payload = {"code": "in_transit", "occurred_at": at}
    assert as_key("read").post(url(shipment), payload, format="json").status_code == 403
    owner = merchant_owner(order.merchant)
    assert as_user(owner).post(url(shipment), payload, format="json").status_code == 403
    assert as_user(staff(OPS_MANAGER)).post(url(shipment), payload, format="json").status_code == 201
    # the merchant's own key with logistics:write may too
    assert (
        as_key("logistics:write", merchant=order.merchant).post(url(shipment), payload, format="json").status_code
        == 200
    )


def test_a_batch_by_tracking_number_is_all_or_nothing(as_key):
    first, second = shipment_of(shipped_order()), shipment_of(shipped_order(carrier_code="YTO"))
    client = as_key("logistics:write")
    at = timezone.now() - timedelta(hours=3)
    batch = [
        {"tracking_number": first.tracking_number, "code": "in_transit", "occurred_at": at.isoformat()},
        {"tracking_number": second.tracking_number, "code": "in_transit", "occurred_at": at.isoformat()},
        {"tracking_number": first.tracking_number, "code": "in_transit", "occurred_at": at.isoformat()},
        {"tracking_number": "NOPE", "code": "in_transit", "occurred_at": at.isoformat()},
    ]
    refused = client.post("/api/v1/logistics/tracking-events/", {"events": batch}, format="json")
    errors = assert_error_shape(refused, 400, "validation_error")["errors"]
    assert [error["attr"] for error in errors] == ["events.3.tracking_number"]
    assert not TrackingEvent.objects.exists()
    accepted = client.post("/api/v1/logistics/tracking-events/", {"events": batch[:3]}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json() == {"received": 3, "stored": 2, "duplicates": 1}
    assert set(Shipment.objects.values_list("status", flat=True)) == {"in_transit"}


def test_a_merchant_key_cannot_touch_another_merchants_shipments_in_a_batch(as_key):
    mine, theirs = shipped_order(), shipped_order()
    client = as_key("logistics:write", merchant=mine.merchant)
    at = timezone.now().isoformat()
    response = client.post(
        "/api/v1/logistics/tracking-events/",
        {"events": [{"tracking_number": theirs.tracking_number, "code": "in_transit", "occurred_at": at}]},
        format="json",
    )
    assert_error_shape(response, 400, "validation_error")
    assert not TrackingEvent.objects.exists()
    assert Order.objects.get(pk=theirs.pk).status == "shipped"


@pytest.mark.services
def test_a_real_worker_delivers_the_order_once_the_delivery_event_commits(celery_worker_live, as_key):
    import time

    order = shipped_order()
    shipment = shipment_of(order)
    at = timezone.now() - timedelta(hours=2)
    response = as_key("logistics:write").post(url(shipment), body("delivered", at, "Beijing"), format="json")
    assert response.status_code == 201
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.status == "delivered":
            break
        time.sleep(0.2)
    assert order.status == "delivered"
    assert order.delivered_at == at


@pytest.mark.parametrize(
    "item",
    [
        {"tracking_number": " SF1 ", "code": "in_transit", "occurred_at": "2026-03-01T10:00:00+08:00"},
        {"tracking_number": "SF1", "carrier": "sf", "code": "delivered", "occurred_at": "2026-03-01T02:00:00Z"},
        {
            "tracking_number": "SF1",
            "code": "lost",
            "occurred_at": "2026-03-01 10:00",
            "location": " Hub ",
            "description": "",
        },
    ],
)
def test_the_fast_batch_check_reads_valid_events_as_the_serializer_does(item):
    from logistics.api import BatchSerializer, _fast_batch

    serializer = BatchSerializer(data={"events": [item]})
    assert serializer.is_valid(), serializer.errors
    assert _fast_batch({"events": [item]}) == [dict(event) for event in serializer.validated_data["events"]]


@pytest.mark.parametrize(
    "item",
    [
        {"tracking_number": "", "code": "in_transit", "occurred_at": "2026-03-01T10:00:00Z"},
        {"tracking_number": "SF1", "code": "teleported", "occurred_at": "2026-03-01T10:00:00Z"},
        {"tracking_number": "SF1", "code": "in_transit", "occurred_at": "soon"},
        {"tracking_number": "SF1", "code": "in_transit", "occurred_at": "2999-03-01T10:00:00Z"},
        {"tracking_number": "SF1", "code": "in_transit", "occurred_at": "2026-03-01T10:00:00Z", "location": "x" * 201},
        {"tracking_number": "SF\x001", "code": "in_transit", "occurred_at": "2026-03-01T10:00:00Z"},
        {"tracking_number": "SF1", "code": {}, "occurred_at": "2026-03-01T10:00:00Z"},
        {"tracking_number": "SF1", "code": "in_transit", "occurred_at": "2026-02-30T10:00:00Z"},
        {"tracking_number": "SF1", "code": "in_transit", "occurred_at": "0001-01-01T00:00:00+05:00"},
        {"tracking_number": "SF1", "code": "in_transit", "occurred_at": ["2026-03-01T10:00:00Z"]},
        "not an object",
    ],
)
def test_the_fast_batch_check_leaves_every_refusal_to_the_serializer(item):
    from logistics.api import BatchSerializer, _fast_batch

    assert _fast_batch({"events": [item]}) is None
    assert not BatchSerializer(data={"events": [item]}).is_valid()


def test_advancing_in_any_split_and_with_repeats_equals_deriving_from_all_events():
    import random

    from logistics.services import advance_status

    rng = random.Random(6)
    t0 = timezone.now()
    codes = ["in_transit", "out_for_delivery", "delivered", "lost", "damaged", "returned", "delayed"]
    for _ in range(300):
        events = [(rng.choice(codes), t0 + timedelta(hours=rng.randint(0, 12))) for _ in range(rng.randint(1, 8))]
        expected = derive_status(events)
        arrived = events + rng.sample(events, k=min(2, len(events)))  # some come twice
        rng.shuffle(arrived)
        state = ("created", None, 0, None, None)
        cut = rng.randint(0, len(arrived))
        for part in (arrived[:cut], arrived[cut:]):
            state = advance_status(state, part)
        status, _at, _rank, last, delivered = state
        assert (status, last, delivered) == expected, events
