import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orders.olist import olist_import

DEFAULT_DIR = settings.BASE_DIR.parent / "shared" / "data" / "olist"


class Command(BaseCommand):
    help = "Load the Olist marketplace CSVs: sellers as merchants, orders split per seller, items, payments, reviews."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DEFAULT_DIR))

    def handle(self, *args, directory, **options):
        started = time.monotonic()
        try:
            stats = olist_import(Path(directory), progress=self.stdout.write)
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Olist import: {stats.merchants} merchants, {stats.orders} orders, {stats.items} items, "
                f"{stats.payments} payments, {stats.reviews} reviews created; {stats.skipped_orders} orders "
                f"already there; {stats.orders_without_items} Olist orders without items (no seller) left out; "
                f"{stats.rows_read} CSV rows read in {elapsed:.1f} s "
                f"({stats.rows_read / elapsed if elapsed else 0:,.0f} rows/s)."
            )
        )
