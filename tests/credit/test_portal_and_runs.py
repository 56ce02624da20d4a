"""The merchant's credit page, score_merchants and the nightly run in at most 200 tasks."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from credit import services, tasks
from credit.models import CreditScore
from tests.credit.factories import days_ago, order_at
from tests.factories import MerchantFactory, merchant_owner
from tests.orders.factories import active_merchant
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db
PAGE = "/portal/credit/"


def test_the_page_shows_the_score_components_trend_and_improvements_ranked_by_points(client):
    merchant = active_merchant()
    for n in range(40):  # 40 handed over, 10 late: a breach of the late shipment rate
        order_at(merchant, placed=days_ago(5), shipped=days_ago(4), ship_by=days_ago(5 if n < 10 else 3))
    for n in range(40):  # 8 cancelled of 80: a bigger gap to close, on a lighter component
        order_at(merchant, placed=days_ago(4), cancelled=n < 8)
    services.merchants_score(merchant_ids=[merchant.pk], as_of=days_ago(2), window_days=90)
    services.merchants_score(merchant_ids=[merchant.pk], as_of=timezone.now(), window_days=90)
    client.force_login(merchant_owner(merchant))
    response = client.get(PAGE)
    assert response.status_code == 200
    report = response.context["report"]
    assert report["score"].merchant_id == merchant.pk
    assert [row["as_of"] for row in report["trend"]] == sorted(row["as_of"] for row in report["trend"])
    assert len(report["trend"]) == 2
    gains = [item["gain"] for item in report["improvements"]]
    assert gains == sorted(gains, reverse=True) and gains
    assert report["improvements"][0]["component"].name == "late_shipment_rate"
    assert {i["component"].name for i in report["improvements"]} >= {"late_shipment_rate", "cancellation_rate"}
    assert "Late shipment rate" in response.content.decode()


def test_the_page_is_the_merchants_own(client):
    mine, theirs = active_merchant(), active_merchant()
    services.merchants_score(merchant_ids=[theirs.pk], as_of=timezone.now(), window_days=90)
    client.force_login(merchant_owner(mine))
    assert client.get(PAGE).context["report"] is None
    assert client.get(PAGE, {"merchant": theirs.pk}).status_code == 404
    assert client.get(PAGE, {"merchant": "x"}).status_code == 404


def test_the_page_has_a_fixed_query_count(client):
    merchant = active_merchant()
    client.force_login(merchant_owner(merchant))
    start = timezone.now() - timedelta(days=300)
    made = [0]

    def add(n):
        for _ in range(n):
            made[0] += 1
            services.merchants_score(merchant_ids=[merchant.pk], as_of=start + timedelta(days=made[0]), window_days=90)

    assert_constant_queries(lambda: client.get(PAGE), add)


def test_score_merchants_scores_everyone_at_the_given_time_and_refuses_bad_input(capsys):
    merchants = [active_merchant() for _ in range(3)]
    call_command("score_merchants", "--as-of", "2024-05-01T00:00:00+08:00", "--window-days", "30")
    assert CreditScore.objects.filter(window_days=30).count() == len(merchants)
    assert {s.as_of.isoformat() for s in CreditScore.objects.all()} == {"2024-04-30T16:00:00+00:00"}
    assert "scored 3 merchants" in capsys.readouterr().out
    for bad in (["--as-of", "soon"], ["--window-days", "0"]):
        with pytest.raises(CommandError):
            call_command("score_merchants", *bad)
    assert CreditScore.objects.count() == 3


def test_the_nightly_run_never_sends_more_than_200_tasks():
    MerchantFactory.create_batch(5)
    with mock.patch.object(tasks.merchants_score_range, "delay") as delay:
        assert tasks.merchants_score_all() == 1
    assert delay.call_count == 1


def test_range_ids_split_many_merchants_into_at_most_200_tasks():
    many = MerchantFactory.create_batch(450)
    ranges = services.merchant_id_ranges(max_tasks=200, min_chunk=1)
    assert len(ranges) <= 200
    covered = sum(1 for m in many for first, last in ranges if first <= m.pk <= last)
    assert covered == len(many)


def test_a_range_task_scores_its_merchants_and_running_it_twice_has_one_effect(eager_tasks):
    merchants = [active_merchant() for _ in range(3)]
    as_of = timezone.now().isoformat()
    for _ in range(2):
        tasks.merchants_score_range.delay(merchants[0].pk, merchants[1].pk, as_of, 90)
    assert sorted(CreditScore.objects.values_list("merchant_id", flat=True)) == [merchants[0].pk, merchants[1].pk]


def test_the_nightly_as_of_is_midnight_in_the_platforms_zone_whatever_zone_is_active():
    with timezone.override("America/Sao_Paulo"):
        during_request = tasks.nightly_as_of()
    assert during_request == tasks.nightly_as_of()
    assert during_request.astimezone(timezone.get_default_timezone()).time() == timezone.datetime.min.time()
