"""Fake-order detection: each rule on hand-built orders with its explanation's figures, thresholds,
idempotent reruns, no penalty from a flag, audited staff review, flags hidden from merchants, query counts."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, SUPPORT_AGENT
from core.models import AuditEntry, Scope
from credit import tasks
from credit.models import CreditScore, FlagStatus, SuspicionFlag, SuspicionRule
from credit.services import detection, merchants_score
from logistics import services as logistics_services
from merchants.models import Merchant
from orders import services as order_services
from orders.models import Order, OrderReview, Warehouse
from tests.factories import merchant_owner, staff
from tests.logistics.factories import event, shipment_of
from tests.orders.factories import SHANGHAI_HUANGPU, active_merchant, ensure_regions, warehouse_for
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
RUN = datetime(2026, 3, 11, tzinfo=SHANGHAI)  # examines the whole of DAY
URL = "/api/v1/credit/suspicion-flags/"


def at(day: date, hour: float = 12) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI) + timedelta(hours=hour)


def order(
    merchant,
    *,
    buyer: str = "buyer-1",
    placed: datetime,
    shipped: datetime | None = None,
    delivered: datetime | None = None,
    tracked: bool = True,
) -> Order:
    """An order through the real services; a shipped one gets a tracking event unless `tracked` is False."""
    ensure_regions()
    made = order_services.order_create(
        merchant=merchant,
        external_id=f"FD-{Order.objects.count() + 1}-{merchant.pk}",
        buyer_ref=buyer,
        ship_to_region=SHANGHAI_HUANGPU,
        items=[{"sku": "S", "name": "Item", "quantity": 1, "unit_price": Decimal("10.00"), "weight_kg": Decimal("1")}],
        total=Decimal("10.00"),
        actor=None,
        placed_at=placed,
    )
    if shipped is None:
        return made
    made = order_services.order_confirm(order=made, actor=None)
    warehouse = Warehouse.objects.filter(merchant=merchant).first() or warehouse_for(merchant)
    made = order_services.order_allocate(order=made, warehouse=warehouse, actor=None)
    made = order_services.order_pack(order=made, actor=None)
    made = order_services.order_ship(
        order=made, carrier="SF", tracking_number=f"SF{made.pk:08d}", actor=None, at=shipped
    )
    if tracked:
        logistics_services.tracking_events_ingest(
            events=[event(shipment_of(made), "in_transit", shipped + timedelta(minutes=30))], actor=None
        )
    if delivered is not None:
        made = order_services.order_deliver(order=made, actor=None, at=delivered)
    return made


def review(of: Order, score: int, written: datetime) -> OrderReview:
    return OrderReview.objects.create(order=of, score=score, created_at=written)


def detect(**kwargs):
    return detection.suspicion_flags_detect(as_of=kwargs.pop("as_of", RUN), window_days=kwargs.pop("days", 1))


def flags(rule: str | None = None):
    queryset = SuspicionFlag.objects.all()
    return list(queryset.filter(rule=rule) if rule else queryset)


def with_usual_rate(merchant, *, orders_per_buyer: int = 1, buyers: int = 10):
    """The merchant's history over the days before DAY: `buyers` buyers, each on their own day."""
    for n in range(buyers):
        for _ in range(orders_per_buyer):
            order(merchant, buyer=f"regular-{n}", placed=at(DAY - timedelta(days=n + 1)))


def detection_settings(settings, **overrides):
    settings.CREDIT_DETECTION = {**django_settings.CREDIT_DETECTION, **overrides}


# --- Rule: many orders from one buyer --------------------------------------------------------


def test_many_orders_from_one_buyer_in_a_day_raise_a_flag_with_the_figures():
    merchant = active_merchant()
    with_usual_rate(merchant)  # 10 orders over 10 buyer-days before: 1.0 a buyer a day
    burst = [order(merchant, buyer="buyer-x", placed=at(DAY, 1 + n)) for n in range(6)]
    order(merchant, buyer="buyer-y", placed=at(DAY, 9))
    order(merchant, buyer="buyer-y", placed=at(DAY, 10))
    order(merchant, buyer="buyer-x", placed=at(DAY + timedelta(days=1), 1))  # the next day: not examined

    result = detect()

    (flag,) = flags()
    assert result.created == [flag]
    assert (flag.merchant_id, flag.rule, flag.subject, flag.status) == (merchant.pk, "repeat_buyer", "buyer-x", "open")
    assert (flag.window_start, flag.window_end) == (at(DAY, 0), at(DAY + timedelta(days=1), 0))
    assert sorted(flag.orders.values_list("pk", flat=True)) == sorted(o.pk for o in burst)
    assert flag.order_count == 6
    assert flag.metrics["orders"] == 6 and flag.metrics["usual_per_buyer_day"] == 1.0
    assert flag.explanation == (
        "6 orders from buyer buyer-x on 2026-03-10 (24 h); over the 30 days before, the merchant's buyers "
        "placed 1.0 orders a day on average."
    )


