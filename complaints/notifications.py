"""Messages to complainants and merchants. One function sends them all, so the platform's notification
service (core.notifications, when it arrives) replaces only `send`."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from merchants.models import MerchantMembership

logger = logging.getLogger(__name__)


def send(*, recipients: list[str], subject: str, body: str) -> int:
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return 0
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        # A mail server outage must not undo the case work that already committed.
        logger.exception("complaint notification to %s failed", recipients)
        return 0


def merchant_addresses(merchant_id: int) -> list[str]:
    return list(
        MerchantMembership.objects.filter(merchant_id=merchant_id)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def send_after_commit(*, recipients: list[str], subject: str, body: str) -> None:
    transaction.on_commit(lambda: send(recipients=recipients, subject=subject, body=body))
