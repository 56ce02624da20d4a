"""The merchant's credit page, score_merchants and the nightly run in at most 200 tasks."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from credit import services, tasks
from credit.models import CreditScore, ScoreComponent
from credit.selectors import current_policy
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


def test_given_the_night_ranges_carry_even_work_not_even_merchant_counts():
    merchants = MerchantFactory.create_batch(8)
    ids = [m.pk for m in merchants]
    # The first two merchants hold 60 orders each; a merchant weighs 40 besides its orders.
    volumes = {ids[0]: 60.0, ids[1]: 60.0}
    as_of = timezone.now()
    with (
        mock.patch.object(services.metrics, "order_volumes", return_value=volumes) as order_volumes,
        mock.patch.object(services, "MERCHANT_WORK", 40),
    ):
        ranges = services.merchant_id_ranges(max_tasks=200, min_chunk=4, as_of=as_of, window_days=30)
    order_volumes.assert_called_once_with(as_of - timedelta(days=30), as_of)
    # 100 + 100 + 40 = 240 of 560 in the first range, 320 in the second; even counts would give 280 and 160 + 120.
    assert ranges == [(ids[0], ids[2]), (ids[3], ids[7])]
    assert services.merchant_id_ranges(max_tasks=200, min_chunk=4) == [(ids[0], ids[3]), (ids[4], ids[7])]


def test_a_merchant_heavier_than_a_share_gets_a_range_of_its_own_and_every_merchant_one_range():
    ids = [m.pk for m in MerchantFactory.create_batch(10)]
    volumes = {ids[3]: 10_000.0}
    with (
        mock.patch.object(services.metrics, "order_volumes", return_value=volumes),
        mock.patch.object(services, "MERCHANT_WORK", 40),
    ):
        ranges = services.merchant_id_ranges(max_tasks=5, min_chunk=2, as_of=timezone.now())
    assert ranges == [(ids[0], ids[3]), (ids[4], ids[9])]
    with mock.patch.object(services.metrics, "order_volumes", return_value={}):
        even = services.merchant_id_ranges(max_tasks=5, min_chunk=2, as_of=timezone.now())
    assert even == [(ids[n], ids[n + 1]) for n in range(0, 10, 2)]


def test_order_volumes_count_each_merchants_orders_in_the_window():
    from credit.metrics import order_volumes

    busy, quiet, idle = (active_merchant() for _ in range(3))
    for _ in range(3):
        order_at(busy, placed=days_ago(5))
    order_at(quiet, placed=days_ago(5))
    order_at(quiet, placed=days_ago(50))  # before the window
    assert order_volumes(days_ago(30), timezone.now()) == {busy.pk: 3, quiet.pk: 1}


def test_the_nightly_run_cuts_its_ranges_for_its_own_night():
    MerchantFactory.create_batch(4)
    with (
        mock.patch.object(tasks.merchants_score_range, "delay"),
        mock.patch.object(services, "merchant_id_ranges", return_value=[(1, 2)]) as ranges,
    ):
        tasks.merchants_score_all(as_of="2026-01-01T00:00:00+08:00", window_days=30)
    ranges.assert_called_once_with(
        max_tasks=200, as_of=timezone.datetime.fromisoformat("2026-01-01T00:00:00+08:00"), window_days=30
    )


def test_a_range_task_scores_its_merchants_and_running_it_twice_has_one_effect(eager_tasks):
    merchants = [active_merchant() for _ in range(3)]
    as_of = timezone.now().isoformat()
    for _ in range(2):
        tasks.merchants_score_range.delay(merchants[0].pk, merchants[1].pk, as_of, 90)
    assert sorted(CreditScore.objects.values_list("merchant_id", flat=True)) == [merchants[0].pk, merchants[1].pk]


def test_a_score_replaced_by_a_rerun_takes_its_components_along():
    # Components have no foreign-key constraint in the database (credit.models.ScoreComponent.score): the
    # service and the ORM's cascade keep every component with its score.
    merchants = [active_merchant() for _ in range(2)]
    order_at(merchants[0], placed=days_ago(5), shipped=days_ago(4))
    as_of = timezone.now()
    for _ in range(2):
        services.merchants_score(merchant_ids=[m.pk for m in merchants], as_of=as_of, window_days=90)
    services.merchants_score(merchant_ids=[merchants[0].pk], as_of=as_of, window_days=90)
    scores = list(CreditScore.objects.values_list("pk", flat=True))
    assert len(scores) == 2
    per_score = len(current_policy().components)
    assert ScoreComponent.objects.count() == 2 * per_score
    assert set(ScoreComponent.objects.values_list("score_id", flat=True)) == set(scores)
    CreditScore.objects.filter(merchant=merchants[1]).delete()
    assert ScoreComponent.objects.count() == per_score


def test_the_nightly_as_of_is_midnight_in_the_platforms_zone_whatever_zone_is_active():
    with timezone.override("America/Sao_Paulo"):
        during_request = tasks.nightly_as_of()
    assert during_request == tasks.nightly_as_of()
    assert during_request.astimezone(timezone.get_default_timezone()).time() == timezone.datetime.min.time()
