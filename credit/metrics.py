"""The score's inputs, measured set-based: a few aggregate queries over a chunk of merchants at a time.

Each function takes the chunk's merchant ids, the as-of time T and the window start T − W, and returns
{merchant_id: {component name: (numerator, denominator)}}; a mean is returned as (sum, count).
Definitions: DESIGN §3 "Metric definitions"; orders in the window are those placed in [T − W, T).

On PostgreSQL the order-based components come from one statement per chunk (`window_measures_postgres`),
shaped so its cost follows the chunk's own orders, never the size of the tables (bench/credit_scoring.py);
elsewhere (the SQLite demo) from the portable queries `order_measures`, `on_time_measures` and
`review_measures`. Both give the same figures; tests/credit runs against either database.
"""

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from complaints.selectors import lost_disputes, upheld_complaints
from credit.choices import (
    AVERAGE_REVIEW_SCORE,
    CANCELLATION_RATE,
    GRADE_POINTS,
    LATE_SHIPMENT_RATE,
    ON_TIME_DELIVERY_RATE,
    ORDER_DEFECT_RATE,
    PUBLIC_RECORDS,
    PUBLIC_RECORDS_YEARS,
    REGISTERED_CAPITAL,
    RETURN_RATE,
    SEVERITY_WEIGHTS,
    VALID_TRACKING_RATE,
    VIOLATION_POINTS,
    YEARS_IN_BUSINESS,
    RecordKind,
)
from credit.models import ExternalRecord
from credit.selectors.violations import months_before, points_by_merchant
from logistics.models import Shipment, TrackingEvent
from orders.choices import OrderStatus, ReturnType
from orders.models import Order, OrderReview, ReturnRequest
from profiles.models import Profile

Measures = dict[int, dict[str, tuple[float, float]]]


def _orders(merchant_ids: list[int], since: datetime, until: datetime):
    return Order.objects.filter(merchant_id__any=merchant_ids, placed_at__gte=since, placed_at__lt=until).order_by()


def order_measures(merchant_ids: list[int], since: datetime, until: datetime) -> Measures:
    """Late shipment, cancellation, valid tracking, order defects and returns: one query over the orders."""
    tracked = TrackingEvent.objects.filter(shipment__order_id=OuterRef("pk"), occurred_at__lt=until)
    complained = upheld_complaints(since=since, until=until).filter(order_id=OuterRef("pk"))
    disputed = lost_disputes(since=since, until=until).filter(complaint__order_id=OuterRef("pk"))
    poorly_reviewed = OrderReview.objects.filter(order_id=OuterRef("pk"), score__lte=2, created_at__lt=until)
    returned = ReturnRequest.objects.filter(
        order_id=OuterRef("pk"), type__in=(ReturnType.RETURN, ReturnType.EXCHANGE), created_at__lt=until
    )
    handed = Q(shipped_at__isnull=False, shipped_at__lt=until)
    delivered = Q(delivered_at__isnull=False, delivered_at__lt=until)
    rows = (
        _orders(merchant_ids, since, until)
        .values("merchant_id")
        .annotate(
            orders=Count("id"),
            cancelled=Count("id", filter=Q(status=OrderStatus.CANCELLED)),
            handed=Count("id", filter=handed),
            late=Count("id", filter=handed & Q(ship_by__isnull=False, shipped_at__gt=F("ship_by"))),
            tracked=Count("id", filter=handed & Q(Exists(tracked))),
            defective=Count("id", filter=Q(Exists(complained)) | Q(Exists(disputed)) | Q(Exists(poorly_reviewed))),
            delivered=Count("id", filter=delivered),
            returned=Count("id", filter=Q(Exists(returned))),
        )
    )
    result: Measures = {}
    for row in rows:
        result[row["merchant_id"]] = {
            LATE_SHIPMENT_RATE: (row["late"], row["handed"]),
            CANCELLATION_RATE: (row["cancelled"], row["orders"]),
            VALID_TRACKING_RATE: (row["tracked"], row["handed"]),
            ORDER_DEFECT_RATE: (row["defective"], row["orders"]),
            RETURN_RATE: (row["returned"], row["delivered"]),
        }
    return result


