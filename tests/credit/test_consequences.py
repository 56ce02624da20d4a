"""Consequences through the policy's rules: perks, warnings, restrictions, probation, overrides; API and pages."""

import copy
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.access import OPS_MANAGER, RISK_OFFICER, SUPPORT_AGENT
from core.errors import InvalidTransition
from core.models import AuditEntry, Notification, Scope
from credit.choices import DEFAULT_COMPONENTS, DEFAULT_CONSEQUENCES, ConsequenceKind
from credit.models import CreditConsequence, ScoringPolicy
from credit.selectors import consequences as selectors
from credit.selectors import current_policy
from credit.services import merchants_score, scoring_policy_create
from credit.services.consequences import credit_consequence_impose, credit_consequence_override
from credit.services.records import external_record_create
from merchants.choices import MerchantStatus, RestrictionReason
from merchants.models import Merchant
from merchants.services import merchant_restrict, merchant_suspend
from tests.credit.factories import days_ago, order_at
from tests.credit.hand_scores import WINDOW, night, rules_policy
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db
K = ConsequenceKind
URL = "/api/v1/credit/consequences/"
LATE = "late_shipment_rate"
CANCEL = "cancellation_rate"


def active(merchant, kind=None):
    rows = CreditConsequence.objects.filter(merchant=merchant, lifted_at__isnull=True)
    return rows.filter(kind=kind) if kind else rows


def kinds(merchant) -> set:
    return {(c.kind, c.component) for c in active(merchant)}


def state(merchant) -> tuple:
    merchant.refresh_from_db()
    return merchant.status, merchant.restriction_reason


def until(days: int) -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone()) + timedelta(days=days)


# --- The rules in the policy -------------------------------------------------------------------------------


def test_a_version_without_rules_applies_nothing():
    merchant = active_merchant()
    assert ScoringPolicy.objects.get(version=1).consequences == {}
    night(merchant, 300, breach=[LATE], policy=ScoringPolicy.objects.get(version=1))
    assert not CreditConsequence.objects.exists()
    assert state(merchant) == (MerchantStatus.ACTIVE, None)


@pytest.mark.parametrize(
    "rules",
    [
        {"unknown_rule": 1},
        {"priority_recommendation_tiers": ["E"]},
        {"deposit_discount_percent": {"A": 0}},
        {"deposit_discount_percent": {"A": 120}},
        {"deposit_discount_percent": {"A": "20"}},
        {"breach_components": ["no_such_metric"]},
        {"breach_warning": "yes"},
        {"repeated_breach_runs": 1},
        {"restrict_below_score": 2000},
        {"probation_days": -1},
        {"min_measured_share": 1.5},
    ],
)
def test_bad_rules_are_refused_and_no_version_is_made(rules):
    with pytest.raises(ValidationError) as refused:
        rules_policy(**rules)
    assert "consequences" in refused.value.message_dict
    assert list(ScoringPolicy.objects.values_list("version", flat=True)) == [2, 1]


def test_a_policy_with_rules_is_a_new_audited_version():
    policy = rules_policy()
    assert policy.version == 3
    assert policy.consequences == DEFAULT_CONSEQUENCES
    assert AuditEntry.objects.filter(action="scoring_policy.create", object_id=str(policy.pk)).exists()


# --- Tiers ---------------------------------------------------------------------------------------------------


def test_tier_a_gets_priority_and_a_deposit_discount_carrying_the_version_and_inputs():
    policy = rules_policy()
    merchant = active_merchant()
    night(merchant, 900)
    assert kinds(merchant) == {(K.PRIORITY_RECOMMENDATION, ""), (K.DEPOSIT_DISCOUNT, "")}
    discount = active(merchant, K.DEPOSIT_DISCOUNT).get()
    assert (discount.discount_percent, discount.policy_version) == (20, policy.version)
    assert discount.inputs["score"] == 900 and discount.inputs["tier"] == "A"
    assert discount.inputs["policy_version"] == policy.version
    # the other apps' questions
    assert selectors.priority_recommended(merchant.pk) is True
    assert selectors.deposit_discount(merchant.pk) == 20
    assert selectors.priority_recommended_ids([merchant.pk, active_merchant().pk]) == {merchant.pk}
    # every consequence applied is an audited event with the policy version and its inputs
    entry = AuditEntry.objects.get(action="credit_consequence.apply", object_id=str(discount.pk))
    assert entry.after["policy_version"] == policy.version and entry.after["inputs"]["score"] == 900
    assert entry.merchant_id == merchant.pk


