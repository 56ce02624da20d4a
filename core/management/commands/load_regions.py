from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.regions import regions_load_brazil, regions_load_china

DEFAULT_DIR = settings.BASE_DIR.parent / "shared" / "data" / "china_regions"


class Command(BaseCommand):
    help = "Load China's administrative divisions (provinces, cities, counties) and Brazil's states. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", nargs="?", default=str(DEFAULT_DIR), help="folder with provinces/cities/areas CSVs"
        )
        parser.add_argument("--brazil-only", action="store_true", help="only the 27 Brazilian states")

    def handle(self, *args, directory, brazil_only, **options):
        created, updated = regions_load_brazil()
        self.stdout.write(f"Brazil: {created} created, {updated} updated.")
        if brazil_only:
            return
        try:
            created, updated = regions_load_china(Path(directory))
        except FileNotFoundError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"China: {created} created, {updated} updated.")
