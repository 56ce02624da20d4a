"""What the API base costs: list pages at 20 vs 200 rows (queries must stay fixed), and the
Idempotency-Key overhead on a create, each as a ratio against its baseline in the same run."""

import statistics
import time

from _django import bench_database

MERCHANTS = 1000
REPEAT = 30


def timed(call, repeat=REPEAT) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    with bench_database():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        from core.access import OPS_MANAGER
        from merchants.models import Category, Merchant
        from tests.factories import staff

        user = staff(OPS_MANAGER)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        Merchant.objects.bulk_create(
            Merchant(name=f"Store {i}", legal_name=f"Company {i}", external_ref=f"B-{i}") for i in range(MERCHANTS)
        )
        categories = list(Category.objects.all()[:3])
        through = Merchant.categories.through
        through.objects.bulk_create(
            through(merchant_id=m, category_id=c.pk)
            for m in Merchant.objects.values_list("pk", flat=True)
            for c in categories
        )

        def page(size):
            return lambda: client.get("/api/v1/merchants/", {"page_size": size})

        queries = {}
        for size in (20, 200):
            with CaptureQueriesContext(connection) as captured:
                page(size)()
            queries[size] = len(captured)
        small, large = timed(page(20)), timed(page(200))
        print(f"database: {connection.vendor}; {MERCHANTS} merchants with 3 categories each")
        print(f"merchant list  page_size=20: {small * 1000:7.2f} ms, {queries[20]} queries")
        print(f"merchant list page_size=200: {large * 1000:7.2f} ms, {queries[200]} queries")
        print(
            f"ratio 200-row page / 20-row page: {large / small:.2f}x for 10x the rows (queries fixed: "
            f"{queries[20] == queries[200]})"
        )

        counter = iter(range(10**9))

        def create(with_key: bool):
            def call():
                n = next(counter)
                headers = {"HTTP_IDEMPOTENCY_KEY": f"bench-{n}"} if with_key else {}
                body = {"name": f"New {n}", "legal_name": f"New {n} Co.", "external_ref": f"N-{n}"}
                response = client.post("/api/v1/merchants/", body, format="json", **headers)
                assert response.status_code == 201, response.content

            return call

        plain, keyed = timed(create(False)), timed(create(True))
        client.post("/api/v1/merchants/", {"name": "R", "legal_name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="rep")
        replay = timed(
            lambda: client.post(
                "/api/v1/merchants/", {"name": "R", "legal_name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="rep"
            )
        )
        print(f"create without Idempotency-Key: {plain * 1000:7.2f} ms (baseline)")
        print(f"create with Idempotency-Key:    {keyed * 1000:7.2f} ms, ratio {keyed / plain:.2f}x")
        print(f"replay of a stored response:    {replay * 1000:7.2f} ms, ratio {replay / plain:.2f}x")


if __name__ == "__main__":
    main()
