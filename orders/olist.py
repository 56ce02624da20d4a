"""Loading the Olist marketplace data set (see README, "Olist data"): sellers become merchants, each
seller's part of an Olist order becomes one order, with its items, payments and reviews.

On PostgreSQL the work is set-based (`PostgresOlistImport`): each CSV file is streamed with COPY into a
temporary text table, exactly as read, and a few `INSERT … SELECT … ON CONFLICT DO NOTHING` statements
build merchants, orders, items, payments and reviews from them, mapping statuses and São Paulo wall-clock
times in SQL, all in one transaction. Python never holds the rows.

Elsewhere (SQLite) it streams in Python (`OlistImport`): the order, item, payment and review files are
read once and split by order id into bucket files on disk, then each bucket is joined and inserted with
bulk_create on its own, so memory holds one bucket (plus three small maps: seller → merchant, product →
category and weight, customer → state and buyer).

Both give the same rows. Idempotent: merchants are matched on `external_ref`, orders on (merchant,
external_id); anything already there is skipped with all its rows.
"""

import csv
import functools
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from core.audit import audit
from core.regions import brazil_code, regions_load_brazil
from merchants.choices import KycStatus, MerchantStatus
from merchants.models import Merchant
from orders.choices import OrderStatus, PaymentStatus, PaymentType
from orders.models import Order, OrderItem, OrderPayment, OrderReview

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
CENT = Decimal("0.01")
FILES = {
    "sellers": "olist_sellers_dataset.csv",
    "products": "olist_products_dataset.csv",
    "categories": "product_category_name_translation.csv",
    "customers": "olist_customers_dataset.csv",
    "orders": "olist_orders_dataset.csv",
    "items": "olist_order_items_dataset.csv",
    "payments": "olist_order_payments_dataset.csv",
    "reviews": "olist_order_reviews_dataset.csv",
}
# Olist's order status -> ours. Olist's flow is created, approved, processing, invoiced, shipped, delivered.
STATUS_MAP = {
    "created": OrderStatus.PENDING,
    "approved": OrderStatus.CONFIRMED,
    "processing": OrderStatus.ALLOCATED,
    "invoiced": OrderStatus.PACKED,
    "shipped": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "canceled": OrderStatus.CANCELLED,
    "unavailable": OrderStatus.CANCELLED,
}
PAYMENT_MAP = {
    "credit_card": PaymentType.CREDIT_CARD,
    "debit_card": PaymentType.DEBIT_CARD,
    "boleto": PaymentType.BOLETO,
    "voucher": PaymentType.VOUCHER,
    "not_defined": PaymentType.NOT_DEFINED,
}
ORDERS_PER_BUCKET = 5000

ORDER_COLUMNS = [
    "created_at", "updated_at", "merchant_id", "external_id", "buyer_ref", "ship_to_region_id", "currency",
    "items_total", "shipping_fee", "total", "refunded_amount", "payment_type", "payment_status", "status",
    "placed_at", "confirmed_at", "allocated_at", "packed_at", "shipped_at", "delivered_at", "completed_at",
    "cancelled_at", "cancel_reason", "ship_by", "deliver_by", "time_zone", "warehouse_id", "carrier",
    "tracking_number",
]  # fmt: skip
ITEM_COLUMNS = ["order_id", "line_no", "sku", "name", "quantity", "unit_price", "weight_kg"]
PAYMENT_COLUMNS = ["order_id", "sequential", "payment_type", "installments", "amount"]
REVIEW_COLUMNS = ["order_id", "external_id", "score", "title", "comment", "created_at", "answered_at"]


