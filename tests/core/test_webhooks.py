"""Webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries with backoff, the log, replay."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import timezone

from core import webhooks
from core.models import WebhookDelivery
from tests.factories import merchant_owner
from tests.orders.factories import active_merchant, make_order

SECRET = "whsec-0123456789abcdef"


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    """The receiver runs on 127.0.0.1, which production refuses (see the tests at the end)."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


class Receiver:
    """A partner's endpoint: answers with the queued status codes (then 200) and keeps what it got."""

    def __init__(self, codes=()):
        self.codes = list(codes)
        self.requests: list[tuple[dict, bytes]] = []
        self.received = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = receiver.codes.pop(0) if receiver.codes else 200
                with receiver.received:
                    receiver.requests.append((self.headers, body))
                    receiver.received.notify_all()
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait_for(self, count: int, timeout: float = 30) -> None:
        with self.received:
            assert self.received.wait_for(lambda: len(self.requests) >= count, timeout), self.requests


@pytest.fixture
def receiver():
    made = []

    def make(codes=()):
        r = Receiver(codes)
        r.thread.start()
        made.append(r)
        return r

    yield make
    for r in made:
        r.server.shutdown()
        r.server.server_close()


def register(client, url, merchant=None, events=("order.created", "order.shipped")):
    body = {"url": url, "secret": SECRET, "event_types": list(events)}
    if merchant is not None:
        body["merchant"] = merchant.pk
    response = client.post("/api/v1/webhooks/endpoints/", body, format="json")
    assert response.status_code == 201, response.content
    assert "secret" not in response.json()
    return response.json()


@pytest.mark.django_db
def test_the_signature_verifies(as_key, receiver, django_capture_on_commit_callbacks):
    # given a partner endpoint for one merchant's order events
    merchant = active_merchant()
    hook = receiver()
    register(as_key("orders:write", merchant=merchant), hook.url)
    # when an order is created
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = make_order(merchant, external_id="SO-SIG")
    assert callbacks, "the delivery is sent only once the transaction commits"
    delivery = WebhookDelivery.objects.get(event_type="order.created")
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    # then the receiver got it, signed with the shared secret over "<t>.<body>"
    hook.wait_for(1)
    headers, body = hook.requests[0]
    signature = headers["X-MerchantOps-Signature"]
    assert signature.startswith("t=") and ",v1=" in signature
    assert webhooks.verify_signature(SECRET, signature, body)
    assert not webhooks.verify_signature(SECRET, signature, body.replace(b"SO-SIG", b"SO-XXX"))
    assert not webhooks.verify_signature("another-secret-value", signature, body)
    assert not webhooks.verify_signature(SECRET, signature, body, now=time.time() + 3600)
    event = json.loads(body)
    assert headers["X-MerchantOps-Event"] == event["type"] == "order.created"
    assert event["data"]["id"] == order.pk and event["data"]["external_id"] == "SO-SIG"
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.last_status_code == 200


@pytest.mark.django_db
def test_endpoints_hear_only_their_merchant_and_events(as_key, receiver):
    mine, other = active_merchant(), active_merchant()
    register(as_key("orders:write", merchant=mine), receiver().url, events=("order.shipped",))
    make_order(other)
    make_order(mine)
    assert not WebhookDelivery.objects.exists()
    make_order(mine, "shipped")
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["order.shipped"]


@pytest.mark.django_db
def test_a_500_gets_retries_with_backoff_and_finally_the_delivery(as_key, receiver):
    merchant = active_merchant()
    hook = receiver(codes=[500, 500])
    register(as_key("orders:write", merchant=merchant), hook.url)
    make_order(merchant)
    delivery = WebhookDelivery.objects.get()
    start = timezone.now()
    # first attempt: 500, retried a minute later
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=start)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code, delivery.attempt_count) == ("pending", 500, 1)
    assert timedelta(seconds=55) < delivery.next_attempt_at - start < timedelta(seconds=65)
    assert webhooks.webhook_deliveries_due(now=start) == []
    # not due yet: an early attempt does nothing
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=start + timedelta(seconds=30))
    assert len(hook.requests) == 1
    # second attempt: 500 again, then the wait doubles
    second = start + timedelta(seconds=61)
    assert webhooks.webhook_deliveries_due(now=second) == [delivery.pk]
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=second)
    delivery.refresh_from_db()
    assert timedelta(seconds=115) < delivery.next_attempt_at - second < timedelta(seconds=125)
    # third attempt succeeds
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=second + timedelta(seconds=121))
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.delivered_at is not None
    assert list(delivery.attempts.values_list("number", "status_code")) == [(1, 500), (2, 500), (3, 200)]
    # and every attempt carried the same event
    assert len({json.loads(body)["id"] for _headers, body in hook.requests}) == 1