def on_time_measures(merchant_ids: list[int], since: datetime, until: datetime) -> Measures:
    """On-time delivery compares calendar dates in each order's own time zone: one query per time zone
    present in the window (a handful), each over the whole chunk."""
    base = _orders(merchant_ids, since, until).filter(
        delivered_at__isnull=False, delivered_at__lt=until, deliver_by__isnull=False
    )
    zones = list(base.values_list("time_zone", flat=True).distinct())
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for zone in zones:
        tz = ZoneInfo(zone)
        rows = (
            base.filter(time_zone=zone)
            .annotate(delivered_on=TruncDate("delivered_at", tzinfo=tz), due_on=TruncDate("deliver_by", tzinfo=tz))
            .values("merchant_id")
            .annotate(n=Count("id"), on_time=Count("id", filter=Q(delivered_on__lte=F("due_on"))))
        )
        for row in rows:
            counts[row["merchant_id"]][0] += row["on_time"]
            counts[row["merchant_id"]][1] += row["n"]
    return {merchant: {ON_TIME_DELIVERY_RATE: (ok, n)} for merchant, (ok, n) in counts.items()}


def review_measures(merchant_ids: list[int], since: datetime, until: datetime) -> Measures:
    """The mean of the reviews of orders in the window (written before T), each review row once."""
    rows = (
        OrderReview.objects.filter(
            order__merchant_id__any=merchant_ids,
            order__placed_at__gte=since,
            order__placed_at__lt=until,
            created_at__lt=until,
        )
        .order_by()
        .values("order__merchant_id")
        .annotate(total=Sum("score"), n=Count("id"))
    )
    return {row["order__merchant_id"]: {AVERAGE_REVIEW_SCORE: (row["total"], row["n"])} for row in rows}


# The chunk's orders in the window come from the index (merchant, placed_at) that carries their columns,
# its shipments from the index (merchant) that carries their orders and last event times, upheld complaints
# and lost disputes by merchant (each carries its order's merchant). Reviews (summed by merchant; only poor
# ones count order by order) and returns are joined to the chunk's orders, and the planner picks how: index
# probes for a few merchants (an event's rescore), one hash join for a nightly pass of thousands, never a
# pass per merchant (bench/credit_scoring.py).
# A shipment whose last event came before T was tracked before T: tracking_events_ingest keeps
# `last_event_at` the latest event's time. Only the others (no event yet, or the last one at T or later)
# are looked up among the events.
WINDOW_SQL = """
WITH windowed AS MATERIALIZED ({windowed}),
tracked AS (
    SELECT s.order_id FROM {shipment} s
    LEFT JOIN LATERAL (
        SELECT true AS found FROM {event} e
        WHERE (s.last_event_at IS NULL OR s.last_event_at >= %(until)s)
          AND e.shipment_id = s.id AND e.occurred_at < %(until)s
        LIMIT 1
    ) earlier ON true
    WHERE s.merchant_id = ANY(%(ids)s) AND (s.last_event_at < %(until)s OR earlier.found)
),
defective AS (
    {complained}
    UNION
    {disputed}
    UNION
    SELECT r.order_id FROM {review} r JOIN windowed w ON w.id = r.order_id
    WHERE r.score <= 2 AND r.created_at < %(until)s
),
reviewed AS (
    SELECT w.merchant_id, sum(r.score) AS total, count(*) AS n
    FROM {review} r JOIN windowed w ON w.id = r.order_id
    WHERE r.created_at < %(until)s
    GROUP BY w.merchant_id
),
returned AS (
    SELECT DISTINCT x.order_id FROM {returns} x JOIN windowed w ON w.id = x.order_id
    WHERE x.type = ANY(%(return_types)s) AND x.created_at < %(until)s
),
counted AS (
    SELECT w.merchant_id,
           count(*) AS orders,
           count(*) FILTER (WHERE w.status = %(cancelled)s) AS cancelled,
           count(*) FILTER (WHERE w.shipped_at < %(until)s) AS handed,
           count(*) FILTER (WHERE w.shipped_at < %(until)s AND w.shipped_at > w.ship_by) AS late,
           count(*) FILTER (WHERE w.shipped_at < %(until)s AND t.order_id IS NOT NULL) AS tracked,
           count(*) FILTER (WHERE d.order_id IS NOT NULL) AS defective,
           count(*) FILTER (WHERE w.delivered_at < %(until)s) AS delivered,
           count(*) FILTER (WHERE rt.order_id IS NOT NULL) AS returned,
           count(*) FILTER (WHERE w.delivered_at < %(until)s AND w.deliver_by IS NOT NULL) AS dated,
           count(*) FILTER (WHERE w.delivered_at < %(until)s AND w.deliver_by IS NOT NULL
                              AND (w.delivered_at AT TIME ZONE w.time_zone)::date
                                  <= (w.deliver_by AT TIME ZONE w.time_zone)::date) AS on_time
    FROM windowed w
    LEFT JOIN tracked t ON t.order_id = w.id
    LEFT JOIN defective d ON d.order_id = w.id
    LEFT JOIN returned rt ON rt.order_id = w.id
    GROUP BY w.merchant_id
)
SELECT c.merchant_id, c.orders, c.cancelled, c.handed, c.late, c.tracked, c.defective, c.delivered, c.returned,
       c.dated, c.on_time, coalesce(rv.total, 0), coalesce(rv.n, 0)
FROM counted c LEFT JOIN reviewed rv ON rv.merchant_id = c.merchant_id
"""


