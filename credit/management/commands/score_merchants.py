from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from credit import services
from credit.selectors import current_policy


class Command(BaseCommand):
    help = "Score every merchant at an as-of time (default now) over a window (default the policy's), in chunks."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO date-time, e.g. 2018-09-01T00:00:00-03:00 (default: now)")
        parser.add_argument("--window-days", type=int, help="window in days (default: the scoring policy's)")

    def handle(self, *args, as_of=None, window_days=None, **options):
        when = timezone.now()
        if as_of:
            when = parse_datetime(as_of)
            if when is None:
                raise CommandError(f"--as-of {as_of!r} is not an ISO date-time")
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        if window_days is not None and not 1 <= window_days <= 3650:
            raise CommandError("--window-days is 1 to 3650")
        window = window_days or current_policy().window_days
        total = 0
        for first_id, last_id in services.merchant_id_ranges(max_tasks=1, min_chunk=1):
            total += services.merchants_score_range(first_id=first_id, last_id=last_id, as_of=when, window_days=window)
        self.stdout.write(f"scored {total} merchants as of {when.isoformat()} over {window} days")