def test_retries_span_at_least_24_hours_with_exponential_backoff():
    delays = [webhooks.retry_delay(n) for n in range(1, 6)]
    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
        timedelta(minutes=16),
    ]
    assert webhooks.retry_window() >= timedelta(hours=24)


@pytest.mark.django_db
@override_settings(WEBHOOK_MAX_ATTEMPTS=2)
def test_a_failed_delivery_can_be_replayed(as_key, as_user, receiver):
    merchant = active_merchant()
    hook = receiver(codes=[503, 503])
    client = as_key("orders:write", merchant=merchant)
    register(client, hook.url)
    make_order(merchant)
    delivery = WebhookDelivery.objects.get()
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + timedelta(minutes=2))
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    # when the merchant owner replays it from the log
    owner = as_user(merchant_owner(merchant))
    log = owner.get("/api/v1/webhooks/deliveries/", {"status": "failed"}).json()
    assert [row["id"] for row in log["results"]] == [delivery.pk]
    assert [a["status_code"] for a in log["results"][0]["attempts"]] == [503, 503]
    replayed = owner.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay/")
    assert replayed.status_code == 202
    webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    # then it is delivered, and the log keeps all three attempts
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert list(delivery.attempts.values_list("status_code", flat=True)) == [503, 503, 200]
    hook.wait_for(3)


@pytest.mark.django_db
def test_bad_registrations_are_refused(as_key):
    client = as_key("orders:write")
    for body in (
        {"url": "ftp://example.com/x", "secret": SECRET, "event_types": ["order.created"]},
        {"url": "https://example.com/x", "secret": "short", "event_types": ["order.created"]},
        {"url": "https://example.com/x", "secret": SECRET, "event_types": ["order.exploded"]},
        {"url": "https://example.com/x", "secret": SECRET, "event_types": []},
    ):
        response = client.post("/api/v1/webhooks/endpoints/", body, format="json")
        assert response.status_code == 400, (body, response.content)


@pytest.mark.services
@override_settings(WEBHOOK_RETRY_BASE_SECONDS=0)
def test_celery_retries_a_500_until_it_is_delivered(celery_worker_live, as_key, receiver):
    """Through Redis and a real worker: the first send follows the commit, the beat sweep retries."""
    from core.tasks import webhook_deliveries_retry_due

    merchant = active_merchant()
    hook = receiver(codes=[500])
    client = as_key("orders:write", "read")
    register(client, hook.url)
    from tests.orders.factories import order_body

    assert client.post("/api/v1/orders/", order_body(merchant), format="json").status_code == 201
    hook.wait_for(1)
    deadline = time.monotonic() + 30
    while WebhookDelivery.objects.get().attempt_count < 1 or WebhookDelivery.objects.get().next_attempt_at is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # wait for the first attempt's result to be recorded before sweeping
    while not WebhookDelivery.objects.get().attempts.exists():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert webhook_deliveries_retry_due.delay().get(timeout=30) == 1
    hook.wait_for(2)
    while WebhookDelivery.objects.get().status != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert list(WebhookDelivery.objects.get().attempts.values_list("status_code", flat=True)) == [500, 200]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
    ],
)
def test_private_and_local_targets_are_refused_at_registration(url, as_key, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    client = as_key("orders:write")
    response = client.post(
        "/api/v1/webhooks/endpoints/", {"url": url, "secret": SECRET, "event_types": ["order.created"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "url"


def test_a_name_that_resolves_to_a_private_address_is_refused_when_sending(settings, monkeypatch):
    from core import outbound

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(outbound.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.0.0.7", 443))])
    with pytest.raises(outbound.RefusedTarget):
        outbound.post("https://hooks.partner.example/in", b"{}", {}, timeout=1)
    status, error = webhooks._post("https://hooks.partner.example/in", b"{}", {})
    assert status is None and error.startswith("refused:")


def test_a_public_name_is_connected_to_the_address_that_was_checked(settings, monkeypatch):
    from core import outbound

    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(outbound.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 80))])
    connected = []

    def fake_connect(address, timeout):
        connected.append(address)
        raise OSError("no network here")

    monkeypatch.setattr(outbound.socket, "create_connection", fake_connect)
    with pytest.raises(OSError):
        outbound.post("http://hooks.partner.example/in", b"{}", {}, timeout=1)
    assert connected == [("93.184.216.34", 80)]
