"""Nightly credit scoring of 100,000 merchants over 5,000,000 orders, against one hand-written SQL aggregate
that computes the same components (numerators and denominators) in the same run, with the same results.
Goal: the nightly path within 2x of the SQL, each worker process at most 512 MB peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/merchantops REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/credit_scoring.py [--merchants 100000] [--orders 5000000] [--keep] [--reuse]

- Works in its own database (`merchantops_bench` on DATABASE_URL's server, --database to change it): created,
  migrated and filled by bench/credit_data.py (SQL generate_series, a few minutes), dropped at the end
  unless --keep. --reuse scores a kept database again without generating it anew.
- The nightly path is the real one: credit.services.merchant_id_ranges cuts the merchants into at most
  200 ranges of even work for the night (each merchant weighed by its orders in the window, which are uneven
  across id ranges), each sent as a credit.tasks.merchants_score_range task to the `scoring` queue (REDIS_URL),
  consumed by `celery -A config worker -Q scoring --concurrency 2` started here; the time runs from
  cutting the ranges to the last task's result. The peak RSS (VmHWM) of the worker's processes is read
  from /proc before it stops. Without REDIS_URL the ranges are scored in this process instead.
- Before scoring, earlier scores, consequences, audit entries and notifications are cleared and every merchant
  is active with no credit fields. The nightly path then runs twice: as of the night before (a first night: every
  score, audit entry and consequence is new, the most writing a night can do; timed and printed too) and as of
  the night itself, the usual night (scores move a little, consequences mostly stay), which is the figure.
  Between the two, ANALYZE does what autovacuum does in the day between (the first night filled the tables).
- The SQL baseline (AGGREGATE below) runs before the scoring with the server's JIT setting and after it with
  JIT off (as the scoring's own statements run); the faster run is the baseline.
- Then every numerator and denominator the run stored is compared with the aggregate's.
"""

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# A past night, scored as if again: the data reaches to it, and some reviews and decisions come after it.
AS_OF = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
WORKER_NAME = "credit-bench@%h"

# The components of DESIGN §3 for every merchant, in one statement: the orders placed in [since, until),
# semi-joined to what happened to them before `until`.
AGGREGATE = """
WITH windowed AS (
    SELECT id, merchant_id, status, shipped_at, ship_by, delivered_at, deliver_by, time_zone
    FROM orders_order
    WHERE placed_at >= %(since)s AND placed_at < %(until)s
), tracked AS (
    SELECT s.order_id FROM logistics_shipment s
    WHERE EXISTS (SELECT 1 FROM logistics_trackingevent e WHERE e.shipment_id = s.id AND e.occurred_at < %(until)s)
), defective AS (
    SELECT order_id FROM complaints_complaint
    WHERE outcome IN ('upheld', 'partly_upheld') AND decided_at >= %(since)s AND decided_at < %(until)s
      AND order_id IS NOT NULL
    UNION
    SELECT c.order_id FROM complaints_dispute d JOIN complaints_complaint c ON c.id = d.complaint_id
    WHERE d.outcome IN ('complainant', 'split') AND d.stage <> 'negotiation'
      AND d.decided_at >= %(since)s AND d.decided_at < %(until)s AND c.order_id IS NOT NULL
    UNION
    SELECT order_id FROM orders_orderreview WHERE score <= 2 AND created_at < %(until)s
), returned AS (
    SELECT DISTINCT order_id FROM orders_returnrequest
    WHERE type IN ('return', 'exchange') AND created_at < %(until)s
), reviews AS (
    SELECT order_id, sum(score) AS total, count(*) AS n FROM orders_orderreview
    WHERE created_at < %(until)s GROUP BY order_id
), per_merchant AS (
    SELECT w.merchant_id,
           count(*) AS orders,
           count(*) FILTER (WHERE w.status = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE w.shipped_at < %(until)s) AS handed,
           count(*) FILTER (WHERE w.shipped_at < %(until)s AND w.shipped_at > w.ship_by) AS late,
           count(*) FILTER (WHERE w.shipped_at < %(until)s AND t.order_id IS NOT NULL) AS tracked,
           count(*) FILTER (WHERE d.order_id IS NOT NULL) AS defective,
           count(*) FILTER (WHERE w.delivered_at < %(until)s) AS delivered,
           count(*) FILTER (WHERE r.order_id IS NOT NULL) AS returned,
           count(*) FILTER (WHERE w.delivered_at < %(until)s AND w.deliver_by IS NOT NULL) AS dated,
           count(*) FILTER (WHERE w.delivered_at < %(until)s AND w.deliver_by IS NOT NULL
                              AND (w.delivered_at AT TIME ZONE w.time_zone)::date
                                  <= (w.deliver_by AT TIME ZONE w.time_zone)::date) AS on_time,
           coalesce(sum(v.total), 0) AS review_total,
           coalesce(sum(v.n), 0) AS reviews
    FROM windowed w
    LEFT JOIN tracked t ON t.order_id = w.id
    LEFT JOIN defective d ON d.order_id = w.id
    LEFT JOIN returned r ON r.order_id = w.id
    LEFT JOIN reviews v ON v.order_id = w.id
    GROUP BY w.merchant_id
)
SELECT m.id AS merchant_id,
       coalesce(a.orders, 0) AS orders, coalesce(a.cancelled, 0) AS cancelled, coalesce(a.handed, 0) AS handed,
       coalesce(a.late, 0) AS late, coalesce(a.tracked, 0) AS tracked, coalesce(a.defective, 0) AS defective,
       coalesce(a.delivered, 0) AS delivered, coalesce(a.returned, 0) AS returned,
       coalesce(a.dated, 0) AS dated, coalesce(a.on_time, 0) AS on_time,
       coalesce(a.review_total, 0) AS review_total, coalesce(a.reviews, 0) AS reviews,
       CASE WHEN p.founded_on <= %(today)s THEN (%(today)s - p.founded_on)::float8 / 365.25 END AS years,
       p.registered_capital::float8 AS capital
FROM merchants_merchant m
LEFT JOIN per_merchant a ON a.merchant_id = m.id
LEFT JOIN profiles_profile p ON p.merchant_id = m.id
"""

