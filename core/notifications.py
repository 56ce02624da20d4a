"""Tell people about something: a notification in the portal and, on commit, an e-mail.

Call `notify()` inside the transaction that makes the change: the rows are written with it and the
e-mails leave only once it commits (through `core.tasks.notification_email_send`, which sends once).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.models import Notification


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    merchant_id: int | None = None,
) -> list[Notification]:
    """One notification per distinct recipient; e-mails are scheduled for after the commit."""
    seen: set[int] = set()
    created = []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        created.append(
            Notification.objects.create(
                recipient=user, merchant_id=merchant_id, kind=kind, title=title[:200], body=body, url=url[:500]
            )
        )
    ids = [n.pk for n in created if n.recipient.email]
    if ids:
        transaction.on_commit(lambda: _schedule_emails(ids))
    return created


def notify_many(notifications: list[Notification]) -> list[Notification]:
    """Many notifications at once (a nightly run): one bulk insert; e-mails are scheduled for after the commit.
    Each unsaved Notification carries its `recipient` object (its e-mail decides whether one is sent)."""
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications, batch_size=1000)
    ids = [n.pk for n in created if n.pk is not None and n.recipient.email]
    if ids:
        transaction.on_commit(lambda: _schedule_emails(ids))
    return created


def _schedule_emails(ids: list[int]) -> None:
    from core.tasks import notification_email_send

    for pk in ids:
        notification_email_send.delay(notification_id=pk)


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail of one notification, once: a second run finds it already sent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None or not notification.recipient.email:
            return False
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{notification.url}"
        send_mail(
            subject=notification.title,
            message=body,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of `user` read; returns how many."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        queryset = queryset.filter(pk=notification_id)
    return queryset.update(read_at=timezone.now())


def notifications_unread(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-id")


def notifications_recent(*, user, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]
