from django.core.management.base import BaseCommand

from logistics.demo_carriers import DEMO_CARRIERS, demo_carriers_load


class Command(BaseCommand):
    help = (
        "Load the demo carriers (SF, ZTO, YTO, YD, STO, JT, JD, EMS) with full province-to-province price tables "
        "and SLA days. Demo figures, marked as such; running it again refreshes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help=f"Only these carriers (of {', '.join(DEMO_CARRIERS)}).")

    def handle(self, *args, codes, **options):
        unknown = sorted(set(codes) - set(DEMO_CARRIERS))
        if unknown:
            self.stderr.write(f"Unknown carrier codes: {', '.join(unknown)}")
            raise SystemExit(2)
        carriers, lanes = demo_carriers_load(codes=tuple(codes) or None)
        self.stdout.write(f"{carriers} carriers, {lanes} lanes (demo figures).")
