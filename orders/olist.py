"""Loading the Olist marketplace data set (see README, "Olist data"): sellers become merchants, each
seller's part of an Olist order becomes one order, with its items, payments and reviews.

It streams: the order, item, payment and review files are read once and split by order id into
bucket files on disk, then each bucket is joined and inserted on its own, so memory holds one bucket
(plus three small maps: seller → merchant, product → category and weight, customer → state and buyer).
Inserts are bulk: PostgreSQL's COPY with ids drawn from the sequence up front, or bulk_create elsewhere.
Idempotent: merchants are matched on `external_ref`, orders on (merchant, external_id); anything
already there is skipped with all its rows.
"""

import csv
import io
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, time
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
    "id", "created_at", "updated_at", "merchant_id", "external_id", "buyer_ref", "ship_to_region_id", "currency",
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


def copy_value(value) -> str:
    """One field of COPY's CSV format: NULL is an empty field, and a quoted string is never NULL."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class BulkWriter:
    """COPY on PostgreSQL (ids taken from the sequence first), bulk_create anywhere else."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def insert(self, model, columns: list[str], rows: list[tuple], *, returning_ids: bool = False) -> list[int]:
        if not rows:
            return []
        if self.postgres:
            ids = []
            if returning_ids:
                ids = self._next_ids(model, len(rows))
                rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
                columns = ["id", *columns]
            self._copy(model, columns, rows)
            return ids
        objects = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=500
        )
        return [obj.pk for obj in objects]

    def _next_ids(self, model, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    def _copy(self, model, columns: list[str], rows: list[tuple]) -> None:
        buffer = io.StringIO()
        buffer.writelines(",".join(map(copy_value, row)) + "\n" for row in rows)
        buffer.seek(0)
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN WITH (FORMAT csv)",
                buffer,
            )


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
            first = Merchant.objects.filter(external_ref__in=list(self.merchant_ids)[:1]).first()
            if first is not None and (self.stats.orders or self.stats.merchants):
                audit(
                    actor=None,
                    action="olist.import",
                    obj=first,
                    merchant_id=None,
                    after={
                        "merchants": self.stats.merchants,
                        "orders": self.stats.orders,
                        "items": self.stats.items,
                        "reviews": self.stats.reviews,
                    },
                )
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
                (Decimal(grams) / 1000).quantize(Decimal("0.001")) if grams else Decimal("0"),
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
            ids = self.writer.insert(Order, ORDER_COLUMNS[1:], order_rows, returning_ids=True)
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


def olist_import(directory: Path, *, progress: Callable[[str], None] = lambda message: None) -> ImportStats:
    return OlistImport(directory, progress=progress).run()