def test_tier_b_and_c_get_nothing_and_tier_d_loses_campaign_sign_up():
    rules_policy()
    b, d = active_merchant(), active_merchant()
    night(b, 750)
    night(d, 500)
    assert kinds(b) == set()
    assert kinds(d) == {(K.CAMPAIGN_INELIGIBLE, "")}
    assert selectors.campaign_signup_allowed(b.pk) is True
    assert selectors.campaign_signup_allowed(d.pk) is False
    assert selectors.campaign_signup_blocked_ids([b.pk, d.pk]) == {d.pk}
    assert selectors.deposit_discount(d.pk) == 0


def test_leaving_the_tier_lifts_the_consequence_with_an_audited_event():
    policy = rules_policy()
    merchant = active_merchant()
    night(merchant, 500, as_of=days_ago(2))
    night(merchant, 720, as_of=days_ago(1))
    lifted = CreditConsequence.objects.get(merchant=merchant, kind=K.CAMPAIGN_INELIGIBLE)
    assert lifted.lifted_at is not None and lifted.lifted_policy_version == policy.version
    assert lifted.lift_inputs["score"] == 720
    entry = AuditEntry.objects.get(action="credit_consequence.lift", object_id=str(lifted.pk))
    assert entry.after["inputs"]["score"] == 720 and entry.after["policy_version"] == policy.version
    assert selectors.campaign_signup_allowed(merchant.pk) is True


# --- Small samples -------------------------------------------------------------------------------------------


def test_a_score_resting_on_missing_data_triggers_no_tier_or_score_rule():
    rules_policy()
    merchant = active_merchant()
    order_metrics = [n for n in DEFAULT_COMPONENTS if n not in ("public_records",)]
    night(merchant, 300, insufficient=order_metrics)
    assert kinds(merchant) == set()
    assert state(merchant) == (MerchantStatus.ACTIVE, None)


def test_small_samples_from_real_orders_trigger_nothing():
    rules_policy()
    small, empty = active_merchant(), active_merchant()
    merchant_owner(small)
    # one late parcel of three: insufficient data, not a breach; no orders at all: a low score on no data
    order_at(small, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5))
    for _ in range(2):
        order_at(small, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(3))
    for day in (3, 2, 1):
        scores = merchants_score(merchant_ids=[small.pk, empty.pk], as_of=days_ago(day), window_days=WINDOW)
    assert {s.merchant_id: s.tier for s in scores}[empty.pk] in ("C", "D")
    assert not CreditConsequence.objects.exists()
    assert not Notification.objects.filter(kind="credit").exists()
    assert state(small) == state(empty) == (MerchantStatus.ACTIVE, None)


# --- Breaches ------------------------------------------------------------------------------------------------


def test_a_breach_warns_the_merchant_once_per_component_and_ends_with_the_breach():
    rules_policy()
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    night(merchant, 750, as_of=days_ago(3), breach=[LATE])
    assert kinds(merchant) == {(K.WARNING, LATE)}
    note = Notification.objects.get(recipient=owner, kind="credit")
    assert "Late shipment rate" in note.title and note.url == "/portal/credit/"
    # the same breach the next night: still one warning, no second notification; a new breach: its own warning
    night(merchant, 750, as_of=days_ago(2), breach=[LATE, CANCEL])
    assert kinds(merchant) == {(K.WARNING, LATE), (K.WARNING, CANCEL)}
    assert Notification.objects.filter(recipient=owner, kind="credit").count() == 2
    # the breaches end: the warnings are lifted, the merchant never restricted (not three runs in a row)
    night(merchant, 750, as_of=days_ago(1))
    assert kinds(merchant) == set()
    assert CreditConsequence.objects.filter(merchant=merchant, kind=K.WARNING, lifted_at__isnull=False).count() == 2
    assert state(merchant) == (MerchantStatus.ACTIVE, None)