def local_time(value: str) -> datetime | None:
    """Olist's timestamps are wall-clock times in São Paulo."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=SAO_PAULO)


def end_of_local_day(value: str) -> datetime | None:
    """An estimated delivery *date*: the promise holds until the end of that day."""
    if not value:
        return None
    return datetime.combine(datetime.fromisoformat(value).date(), time(23, 59, 59), tzinfo=SAO_PAULO)


def read_csv(path: Path) -> Iterator[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def bucket_of(order_id: str, buckets: int) -> int:
    return int(order_id[:8], 16) % buckets


@dataclass
class ImportStats:
    merchants: int = 0
    orders: int = 0
    items: int = 0
    payments: int = 0
    reviews: int = 0
    skipped_orders: int = 0
    # Olist orders with no items have no seller, so no merchant to belong to (all cancelled or just created).
    orders_without_items: int = 0
    rows_read: int = 0
    by_status: dict = field(default_factory=lambda: defaultdict(int))


class BulkWriter:
    """bulk_create in batches, returning the new ids (SQLite and other backends that return them)."""

    def insert(self, model, columns: list[str], rows: list[tuple]) -> list[int]:
        if not rows:
            return []
        objects = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )
        return [obj.pk for obj in objects]


class OlistImport:
    def __init__(self, directory: Path, *, progress: Callable[[str], None] = lambda message: None):
        self.directory = Path(directory)
        self.progress = progress
        self.stats = ImportStats()
        self.writer = BulkWriter()
        missing = [name for name in FILES.values() if not (self.directory / name).is_file()]
        if missing:
            raise FileNotFoundError(f"{self.directory} lacks {', '.join(missing)}")

    def path(self, key: str) -> Path:
        return self.directory / FILES[key]

    def rows(self, key: str) -> Iterator[dict]:
        for row in read_csv(self.path(key)):
            self.stats.rows_read += 1
            yield row

    def run(self) -> ImportStats:
        regions_load_brazil()
        self.merchant_ids = self.load_sellers()
        self.products = self.load_products()
        self.customers = {
            row["customer_id"]: (row["customer_state"], row["customer_unique_id"]) for row in self.rows("customers")
        }
        buckets = max(1, self.path("orders").stat().st_size // (ORDERS_PER_BUCKET * 175))
        with tempfile.TemporaryDirectory(prefix="olist-") as scratch:
            scratch = Path(scratch)
            self.partition(scratch, buckets)
            for bucket in range(buckets):
                self.load_bucket(scratch, bucket)
                self.progress(
                    f"bucket {bucket + 1}/{buckets}: {self.stats.orders} orders, {self.stats.items} items, "
                    f"{self.stats.payments} payments, {self.stats.reviews} reviews, "
                    f"{self.stats.skipped_orders} already there"
                )
        with transaction.atomic():
            audit_import(self.stats)
        return self.stats

    def load_sellers(self) -> dict[str, int]:
        existing = dict(Merchant.objects.exclude(external_ref="").values_list("external_ref", "pk"))
        now = timezone.now()
        new = []
        for row in self.rows("sellers"):
            seller = row["seller_id"]
            if seller in existing:
                continue
            existing[seller] = None
            new.append(
                Merchant(
                    name=f"Olist seller {seller[:8]} ({row['seller_city']}/{row['seller_state']})",
                    legal_name=f"Olist seller {seller}",
                    external_ref=seller,
                    status=MerchantStatus.ACTIVE,
                    kyc_status=KycStatus.APPROVED,
                    created_at=now,
                    updated_at=now,
                )
            )
        Merchant.objects.bulk_create(new, batch_size=1000)
        self.stats.merchants = len(new)
        self.progress(f"sellers: {len(new)} new merchants")
        return dict(Merchant.objects.exclude(external_ref="").values_list("external_ref", "pk"))

    def load_products(self) -> dict[str, tuple[str, Decimal]]:
        english = {
            row["product_category_name"]: row["product_category_name_english"] for row in self.rows("categories")
        }
        products = {}
        for row in self.rows("products"):
            category = row["product_category_name"]
            grams = row["product_weight_g"]
            products[row["product_id"]] = (
                english.get(category, category) or "product",
                (Decimal(grams) / 1000).quantize(Decimal("0.001"), ROUND_HALF_UP) if grams else Decimal("0"),
            )
        return products

    def partition(self, scratch: Path, buckets: int) -> None:
        for key in ("orders", "items", "payments", "reviews"):
            with ExitStack() as stack:
                writers = [
                    csv.writer(stack.enter_context(open(scratch / f"{key}-{n}.csv", "w", newline="", encoding="utf-8")))
                    for n in range(buckets)
                ]
                header = None
                for row in self.rows(key):
                    if header is None:
                        header = list(row)
                        for writer in writers:
                            writer.writerow(header)
                    writers[bucket_of(row["order_id"], buckets)].writerow(row.values())

    def load_bucket(self, scratch: Path, bucket: int) -> None:
        orders = {row["order_id"]: row for row in read_csv(scratch / f"orders-{bucket}.csv")}
        items, payments, reviews = defaultdict(list), defaultdict(list), defaultdict(list)
        for row in read_csv(scratch / f"items-{bucket}.csv"):
            items[row["order_id"]].append(row)
        for row in read_csv(scratch / f"payments-{bucket}.csv"):
            payments[row["order_id"]].append(row)
        for row in read_csv(scratch / f"reviews-{bucket}.csv"):
            reviews[row["order_id"]].append(row)
        existing = set(Order.objects.filter(external_id__in=list(orders)).values_list("merchant_id", "external_id"))
        now = timezone.now()
        order_rows, children = [], []
        for order_id, order in orders.items():
            by_seller = defaultdict(list)
            for item in items.get(order_id, ()):
                by_seller[item["seller_id"]].append(item)
            if not by_seller:
                self.stats.orders_without_items += 1
                continue
            cart_total = sum(Decimal(i["price"]) + Decimal(i["freight_value"]) for i in items[order_id])
            paid = payments.get(order_id, [])
            state, buyer = self.customers[order["customer_id"]]
            for seller, lines in sorted(by_seller.items()):
                merchant_id = self.merchant_ids[seller]
                if (merchant_id, order_id) in existing:
                    self.stats.skipped_orders += 1
                    continue
                row, child = self.build_order(order, lines, paid, cart_total, merchant_id, state, buyer, now)
                order_rows.append(row)
                children.append((child, reviews.get(order_id, [])))
        with transaction.atomic():
            ids = self.writer.insert(Order, ORDER_COLUMNS, order_rows)
            item_rows, payment_rows, review_rows = [], [], []
            for pk, ((lines, shares), order_reviews) in zip(ids, children, strict=True):
                item_rows.extend((pk, *line) for line in lines)
                payment_rows.extend((pk, *share) for share in shares)
                review_rows.extend((pk, *self.review_row(review)) for review in order_reviews)
            self.writer.insert(OrderItem, ITEM_COLUMNS, item_rows)
            self.writer.insert(OrderPayment, PAYMENT_COLUMNS, payment_rows)
            self.writer.insert(OrderReview, REVIEW_COLUMNS, review_rows)
        self.stats.orders += len(order_rows)
        self.stats.items += len(item_rows)
        self.stats.payments += len(payment_rows)
        self.stats.reviews += len(review_rows)

    def build_order(self, order, lines, paid, cart_total, merchant_id, state, buyer, now):
        status = STATUS_MAP[order["order_status"]]
        self.stats.by_status[status] += 1
        grouped: dict[tuple[str, str], int] = defaultdict(int)
        for line in lines:
            grouped[(line["product_id"], line["price"])] += 1
        item_lines = []
        for number, ((product, price), quantity) in enumerate(grouped.items(), start=1):
            name, weight = self.products.get(product, ("product", Decimal("0")))
            item_lines.append((number, product, name, quantity, Decimal(price), weight))
        items_total = sum((Decimal(line["price"]) for line in lines), Decimal("0"))
        shipping = sum((Decimal(line["freight_value"]) for line in lines), Decimal("0"))
        total = items_total + shipping
        # A cart paid once is split between its sellers in proportion to their share of it.
        share = total / cart_total if cart_total else Decimal("1")
        shares = [
            (
                int(p["payment_sequential"]),
                PAYMENT_MAP.get(p["payment_type"], PaymentType.NOT_DEFINED),
                int(p["payment_installments"] or 1),
                (Decimal(p["payment_value"]) * share).quantize(CENT, ROUND_HALF_UP),
            )
            for p in sorted(paid, key=lambda p: int(p["payment_sequential"]))
        ]
        main_payment = max(shares, key=lambda s: s[3])[1] if shares else PaymentType.NOT_DEFINED
        approved = local_time(order["order_approved_at"])
        shipped = local_time(order["order_delivered_carrier_date"])
        delivered = local_time(order["order_delivered_customer_date"])
        ship_by = min(local_time(line["shipping_limit_date"]) for line in lines)
        cancelled = status == OrderStatus.CANCELLED
        row = (
            now, now, merchant_id, order["order_id"], buyer, brazil_code(state), "BRL",
            items_total, shipping, total, Decimal("0.00"), main_payment,
            PaymentStatus.PAID if approved else PaymentStatus.PENDING, status,
            local_time(order["order_purchase_timestamp"]), approved, None, None, shipped,
            delivered, None, None, f"olist: {order['order_status']}" if cancelled else "",
            ship_by, end_of_local_day(order["order_estimated_delivery_date"][:10]), "America/Sao_Paulo",
            None, "", "",
        )  # fmt: skip
        return row, (item_lines, shares)

    @staticmethod
    def review_row(review: dict) -> tuple:
        return (
            review["review_id"],
            int(review["review_score"]),
            review["review_comment_title"][:200],
            review["review_comment_message"],
            local_time(review["review_creation_date"]),
            local_time(review["review_answer_timestamp"]),
        )


# The staging tables' columns the SQL below reads, per file; COPY takes every column of the header as text.
COLUMNS_USED = {
    "sellers": ("seller_id", "seller_city", "seller_state"),
    "products": ("product_id", "product_category_name", "product_weight_g"),
    "categories": ("product_category_name", "product_category_name_english"),
    "customers": ("customer_id", "customer_unique_id", "customer_state"),
    "orders": (
        "order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at",
        "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date",
    ),
    "items": ("order_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value"),
    "payments": ("order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"),
    "reviews": (
        "review_id", "order_id", "review_score", "review_comment_title", "review_comment_message",
        "review_creation_date", "review_answer_timestamp",
    ),
}  # fmt: skip
STAGE = "olist_stage_"


@functools.cache
def fall_back_dates(zone: ZoneInfo, first_year: int = 1900, last_year: int = 2100) -> tuple[date, ...]:
    """The local dates on which the zone turned its clocks back, so that some wall-clock times occur twice.

    Offsets are sampled weekly and each change is narrowed down to the second by bisection.
    """

    def offset(instant: datetime) -> timedelta:
        return instant.astimezone(zone).utcoffset()

    dates = set()
    before, end = datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year, 1, 1, tzinfo=UTC)
    while before < end:
        after = before + timedelta(days=7)
        if offset(after) < offset(before):
            low, high = before, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == offset(before) else (low, middle)
            # Local times from (turn + new offset) up to (turn + old offset) happen twice.
            day, last = (high + offset(high)).date(), (high + offset(before) - timedelta(seconds=1)).date()
            while day <= last:
                dates.add(day)
                day += timedelta(days=1)
        before = after
    return tuple(sorted(dates))


def sql_local_time(column: str) -> str:
    """`local_time` in SQL: '' is NULL, anything else a São Paulo wall-clock time made aware.

    PostgreSQL gives a time that occurs twice (the hour the clocks are turned back) its later instant;
    Python (fold=0) the earlier one, which is what the import has always stored: on the few dates where
    that can happen, take the instant an hour earlier when it reads the same on the wall clock.
    """
    local = f"nullif({column}, '')::timestamp"
    aware = f"({local} AT TIME ZONE 'America/Sao_Paulo')"
    dates = ", ".join(f"'{day.isoformat()}'" for day in fall_back_dates(SAO_PAULO))
    return (
        f"(CASE WHEN {local}::date IN ({dates}) "
        f"AND ({aware} - interval '1 hour') AT TIME ZONE 'America/Sao_Paulo' = {local} "
        f"THEN {aware} - interval '1 hour' ELSE {aware} END)"
    )


def sql_case(column: str, mapping: dict, default: str | None = None) -> str:
    """A CASE over a Python mapping; with no default an unknown value is NULL and fails NOT NULL, like a KeyError."""
    whens = " ".join(f"WHEN {sql_literal(key)} THEN {sql_literal(str(value))}" for key, value in mapping.items())
    return f"(CASE {column} {whens} ELSE {sql_literal(default) if default is not None else 'NULL'} END)"


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Dict semantics of the Python path: on a repeated key the last row wins (the first for sellers).
LATEST = "SELECT DISTINCT ON ({key}) * FROM {table} ORDER BY {key}, ctid DESC"

MERCHANTS_SQL = f"""
INSERT INTO merchants_merchant (created_at, updated_at, name, legal_name, uscc, status, kyc_status, external_ref)
SELECT %(now)s, %(now)s, 'Olist seller ' || left(seller_id, 8) || ' (' || seller_city || '/' || seller_state || ')',
       'Olist seller ' || seller_id, '', %(active)s, %(approved)s, seller_id
