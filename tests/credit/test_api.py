"""GET /api/v1/credit/scores/: scoping, filters, order, nested components, fixed query count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.access import RISK_OFFICER
from core.models import Scope
from credit.choices import DEFAULT_COMPONENTS
from credit.services import merchants_score
from tests.credit.factories import days_ago, order_at
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/credit/scores/"


def scored(merchant, *as_ofs):
    for as_of in as_ofs:
        merchants_score(merchant_ids=[merchant.pk], as_of=as_of, window_days=90)


def test_a_merchant_sees_its_own_history_newest_first_with_named_components(as_user):
    mine, theirs = active_merchant(), active_merchant()
    order_at(mine, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5))
    older, newer = days_ago(10), days_ago(1)
    scored(mine, older, newer)
    scored(theirs, newer)
    body = as_user(merchant_owner(mine)).get(URL).json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["merchant"] == mine.pk
    assert first["as_of"] > body["results"][1]["as_of"]
    assert set(first) >= {"merchant", "score", "tier", "policy_version", "as_of", "window_days", "components",
                          "computed_at"}  # fmt: skip
    late = {c["name"]: c for c in first["components"]}["late_shipment_rate"]
    assert (late["value"], late["numerator"], late["denominator"], late["status"]) == (1.0, 1.0, 1.0,
                                                                                       "insufficient_data")  # fmt: skip
    assert late["target"] == DEFAULT_COMPONENTS["late_shipment_rate"]["target"]
    assert late["bound"] is not None
    assert {c["name"] for c in first["components"]} == set(DEFAULT_COMPONENTS)


def test_staff_see_all_and_filter_by_merchant_and_as_of(as_user):
    one, two = active_merchant(), active_merchant()
    when = days_ago(3).replace(microsecond=0)
    scored(one, when, days_ago(1))
    scored(two, when)
    client = as_user(staff(RISK_OFFICER))
    assert client.get(URL).json()["count"] == 3
    assert client.get(URL, {"merchant": two.pk}).json()["count"] == 1
    by_time = client.get(URL, {"as_of": when.isoformat()}).json()
    assert {row["merchant"] for row in by_time["results"]} == {one.pk, two.pk}
    bad = client.get(URL, {"as_of": "yesterday"})
    assert bad.status_code == 400 and bad.json()["type"] == "validation_error"


def test_keys_need_read_and_merchant_keys_see_their_merchant(as_key, api):
    mine, theirs = active_merchant(), active_merchant()
    scored(mine, days_ago(1))
    scored(theirs, days_ago(1))
    assert api.get(URL).status_code == 401
    assert as_key(Scope.ORDERS_WRITE, merchant=mine).get(URL).status_code == 403
    rows = as_key(Scope.READ, merchant=mine).get(URL).json()["results"]
    assert [row["merchant"] for row in rows] == [mine.pk]


def test_the_list_has_a_fixed_query_count(as_user):
    merchant = active_merchant()
    client = as_user(merchant_owner(merchant))
    start = timezone.now() - timedelta(days=400)
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            scored(merchant, start + timedelta(days=made[0]))

    assert_constant_queries(lambda: client.get(URL, {"page_size": 200}), add)
    staff_client = as_user(staff(RISK_OFFICER))
    made[0] = 200
    assert_constant_queries(lambda: staff_client.get(URL, {"page_size": 200}), add)
