"""The `violation_points` component: points of decided violations in the 12 months before T, not reversed
by an upheld appeal, measured for a chunk in one query and scored like the reputation values."""

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credit import metrics
from credit.choices import DEFAULT_COMPONENTS, VIOLATION_POINTS
from credit.services import scoring_policy_create
from credit.services import violations as services
from tests.credit.factories import components, score_now
from tests.credit.violation_factories import appealed, decided, investigating, officer
from tests.factories import merchant_owner
from tests.orders.factories import active_merchant

pytestmark = pytest.mark.django_db
T = datetime(2026, 6, 1, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def at(moment):
    return time_machine.travel(moment, tick=False)


def policy_with_violation_points():
    return scoring_policy_create(
        actor=officer(),
        components=copy.deepcopy(DEFAULT_COMPONENTS),
        tier_a_min=850,
        tier_b_min=700,
        tier_c_min=550,
        window_days=90,
        neutral_share=0.5,
        note="violation points count",
    )


def test_the_points_in_the_12_months_before_t_not_reversed_before_t():
    # given a merchant's violations decided at chosen times
    merchant, clean, other = active_merchant(), active_merchant(), active_merchant()
    owner = merchant_owner(merchant)
    with at(T - timedelta(days=400)):
        decided(merchant, points=9)  # older than 12 months: out
    with at(T - timedelta(days=300)):
        decided(merchant, points=4)  # in
    with at(T - timedelta(days=20)):
        reversed_before = appealed(merchant, actor=owner, points=5)
    with at(T - timedelta(days=10)):
        services.violation_appeal_rule(violation=reversed_before, actor=officer(), ruling="upheld", reason="ok")
        reversed_after = appealed(merchant, actor=owner, points=3)  # counts at T: reversed only later
    with at(T + timedelta(days=1)):
        services.violation_appeal_rule(violation=reversed_after, actor=officer(), ruling="upheld", reason="ok")
        decided(merchant, points=7)  # after T: out
    with at(T - timedelta(days=5)):
        investigating(merchant)  # not decided: no points
        decided(other, points=2)
    # when the chunk is measured at T, in one query
    with CaptureQueriesContext(connection) as queries:
        values = metrics.violation_measures([merchant.pk, clean.pk, other.pk], T)
    # then only the decided points inside [T - 12 months, T) not reversed before T count; no violations is 0
    assert len(queries) == 1
    assert values == {
        merchant.pk: {VIOLATION_POINTS: 7.0},
        clean.pk: {VIOLATION_POINTS: 0.0},
        other.pk: {VIOLATION_POINTS: 2.0},
    }


def test_the_component_is_scored_lower_is_better_against_the_policy():
    # given a policy that includes violation points (best 0, warning 6, target 12, floor 48)
    policy = policy_with_violation_points()
    rule = policy.components[VIOLATION_POINTS]
    assert (rule["direction"], rule["best"], rule["floor"], rule["target"], rule["warning"]) == (
        "lower",
        0.0,
        48.0,
        12.0,
        6.0,
    )
    clean, warned, breached = active_merchant(), active_merchant(), active_merchant()
    decided(warned, points=6)
    decided(breached, points=24)
    # when the merchants are scored
    scores = score_now(clean, warned, breached)
    # then each has the component with its value, target, status and points
    by_merchant = {m.pk: components(scores[m.pk])[VIOLATION_POINTS] for m in (clean, warned, breached)}
    clean_c, warned_c, breached_c = by_merchant[clean.pk], by_merchant[warned.pk], by_merchant[breached.pk]
    assert (clean_c.value, clean_c.status, clean_c.points) == (0.0, "ok", rule["weight"])
    assert (warned_c.value, warned_c.status) == (6.0, "warning")
    assert warned_c.points == pytest.approx(rule["weight"] * (48 - 6) / 48)
    assert (breached_c.value, breached_c.status, breached_c.target) == (24.0, "breach", 12.0)
    assert breached_c.points == pytest.approx(rule["weight"] * 0.5)
    assert scores[clean.pk].policy_version == policy.version
    assert scores[clean.pk].score > scores[warned.pk].score > scores[breached.pk].score