FROM (SELECT DISTINCT ON (seller_id) ctid AS file_row, * FROM {STAGE}sellers ORDER BY seller_id, ctid) AS seller
ORDER BY file_row
ON CONFLICT (external_ref) WHERE external_ref <> '' DO NOTHING
"""  # noqa: S608 - built from this module's constants only

# One row per (Olist order, seller): the order to be, with its share of the cart.
PARTS_SQL = f"""
CREATE TEMP TABLE {STAGE}parts ON COMMIT DROP AS
WITH parts AS (
    SELECT order_id, seller_id, sum(price::numeric) AS items_total, sum(freight_value::numeric) AS shipping,
           min({sql_local_time("shipping_limit_date")}) AS ship_by
    FROM {STAGE}items GROUP BY order_id, seller_id
)
SELECT o.*, part.seller_id, merchant.id AS merchant_id, part.items_total, part.shipping,
       part.items_total + part.shipping AS total, part.ship_by,
       sum(part.items_total + part.shipping) OVER (PARTITION BY o.order_id) AS cart_total,
       customer.customer_unique_id, customer.customer_state
FROM ({LATEST.format(key="order_id", table=STAGE + "orders")}) AS o
JOIN parts AS part ON part.order_id = o.order_id
LEFT JOIN merchants_merchant AS merchant ON merchant.external_ref = part.seller_id AND merchant.external_ref <> ''
LEFT JOIN ({LATEST.format(key="customer_id", table=STAGE + "customers")}) AS customer
       ON customer.customer_id = o.customer_id
