"""The carrier recommendation with 20 carriers and full province-to-province price tables (31 x 31 lanes
each) and measured quality: p95 latency of GET /api/v1/logistics/carriers/recommend/ over random lanes and
weights. Goal: p95 under 50 ms. Baseline in the same run: the smallest authenticated read
(GET /api/v1/logistics/recommendation-weights/).
"""

import random
import statistics
import time
from decimal import Decimal

from _django import bench_database

CARRIERS = 20
REQUESTS = 400


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    with bench_database():
        from django.db import connection
        from django.utils import timezone
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        from logistics.demo_carriers import PROVINCES, demo_carriers_load
        from logistics.models import Carrier, CarrierQuality, CarrierRate
        from tests.factories import merchant_owner
        from tests.orders.factories import active_merchant, warehouse_for

        demo_carriers_load()
        demo = list(Carrier.objects.order_by("code"))
        rng = random.Random(6)
        for n in range(CARRIERS - len(demo)):
            template = demo[n % len(demo)]
            factor = Decimal(rng.choice(["0.85", "0.9", "0.95", "1.05", "1.1", "1.2"]))
            carrier = Carrier.objects.create(
                code=f"X{n:02d}",
                name=f"Regional carrier {n}",
                regions=template.regions,
                base_price=template.base_price,
                price_per_kg=template.price_per_kg,
                sla_days=template.sla_days,
            )
            CarrierRate.objects.bulk_create(
                CarrierRate(
                    carrier=carrier,
                    origin=rate.origin,
                    destination=rate.destination,
                    first_price=(rate.first_price * factor).quantize(Decimal("0.01")),
                    additional_price_per_kg=(rate.additional_price_per_kg * factor).quantize(Decimal("0.01")),
                    sla_days=rate.sla_days + rng.choice([0, 0, 1]),
                )
                for rate in CarrierRate.objects.filter(carrier=template)
            )
        now = timezone.now()
        for carrier in Carrier.objects.all():
            for days_ago in (2, 1, 0):  # several snapshots: the newest one must be picked
                CarrierQuality.objects.create(
                    carrier=carrier,
                    as_of=now - timezone.timedelta(days=days_ago),
                    window_days=90,
                    shipments=500,
                    delivered=480,
                    on_time_rate=Decimal(rng.randint(850, 990)) / 1000,
                    exception_rate=Decimal(rng.randint(5, 60)) / 1000,
                )
        merchant = active_merchant()
        warehouse_for(merchant)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=merchant_owner(merchant)).key}")

        def timed(call) -> float:
            start = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.content[:300]
            return elapsed

        lanes = [
            (rng.choice(PROVINCES), rng.choice(PROVINCES), rng.choice(["0.3", "1", "2.5", "7", "20"]))
            for _ in range(REQUESTS)
        ]
        for origin, destination, weight in lanes[:20]:  # warm-up
            client.get(
                "/api/v1/logistics/carriers/recommend/", {"origin": origin, "region": destination, "weight_kg": weight}
            )
        recommend = [
            timed(
                lambda o=origin, d=destination, w=weight: client.get(
                    "/api/v1/logistics/carriers/recommend/", {"origin": o, "region": d, "weight_kg": w}
                )
            )
            for origin, destination, weight in lanes
        ]
        # the origin from the merchant's warehouse: one more query
        by_warehouse = [
            timed(
                lambda d=destination, w=weight: client.get(
                    "/api/v1/logistics/carriers/recommend/", {"region": d, "weight_kg": w}
                )
            )
            for _origin, destination, weight in lanes[:100]
        ]
        baseline = [timed(lambda: client.get("/api/v1/logistics/recommendation-weights/")) for _ in range(REQUESTS)]
        rates = CarrierRate.objects.count()
        print(f"database: {connection.vendor}; {Carrier.objects.count()} carriers, {rates} lanes in the price tables")
        for label, samples in (
            ("recommend (origin given)", recommend),
            ("recommend (warehouse origin)", by_warehouse),
            ("baseline: weights read", baseline),
        ):
            print(
                f"{label:<30} median {statistics.median(samples) * 1000:6.2f} ms, "
                f"p95 {percentile(samples, 0.95) * 1000:6.2f} ms over {len(samples)} requests"
            )
        p95 = percentile(recommend, 0.95)
        print(
            f"p95 recommend: {p95 * 1000:.2f} ms (goal < 50 ms); "
            f"{p95 / percentile(baseline, 0.95):.2f}x the baseline's p95"
        )


if __name__ == "__main__":
    main()