def _named(queryset, prefix: str, params: dict) -> str:
    """The queryset's SQL with its parameters renamed `prefix<n>` into `params`, to embed in WINDOW_SQL."""
    sql, values = queryset.query.sql_with_params()
    pieces = sql.split("%s")
    for number, value in enumerate(values):
        params[f"{prefix}{number}"] = value
    return pieces[0] + "".join(f"%({prefix}{n})s{piece}" for n, piece in enumerate(pieces[1:]))


WORK_MEM = "64MB"


def window_measures_postgres(merchant_ids: list[int], since: datetime, until: datetime) -> Measures:
    """Every order-based component of the chunk in one statement (the definitions of the three functions above,
    upheld complaints and lost disputes as complaints.selectors define them)."""
    if not merchant_ids:
        return {}
    params: dict = {
        "ids": merchant_ids,
        "until": until,
        "cancelled": OrderStatus.CANCELLED,
        "return_types": [ReturnType.RETURN, ReturnType.EXCHANGE],
    }
    windowed = _orders(merchant_ids, since, until).values_list(
        "id", "merchant_id", "status", "shipped_at", "ship_by", "delivered_at", "deliver_by", "time_zone"
    )
    complained = (
        upheld_complaints(since=since, until=until)
        .filter(merchant_id__any=merchant_ids, order_id__isnull=False)
        .order_by()
        .values_list("order_id")
    )
    disputed = (
        lost_disputes(since=since, until=until)
        .filter(merchant_id__any=merchant_ids, complaint__order_id__isnull=False)
        .order_by()
        .values_list("complaint__order_id")
    )
    quote = connection.ops.quote_name
    sql = WINDOW_SQL.format(
        windowed=_named(windowed, "w", params),
        complained=_named(complained, "c", params),
        disputed=_named(disputed, "d", params),
        shipment=quote(Shipment._meta.db_table),
        event=quote(TrackingEvent._meta.db_table),
        review=quote(OrderReview._meta.db_table),
        returns=quote(ReturnRequest._meta.db_table),
    )
    result: Measures = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # Compiling the statement (JIT) costs more than it saves here; a nightly pass's hash joins fit in 64 MB.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = %s", [WORK_MEM])
        cursor.execute(sql, params)
        for (merchant_id, orders, cancelled, handed, late, tracked, defective, delivered, returned, dated, on_time,
             review_total, reviews) in cursor.fetchall():  # fmt: skip
            result[merchant_id] = {
                LATE_SHIPMENT_RATE: (late, handed),
                CANCELLATION_RATE: (cancelled, orders),
                VALID_TRACKING_RATE: (tracked, handed),
                ORDER_DEFECT_RATE: (defective, orders),
                RETURN_RATE: (returned, delivered),
                ON_TIME_DELIVERY_RATE: (on_time, dated),
            }
            if reviews:
                result[merchant_id][AVERAGE_REVIEW_SCORE] = (review_total, reviews)
    return result


def window_measures(merchant_ids: list[int], since: datetime, until: datetime) -> list[Measures]:
    """The order-based components of the chunk, in parts to merge."""
    if connection.vendor == "postgresql":
        return [window_measures_postgres(merchant_ids, since, until)]
    return [
        order_measures(merchant_ids, since, until),
        on_time_measures(merchant_ids, since, until),
        review_measures(merchant_ids, since, until),
    ]


def reputation_measures(merchant_ids: list[int], as_of: datetime) -> dict[int, dict[str, float]]:
    """Years in business (from the founding date) and registered capital, from the merchant's profile."""
    today: date = as_of.date()
    result: dict[int, dict[str, float]] = {}
    for merchant_id, founded_on, capital in Profile.objects.filter(merchant_id__any=merchant_ids).values_list(
        "merchant_id", "founded_on", "registered_capital"
    ):
        values = {}
        if founded_on is not None and founded_on <= today:
            values[YEARS_IN_BUSINESS] = (today - founded_on).days / 365.25
        if capital is not None:
            values[REGISTERED_CAPITAL] = float(capital)
        result[merchant_id] = values
    return result