"""  # noqa: S608 - built from this module's constants only

# A cart paid once is split between its sellers in proportion to their share of it, rounded half up.
PAYMENTS_SQL = f"""
CREATE TEMP TABLE {STAGE}shares ON COMMIT DROP AS
SELECT part.merchant_id, part.order_id, pay.ctid AS file_row,
       pay.payment_sequential::integer AS sequential,
       {sql_case("pay.payment_type", PAYMENT_MAP, PaymentType.NOT_DEFINED)} AS payment_type,
       coalesce(nullif(pay.payment_installments, ''), '1')::integer AS installments,
       round(CASE WHEN part.cart_total <> 0 THEN pay.payment_value::numeric * part.total / part.cart_total
                  ELSE pay.payment_value::numeric END, 2) AS amount
FROM {STAGE}parts AS part JOIN {STAGE}payments AS pay ON pay.order_id = part.order_id
"""  # noqa: S608 - built from this module's constants only

ORDERS_SQL = f"""
WITH new AS (
    INSERT INTO orders_order ({", ".join(ORDER_COLUMNS)})
    SELECT %(now)s, %(now)s, part.merchant_id, part.order_id, part.customer_unique_id,
           'BR-' || upper(part.customer_state), 'BRL', part.items_total, part.shipping, part.total, 0,
           coalesce(main.payment_type, %(not_defined)s),
           CASE WHEN part.order_approved_at = '' THEN %(pending)s ELSE %(paid)s END,
           {sql_case("part.order_status", STATUS_MAP)},
           {sql_local_time("part.order_purchase_timestamp")}, {sql_local_time("part.order_approved_at")}, NULL, NULL,
           {sql_local_time("part.order_delivered_carrier_date")},
           {sql_local_time("part.order_delivered_customer_date")},
           NULL, NULL,
           CASE WHEN {sql_case("part.order_status", STATUS_MAP)} = %(cancelled)s
                THEN 'olist: ' || part.order_status ELSE '' END,
           part.ship_by,
           ((nullif(left(part.order_estimated_delivery_date, 10), '')::date + time '23:59:59')
               AT TIME ZONE 'America/Sao_Paulo'),
           'America/Sao_Paulo', NULL, '', ''
    FROM {STAGE}parts AS part
    LEFT JOIN (
        -- the payment type of the largest share, the first in sequence on a tie, as max() over a sorted list
        SELECT DISTINCT ON (merchant_id, order_id) merchant_id, order_id, payment_type FROM {STAGE}shares
        ORDER BY merchant_id, order_id, amount DESC, sequential, file_row
    ) AS main ON main.merchant_id = part.merchant_id AND main.order_id = part.order_id
    ON CONFLICT (merchant_id, external_id) DO NOTHING
    RETURNING id, merchant_id, external_id, status
),
products AS (
    SELECT product.product_id,
           coalesce(nullif(coalesce(category.product_category_name_english, product.product_category_name), ''),
                    'product') AS name,
           CASE WHEN product.product_weight_g = '' THEN 0
                ELSE round(product.product_weight_g::numeric / 1000, 3) END AS weight_kg
    FROM ({LATEST.format(key="product_id", table=STAGE + "products")}) AS product
    LEFT JOIN ({LATEST.format(key="product_category_name", table=STAGE + "categories")}) AS category
           ON category.product_category_name = product.product_category_name
),
lines AS (
    -- identical product/price rows of one seller's part are one line with a quantity, numbered in file order
    SELECT order_id, seller_id, product_id, price, count(*) AS quantity,
           row_number() OVER (PARTITION BY order_id, seller_id ORDER BY min(file_row)) AS line_no
    FROM {STAGE}items GROUP BY order_id, seller_id, product_id, price
),
new_parts AS (
    SELECT new.id, new.status, part.order_id, part.seller_id, part.merchant_id
    FROM new JOIN {STAGE}parts AS part ON part.merchant_id = new.merchant_id AND part.order_id = new.external_id
),
new_items AS (
    INSERT INTO orders_orderitem ({", ".join(ITEM_COLUMNS)})
    SELECT new_parts.id, line.line_no, line.product_id, coalesce(product.name, 'product'), line.quantity,
           line.price::numeric, coalesce(product.weight_kg, 0)
    FROM new_parts
    JOIN lines AS line ON line.order_id = new_parts.order_id AND line.seller_id = new_parts.seller_id
    LEFT JOIN products AS product ON product.product_id = line.product_id
    RETURNING quantity
),
new_payments AS (
    INSERT INTO orders_orderpayment ({", ".join(PAYMENT_COLUMNS)})
    SELECT new_parts.id, share.sequential, share.payment_type, share.installments, share.amount
    FROM new_parts
    JOIN {STAGE}shares AS share ON share.merchant_id = new_parts.merchant_id AND share.order_id = new_parts.order_id
    RETURNING 1
),
new_reviews AS (
    INSERT INTO orders_orderreview ({", ".join(REVIEW_COLUMNS)})
    SELECT new_parts.id, review.review_id, review.review_score::integer, left(review.review_comment_title, 200),
           review.review_comment_message, {sql_local_time("review.review_creation_date")},
           {sql_local_time("review.review_answer_timestamp")}
    FROM new_parts JOIN {STAGE}reviews AS review ON review.order_id = new_parts.order_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM new), (SELECT count(*) FROM new_items), (SELECT count(*) FROM new_payments),
       (SELECT count(*) FROM new_reviews), (SELECT count(*) FROM {STAGE}parts),
       (SELECT count(DISTINCT order_id) FROM {STAGE}orders
         WHERE NOT EXISTS (SELECT FROM {STAGE}parts AS part WHERE part.order_id = {STAGE}orders.order_id)),
       (SELECT coalesce(json_object_agg(status, n), '{{}}')
          FROM (SELECT status, count(*) AS n FROM new GROUP BY status) AS by_status)
