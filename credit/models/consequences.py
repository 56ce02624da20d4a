"""Consequences of credit: perks, warnings and restrictions the policy's rules (or staff) put on a merchant."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from credit.choices import COMPONENT_LABELS, ConsequenceKind, ConsequenceTrigger


class CreditConsequence(models.Model):
    """One consequence from when it applied until it was lifted. At most one is active per merchant and kind
    (per component for warnings); lifted rows stay as the history."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="credit_consequences"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ConsequenceKind.choices)
    # The component a warning is about; blank for every other kind.
    component = models.CharField(_("component"), max_length=40, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20, choices=ConsequenceTrigger.choices)
    discount_percent = models.PositiveSmallIntegerField(_("deposit discount (%)"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"))
    # What caused it: score, tier, the components' values and statuses, the rule's figures.
    inputs = models.JSONField(_("inputs"), default=dict)
    active_from = models.DateTimeField(_("active from"))
    # A restriction whose merchant has recovered is lifted once a run finds it still recovered after this time.
    probation_until = models.DateTimeField(_("probation until"), null=True, blank=True)
    # A staff override holds until then: an active consequence is not lifted by a run before it, a consequence
    # lifted by staff is not applied again by a run before it.
    override_until = models.DateTimeField(_("override holds until"), null=True, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.TextField(_("override reason"), blank=True)
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_reason = models.TextField(_("why it was lifted"), blank=True)
    lifted_policy_version = models.PositiveIntegerField(_("lifted under policy version"), null=True, blank=True)
    lift_inputs = models.JSONField(_("inputs when lifted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit consequence")
        verbose_name_plural = _("credit consequences")
        ordering = ["-active_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "kind", "component"],
                condition=Q(lifted_at__isnull=True),
                name="creditconsequence_one_active",
            ),
            models.CheckConstraint(condition=Q(kind__in=ConsequenceKind.values), name="creditconsequence_kind_valid"),
            models.CheckConstraint(
                condition=Q(trigger__in=ConsequenceTrigger.values), name="creditconsequence_trigger_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ConsequenceKind.WARNING) & ~Q(component=""))
                | (~Q(kind=ConsequenceKind.WARNING) & Q(component="")),
                name="creditconsequence_component_for_warnings",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=ConsequenceKind.DEPOSIT_DISCOUNT) & Q(discount_percent__gte=1) & Q(discount_percent__lte=100)
                )
                | (~Q(kind=ConsequenceKind.DEPOSIT_DISCOUNT) & Q(discount_percent__isnull=True)),
                name="creditconsequence_discount_for_deposits",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "kind", "-lifted_at"], name="creditconsequence_history"),
            models.Index(fields=["kind"], condition=Q(lifted_at__isnull=True), name="creditconsequence_active_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.kind}{f' {self.component}' if self.component else ''}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def component_label(self) -> str:
        return str(COMPONENT_LABELS.get(self.component, self.component)) if self.component else ""

    @property
    def explanation(self) -> str:
        """Why it applies, in the reader's language, from the inputs that caused it."""
        data = self.inputs or {}
        if self.trigger == ConsequenceTrigger.OVERRIDE:
            return gettext("Set by the platform: %(reason)s") % {"reason": self.override_reason}
        if self.trigger == ConsequenceTrigger.TIER:
            return gettext("Credit tier %(tier)s (score %(score)s).") % {
                "tier": data.get("tier"),
                "score": data.get("score"),
            }
        if self.trigger == ConsequenceTrigger.BREACH:
            component = data.get("components", {}).get(self.component, {})
            return gettext("%(name)s is %(value)s against a target of %(target)s.") % {
                "name": self.component_label,
                "value": _figure(component.get("value")),
                "target": _figure(component.get("target")),
            }
        parts = []
        if data.get("repeated"):
            names = ", ".join(str(COMPONENT_LABELS.get(name, name)) for name in data["repeated"])
            parts.append(
                gettext("%(names)s in breach in %(runs)s consecutive scoring runs.")
                % {"names": names, "runs": data.get("runs")}
            )
        if data.get("low_score") or self.trigger == ConsequenceTrigger.LOW_SCORE:
            parts.append(
                gettext("Score %(score)s is under %(threshold)s.")
                % {"score": data.get("score"), "threshold": data.get("threshold")}
            )
        return " ".join(parts)


def _figure(value) -> str:
    return "—" if value is None else f"{value:.4g}"
