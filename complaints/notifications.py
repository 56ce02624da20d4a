"""Messages about complaints. Merchants' members get platform notifications (portal and e-mail, through
core.notifications); complainants, who have no account, get e-mail."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from core.notifications import notify
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


def notify_merchant(*, merchant_id: int, subject: str, body: str) -> None:
    """Every member of the merchant, in the portal and by e-mail once the change commits."""
    members = [m.user for m in MerchantMembership.objects.filter(merchant_id=merchant_id).select_related("user")]
    notify(
        recipients=members,
        kind="complaint",
        title=subject,
        body=body,
        url=reverse("complaints_portal:list"),
        merchant_id=merchant_id,
    )


def send_after_commit(*, recipients: list[str], subject: str, body: str) -> None:
    transaction.on_commit(lambda: send(recipients=recipients, subject=subject, body=body))