"""  # noqa: S608 - built from this module's constants only


class PostgresOlistImport:
    """The set-based import: COPY the files into temporary tables, then build everything with INSERT … SELECT."""

    def __init__(self, directory: Path, *, progress: Callable[[str], None] = lambda message: None):
        self.directory = Path(directory)
        self.progress = progress
        self.stats = ImportStats()
        missing = [name for name in FILES.values() if not (self.directory / name).is_file()]
        if missing:
            raise FileNotFoundError(f"{self.directory} lacks {', '.join(missing)}")

    def run(self) -> ImportStats:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            # The joins and sorts below hold a few tens of thousands of rows each: keep them in memory.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            regions_load_brazil()
            for key, name in FILES.items():
                self.stats.rows_read += self.stage(cursor, key, self.directory / name)
            self.progress(f"staged {self.stats.rows_read} CSV rows from {len(FILES)} files")
            params = {
                "now": now,
                "active": MerchantStatus.ACTIVE,
                "approved": KycStatus.APPROVED,
                "not_defined": PaymentType.NOT_DEFINED,
                "pending": PaymentStatus.PENDING,
                "paid": PaymentStatus.PAID,
                "cancelled": OrderStatus.CANCELLED,
            }
            cursor.execute(MERCHANTS_SQL, params)
            self.stats.merchants = cursor.rowcount
            self.progress(f"sellers: {self.stats.merchants} new merchants")
            cursor.execute(PARTS_SQL)
            cursor.execute(PAYMENTS_SQL)
            cursor.execute(ORDERS_SQL, params)
            orders, items, payments, reviews, parts, without_items, by_status = cursor.fetchone()
            self.stats.orders, self.stats.items, self.stats.payments, self.stats.reviews = (
                orders,
                items,
                payments,
                reviews,
            )
            self.stats.skipped_orders = parts - orders
            self.stats.orders_without_items = without_items
            self.stats.by_status.update(by_status)
            self.progress(
                f"orders: {orders} orders, {items} items, {payments} payments, {reviews} reviews, "
                f"{self.stats.skipped_orders} already there"
            )
            cursor.execute(" ".join(f"DROP TABLE {STAGE}{key};" for key in [*FILES, "parts", "shares"]))
            audit_import(self.stats)
        return self.stats

    def stage(self, cursor, key: str, path: Path) -> int:
        """COPY one file, unparsed, into a temporary table of text columns named after its header."""
        with open(path, "rb") as handle:
            if handle.read(3) != b"\xef\xbb\xbf":
                handle.seek(0)
            header = next(csv.reader([handle.readline().decode()]))
            lacking = [column for column in COLUMNS_USED[key] if column not in header]
            if lacking:
                raise ValueError(f"{path} lacks the column(s) {', '.join(lacking)}")
            columns = ", ".join(connection.ops.quote_name(column) for column in header)
            row = "file_row bigint GENERATED ALWAYS AS IDENTITY, " if key == "items" else ""
            # Byte-order collation: the ids are hex, and sorting and grouping on them needs no language rules.
            definitions = ", ".join(f'{connection.ops.quote_name(column)} text COLLATE "C"' for column in header)
            cursor.execute(f"CREATE TEMP TABLE {STAGE}{key} ({row}{definitions}) ON COMMIT DROP")
            # FORCE_NOT_NULL: an empty field is '' as Python's csv module reads it, quoted or not.
            cursor.copy_expert(
                f"COPY {STAGE}{key} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({columns}))", handle
            )
            return cursor.rowcount


def audit_import(stats: ImportStats) -> None:
    """One audit entry per run that created anything, on the newest merchant with an external reference."""
    first = Merchant.objects.exclude(external_ref="").first()
    if first is not None and (stats.orders or stats.merchants):
        audit(
            actor=None,
            action="olist.import",
            obj=first,
            merchant_id=None,
            after={
                "merchants": stats.merchants,
                "orders": stats.orders,
                "items": stats.items,
                "reviews": stats.reviews,
            },
        )


def olist_import(directory: Path, *, progress: Callable[[str], None] = lambda message: None) -> ImportStats:
    if connection.vendor == "postgresql":
        return PostgresOlistImport(directory, progress=progress).run()
    return OlistImport(directory, progress=progress).run()
