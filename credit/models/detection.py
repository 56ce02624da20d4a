"""Fake-order detection: a flag raised by a detection rule for staff to review. A flag penalises nobody."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class SuspicionRule(models.TextChoices):
    REPEAT_BUYER = "repeat_buyer", _("Many orders from one buyer")
    UNTRACKED_DELIVERY = "untracked_delivery", _("Deliveries without a logistics trail")
    REVIEW_BURST = "review_burst", _("Burst of five-star reviews")
    REVIEW_BEFORE_DELIVERY = "review_before_delivery", _("Praise before delivery")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    CONFIRMED = "confirmed", _("Confirmed")


FLAG_TRANSITIONS: dict[str, frozenset[str]] = {
    FlagStatus.OPEN: frozenset({FlagStatus.DISMISSED, FlagStatus.CONFIRMED}),
    FlagStatus.DISMISSED: frozenset(),
    FlagStatus.CONFIRMED: frozenset(),
}


def _usual(value) -> str:
    return f"{value:.1f}"


def explain(rule: str, metrics: dict) -> str:
    """The flag's reason in words, in the active language, from the figures the rule measured."""
    m = metrics
    if rule == SuspicionRule.REPEAT_BUYER:
        head = ngettext(
            "%(orders)d order from buyer %(buyer)s on %(day)s (24 h)",
            "%(orders)d orders from buyer %(buyer)s on %(day)s (24 h)",
            m["orders"],
        ) % {"orders": m["orders"], "buyer": m["buyer_ref"], "day": m["day"]}
        if m.get("usual_per_buyer_day") is None:
            tail = gettext("the merchant had no orders in the %(days)d days before to compare with") % {
                "days": m["baseline_days"]
            }
        else:
            tail = gettext(
                "over the %(days)d days before, the merchant's buyers placed %(usual)s orders a day on average"
            ) % {"days": m["baseline_days"], "usual": _usual(m["usual_per_buyer_day"])}
        return f"{head}; {tail}."
    if rule == SuspicionRule.UNTRACKED_DELIVERY:
        return ngettext(
            "%(suspicious)d of the %(delivered)d orders delivered on %(day)s has no credible logistics trail: "
            "%(untracked)d with a shipment but no tracking event at all, %(fast)d marked delivered within "
            "%(hours)s h of being handed to the carrier.",
            "%(suspicious)d of the %(delivered)d orders delivered on %(day)s have no credible logistics trail: "
            "%(untracked)d with a shipment but no tracking event at all, %(fast)d marked delivered within "
            "%(hours)s h of being handed to the carrier.",
            m["suspicious"],
        ) % {
            "suspicious": m["suspicious"],
            "delivered": m["delivered"],
            "day": m["day"],
            "untracked": m["untracked"],
            "fast": m["fast"],
            "hours": f"{m['fast_hours']:g}",
        }
    if rule == SuspicionRule.REVIEW_BURST:
        head = ngettext(
            "%(reviews)d five-star review written on %(day)s",
            "%(reviews)d five-star reviews written on %(day)s",
            m["reviews"],
        ) % {"reviews": m["reviews"], "day": m["day"]}
        tail = gettext("over the %(days)d days before, the merchant received %(usual)s a day on average") % {
            "days": m["baseline_days"],
            "usual": _usual(m["usual_per_day"]),
        }
        return f"{head}; {tail}."
    if rule == SuspicionRule.REVIEW_BEFORE_DELIVERY:
        return ngettext(
            "%(reviews)d review of %(score)d stars or more written on %(day)s before its order was delivered "
            "(%(undelivered)d on orders not delivered at all).",
            "%(reviews)d reviews of %(score)d stars or more written on %(day)s before their orders were "
            "delivered (%(undelivered)d on orders not delivered at all).",
            m["reviews"],
        ) % {"reviews": m["reviews"], "score": m["min_score"], "day": m["day"], "undelivered": m["undelivered"]}
    return gettext("Unknown rule %(rule)s.") % {"rule": rule}


class SuspicionFlag(TimeStampedModel):
    """A suspicious pattern in one merchant's orders over one window, for staff to dismiss or confirm.

    Flags are never shown to merchants (no MERCHANT_LOOKUP: the merchant-scoping helper refuses this model),
    and no score, points or restriction follows from one: a confirmed flag is where a violation may start.
    """

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="suspicion_flags"
    )
    rule = models.CharField(_("rule"), max_length=30, choices=SuspicionRule.choices)
    # What the pattern is about within the merchant: the buyer reference for repeat_buyer, else empty.
    subject = models.CharField(_("subject"), max_length=100, blank=True, default="")
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    orders = models.ManyToManyField(
        "orders.Order", verbose_name=_("orders"), related_name="suspicion_flags", blank=True
    )
    order_count = models.PositiveIntegerField(_("orders involved"), default=0)
    # The figures the rule measured; the explanation is built from them in the reader's language.
    metrics = models.JSONField(_("figures"), default=dict)
    status = models.CharField(_("status"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("suspicion flag")
        verbose_name_plural = _("suspicion flags")
        ordering = ["-detected_at", "-id"]
        constraints = [
            # Rerunning detection over the same window finds the same flag instead of adding one.
            models.UniqueConstraint(
                fields=["merchant", "rule", "subject", "window_start", "window_end"], name="suspicionflag_once"
            ),
            models.CheckConstraint(condition=Q(rule__in=SuspicionRule.values), name="suspicionflag_rule_valid"),
            models.CheckConstraint(condition=Q(status__in=FlagStatus.values), name="suspicionflag_status_valid"),
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")), name="suspicionflag_window_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-detected_at"], name="suspicionflag_queue")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} #{self.pk} ({self.merchant_id})"

    @property
    def explanation(self) -> str:
        return explain(self.rule, self.metrics)