# (component, numerator, denominator) over bench_expected's columns.
EXPECTED = [
    ("late_shipment_rate", "late", "handed"),
    ("cancellation_rate", "cancelled", "orders"),
    ("on_time_delivery_rate", "on_time", "dated"),
    ("valid_tracking_rate", "tracked", "handed"),
    ("average_review_score", "review_total", "reviews"),
    ("order_defect_rate", "defective", "orders"),
    ("return_rate", "returned", "delivered"),
    ("years_in_business", "years", None),
    ("registered_capital", "capital", None),
]

SAME = "({a} IS NOT DISTINCT FROM {x} OR abs({a} - {x}) <= 1e-9 * greatest(1, abs({x})))"
COMPARE = f"""
WITH expected AS (
    SELECT e.merchant_id, v.name, v.numerator, v.denominator
    FROM bench_expected e
    CROSS JOIN LATERAL (VALUES {{values}}) v(name, numerator, denominator)
), actual AS (
    SELECT s.merchant_id, c.name, c.numerator, c.denominator
    FROM credit_scorecomponent c JOIN credit_creditscore s ON s.id = c.score_id
    WHERE s.as_of = %(as_of)s AND s.window_days = %(window)s AND c.name = ANY(%(names)s)
)
SELECT x.merchant_id, a.merchant_id, coalesce(x.name, a.name), x.numerator, a.numerator, x.denominator,
       a.denominator,
       x.merchant_id IS NOT NULL AND a.merchant_id IS NOT NULL
       AND {SAME.format(a="a.numerator", x="x.numerator")} AND {SAME.format(a="a.denominator", x="x.denominator")}
FROM expected x FULL JOIN actual a ON a.merchant_id = x.merchant_id AND a.name = x.name
"""

# Before the first night: no score, consequence, audit entry or notification, every merchant active with no
# credit fields (TRUNCATE, as audit entries refuse row deletes; only the tables this schema has).
RESET_TABLES = ["credit_scorecomponent", "credit_creditscore", "credit_creditconsequence", "core_auditentry",
                "core_notification"]  # fmt: skip
RESET_MERCHANTS = (
    "UPDATE merchants_merchant SET credit_score = NULL, tier = NULL, status = 'active', restriction_reason = NULL "
    "WHERE credit_score IS NOT NULL OR tier IS NOT NULL OR restriction_reason IS NOT NULL"
)


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path="/" + name))