def test_company_facts_in_breach_warn_no_one():
    rules_policy()
    merchant = active_merchant()
    night(merchant, 750, breach=["years_in_business", "registered_capital"])
    assert kinds(merchant) == set()


def test_the_same_component_in_breach_three_runs_in_a_row_restricts_for_credit():
    policy = rules_policy()
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    night(merchant, 750, as_of=days_ago(3), breach=[LATE])
    night(merchant, 750, as_of=days_ago(2), breach=[LATE])
    assert not active(merchant, K.CREDIT_RESTRICTION).exists()
    night(merchant, 750, as_of=days_ago(1), breach=[LATE])
    restriction = active(merchant, K.CREDIT_RESTRICTION).get()
    assert restriction.trigger == "repeated_breach" and restriction.policy_version == policy.version
    assert restriction.inputs["repeated"] == [LATE] and restriction.inputs["runs"] == 3
    assert restriction.inputs["components"][LATE]["status"] == "breach"
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    assert AuditEntry.objects.filter(action="merchant.restrict", merchant_id=merchant.pk).count() == 1
    assert Notification.objects.filter(recipient=owner, title__icontains="restricted").count() == 1
    assert "Late shipment rate" in restriction.explanation


def test_breaches_of_different_components_in_turn_are_not_a_repeated_breach():
    rules_policy()
    merchant = active_merchant()
    night(merchant, 750, as_of=days_ago(3), breach=[LATE])
    night(merchant, 750, as_of=days_ago(2), breach=[CANCEL])
    night(merchant, 750, as_of=days_ago(1), breach=[LATE])
    assert not active(merchant, K.CREDIT_RESTRICTION).exists()
    assert state(merchant) == (MerchantStatus.ACTIVE, None)


def test_a_score_under_the_threshold_restricts():
    rules_policy(restrict_below_score=450)
    merchant = active_merchant()
    night(merchant, 449)
    restriction = active(merchant, K.CREDIT_RESTRICTION).get()
    assert restriction.trigger == "low_score" and restriction.inputs["threshold"] == 450
    assert "449" in restriction.explanation
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)


def test_repeated_breach_through_real_scoring_runs_and_external_records():
    rules_policy()
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    external_record_create(
        actor=staff(RISK_OFFICER),
        merchant=merchant,
        source="government",
        kind="administrative_penalty",
        date=days_ago(30).date(),
        severity="high",
        reference="SH-2026-001",
    )
    for day in (3, 2, 1):
        merchants_score(merchant_ids=[merchant.pk], as_of=days_ago(day), window_days=WINDOW)
    assert kinds(merchant) == {(K.WARNING, "public_records"), (K.CREDIT_RESTRICTION, "")}
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    assert Notification.objects.filter(recipient=owner, kind="credit").count() == 2