def test_a_new_merchant_without_history_is_explained_as_such():
    merchant = active_merchant()
    for n in range(5):
        order(merchant, buyer="first-buyer", placed=at(DAY, n + 1))
    detect()
    (flag,) = flags()
    assert flag.metrics["usual_per_buyer_day"] is None
    assert flag.explanation == (
        "5 orders from buyer first-buyer on 2026-03-10 (24 h); the merchant had no orders in the 30 days "
        "before to compare with."
    )


def test_repeat_buyer_thresholds_are_the_minimum_count_and_the_multiple_of_the_usual_rate(settings):
    usual_one, usual_three = active_merchant(), active_merchant()
    with_usual_rate(usual_one)
    with_usual_rate(usual_three, orders_per_buyer=3)  # buyers usually order 3 a day
    for n in range(4):
        order(usual_one, buyer="four", placed=at(DAY, n + 1))
    for n in range(6):
        order(usual_three, buyer="six", placed=at(DAY, n + 1))

    # given the defaults (5 orders, 3× usual): 4 orders are too few, 6 are only 2× the usual 3
    detect()
    assert flags() == []

    # when the thresholds are lowered, both patterns are flagged
    detection_settings(settings, repeat_buyer_min_orders=4, repeat_buyer_min_multiple=2.0)
    detect()
    assert {(f.merchant_id, f.subject) for f in flags()} == {(usual_one.pk, "four"), (usual_three.pk, "six")}
    assert {f.subject: f.metrics["usual_per_buyer_day"] for f in flags()} == {"four": 1.0, "six": 3.0}


# --- Rule: deliveries without a logistics trail ----------------------------------------------


def test_deliveries_without_tracking_or_too_fast_are_flagged_with_both_counts():
    merchant = active_merchant()
    ship = at(DAY - timedelta(days=2))
    untracked = [order(merchant, placed=ship, shipped=ship, delivered=at(DAY, 10 + n), tracked=False) for n in range(2)]
    fast = order(merchant, placed=at(DAY, 1), shipped=at(DAY, 8), delivered=at(DAY, 9))  # 1 h after shipping
    order(merchant, placed=ship, shipped=ship, delivered=at(DAY, 15))  # tracked, two days on the road: fine

    detect()

    (flag,) = flags()
    assert flag.rule == SuspicionRule.UNTRACKED_DELIVERY and flag.subject == ""
    assert sorted(flag.orders.values_list("pk", flat=True)) == sorted([*(o.pk for o in untracked), fast.pk])
    assert {k: flag.metrics[k] for k in ("delivered", "suspicious", "untracked", "fast")} == {
        "delivered": 4,
        "suspicious": 3,
        "untracked": 2,
        "fast": 1,
    }
    assert flag.explanation == (
        "3 of the 4 orders delivered on 2026-03-10 have no credible logistics trail: 2 with a shipment but no "
        "tracking event at all, 1 marked delivered within 2 h of being handed to the carrier."
    )


def test_untracked_delivery_threshold_and_imported_orders_without_a_shipment(settings):
    merchant = active_merchant()
    ship = at(DAY - timedelta(days=2))
    for n in range(2):
        order(merchant, placed=ship, shipped=ship, delivered=at(DAY, 10 + n), tracked=False)
    # an imported order (no shipment here, as from the Olist import) is not judged on tracking
    Order.objects.create(
        merchant=merchant, external_id="IMPORTED-1", buyer_ref="b", ship_to_region_id=SHANGHAI_HUANGPU,
        items_total=Decimal("1"), total=Decimal("1"), status="delivered", placed_at=ship, shipped_at=ship,
        delivered_at=at(DAY, 12),
    )  # fmt: skip

    detect()
    assert flags() == []  # 2 suspicious deliveries, 3 needed

    detection_settings(settings, untracked_min_orders=2)
    detect()
    (flag,) = flags()
    assert (flag.metrics["delivered"], flag.metrics["untracked"], flag.metrics["fast"]) == (3, 2, 0)