def violation_measures(merchant_ids: list[int], as_of: datetime) -> dict[int, dict[str, float]]:
    """Violation points: points of decided violations in the 12 months before T, not reversed by an upheld
    appeal before T (one aggregate query). A merchant without violations has 0 points, a known value."""
    totals = points_by_merchant(merchant_ids, since=months_before(as_of), until=as_of)
    return {merchant_id: {VIOLATION_POINTS: float(totals.get(merchant_id, 0))} for merchant_id in merchant_ids}


def public_records_since(today: date) -> date:
    """The day before the PUBLIC_RECORDS_YEARS-year window that ends on `today` (records dated after it count)."""
    try:
        return today.replace(year=today.year - PUBLIC_RECORDS_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - PUBLIC_RECORDS_YEARS, day=28)


def public_record_measures(merchant_ids: list[int], as_of: datetime) -> dict[int, dict[str, float]]:
    """The record balance of each merchant over the records dated in the PUBLIC_RECORDS_YEARS years up to T:
    + the grade points of each source's newest credit grade (A +2, B +1, C −1, D −2)
    − the severity weights of the administrative penalties and court judgments (low 1, medium 2, high 4).
    A merchant without records has a balance of 0. Two queries, whatever the size of the chunk."""
    today: date = timezone.localdate(as_of, timezone.get_default_timezone())
    since = public_records_since(today)
    records = ExternalRecord.objects.filter(merchant_id__any=merchant_ids, date__gt=since, date__lte=today).order_by()
    balance: dict[int, float] = dict.fromkeys(merchant_ids, 0.0)
    weight = Case(
        *[When(severity=severity, then=Value(points)) for severity, points in SEVERITY_WEIGHTS.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    negative = (
        records.filter(kind__in=(RecordKind.ADMINISTRATIVE_PENALTY, RecordKind.COURT_JUDGMENT))
        .values("merchant_id")
        .annotate(points=Sum(weight))
    )
    for row in negative:
        balance[row["merchant_id"]] -= row["points"]
    newest_grades = (
        records.filter(kind=RecordKind.CREDIT_GRADE)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("merchant_id"), F("source")], order_by=[F("date").desc(), F("id").desc()]
            )
        )
        .filter(rank=1)
        .values_list("merchant_id", "grade")
    )
    for merchant_id, grade in newest_grades:
        balance[merchant_id] += GRADE_POINTS[grade]
    return {merchant_id: {PUBLIC_RECORDS: value} for merchant_id, value in balance.items()}


def measure_chunk(merchant_ids: list[int], since: datetime, until: datetime):
    """Every measured input of the chunk: (ratio and mean measures by merchant, reputation values by merchant)."""
    measures: Measures = defaultdict(dict)
    for part in window_measures(merchant_ids, since, until):
        for merchant_id, values in part.items():
            measures[merchant_id].update(values)
    values = reputation_measures(merchant_ids, until)
    for part in (violation_measures(merchant_ids, until), public_record_measures(merchant_ids, until)):
        for merchant_id, measured in part.items():
            values.setdefault(merchant_id, {}).update(measured)
    return measures, values


# Orders a sample should hold for the volumes below to split a night into ranges of even work (a few percent).
VOLUME_SAMPLE_ROWS = 100_000


def order_volumes(since: datetime, until: datetime) -> dict[int, float]:
    """How many orders each merchant placed in [since, until), for cutting a night into ranges of even work:
    on PostgreSQL estimated from a sample of the table's pages (TABLESAMPLE SYSTEM, about VOLUME_SAMPLE_ROWS
    rows, milliseconds where counting them all takes most of a second per million), counted elsewhere."""
    orders = Order.objects.filter(placed_at__gte=since, placed_at__lt=until).order_by()
    if connection.vendor != "postgresql":
        return dict(orders.values("merchant_id").annotate(n=Count("id")).values_list("merchant_id", "n"))
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Order._meta.db_table])
        rows = max(1.0, float(cursor.fetchone()[0]))  # -1 before the table is first analysed
        percent = min(100.0, 100.0 * VOLUME_SAMPLE_ROWS / rows)
        # the table name is ours; the rest are parameters
        cursor.execute(
            f"SELECT merchant_id, count(*) FROM {table} TABLESAMPLE SYSTEM (%s) "  # noqa: S608
            "WHERE placed_at >= %s AND placed_at < %s GROUP BY merchant_id",
            [percent, since, until],
        )
        return {merchant_id: n * 100.0 / percent for merchant_id, n in cursor.fetchall()}
