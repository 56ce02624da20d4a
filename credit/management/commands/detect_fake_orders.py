from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from credit.services.detection import suspicion_flags_detect


class Command(BaseCommand):
    help = (
        "Flag suspicious order patterns for staff review over the whole days before --as-of (default now). "
        "Flags penalise nobody; a rerun over the same days adds no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO date-time, e.g. 2018-09-01T00:00:00-03:00 (default: now)")
        parser.add_argument("--window-days", type=int, default=1, help="how many days before as-of (default 1)")

    def handle(self, *args, as_of=None, window_days=1, **options):
        when = timezone.now()
        if as_of:
            when = parse_datetime(as_of)
            if when is None:
                raise CommandError(f"--as-of {as_of!r} is not an ISO date-time")
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        if not 1 <= window_days <= 3650:
            raise CommandError("--window-days is 1 to 3650")
        result = suspicion_flags_detect(as_of=when, window_days=window_days)
        by_rule = Counter(flag.rule for flag in result.created)
        self.stdout.write(
            f"examined {result.window_start.isoformat()} to {result.window_end.isoformat()}: "
            f"{result.found} findings, {len(result.created)} new flags"
        )
        for rule, count in sorted(by_rule.items()):
            self.stdout.write(f"  {rule}: {count}")