def test_running_the_same_chunk_again_changes_nothing():
    rules_policy()
    merchants = [active_merchant() for _ in range(2)]
    merchant_owner(merchants[0])
    external_record_create(
        actor=None,
        merchant=merchants[0],
        source="government",
        kind="court_judgment",
        date=days_ago(9).date(),
        severity="high",
        reference="J-1",
    )
    as_of = days_ago(1)
    merchants_score(merchant_ids=[m.pk for m in merchants], as_of=as_of, window_days=WINDOW)
    before = (
        list(CreditConsequence.objects.values_list("pk", "kind", "lifted_at")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )
    assert before[0]
    merchants_score(merchant_ids=[m.pk for m in merchants], as_of=as_of, window_days=WINDOW)
    after = (
        list(CreditConsequence.objects.values_list("pk", "kind", "lifted_at")),
        AuditEntry.objects.count(),
        Notification.objects.count(),
    )
    assert after == before


def test_an_older_as_of_run_leaves_the_consequences_alone():
    rules_policy()
    merchant = active_merchant()
    merchants_score(merchant_ids=[merchant.pk], as_of=days_ago(1), window_days=WINDOW)
    external_record_create(
        actor=None,
        merchant=merchant,
        source="government",
        kind="court_judgment",
        date=days_ago(40).date(),
        severity="high",
        reference="J-2",
    )
    merchants_score(merchant_ids=[merchant.pk], as_of=days_ago(20), window_days=WINDOW)
    assert not CreditConsequence.objects.exists()


# --- Probation, with frozen time ------------------------------------------------------------------------------


def test_recovery_lifts_a_restriction_after_the_probation_and_a_relapse_resets_it():
    policy = rules_policy(restrict_below_score=400, probation_days=30)
    merchant = active_merchant()
    start = timezone.now().replace(microsecond=0)

    def on(day, score, **kwargs):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            return night(merchant, score, as_of=timezone.now(), **kwargs)

    on(0, 300)
    restriction = active(merchant, K.CREDIT_RESTRICTION).get()
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    on(1, 600)  # recovered: probation starts
    restriction.refresh_from_db()
    assert restriction.probation_until == start + timedelta(days=31)
    assert AuditEntry.objects.filter(action="credit_consequence.probation", object_id=str(restriction.pk)).exists()
    on(10, 350)  # under the threshold again: probation resets
    restriction.refresh_from_db()
    assert restriction.probation_until is None and restriction.lifted_at is None
    on(11, 600)
    restriction.refresh_from_db()
    assert restriction.probation_until == start + timedelta(days=41)
    on(40, 600, breach=[CANCEL])  # a breach is not a recovery either
    restriction.refresh_from_db()
    assert restriction.probation_until is None
    on(41, 600)
    on(70, 600)
    assert active(merchant, K.CREDIT_RESTRICTION).exists()
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    on(71, 600)  # the probation that started on day 41 is over
    restriction.refresh_from_db()
    assert restriction.lifted_at == start + timedelta(days=71)
    assert restriction.lifted_policy_version == policy.version
    assert state(merchant) == (MerchantStatus.ACTIVE, None)
    reinstated = AuditEntry.objects.get(action="merchant.reinstate", merchant_id=merchant.pk)
    assert reinstated.before["restriction_reason"] == "credit"
    lift = AuditEntry.objects.get(action="credit_consequence.lift", object_id=str(restriction.pk))
    assert lift.after["inputs"]["score"] == 600 and lift.after["policy_version"] == policy.version


def test_restrictions_for_other_reasons_and_suspensions_are_never_touched():
    rules_policy(restrict_below_score=400, probation_days=0)
    by_violation, suspended = active_merchant(), active_merchant()
    merchant_restrict(merchant=by_violation, actor=None, reason="counterfeit", restriction_reason="violation")
    merchant_suspend(merchant=suspended, actor=None, reason="fraud")
    for merchant in (by_violation, suspended):
        night(merchant, 300, as_of=days_ago(2))
    # the credit consequence is recorded, but the merchants keep their state
    assert active(by_violation, K.CREDIT_RESTRICTION).exists() and active(suspended, K.CREDIT_RESTRICTION).exists()
    assert state(by_violation) == (MerchantStatus.RESTRICTED, RestrictionReason.VIOLATION)
    assert state(suspended) == (MerchantStatus.SUSPENDED, RestrictionReason.MANUAL)
    # recovery lifts the consequences, and reinstates no one restricted for another reason
    for merchant in (by_violation, suspended):
        night(merchant, 600, as_of=days_ago(1))
        assert not active(merchant, K.CREDIT_RESTRICTION).exists()
    assert state(by_violation) == (MerchantStatus.RESTRICTED, RestrictionReason.VIOLATION)
    assert state(suspended) == (MerchantStatus.SUSPENDED, RestrictionReason.MANUAL)
    assert not AuditEntry.objects.filter(
        action__in=["merchant.restrict", "merchant.reinstate"], actor_label="system", reason__startswith="Credit"
    ).exists()


# --- Policy versions -----------------------------------------------------------------------------------------


def test_each_consequence_carries_the_version_that_caused_it():
    v2 = rules_policy()
    merchant = active_merchant()
    night(merchant, 900, as_of=days_ago(3))
    # version 3 raises the discount: the old one ends, the new one carries version 3; the flag stays at v2
    v3 = rules_policy(deposit_discount_percent={"A": 30})
    night(merchant, 900, as_of=days_ago(2))
    discounts = CreditConsequence.objects.filter(merchant=merchant, kind=K.DEPOSIT_DISCOUNT).order_by("pk")
    assert [(d.discount_percent, d.policy_version, d.lifted_policy_version) for d in discounts] == [
        (20, v2.version, v3.version),
        (30, v3.version, None),
    ]
    assert active(merchant, K.PRIORITY_RECOMMENDATION).get().policy_version == v2.version
    assert selectors.deposit_discount(merchant.pk) == 30
    # version 4 has no rules: the next run lifts what the rules gave
    scoring_policy_create(
        actor=staff(RISK_OFFICER),
        components=copy.deepcopy(DEFAULT_COMPONENTS),
        tier_a_min=850,
        tier_b_min=700,
        tier_c_min=550,
        window_days=WINDOW,
        neutral_share=0.5,
        note="no consequences",
    )
    night(merchant, 900, as_of=days_ago(1))
    assert kinds(merchant) == set()


# --- Staff overrides -----------------------------------------------------------------------------------------


def test_an_override_needs_a_reason_and_a_risk_officer_and_a_refusal_changes_nothing():
    rules_policy()
    merchant = active_merchant()
    night(merchant, 500)
    consequence = active(merchant, K.CAMPAIGN_INELIGIBLE).get()
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        credit_consequence_override(
            consequence=consequence, actor=staff(RISK_OFFICER), action="lift", until=until(5), reason="  "
        )
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        credit_consequence_override(
            consequence=consequence, actor=staff(RISK_OFFICER), action="lift", until=until(-1), reason="past"
        )
    with pytest.raises(PermissionDenied):
        credit_consequence_override(
            consequence=consequence, actor=staff(SUPPORT_AGENT), action="lift", until=until(5), reason="not mine to do"
        )
    consequence.refresh_from_db()
    assert consequence.lifted_at is None and consequence.overridden_by is None
    assert AuditEntry.objects.count() == entries


def test_a_lift_holds_against_the_runs_until_it_expires():
    rules_policy()
    merchant = active_merchant()
    officer = staff(RISK_OFFICER)
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        night(merchant, 500, as_of=timezone.now())
        consequence = active(merchant, K.CAMPAIGN_INELIGIBLE).get()
        credit_consequence_override(
            consequence=consequence,
            actor=officer,
            action="lift",
            until=until(5),
            reason="new management, agreed with ops",
        )
    consequence.refresh_from_db()
    assert consequence.lifted_at is not None and consequence.overridden_by == officer
    entry = AuditEntry.objects.get(action="credit_consequence.lift", object_id=str(consequence.pk))
    assert entry.reason == "new management, agreed with ops" and entry.after["inputs"]["override"] == "lift"
    assert selectors.campaign_signup_allowed(merchant.pk)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        night(merchant, 500, as_of=timezone.now())
    assert not active(merchant).exists()
    with time_machine.travel(start + timedelta(days=7), tick=False):
        night(merchant, 500, as_of=timezone.now())
    assert kinds(merchant) == {(K.CAMPAIGN_INELIGIBLE, "")}


def test_an_extension_holds_a_restriction_against_recovery_until_it_expires():
    rules_policy(restrict_below_score=400, probation_days=0)
    merchant = active_merchant()
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        night(merchant, 300, as_of=timezone.now())
        restriction = active(merchant, K.CREDIT_RESTRICTION).get()
        credit_consequence_override(
            consequence=restriction,
            actor=staff(RISK_OFFICER),
            action="extend",
            until=until(10),
            reason="open fraud investigation",
        )
    with time_machine.travel(start + timedelta(days=5), tick=False):
        night(merchant, 700, as_of=timezone.now())
    assert active(merchant, K.CREDIT_RESTRICTION).exists()
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    with time_machine.travel(start + timedelta(days=12), tick=False):
        night(merchant, 700, as_of=timezone.now())
    assert not active(merchant, K.CREDIT_RESTRICTION).exists()
    assert state(merchant) == (MerchantStatus.ACTIVE, None)


def test_staff_impose_a_restriction_and_a_lifted_consequence_cannot_be_overridden():
    merchant = active_merchant()
    officer = staff(RISK_OFFICER)
    consequence, created = credit_consequence_impose(
        merchant=merchant, kind=K.CREDIT_RESTRICTION, actor=officer, until=until(14), reason="court order"
    )
    assert created and consequence.trigger == "override" and consequence.policy_version == current_policy().version
    assert state(merchant) == (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    assert consequence.explanation == "Set by the platform: court order"
    # imposing it again extends the one in force
    again, created = credit_consequence_impose(
        merchant=merchant, kind=K.CREDIT_RESTRICTION, actor=officer, until=until(30), reason="extended"
    )
    assert again.pk == consequence.pk and not created
    credit_consequence_override(consequence=again, actor=officer, action="lift", until=until(1), reason="settled")
    assert state(merchant) == (MerchantStatus.ACTIVE, None)
    with pytest.raises(InvalidTransition):
        credit_consequence_override(consequence=again, actor=officer, action="extend", until=until(3), reason="x")
    for bad in (
        {"kind": K.WARNING},
        {"kind": K.DEPOSIT_DISCOUNT},
        {"kind": K.CAMPAIGN_INELIGIBLE, "discount_percent": 5},
    ):
        with pytest.raises(ValidationError):
            credit_consequence_impose(merchant=merchant, actor=officer, until=until(3), reason="x", **bad)
    assert CreditConsequence.objects.count() == 1


# --- API -----------------------------------------------------------------------------------------------------


def test_a_merchant_lists_its_own_consequences_with_why_and_staff_see_all(as_user, as_key):
    rules_policy()
    mine, theirs = active_merchant(), active_merchant()
    night(mine, 900)
    night(theirs, 500)
    body = as_user(merchant_owner(mine)).get(URL).json()
    assert body["count"] == 2 and {row["merchant"] for row in body["results"]} == {mine.pk}
    discount = next(row for row in body["results"] if row["kind"] == "deposit_discount")
    assert discount["discount_percent"] == 20 and discount["active"] is True and discount["policy_version"] == 3
    assert discount["explanation"] == "Credit tier A (score 900)." and discount["inputs"]["score"] == 900
    staff_client = as_user(staff(RISK_OFFICER))
    assert staff_client.get(URL).json()["count"] == 3
    assert staff_client.get(URL, {"kind": "campaign_ineligible"}).json()["results"][0]["merchant"] == theirs.pk
    assert staff_client.get(URL, {"active": "false"}).json()["count"] == 0
    assert as_key(Scope.READ, merchant=theirs).get(URL).json()["count"] == 1
    assert as_key(Scope.ORDERS_WRITE, merchant=theirs).get(URL).status_code == 403


def test_the_override_action_lifts_with_a_reason_and_refuses_bad_input(as_user):
    rules_policy()
    merchant = active_merchant()
    night(merchant, 500)
    consequence = active(merchant).get()
    url = f"{URL}{consequence.pk}/override/"
    officer = as_user(staff(RISK_OFFICER))
    assert as_user(merchant_owner(merchant)).post(url, {}, format="json").status_code == 403
    assert as_user(staff(OPS_MANAGER)).post(url, {}, format="json").status_code == 403
    for bad in (
        {"action": "lift", "until": str(until(3))},
        {"action": "lift", "until": "soon", "reason": "x"},
        {"action": "drop", "until": str(until(3)), "reason": "x"},
        {"action": "lift", "until": str(until(400)), "reason": "too long"},
    ):
        response = officer.post(url, bad, format="json")
        assert response.status_code == 400 and response.json()["type"] == "validation_error", bad
    consequence.refresh_from_db()
    assert consequence.lifted_at is None and consequence.overridden_by is None
    response = officer.post(url, {"action": "lift", "until": str(until(3)), "reason": "agreed"}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is False and response.json()["overridden"] is True
    again = officer.post(url, {"action": "lift", "until": str(until(3)), "reason": "agreed"}, format="json")
    assert again.status_code == 409 and again.json()["type"] == "conflict"


def test_staff_impose_through_the_api(as_user):
    merchant = active_merchant()
    officer = as_user(staff(RISK_OFFICER))
    body = {
        "merchant": merchant.pk,
        "kind": "deposit_discount",
        "discount_percent": 15,
        "until": str(until(30)),
        "reason": "pilot programme",
    }
    created = officer.post(URL, body, format="json")
    assert created.status_code == 201 and created.json()["discount_percent"] == 15
    extended = officer.post(URL, {**body, "discount_percent": 25}, format="json")
    assert extended.status_code == 200 and extended.json()["id"] == created.json()["id"]
    assert selectors.deposit_discount(merchant.pk) == 25
    for bad in ({**body, "kind": "warning"}, {**body, "merchant": 0}, {**body, "reason": ""}):
        assert officer.post(URL, bad, format="json").status_code == 400
    assert as_user(merchant_owner(merchant)).post(URL, body, format="json").status_code == 403
    assert CreditConsequence.objects.count() == 1


def test_the_list_has_a_fixed_query_count(as_user):
    merchant = active_merchant()
    officer = staff(RISK_OFFICER)
    client, staff_client = as_user(merchant_owner(merchant)), as_user(staff(RISK_OFFICER))

    def add(n):
        for _ in range(n):
            consequence, _ = credit_consequence_impose(
                merchant=merchant, kind=K.PRIORITY_RECOMMENDATION, actor=officer, until=until(3), reason="r"
            )
            credit_consequence_override(
                consequence=consequence, actor=officer, action="lift", until=until(0), reason="r"
            )

    assert_constant_queries(lambda: client.get(URL, {"page_size": 200}), add)
    assert_constant_queries(lambda: staff_client.get(URL, {"page_size": 200}), add, small=100, large=150)


# --- Portal and staff pages ----------------------------------------------------------------------------------


def test_the_credit_page_shows_perks_restrictions_why_and_the_probation_end(client):
    rules_policy(restrict_below_score=400, probation_days=30)
    merchant = active_merchant()
    merchants_score(merchant_ids=[merchant.pk], as_of=days_ago(3), window_days=WINDOW)
    credit_consequence_impose(
        merchant=merchant,
        kind=K.DEPOSIT_DISCOUNT,
        discount_percent=10,
        actor=staff(RISK_OFFICER),
        until=until(20),
        reason="loyal seller",
    )
    night(merchant, 300, as_of=days_ago(2))
    night(merchant, 600, as_of=days_ago(1))
    client.force_login(merchant_owner(merchant))
    page = client.get("/portal/credit/")
    summary = page.context["consequences"]
    assert [c.kind for c in summary["perks"]] == [K.DEPOSIT_DISCOUNT]
    assert [c.kind for c in summary["limits"]] == [K.CREDIT_RESTRICTION]
    text = page.content.decode()
    assert "10% off your deposit" in text and "Set by the platform: loyal seller" in text
    assert "Score 300 is under 400." in text
    probation_end = active(merchant, K.CREDIT_RESTRICTION).get().probation_until
    assert f"on probation until {timezone.localtime(probation_end):%Y-%m-%d}" in text


def test_the_credit_page_has_a_fixed_query_count_with_many_consequences(client):
    rules_policy()
    merchant = active_merchant()
    merchants_score(merchant_ids=[merchant.pk], as_of=days_ago(3), window_days=WINDOW)
    client.force_login(merchant_owner(merchant))
    names = iter(DEFAULT_CONSEQUENCES["breach_components"])
    breached: list[str] = []

    def add(n):
        for _ in range(n):
            breached.append(next(names))
        night(merchant, 750, breach=breached)

    assert_constant_queries(lambda: client.get("/portal/credit/"), add, small=2, large=6)


def test_staff_list_filters_and_override_form(client):
    rules_policy()
    tier_a, tier_d = active_merchant(name="Golden Tea"), active_merchant(name="Grey Socks")
    night(tier_a, 900)
    night(tier_d, 500)
    client.force_login(staff(RISK_OFFICER))
    page = client.get("/staff/credit/consequences/")
    assert page.status_code == 200 and len(page.context["consequences"]) == 3
    filtered = client.get("/staff/credit/consequences/", {"kind": "campaign_ineligible", "merchant": "grey"})
    assert [c.merchant_id for c in filtered.context["consequences"]] == [tier_d.pk]
    consequence = active(tier_d).get()
    form_url = f"/staff/credit/consequences/{consequence.pk}/override/"
    refused = client.post(form_url, {"action": "lift", "until": str(until(3)), "reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    consequence.refresh_from_db()
    assert consequence.lifted_at is None
    done = client.post(form_url, {"action": "lift", "until": str(until(3)), "reason": "appeal accepted"})
    assert done.status_code == 302
    consequence.refresh_from_db()
    assert consequence.lifted_at is not None and consequence.override_reason == "appeal accepted"
    imposed = client.post(
        "/staff/credit/consequences/impose/",
        {"merchant": tier_a.pk, "kind": "campaign_ineligible", "until": str(until(3)), "reason": "audit"},
    )
    assert imposed.status_code == 302 and active(tier_a, K.CAMPAIGN_INELIGIBLE).exists()
    client.force_login(staff(SUPPORT_AGENT))
    assert client.get("/staff/credit/consequences/").status_code == 403
    client.force_login(staff(OPS_MANAGER))
    assert client.get("/staff/credit/consequences/").status_code == 200
    assert client.post(form_url, {}).status_code == 403


def test_the_staff_list_has_a_fixed_query_count(client):
    rules_policy()
    client.force_login(staff(RISK_OFFICER))
    officer = staff(RISK_OFFICER)

    def add(n):
        for _ in range(n):
            merchant = active_merchant()
            night(merchant, 500)
            credit_consequence_impose(
                merchant=merchant, kind=K.PRIORITY_RECOMMENDATION, actor=officer, until=until(3), reason="r"
            )

    assert_constant_queries(lambda: client.get("/staff/credit/consequences/"), add, small=5, large=40)
    assert Merchant.objects.count() == 40


def test_a_chunk_is_applied_in_a_fixed_number_of_queries():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credit.services.consequences import consequences_apply
    from tests.credit.hand_scores import hand_score

    policy = rules_policy()

    def run(n: int) -> int:
        merchants = [active_merchant() for _ in range(n)]
        for merchant in merchants:
            merchant_owner(merchant)
            night(merchant, 500, as_of=days_ago(2), breach=[LATE])  # a warning and no campaigns, to lift below
        scores = [hand_score(m, 900, as_of=days_ago(1), breach=[CANCEL]) for m in merchants]
        with CaptureQueriesContext(connection) as captured:
            result = consequences_apply(scores=scores, policy=policy, as_of=days_ago(1), window_days=WINDOW)
        # each merchant: two lifted, three applied (priority, discount, a new warning)
        assert result == {"applied": 3 * n, "lifted": 2 * n}
        return len(captured)

    # 12 merchants' 36 new consequences still fit one INSERT on SQLite (999 parameters a statement).
    assert run(3) == run(12)