# --- Rule: bursts of five-star reviews -------------------------------------------------------


def test_a_burst_of_five_star_reviews_well_above_the_usual_rate_is_flagged():
    merchant = active_merchant()
    ship = at(DAY - timedelta(days=40))
    delivered = [order(merchant, placed=ship, shipped=ship, delivered=ship + timedelta(days=2)) for _ in range(9)]
    for n, reviewed in enumerate(delivered[:3]):  # 3 five-star reviews over the 30 days before: 0.1 a day
        review(reviewed, 5, at(DAY - timedelta(days=5 + n)))
    burst = delivered[3:]
    for n, reviewed in enumerate(burst):  # 6 on DAY
        review(reviewed, 5, at(DAY, 8 + n))
    review(delivered[0], 4, at(DAY, 20))  # four stars: not part of the burst

    detect()

    (flag,) = flags()
    assert flag.rule == SuspicionRule.REVIEW_BURST
    assert sorted(flag.orders.values_list("pk", flat=True)) == sorted(o.pk for o in burst)
    assert (flag.metrics["reviews"], flag.metrics["usual_per_day"], flag.metrics["baseline_reviews"]) == (6, 0.1, 3)
    assert flag.explanation == (
        "6 five-star reviews written on 2026-03-10; over the 30 days before, the merchant received 0.1 a day "
        "on average."
    )


def test_no_burst_when_the_merchant_usually_gets_that_many(settings):
    merchant = active_merchant()
    ship = at(DAY - timedelta(days=40))
    delivered = [order(merchant, placed=ship, shipped=ship, delivered=ship + timedelta(days=2)) for _ in range(5)]
    for n in range(30):  # two a day for 30 days
        review(delivered[n % 5], 5, at(DAY - timedelta(days=n + 1), 9))
        review(delivered[(n + 1) % 5], 5, at(DAY - timedelta(days=n + 1), 15))
    for n in range(5):
        review(delivered[n], 5, at(DAY, 8 + n))

    detect()
    assert flags(SuspicionRule.REVIEW_BURST) == []  # 5 is 2.5× the usual 2.0, under 3×

    detection_settings(settings, review_burst_min_multiple=2.5)
    detect()
    (flag,) = flags(SuspicionRule.REVIEW_BURST)
    assert (flag.metrics["reviews"], flag.metrics["usual_per_day"]) == (5, 2.0)


# --- Rule: praise before delivery -----------------------------------------------------------


def test_good_reviews_written_before_delivery_are_flagged():
    merchant = active_merchant()
    later = order(merchant, placed=at(DAY, 1), shipped=at(DAY, 2), delivered=at(DAY + timedelta(days=2)))
    never = [order(merchant, placed=at(DAY, 1)) for _ in range(2)]
    early_delivered = order(merchant, placed=at(DAY - timedelta(days=3)), shipped=at(DAY - timedelta(days=3)),
                            delivered=at(DAY, 6))  # fmt: skip
    review(later, 5, at(DAY, 9))
    review(never[0], 4, at(DAY, 10))
    review(never[1], 5, at(DAY, 11))
    review(early_delivered, 5, at(DAY, 12))  # written after delivery: fine
    review(order(merchant, placed=at(DAY, 1)), 1, at(DAY, 13))  # a complaint before delivery: not praise

    detect()

    (flag,) = flags()
    assert flag.rule == SuspicionRule.REVIEW_BEFORE_DELIVERY
    assert sorted(flag.orders.values_list("pk", flat=True)) == sorted([later.pk, never[0].pk, never[1].pk])
    assert (flag.metrics["reviews"], flag.metrics["undelivered"]) == (3, 2)
    assert flag.explanation == (
        "3 reviews of 4 stars or more written on 2026-03-10 before their orders were delivered "
        "(2 on orders not delivered at all)."
    )


def test_the_explanation_is_translated_with_the_same_figures():
    merchant = active_merchant()
    for n in range(7):
        order(merchant, buyer="buyer-z", placed=at(DAY, n + 1))
    detect()
    (flag,) = flags()
    with translation.override("zh-hans"):
        text = flag.explanation
    assert text != flag.explanation
    assert "7" in text and "buyer-z" in text and "2026-03-10" in text and "30" in text


