"""Time `import_olist` on the Olist subset against a plain PostgreSQL COPY of the same CSV rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/merchantops .venv/bin/python bench/olist_import.py [DIR]

Runs in a scratch database (test_<name>, created, migrated and dropped here). The baseline loads the
same eight CSV files, unparsed, into text tables with COPY; the import parses, splits carts by seller,
maps statuses and time zones, checks what exists, and inserts. Goal: the import within 3x of COPY.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from orders.olist import FILES, olist_import, read_csv  # noqa: E402


def copy_baseline(directory: Path) -> tuple[int, float]:
    rows = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for key, name in FILES.items():
            path = directory / name
            with open(path, encoding="utf-8-sig") as handle:
                header = handle.readline().strip().replace('"', "").split(",")
            columns = ", ".join(f'"{column}" text' for column in header)
            cursor.execute(f'CREATE TEMP TABLE "copy_{key}" ({columns})')
            with open(path, encoding="utf-8-sig") as handle:
                cursor.copy_expert(f'COPY "copy_{key}" FROM STDIN WITH (FORMAT csv, HEADER true)', handle)
            cursor.execute(f'SELECT count(*) FROM "copy_{key}"')
            rows += cursor.fetchone()[0]
    return rows, time.perf_counter() - started


def main() -> None:
    directory = Path(sys.argv[1] if len(sys.argv) > 1 else settings.BASE_DIR.parent / "shared" / "data" / "olist")
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server: the baseline is PostgreSQL's COPY.")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        csv_rows = sum(1 for name in FILES.values() for _ in read_csv(directory / name))
        started = time.perf_counter()
        stats = olist_import(directory)
        import_seconds = time.perf_counter() - started
        copy_rows, copy_seconds = copy_baseline(directory)
        assert copy_rows == csv_rows, (copy_rows, csv_rows)
        import_rate, copy_rate = csv_rows / import_seconds, copy_rows / copy_seconds
        print(f"CSV rows in the {len(FILES)} files: {csv_rows:,}")
        print(
            f"import_olist : {import_seconds:6.2f} s  {import_rate:10,.0f} rows/s  "
            f"({stats.orders:,} orders, {stats.items:,} items, {stats.payments:,} payments, {stats.reviews:,} reviews)"
        )
        print(f"COPY baseline: {copy_seconds:6.2f} s  {copy_rate:10,.0f} rows/s")
        ratio = import_seconds / copy_seconds
        print(f"ratio import/COPY: {ratio:.2f}x (goal: within 3x) -> {'met' if ratio <= 3 else 'NOT met'}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
