"""Thin, idempotent Celery tasks over credit.services (routed to the `scoring` queue)."""

from datetime import datetime

from celery import shared_task

from credit import services
from credit.services import violations as violation_services

MAX_TASKS = 200


def nightly_as_of() -> datetime:
    """Midnight today in the platform's time zone (whatever a request activated): one as-of time per night."""
    return services.platform_midnight()


@shared_task
def merchants_score_range(first_id: int, last_id: int, as_of: str, window_days: int | None = None) -> int:
    # Re-running a range replaces its own rows for this as-of time, so a retry has one effect.
    return services.merchants_score_range(
        first_id=first_id, last_id=last_id, as_of=datetime.fromisoformat(as_of), window_days=window_days
    )


@shared_task
def merchants_score_all(as_of: str | None = None, window_days: int | None = None) -> int:
    """The nightly run: all merchants in at most MAX_TASKS range tasks, however many merchants there are."""
    as_of = as_of or nightly_as_of().isoformat()
    ranges = services.merchant_id_ranges(
        max_tasks=MAX_TASKS, as_of=datetime.fromisoformat(as_of), window_days=window_days
    )
    for first_id, last_id in ranges:
        merchants_score_range.delay(first_id, last_id, as_of, window_days)
    return len(ranges)


@shared_task
def merchant_rescore(merchant_id: int) -> int | None:
    """The debounced rescore after events (credit.services.rescore): the day's interim row, replaced when re-run."""
    score = services.merchant_rescore(merchant_id=merchant_id)
    return score.score if score else None


@shared_task
def violations_sweep() -> dict:
    """Every few minutes (beat): lift expired violation measures, close decided violations nobody appealed.
    Idempotent: a second run at the same time finds nothing left to do."""
    return violation_services.violations_sweep()


@shared_task
def suspicion_flags_detect(as_of: str | None = None, window_days: int = 1) -> int:
    """Nightly fake-order detection over the day before `as_of`; a rerun finds the flags it raised before."""
    from credit.services.detection import suspicion_flags_detect as detect

    when = datetime.fromisoformat(as_of) if as_of else nightly_as_of()
    return len(detect(as_of=when, window_days=window_days).created)
