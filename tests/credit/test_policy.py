"""Scoring policy versions, tiers, small samples and the merchant's credit fields."""

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.access import RISK_OFFICER, SUPPORT_AGENT
from core.models import AuditEntry
from credit.choices import DEFAULT_COMPONENTS, ComponentStatus
from credit.models import CreditScore, ScoringPolicy
from credit.scoring import wilson_bounds
from credit.selectors import current_policy
from credit.services import scoring_policy_create
from merchants.models import Merchant
from tests.credit.factories import components, days_ago, order_at, score_now
from tests.factories import staff
from tests.orders.factories import active_merchant

pytestmark = pytest.mark.django_db


def new_policy(actor, **changes):
    body = {
        "components": copy.deepcopy(DEFAULT_COMPONENTS),
        "tier_a_min": 850,
        "tier_b_min": 700,
        "tier_c_min": 550,
        "window_days": 90,
        "neutral_share": 0.5,
        "note": "test",
    }
    body.update(changes)
    return scoring_policy_create(actor=actor, **body)


def test_versions_1_and_2_come_with_the_migrations_with_designs_cut_offs():
    first = ScoringPolicy.objects.get(version=1)
    assert len(first.components) == 9 and first.consequences == {}
    policy = current_policy()
    assert policy.version == 2
    assert {"violation_points", "public_records"} <= set(policy.components) and policy.consequences
    assert policy.components["late_shipment_rate"] == first.components["late_shipment_rate"]
    assert (policy.tier_a_min, policy.tier_b_min, policy.tier_c_min) == (850, 700, 550)
    assert [policy.tier_for(s) for s in (1000, 850, 849, 700, 699, 550, 549, 0)] == list("AABBCCDD")


def test_a_risk_officer_creates_a_new_version_and_scores_carry_it():
    officer = staff(RISK_OFFICER)
    merchant = active_merchant()
    order_at(merchant, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5))
    first = score_now(merchant, as_of=days_ago(0.5))[merchant.pk]
    # when the officer makes late shipments weigh more
    rules = copy.deepcopy(DEFAULT_COMPONENTS)
    rules["late_shipment_rate"]["weight"] = 600
    policy = new_policy(officer, components=rules, note="late parcels matter more")
    # then a new version exists, the old one is untouched, and the next score carries version 3
    assert policy.version == 3
    assert ScoringPolicy.objects.get(version=2).components["late_shipment_rate"]["weight"] == 150
    second = score_now(merchant)[merchant.pk]
    assert (first.policy_version, second.policy_version) == (2, 3)
    assert second.score < first.score
    assert AuditEntry.objects.filter(action="scoring_policy.create", object_id=str(policy.pk)).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"tier_a_min": 700},
        {"tier_a_min": 1200, "tier_b_min": 900},
        {"window_days": 0},
        {"note": " "},
        {"neutral_share": 2},
        {"components": {"late_shipment_rate": {"weight": 10}}},
        {"components": {"no_such_metric": DEFAULT_COMPONENTS["late_shipment_rate"]}},
        {"components": {"late_shipment_rate": {**DEFAULT_COMPONENTS["late_shipment_rate"], "target": 0.5}}},
        {"components": {"late_shipment_rate": {**DEFAULT_COMPONENTS["late_shipment_rate"], "weight": "x"}}},
    ],
)
def test_a_bad_policy_is_refused_and_nothing_changes(changes):
    with pytest.raises(ValidationError):
        new_policy(staff(RISK_OFFICER), **changes)
    assert list(ScoringPolicy.objects.values_list("version", flat=True)) == [2, 1]


def test_only_risk_officers_change_the_policy():
    with pytest.raises(PermissionDenied):
        new_policy(staff(SUPPORT_AGENT))
    with pytest.raises(PermissionDenied):
        new_policy(None)
    assert ScoringPolicy.objects.count() == 2


def test_wilson_bounds_match_the_textbook_values():
    low, high = wilson_bounds(1, 3)
    assert low == pytest.approx(0.0615, abs=1e-4)
    assert high == pytest.approx(0.7923, abs=1e-4)
    assert wilson_bounds(0, 0) == (0.0, 1.0)


def test_one_late_parcel_of_three_is_insufficient_data_and_scored_on_the_favourable_bound():
    small, large = active_merchant(), active_merchant()
    order_at(small, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5))
    for _ in range(2):
        order_at(small, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(3))
    scores = score_now(small, large)
    late = components(scores[small.pk])["late_shipment_rate"]
    # then the value stays the plain ratio, the bound is separate, and nothing is a breach
    assert late.value == pytest.approx(1 / 3)
    assert late.status == ComponentStatus.INSUFFICIENT_DATA
    assert late.bound == pytest.approx(wilson_bounds(1, 3)[0])
    assert late.points == pytest.approx(150 * (0.2 - late.bound) / 0.2, abs=1e-3)
    assert not any(c.status == ComponentStatus.BREACH for c in scores[small.pk].components.all())
    # a merchant with no orders at all: every order metric is insufficient data at the neutral share
    empty = components(scores[large.pk])["late_shipment_rate"]
    assert (empty.value, empty.bound, empty.status, empty.points) == (None, None, "insufficient_data", 75)


def test_at_the_minimum_sample_a_breach_is_a_breach():
    merchant = active_merchant()
    for n in range(30):
        order_at(merchant, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5 if n < 3 else 3))
    late = components(score_now(merchant)[merchant.pk])["late_shipment_rate"]
    assert (late.value, late.status, late.bound) == (0.1, ComponentStatus.BREACH, None)


def test_the_merchants_score_and_tier_follow_the_newest_score_and_are_audited():
    merchant = active_merchant()
    newest = score_now(merchant, as_of=days_ago(1))[merchant.pk]
    merchant.refresh_from_db()
    assert (merchant.credit_score, merchant.tier) == (newest.score, newest.tier)
    assert AuditEntry.objects.filter(action="merchant.credit_score", merchant_id=merchant.pk).count() == 1
    # an older as-of run adds history but leaves the merchant's fields alone
    order_at(merchant, placed=days_ago(40), shipped=days_ago(39), ship_by=days_ago(40))
    score_now(merchant, as_of=days_ago(30))
    assert CreditScore.objects.filter(merchant=merchant).count() == 2
    merchant.refresh_from_db()
    assert merchant.credit_score == newest.score
    # running the same as-of again replaces its own row (the new order now counts in it)
    again = score_now(merchant, as_of=newest.as_of)[merchant.pk]
    assert CreditScore.objects.filter(merchant=merchant).count() == 2
    assert again.score != newest.score
    assert Merchant.objects.get(pk=merchant.pk).credit_score == again.score
    assert AuditEntry.objects.filter(action="merchant.credit_score", merchant_id=merchant.pk).count() == 2
    # and once more with nothing new: no change, no audit entry
    score_now(merchant, as_of=newest.as_of)
    assert AuditEntry.objects.filter(action="merchant.credit_score", merchant_id=merchant.pk).count() == 2