# --- Idempotence and no penalty ---------------------------------------------------------------


def test_rerunning_the_same_or_an_overlapping_window_adds_no_flags_and_keeps_decisions():
    merchant = active_merchant()
    for n in range(6):
        order(merchant, buyer="buyer-x", placed=at(DAY, n + 1))
    first = detect()
    (flag,) = flags()
    detection.suspicion_flag_dismiss(flag=flag, actor=staff(RISK_OFFICER), note="A school ordering uniforms.")

    again = detect()
    wider = detect(as_of=RUN + timedelta(days=2), days=5)

    assert (len(first.created), again.found, len(again.created), wider.found, len(wider.created)) == (1, 1, 0, 1, 0)
    (same,) = flags()
    assert same.pk == flag.pk and same.status == FlagStatus.DISMISSED
    assert same.orders.count() == 6
    assert AuditEntry.objects.filter(action="suspicion_flag.raise").count() == 1


def test_a_flag_changes_no_score_points_or_status():
    merchant = active_merchant()
    for n in range(6):
        order(merchant, buyer="buyer-x", placed=at(DAY, n + 1))
    merchants_score(merchant_ids=[merchant.pk], as_of=RUN, window_days=90)
    before = Merchant.objects.values("status", "kyc_status", "restriction_reason", "credit_score", "tier").get(
        pk=merchant.pk
    )
    scores = list(CreditScore.objects.values_list("pk", "score", "tier"))
    merchant_entries = AuditEntry.objects.filter(object_type="merchants.merchant").count()

    (flag,) = detect().created
    detection.suspicion_flag_confirm(flag=flag, actor=staff(RISK_OFFICER), note="Same card, same address.")

    after = Merchant.objects.values("status", "kyc_status", "restriction_reason", "credit_score", "tier").get(
        pk=merchant.pk
    )
    assert after == before
    assert list(CreditScore.objects.values_list("pk", "score", "tier")) == scores
    assert AuditEntry.objects.filter(object_type="merchants.merchant").count() == merchant_entries


def test_the_job_command_and_nightly_task_run_the_same_detection():
    merchant = active_merchant()
    for n in range(6):
        order(merchant, buyer="buyer-x", placed=at(DAY, n + 1))
    out = StringIO()
    call_command("detect_fake_orders", "--as-of", "2026-03-11T00:00:00+08:00", stdout=out)
    assert "1 findings, 1 new flags" in out.getvalue() and "repeat_buyer: 1" in out.getvalue()
    assert tasks.suspicion_flags_detect(as_of=RUN.isoformat(), window_days=3) == 0  # already raised
    assert len(flags()) == 1
    with pytest.raises(CommandError):
        call_command("detect_fake_orders", "--as-of", "yesterday")
    with pytest.raises(CommandError):
        call_command("detect_fake_orders", "--window-days", "0")
    schedule = django_settings.CELERY_BEAT_SCHEDULE["detect-fake-orders-nightly"]
    assert schedule["task"] == tasks.suspicion_flags_detect.name


def test_a_run_examines_whole_days_before_the_day_of_as_of():
    start, end = detection.detection_window(as_of=datetime(2026, 3, 11, 15, 30, tzinfo=SHANGHAI), window_days=2)
    assert (start, end) == (at(DAY - timedelta(days=1), 0), at(DAY + timedelta(days=1), 0))


# --- Staff review --------------------------------------------------------------------------


@pytest.fixture
def flag():
    merchant = active_merchant()
    for n in range(6):
        order(merchant, buyer="buyer-x", placed=at(DAY, n + 1))
    (raised,) = detect().created
    return raised


def test_a_risk_officer_confirms_through_the_api_and_it_is_audited(as_user, flag):
    officer = staff(RISK_OFFICER)
    response = as_user(officer).post(f"{URL}{flag.pk}/confirm/", {"note": "Same card, same address."}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["reviewed_by"], body["review_note"]) == ("confirmed", officer.username,
                                                                         "Same card, same address.")  # fmt: skip
    entry = AuditEntry.objects.get(action="suspicion_flag.confirm")
    assert (entry.object_id, entry.merchant_id, entry.actor_user_id) == (str(flag.pk), flag.merchant_id, officer.pk)
    assert (entry.before, entry.after, entry.reason) == ({"status": "open"}, {"status": "confirmed"},
                                                         "Same card, same address.")  # fmt: skip


