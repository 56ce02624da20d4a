"""Time `import_olist` on the Olist subset against a plain PostgreSQL COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/merchantops .venv/bin/python bench/olist_import.py [DIR]

Runs in a scratch database (test_<name>, created, migrated and dropped here), all in one run:

1. `import_olist` itself: COPY the CSV files into staging tables, parse, split carts by seller, map statuses
   and time zones, skip what exists, insert merchants, orders, items, payments and reviews, commit.
2. The baseline of the goal: the rows the import wrote (merchants, orders, items, payments, reviews), taken
   out with COPY TO, the tables emptied, and put back with a plain COPY FROM into the same tables, with the
   same indexes, constraints and foreign-key checks, committed. Goal: the import within 3x of it.
3. For reference: COPY of the eight CSV files, unparsed, into unindexed, unconstrained text tables — the
   floor of any load, which writes none of the product's tables.
"""

import io
import sys
import time
from pathlib import Path

from _django import bench_database

# The tables the import writes, parents first (COPY FROM checks foreign keys at commit, like the import).
WRITTEN = ["merchants_merchant", "orders_order", "orders_orderitem", "orders_orderpayment", "orders_orderreview"]


def copy_csv_text(directory: Path) -> tuple[int, float]:
    from django.db import connection, transaction

    from orders.olist import FILES

    rows = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for key, name in FILES.items():
            path = directory / name
            with open(path, encoding="utf-8-sig") as handle:
                header = handle.readline().strip().replace('"', "").split(",")
            columns = ", ".join(f'"{column}" text' for column in header)
            cursor.execute(f'CREATE TEMP TABLE "copy_{key}" ({columns}) ON COMMIT DROP')
            with open(path, encoding="utf-8-sig") as handle:
                cursor.copy_expert(f'COPY "copy_{key}" FROM STDIN WITH (FORMAT csv, HEADER true)', handle)
            rows += cursor.rowcount
    return rows, time.perf_counter() - started


def copy_written_rows() -> tuple[int, float]:
    """Take the imported rows out, empty their tables, and time a plain COPY of them back in."""
    from django.db import connection, transaction

    dumps = {}
    with connection.cursor() as cursor:
        for table in WRITTEN:
            dumps[table] = io.StringIO()
            cursor.copy_expert(f"COPY {table} TO STDOUT", dumps[table])
            dumps[table].seek(0)
        cursor.execute("TRUNCATE orders_orderreview, orders_orderpayment, orders_orderitem, orders_order CASCADE")
        cursor.execute("DELETE FROM merchants_merchant")
    rows = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in WRITTEN:
            cursor.copy_expert(f"COPY {table} FROM STDIN", dumps[table])
            rows += cursor.rowcount
    return rows, time.perf_counter() - started


def main() -> None:
    with bench_database():
        from django.conf import settings
        from django.db import connection

        from orders.olist import FILES, olist_import, read_csv

        directory = Path(sys.argv[1] if len(sys.argv) > 1 else settings.BASE_DIR.parent / "shared" / "data" / "olist")
        if connection.vendor != "postgresql":
            sys.exit("Set DATABASE_URL to a PostgreSQL server: the baseline is PostgreSQL's COPY.")
        csv_rows = sum(1 for name in FILES.values() for _ in read_csv(directory / name))
        started = time.perf_counter()
        stats = olist_import(directory)
        import_seconds = time.perf_counter() - started
        written = stats.merchants + stats.orders + stats.items + stats.payments + stats.reviews
        copied, copy_seconds = copy_written_rows()
        assert copied == written, (copied, written)
        text_rows, text_seconds = copy_csv_text(directory)
        assert text_rows == csv_rows, (text_rows, csv_rows)

        ratio = import_seconds / copy_seconds
        print(f"CSV rows in the {len(FILES)} files: {csv_rows:,}; rows written: {written:,}")
        print(
            f"import_olist                      : {import_seconds:6.2f} s  {written / import_seconds:10,.0f} rows/s"
            f"  ({csv_rows / import_seconds:,.0f} CSV rows/s)"
        )
        print(f"COPY of the written rows (goal)   : {copy_seconds:6.2f} s  {copied / copy_seconds:10,.0f} rows/s")
        print(f"COPY of the CSV text (reference)  : {text_seconds:6.2f} s  {text_rows / text_seconds:10,.0f} rows/s")
        print(
            f"ratio import / COPY of the written rows: {ratio:.2f}x (goal: within 3x) -> "
            f"{'met' if ratio <= 3 else 'NOT met'}"
        )
        print(f"ratio import / COPY of the CSV text    : {import_seconds / text_seconds:.2f}x (reference)")
        print(f"ratio COPY of the written rows / COPY of the CSV text: {copy_seconds / text_seconds:.2f}x")


if __name__ == "__main__":
    main()
