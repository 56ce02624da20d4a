import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from logistics.services import cost_lines_import
from merchants.models import Merchant


class Command(BaseCommand):
    help = (
        "Import a merchant's logistics cost lines from a CSV with columns external_id, kind "
        "(transport/packaging/warehousing/delivery), amount, and optionally incurred_on (YYYY-MM-DD) and note. "
        "All or nothing; importing the same lines again replaces them."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--merchant", type=int, required=True)

    def handle(self, *args, path: Path, merchant: int, **options):
        target = Merchant.objects.filter(pk=merchant).first()
        if target is None:
            raise CommandError(f"No merchant {merchant}.")
        rows = []
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    rows.append(
                        {
                            "external_id": row["external_id"].strip(),
                            "kind": row["kind"].strip(),
                            "amount": Decimal(row["amount"]),
                            "incurred_on": date.fromisoformat(row["incurred_on"]) if row.get("incurred_on") else None,
                            "note": (row.get("note") or "").strip(),
                        }
                    )
                except (KeyError, InvalidOperation, ValueError) as error:
                    raise CommandError(f"line {line}: {error!r}") from None
        try:
            count = cost_lines_import(merchant=target, rows=rows, actor=None)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        self.stdout.write(f"{count} cost lines imported.")
