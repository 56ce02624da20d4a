"""Rescoring a merchant soon after an event that moves its score, once per burst of events.

The events: an order delivered (orders.services.order_deliver, which logistics also goes through), a
complaint upheld or partly upheld (complaints.services, by an agent or by a dispute's decision) and a
violation decided. Each calls `merchant_rescore_soon` inside the transaction that records it.

How a burst becomes one rescore:
- one transaction schedules a merchant once, however many of its events it records;
- after the commit, an atomic `cache.add` of the merchant's key (Redis in deployments) lets the first event
  of a burst send one `credit.tasks.merchant_rescore` task with a countdown of
  CREDIT_RESCORE_DEBOUNCE_SECONDS on the `scoring` queue; later events find the key and send nothing;
- the task deletes the key before it reads anything, so an event committed while it scores sends the next
  task, and none is missed. The key expires on its own should a task be lost.

Which as-of time an event rescore uses: the coming midnight in the platform's time zone, the as-of time the
next nightly run will give the same day (credit.tasks.nightly_as_of, the night after). An event rescore
writes the day's interim row; later events that day replace it (the unique key is merchant + as-of time +
window) and the nightly run replaces it with the day's final row, so the history keeps one row per merchant
per day. Its window ends at that midnight, like the nightly row's; `computed_at` says when it was computed.

In the embedded mode (`make run`: no broker, tasks run in-process) no worker would wait for a countdown, so
the rescore runs right after the commit: one merchant is about a dozen small queries (a few milliseconds on
the demo data), once per transaction. A bulk operation that commits events one by one (logistics delivering
a carrier batch's orders) wraps them in `rescore_batch()`, so each merchant is rescored once for the batch.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from credit.models import CreditScore
from merchants.models import Merchant

logger = logging.getLogger(__name__)
# The merchants a bulk operation's committed events asked to rescore (see rescore_batch), while one runs.
_batch: ContextVar[set[int] | None] = ContextVar("credit_rescore_batch", default=None)


def platform_midnight(*, days_ahead: int = 0) -> datetime:
    """Midnight starting today (+ `days_ahead` days) in the platform's time zone, whatever zone is active."""
    zone = timezone.get_default_timezone()
    day = timezone.localdate(timezone=zone) + timedelta(days=days_ahead)
    return datetime.combine(day, time.min, tzinfo=zone)


def interim_as_of() -> datetime:
    """The as-of time of an event rescore: the coming midnight, the next nightly run's as-of time for today."""
    return platform_midnight(days_ahead=1)


def rescore_key(merchant_id: int) -> str:
    return f"credit:rescore-pending:{merchant_id}"


def merchant_rescore(*, merchant_id: int) -> CreditScore | None:
    """Rescore one merchant with the current policy as the day's interim row (see the module's note).
    Running it twice writes the same row once; a merchant that does not exist is moot."""
    from credit.services import merchants_score

    cache.delete(rescore_key(merchant_id))  # first: an event from now on schedules the next rescore
    if not Merchant.objects.filter(pk=merchant_id).exists():
        return None
    return merchants_score(merchant_ids=[merchant_id], as_of=interim_as_of())[0]


class _RescoreOnCommit:
    """The on-commit callback, recognisable so a transaction schedules each merchant once."""

    def __init__(self, merchant_id: int):
        self.merchant_id = merchant_id

    def __call__(self) -> None:
        pending = _batch.get()
        if pending is not None:
            pending.add(self.merchant_id)
        else:
            rescore_schedule(merchant_id=self.merchant_id)


def merchant_rescore_soon(*, merchant_id: int) -> None:
    """Call inside the transaction that records an event moving the merchant's score: once it commits, the
    merchant is rescored within CREDIT_RESCORE_DEBOUNCE_SECONDS, once for a whole burst of events."""
    if not settings.CREDIT_RESCORE_ON_EVENTS:
        return
    pending = transaction.get_connection().run_on_commit
    if any(isinstance(call, _RescoreOnCommit) and call.merchant_id == merchant_id for _ids, call, _r in pending):
        return
    # robust: the event is committed whatever happens here; should scheduling fail, the nightly run catches up
    transaction.on_commit(_RescoreOnCommit(merchant_id), robust=True)


def runs_in_process() -> bool:
    """The embedded mode: a task runs where it is sent, so a countdown would be ignored."""
    return bool(current_app.conf.task_always_eager)


@contextmanager
def rescore_batch() -> Iterator[None]:
    """Around a bulk operation that commits many events one by one (a carrier batch delivering many orders):
    each merchant's rescore is scheduled once when the block ends, for the events committed inside it."""
    if _batch.get() is not None:  # an outer batch schedules
        yield
        return
    pending: set[int] = set()
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
        for merchant_id in sorted(pending):
            try:
                rescore_schedule(merchant_id=merchant_id)
            except Exception:  # the events are committed; the nightly run catches up
                logger.exception("credit rescore of merchant %s not scheduled", merchant_id)


def rescore_schedule(*, merchant_id: int) -> bool:
    """Send the merchant's debounced rescore unless one is already pending; True when this call sent it."""
    from credit import tasks

    if runs_in_process():
        merchant_rescore(merchant_id=merchant_id)
        return True
    wait = settings.CREDIT_RESCORE_DEBOUNCE_SECONDS
    # The key outlives the countdown by as much again (and a minute), for a busy queue; then it lapses.
    if not cache.add(rescore_key(merchant_id), timezone.now().isoformat(), timeout=2 * wait + 60):
        return False
    try:
        tasks.merchant_rescore.apply_async(kwargs={"merchant_id": merchant_id}, countdown=wait)
    except Exception:
        cache.delete(rescore_key(merchant_id))  # not sent: let the next event try again
        raise
    return True
