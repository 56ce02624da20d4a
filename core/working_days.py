"""SLA clocks counted in working days: Monday to Friday in the platform's time zone."""

from datetime import datetime, timedelta

from django.utils import timezone


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days after `start`, at the same local time; a weekend start counts from Monday 00:00."""
    local = timezone.localtime(start)
    if local.weekday() >= 5:
        local = (local + timedelta(days=7 - local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return timezone.make_aware(local.replace(tzinfo=None), timezone.get_current_timezone())
