"""Staff credit insights: the distribution of newest scores by tier and category, and peer comparison,
on hand-built scores; staff-only access; query counts that do not grow with merchants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.access import OPS_MANAGER, RISK_OFFICER, SUPPORT_AGENT
from core.models import Scope
from credit.models import CreditScore, ScoreComponent
from credit.selectors import current_policy
from credit.selectors.insights import peer_comparison, score_distribution
from merchants.models import Category
from tests.factories import MerchantFactory, merchant_owner, staff
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
DISTRIBUTION = "/api/v1/credit/distribution/"
PEERS = "/api/v1/credit/peer-comparison/"


def category(code: str) -> Category:
    made, _ = Category.objects.get_or_create(code=code, defaults={"name": code.title(), "name_zh": f"{code}-zh"})
    return made


def merchant_in(*codes: str):
    merchant = MerchantFactory()
    for code in codes:  # one at a time: the first is the primary category
        merchant.categories.add(category(code))
    return merchant


def scored(merchant, score: int, *, as_of=None, **components) -> CreditScore:
    """A score as a scoring run stores it, with the given component values."""
    policy = current_policy()
    row = CreditScore.objects.create(
        merchant=merchant,
        score=score,
        tier=policy.tier_for(score),
        policy_version=policy.version,
        as_of=as_of or NOW,
        window_days=90,
    )
    for name, value in components.items():
        rule = policy.components[name]
        ScoreComponent.objects.create(
            score=row, name=name, value=value, numerator=value, denominator=1, target=rule["target"], status="ok",
            points=rule["weight"] / 2, max_points=rule["weight"],
        )  # fmt: skip
    return row


# --- Distribution ------------------------------------------------------------------------------


def test_the_distribution_counts_newest_scores_by_tier_and_category_with_quartiles():
    # given apparel merchants at 600, 700, 800, 900 (one with an older score of 100), digital at 500 and
    # 880 (the 880 also sells apparel), one without a category at 750, and one not scored at all
    old = merchant_in("apparel")
    scored(old, 100, as_of=NOW - timedelta(days=30))
    scored(old, 600)
    scored(merchant_in("apparel"), 700)
    scored(merchant_in("apparel"), 800)
    scored(merchant_in("apparel"), 900)
    scored(merchant_in("digital"), 500)
    scored(merchant_in("digital", "apparel"), 880)
    scored(MerchantFactory(), 750)
    merchant_in("apparel")

    report = score_distribution()

    assert report["unscored"] == 1
    assert [(row["tier"], row["merchants"]) for row in report["tiers"]] == [("A", 2), ("B", 3), ("C", 1), ("D", 1)]
    assert report["tiers"][0]["share"] == round(2 / 7, 4)
    assert {k: report["overall"][k] for k in ("merchants", "q1", "median", "q3")} == {
        "merchants": 7, "q1": 650.0, "median": 750.0, "q3": 840.0,
    }  # fmt: skip
    by_code = {row["code"]: row for row in report["categories"]}
    assert set(by_code) == {"apparel", "digital", None}
    apparel = by_code["apparel"]  # 600, 700, 800, 880, 900
    assert (apparel["merchants"], apparel["q1"], apparel["median"], apparel["q3"], apparel["mean"]) == (
        5, 700.0, 800.0, 880.0, 776.0,
    )  # fmt: skip
    assert (apparel["tier_a"], apparel["tier_b"], apparel["tier_c"], apparel["tier_d"]) == (2, 2, 1, 0)
    digital = by_code["digital"]  # 500, 880
    assert (digital["merchants"], digital["median"], digital["q1"], digital["tier_d"]) == (2, 690.0, 595.0, 1)
    assert (by_code[None]["merchants"], by_code[None]["median"]) == (1, 750.0)


def test_the_distribution_api_and_page_are_for_staff(as_user, as_key, client):
    scored(merchant_in("apparel"), 700)
    body = as_user(staff(RISK_OFFICER)).get(DISTRIBUTION).json()
    assert body["overall"]["merchants"] == 1 and body["categories"][0]["code"] == "apparel"
    assert as_user(staff(SUPPORT_AGENT)).get(DISTRIBUTION).status_code == 403
    owner = merchant_owner(MerchantFactory())
    assert as_user(owner).get(DISTRIBUTION).status_code == 403
    assert as_key(Scope.READ).get(DISTRIBUTION).status_code == 403
    client.force_login(staff(OPS_MANAGER))
    page = client.get("/staff/credit/insights/")
    assert page.status_code == 200 and "Apparel" in page.content.decode()
    client.force_login(owner)
    assert client.get("/staff/credit/insights/").status_code == 403


def test_the_distribution_has_a_fixed_query_count(as_user, client):
    codes = ["apparel", "digital", "food"]
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            merchant = merchant_in(codes[made[0] % 3])
            scored(merchant, 400 + made[0] * 5 % 600, as_of=NOW - timedelta(days=1))
            scored(merchant, 300 + made[0] * 7 % 700)

    officer = staff(RISK_OFFICER)
    api = as_user(officer)
    assert_constant_queries(lambda: api.get(DISTRIBUTION), add)
    client.force_login(officer)
    assert_constant_queries(lambda: client.get("/staff/credit/insights/"), add)


# --- Peer comparison -------------------------------------------------------------------------


def test_a_merchant_is_compared_with_its_primary_categorys_peers(settings):
    settings.CREDIT_PEER_GROUP_MIN = 3
    me = merchant_in("apparel", "digital")
    scored(me, 400, as_of=NOW - timedelta(days=10), late_shipment_rate=0.5)  # older: ignored
    scored(me, 800, late_shipment_rate=0.02, on_time_delivery_rate=0.95)
    scored(merchant_in("apparel"), 600, late_shipment_rate=0.01, on_time_delivery_rate=0.99)
    scored(merchant_in("apparel"), 700, late_shipment_rate=0.03, on_time_delivery_rate=0.90)
    scored(merchant_in("apparel"), 900, late_shipment_rate=0.05, on_time_delivery_rate=0.95)
    scored(merchant_in("digital"), 100, late_shipment_rate=0.9)  # another category: not a peer

    report = peer_comparison(merchant=me)

    assert report["score"].score == 800
    apparel = category("apparel")
    assert report["group"] == {
        "kind": "category", "code": "apparel", "name": apparel.name, "name_zh": apparel.name_zh, "category_peers": 3,
    }  # fmt: skip
    # peers 600, 700, 900: median 700; 800 beats two of three
    assert (report["peers"], report["median"], report["q1"], report["q3"], report["percentile"]) == (
        3, 700.0, 650.0, 800.0, 66.7,
    )  # fmt: skip
    components = {c["name"]: c for c in report["components"]}
    late = components["late_shipment_rate"]  # lower is better: 0.02 beats 0.03 and 0.05
    assert (late["direction"], late["peers"], late["median"], late["percentile"]) == ("lower", 3, 0.03, 66.7)
    on_time = components["on_time_delivery_rate"]  # higher is better: beats 0.90, ties 0.95
    assert (on_time["peers"], on_time["median"], on_time["percentile"]) == (3, 0.95, 50.0)


def test_too_few_peers_in_the_category_means_all_merchants_and_another_category_can_be_chosen(settings):
    settings.CREDIT_PEER_GROUP_MIN = 3
    me = merchant_in("apparel", "digital")
    scored(me, 700)
    scored(merchant_in("apparel"), 600)
    for value in (500, 650, 800, 900):
        scored(merchant_in("digital"), value)

    fallback = peer_comparison(merchant=me)
    assert (fallback["group"]["kind"], fallback["group"]["category_peers"], fallback["peers"]) == ("all", 1, 5)
    assert (fallback["median"], fallback["percentile"]) == (650.0, 60.0)

    digital = peer_comparison(merchant=me, category_code="digital")
    assert (digital["group"]["kind"], digital["group"]["code"], digital["peers"], digital["median"]) == (
        "category", "digital", 4, 725.0,
    )  # fmt: skip
    assert digital["percentile"] == 50.0


def test_the_peer_api_and_page(as_user, client, settings):
    settings.CREDIT_PEER_GROUP_MIN = 1
    me, other = merchant_in("apparel"), merchant_in("apparel")
    scored(me, 700, late_shipment_rate=0.02)
    scored(other, 600, late_shipment_rate=0.04)
    api = as_user(staff(RISK_OFFICER))
    body = api.get(PEERS, {"merchant": me.pk}).json()
    assert (body["merchant"], body["score"], body["peers"], body["percentile"], body["group"]["kind"]) == (
        me.pk, 700, 1, 100.0, "category",
    )  # fmt: skip
    assert body["components"][0]["name"] == "late_shipment_rate" and body["components"][0]["median"] == 0.04
    unscored = merchant_in("apparel")
    assert api.get(PEERS, {"merchant": unscored.pk}).status_code == 404
    assert api.get(PEERS, {"merchant": me.pk, "category": "digital"}).status_code == 404
    bad = api.get(PEERS, {"merchant": "x"})
    assert bad.status_code == 400 and bad.json()["type"] == "validation_error"
    assert api.get(PEERS, {"merchant": 10**9}).status_code == 400
    assert as_user(merchant_owner(me)).get(PEERS, {"merchant": me.pk}).status_code == 403

    client.force_login(staff(OPS_MANAGER))
    page = client.get(f"/staff/credit/merchants/{me.pk}/peers/")
    assert page.status_code == 200 and page.context["report"]["percentile"] == 100.0
    assert "Late shipment rate" in page.content.decode()
    assert client.get(f"/staff/credit/merchants/{unscored.pk}/peers/").context["report"] is None
    assert client.get(f"/staff/credit/merchants/{me.pk}/peers/", {"category": "nope"}).status_code == 404
    assert (
        f"/staff/credit/merchants/{me.pk}/peers/"
        in client.get(f"/staff/merchant-info/merchants/{me.pk}/").content.decode()
    )


def test_the_peer_comparison_has_a_fixed_query_count(as_user, client, settings):
    settings.CREDIT_PEER_GROUP_MIN = 5
    me = merchant_in("apparel")
    scored(me, 700, late_shipment_rate=0.02, on_time_delivery_rate=0.97, cancellation_rate=0.01)
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            scored(merchant_in("apparel"), 300 + made[0] * 7 % 700, late_shipment_rate=made[0] % 10 / 100,
                   on_time_delivery_rate=0.9, cancellation_rate=0.02)  # fmt: skip

    officer = staff(RISK_OFFICER)
    api = as_user(officer)
    assert_constant_queries(lambda: api.get(PEERS, {"merchant": me.pk}), add)
    client.force_login(officer)
    assert_constant_queries(lambda: client.get(f"/staff/credit/merchants/{me.pk}/peers/"), add)