def test_a_confirmed_flag_reports_one_violation_that_staff_then_investigate_and_decide(as_user, flag):
    # given a flag, when a risk officer confirms it
    from credit.models import Violation
    from credit.services.detection import flag_violation_ref

    merchant_before = Merchant.objects.values("status", "restriction_reason").get(pk=flag.merchant_id)
    client = as_user(staff(RISK_OFFICER))
    assert client.post(f"{URL}{flag.pk}/confirm/", {"note": "Same card."}, format="json").status_code == 200
    # then one violation is reported from the detection job, with no points or measure yet
    violation = Violation.objects.get()
    assert (violation.merchant_id, violation.source, violation.source_ref) == (
        flag.merchant_id, "detection", flag_violation_ref(flag))  # fmt: skip
    assert (violation.status, violation.category, violation.points, violation.measure) == (
        "reported", "unfair_competition", 0, "")  # fmt: skip
    assert "6 orders from buyer buyer-x" in violation.description and "Same card." in violation.description
    assert Merchant.objects.values("status", "restriction_reason").get(pk=flag.merchant_id) == merchant_before
    # and confirming again is refused and reports nothing more
    assert client.post(f"{URL}{flag.pk}/confirm/", {"note": "again"}, format="json").status_code == 409
    assert Violation.objects.count() == 1


def test_a_decided_flag_cannot_be_decided_again_and_bad_input_changes_nothing(as_user, flag):
    client = as_user(staff(RISK_OFFICER))
    blank = client.post(f"{URL}{flag.pk}/dismiss/", {"note": "  "}, format="json")
    assert blank.status_code == 400 and blank.json()["type"] == "validation_error"
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN and flag.reviewed_by is None

    assert client.post(f"{URL}{flag.pk}/dismiss/", {"note": "Wholesale buyer."}, format="json").status_code == 200
    again = client.post(f"{URL}{flag.pk}/confirm/", {"note": "Changed my mind."}, format="json")
    assert again.status_code == 409 and again.json()["type"] == "conflict"
    flag.refresh_from_db()
    assert (flag.status, flag.review_note) == (FlagStatus.DISMISSED, "Wholesale buyer.")
    assert AuditEntry.objects.filter(action__in=["suspicion_flag.dismiss", "suspicion_flag.confirm"]).count() == 1


def test_ops_managers_read_flags_but_only_risk_officers_decide(as_user, flag):
    ops = as_user(staff(OPS_MANAGER))
    assert ops.get(URL).json()["count"] == 1
    assert ops.get(f"{URL}{flag.pk}/").json()["explanation"] == flag.explanation
    assert ops.post(f"{URL}{flag.pk}/dismiss/", {"note": "n"}, format="json").status_code == 403
    assert as_user(staff(SUPPORT_AGENT)).get(URL).status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    with pytest.raises(PermissionDenied):  # the service refuses too
        detection.suspicion_flag_dismiss(flag=flag, actor=staff(OPS_MANAGER), note="n")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_the_list_filters_by_status_rule_merchant_and_window(as_user, flag):
    client = as_user(staff(PLATFORM_ADMIN))
    assert client.get(URL, {"status": "open"}).json()["count"] == 1
    assert client.get(URL, {"status": "dismissed"}).json()["count"] == 0
    assert client.get(URL, {"rule": "review_burst"}).json()["count"] == 0
    assert client.get(URL, {"merchant": flag.merchant_id, "rule": "repeat_buyer"}).json()["count"] == 1
    assert client.get(URL, {"window_after": at(DAY + timedelta(days=1), 0).isoformat()}).json()["count"] == 0
    bad = client.get(URL, {"rule": "nonsense"})
    assert bad.status_code == 400 and bad.json()["type"] == "validation_error"


# --- Merchants never see flags -------------------------------------------------------------


def test_the_flagged_merchant_cannot_see_or_touch_its_flags(as_user, as_key, client, flag):
    merchant = flag.merchant
    for caller in (as_user(merchant_owner(merchant)), as_key(*Scope.values, merchant=merchant)):
        assert caller.get(URL).status_code == 403
        assert caller.get(f"{URL}{flag.pk}/").status_code == 404
        assert caller.post(f"{URL}{flag.pk}/dismiss/", {"note": "not me"}, format="json").status_code == 404
    assert as_key(Scope.READ).get(URL).status_code == 403  # a platform-wide partner key is no staff member
    client.force_login(merchant_owner(merchant))
    assert client.get("/staff/credit/flags/").status_code == 403
    assert client.get(f"/staff/credit/flags/{flag.pk}/").status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