def admin(base: str, statement: str, params=None):
    import psycopg2

    connection = psycopg2.connect(database_url(base, "postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def vmhwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def sql_baseline(cursor, params, *, jit: bool) -> float:
    cursor.execute("DROP TABLE IF EXISTS bench_expected")
    cursor.execute(f"SET jit = {'on' if jit else 'off'}")
    started = time.perf_counter()
    cursor.execute("CREATE TEMP TABLE bench_expected AS " + AGGREGATE, params)
    elapsed = time.perf_counter() - started
    cursor.execute("RESET jit")
    return elapsed


def _range_tasks(as_of: datetime) -> tuple[int, float, int]:
    """The nightly path for one as-of time on the worker: (merchants scored, seconds, range tasks)."""
    from credit import services, tasks

    started, wall = time.perf_counter(), datetime.now(UTC)
    ranges = services.merchant_id_ranges(max_tasks=tasks.MAX_TASKS, as_of=as_of)
    results = [tasks.merchants_score_range.delay(first, last, as_of.isoformat(), None) for first, last in ranges]
    scored = sum(result.get(timeout=7200) for result in results)
    elapsed = time.perf_counter() - started
    # When each range finished (the result backend's clock, this machine's): the slowest range sets the night.
    done = sorted(
        (result.date_done.replace(tzinfo=result.date_done.tzinfo or UTC) - wall).total_seconds()
        for result in results
        if result.date_done
    )
    if len(done) <= 10:
        print(f"  ranges {', '.join(f'{first}-{last}' for first, last in ranges)} done after "
              f"{', '.join(f'{seconds:.1f}' for seconds in done)} s")  # fmt: skip
    return scored, elapsed, len(ranges)


def between_nights() -> None:
    """What the day between two nights does for the planner: autovacuum analyses the tables the night filled."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def score_on_worker(nights: list[datetime], concurrency: int) -> tuple[list[tuple[int, float]], dict[int, float]]:
    from config.celery import app

    app.control.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "scoring", "-n", WORKER_NAME,
         "--concurrency", str(concurrency), "--pool", "prefork", "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=dict(os.environ, DEBUG="false"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Celery worker did not start")
        runs = []
        for night, as_of in enumerate(nights):
            if night:
                between_nights()
            scored, elapsed, tasks = _range_tasks(as_of)
            runs.append((scored, elapsed))
            print(f"  as of {as_of.isoformat()}: {tasks} range tasks on the `scoring` queue "
                  f"(concurrency {concurrency}), {elapsed:.1f} s")  # fmt: skip
        peaks = {pid: vmhwm_mb(pid) for pid in [worker.pid, *children(worker.pid)]}
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(120)
        except subprocess.TimeoutExpired:
            worker.kill()
    return runs, peaks


def score_in_process(nights: list[datetime]) -> tuple[list[tuple[int, float]], dict[int, float]]:
    from credit import services, tasks

    runs = []
    for night, as_of in enumerate(nights):
        if night:
            between_nights()
        started = time.perf_counter()
        ranges = services.merchant_id_ranges(max_tasks=tasks.MAX_TASKS, as_of=as_of)
        scored = sum(services.merchants_score_range(first_id=f, last_id=last, as_of=as_of) for f, last in ranges)
        runs.append((scored, time.perf_counter() - started))
        print(f"  as of {as_of.isoformat()}: {len(ranges)} ranges in this process (no REDIS_URL: no broker), "
              f"{runs[-1][1]:.1f} s")  # fmt: skip
    return runs, {os.getpid(): resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def compare(cursor, *, as_of: datetime, window: int) -> tuple[int, int, list]:
    values = ", ".join(
        f"('{name}', e.{num}::float8, {'e.' + den + '::float8' if den else 'NULL::float8'})"
        for name, num, den in EXPECTED
    )
    names = [name for name, _, _ in EXPECTED]
    cursor.execute(COMPARE.format(values=values), {"as_of": as_of, "window": window, "names": names})
    rows = cursor.fetchall()
    wrong = [row for row in rows if not row[-1]]
    return len(rows), len(wrong), wrong[:5]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--merchants", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--database", default="merchantops_bench")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", action="store_true", help="score a kept bench database again")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point at a PostgreSQL server (the bench makes its own database there)")
    exists = bool(admin(base, "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]))
    if exists and not args.reuse:
        admin(base, f'DROP DATABASE "{args.database}"')
    if not (exists and args.reuse):
        admin(base, f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = database_url(base, args.database)

    import django

    django.setup()
    from credit_data import generate
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from credit.selectors import current_policy

    try:
        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), (SELECT count(*) FROM orders_order) FROM merchants_merchant")
            merchants, orders = cursor.fetchone()
        if orders:
            print(f"reusing {args.database}: {merchants:,} merchants, {orders:,} orders")
            generation = None
        else:
            print(f"generating {args.merchants:,} merchants and {args.orders:,} orders in {args.database}:")
            counts = generate(os.environ["DATABASE_URL"], merchants=args.merchants, orders=args.orders, as_of=AS_OF)
            generation = counts.pop("seconds")
            for table, rows in counts.items():
                print(f"  {table:<26} {rows:>11,} rows")
            merchants, orders = counts["merchants_merchant"], counts["orders_order"]

        window = current_policy().window_days
        since = AS_OF - timedelta(days=window)
        params = {"since": since, "until": AS_OF, "today": AS_OF.date()}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM orders_order WHERE placed_at >= %(since)s AND placed_at < %(until)s", params
            )
            in_window = cursor.fetchone()[0]
            print(f"as of {AS_OF.isoformat()}, window {window} days: {in_window:,} orders in the window")
            first_sql = sql_baseline(cursor, params, jit=True)
            print(f"SQL aggregate (first run, JIT on)  : {first_sql:7.1f} s")
            cursor.execute("SELECT t FROM unnest(%s::text[]) t WHERE to_regclass(t) IS NOT NULL", [RESET_TABLES])
            cursor.execute(f"TRUNCATE {', '.join(t for (t,) in cursor.fetchall())} CASCADE")
            cursor.execute(RESET_MERCHANTS)
            cursor.execute("VACUUM (ANALYZE) merchants_merchant")

        mode = "a Celery worker" if settings.REDIS_URL else "this process"
        print(f"nightly scoring on {mode}, the night before and the night itself:")
        nights = [AS_OF - timedelta(days=1), AS_OF]
        if settings.REDIS_URL:
            runs, peaks = score_on_worker(nights, args.concurrency)
        else:
            runs, peaks = score_in_process(nights)
        (first_scored, first_night), (scored, scoring) = runs

        with connection.cursor() as cursor:
            second_sql = sql_baseline(cursor, params, jit=False)
            print(f"SQL aggregate (second run, JIT off): {second_sql:7.1f} s")
            compared, wrong, examples = compare(cursor, as_of=AS_OF, window=window)
            cursor.execute(
                "SELECT tier, count(*) FROM credit_creditscore WHERE as_of = %s GROUP BY tier ORDER BY tier", [AS_OF]
            )
            tiers = ", ".join(f"{tier} {n:,}" for tier, n in cursor.fetchall())
        baseline = min(first_sql, second_sql)

        print()
        print(f"merchants {merchants:,}; orders {orders:,} ({in_window:,} in the {window}-day window)")
        if generation is not None:
            print(f"generation                : {generation:7.1f} s")
        print(f"SQL aggregate (baseline)  : {baseline:7.1f} s (faster of {first_sql:.1f} s and {second_sql:.1f} s)")
        print(f"nightly scoring           : {scoring:7.1f} s, {scored:,} merchants scored (tiers: {tiers})")
        print(f"ratio scoring / SQL       : {scoring / baseline:7.2f}x (goal <= 2x)")
        print(
            f"first night               : {first_night:7.1f} s, {first_scored:,} merchants, "
            f"{first_night / baseline:.2f}x (every score, audit entry and consequence new)"
        )
        print(
            "peak RSS (VmHWM) per process: "
            + ", ".join(f"{pid}: {mb:.0f} MB" for pid, mb in peaks.items())
            + f"; max {max(peaks.values()):.0f} MB (goal <= 512 MB)"
        )
        print(f"numerators and denominators compared: {compared:,}, different: {wrong:,}")
        for example in examples:
            print(f"  differs: {example}")
    finally:
        connection.close()
        if not args.keep:
            admin(base, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            print(f"dropped {args.database}")
        else:
            print(f"kept {args.database} (drop it with: dropdb {args.database})")


if __name__ == "__main__":
    main()