# --- Staff pages ---------------------------------------------------------------------------


def test_the_staff_pages_show_the_queue_and_the_flag_and_record_decisions(client, flag):
    client.force_login(staff(RISK_OFFICER))
    queue = client.get("/staff/credit/flags/")
    assert queue.status_code == 200 and [f.pk for f in queue.context["flags"]] == [flag.pk]
    assert flag.explanation in queue.content.decode()
    assert client.get("/staff/credit/flags/", {"status": "confirmed"}).context["flags"] == []
    assert client.get("/staff/credit/flags/", {"since": "2026-03-11"}).context["flags"] == []
    assert [f.pk for f in client.get("/staff/credit/flags/", {"until": "2026-03-10"}).context["flags"]] == [flag.pk]

    page = client.get(f"/staff/credit/flags/{flag.pk}/")
    assert page.status_code == 200 and page.context["can_review"]
    assert len(page.context["orders"]) == 6 and "buyer-x" in page.content.decode()

    refused = client.post(f"/staff/credit/flags/{flag.pk}/confirm/", {"note": ""})
    assert refused.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN

    client.post(f"/staff/credit/flags/{flag.pk}/confirm/", {"note": "Staged orders."})
    flag.refresh_from_db()
    assert (flag.status, flag.review_note) == (FlagStatus.CONFIRMED, "Staged orders.")
    assert [e.action for e in client.get(f"/staff/credit/flags/{flag.pk}/").context["history"]] == [
        "suspicion_flag.raise",
        "suspicion_flag.confirm",
    ]


def test_ops_managers_see_the_pages_but_cannot_decide(client, flag):
    client.force_login(staff(OPS_MANAGER))
    assert client.get(f"/staff/credit/flags/{flag.pk}/").context["can_review"] is False
    assert client.post(f"/staff/credit/flags/{flag.pk}/dismiss/", {"note": "n"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


# --- Query counts -------------------------------------------------------------------------


def _flags_with_orders(merchant):
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            day = DAY - timedelta(days=made[0])
            for hour in range(5):
                order(merchant, buyer=f"buyer-{made[0]}", placed=at(day, hour + 1))
            detect(as_of=at(day + timedelta(days=1), 0))

    return add


def test_the_api_list_and_staff_queue_have_a_fixed_query_count(as_user, client):
    merchant = active_merchant()
    add = _flags_with_orders(merchant)
    officer = staff(RISK_OFFICER)
    api = as_user(officer)
    assert_constant_queries(lambda: api.get(URL, {"page_size": 200}), add, small=3, large=12)
    client.force_login(officer)
    assert_constant_queries(lambda: client.get("/staff/credit/flags/", {"status": ""}), add, small=3, large=12)


def test_the_flag_page_has_a_fixed_query_count_whatever_its_orders(client, flag):
    client.force_login(staff(RISK_OFFICER))
    through = SuspicionFlag.orders.through
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            extra = order(flag.merchant, buyer="buyer-x", placed=at(DAY, 20), shipped=at(DAY, 21))
            review(extra, 5, at(DAY, 22))
            through.objects.create(suspicionflag=flag, order=extra)

    assert_constant_queries(lambda: client.get(f"/staff/credit/flags/{flag.pk}/"), add, small=3, large=15)


def test_seed_demo_raises_a_few_explained_flags_once(eager_tasks):
    call_command("seed_demo", stdout=StringIO())
    raised = {flag.rule: flag for flag in flags()}
    assert set(raised) == set(SuspicionRule.values)
    assert raised["review_burst"].status == FlagStatus.DISMISSED
    assert raised["repeat_buyer"].subject == "demo-bulk-buyer" and raised["repeat_buyer"].order_count == 6
    assert CreditScore.objects.exists()
    call_command("seed_demo", stdout=StringIO())
    assert len(flags()) == len(raised)


def test_thresholds_below_one_are_refused(settings):
    detection_settings(settings, baseline_days=0)
    with pytest.raises(ImproperlyConfigured):
        detect()
