from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit.choices import COMPONENT_LABELS, ComponentStatus
from merchants.choices import Tier


class ScoringPolicy(models.Model):
    """One version of the scoring rules; never edited in place: a change is a new version (the highest is current)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    # {component name: {direction, weight, best, floor, target, warning, min_sample}}; see credit.choices.
    components = models.JSONField(_("components"))
    tier_a_min = models.PositiveSmallIntegerField(_("tier A from"), default=850)
    tier_b_min = models.PositiveSmallIntegerField(_("tier B from"), default=700)
    tier_c_min = models.PositiveSmallIntegerField(_("tier C from"), default=550)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=90)
    # Share of a component's weight it earns when there is no data at all (neither reward nor penalty).
    neutral_share = models.FloatField(_("share of the weight without data"), default=0.5)
    # The rules that turn scores into consequences (credit.choices.CONSEQUENCE_KEYS); {} has none.
    consequences = models.JSONField(_("consequence rules"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier_a_min__gt=models.F("tier_b_min"), tier_b_min__gt=models.F("tier_c_min"))
                & Q(tier_a_min__lte=1000),
                name="scoringpolicy_tiers_ordered",
            ),
            models.CheckConstraint(condition=Q(window_days__gt=0), name="scoringpolicy_window_positive"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def tier_for(self, score: int) -> str:
        if score >= self.tier_a_min:
            return Tier.A
        if score >= self.tier_b_min:
            return Tier.B
        if score >= self.tier_c_min:
            return Tier.C
        return Tier.D


class CreditScore(models.Model):
    """A merchant's score at one as-of time; the rows over time are its history."""

    MERCHANT_LOOKUP = "merchant"

    # Indexed by creditscore_merchant_asof (and the unique constraint), which lead with it.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="credit_scores",
        db_index=False,
    )
    score = models.PositiveSmallIntegerField(_("score"))
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    policy_version = models.PositiveIntegerField(_("policy version"))
    as_of = models.DateTimeField(_("as of"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("credit score")
        verbose_name_plural = _("credit scores")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "as_of", "window_days"], name="creditscore_one_per_run"),
            models.CheckConstraint(condition=Q(score__lte=1000), name="creditscore_range"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="creditscore_tier_valid"),
        ]
        indexes = [models.Index(fields=["merchant", "-as_of"], name="creditscore_merchant_asof")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.score} ({self.tier})"


class ScoreComponent(models.Model):
    """One metric of a score with what it was computed from, its target, status and points."""

    MERCHANT_LOOKUP = "score__merchant"

    # Indexed by the unique constraint (score, name), which leads with it. No foreign-key constraint in the
    # database: its check, a locked lookup of the score per component row, was over a tenth of a nightly range
    # task (3.8 s of 33 for 59,000 merchants in bench/credit_scoring.py's data). Components are written only by
    # credit.services.merchants_score, with their score and in its transaction, and go with it when the ORM
    # deletes it (CASCADE); tests/credit/test_portal_and_runs.py checks that none is left without its score.
    score = models.ForeignKey(
        CreditScore,
        verbose_name=_("score"),
        on_delete=models.CASCADE,
        related_name="components",
        db_index=False,
        db_constraint=False,
    )
    name = models.CharField(_("name"), max_length=40)
    # The plain ratio or mean of the definition; null when there is nothing to divide.
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    target = models.FloatField(_("target"))
    status = models.CharField(_("status"), max_length=20, choices=ComponentStatus.choices)
    points = models.FloatField(_("points"))
    max_points = models.FloatField(_("maximum points"))
    # Below the minimum sample: the Wilson bound (in the merchant's favour) the points were computed from.
    bound = models.FloatField(_("small-sample bound"), null=True, blank=True)

    class Meta:
        verbose_name = _("score component")
        verbose_name_plural = _("score components")
        ordering = ["score_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["score", "name"], name="scorecomponent_unique"),
            models.CheckConstraint(condition=Q(status__in=ComponentStatus.values), name="scorecomponent_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"

    @property
    def label(self) -> str:
        return str(COMPONENT_LABELS.get(self.name, self.name))


# Violations, consequences, external records and suspicion flags live in their own modules; importing them here
# registers them with the app.
from credit.models.consequences import CreditConsequence  # noqa: E402, F401
from credit.models.detection import FlagStatus, SuspicionFlag, SuspicionRule  # noqa: E402, F401
from credit.models.records import ExternalRecord, ExternalRecordImport  # noqa: E402, F401
from credit.models.violations import Violation, ViolationAppeal, ViolationEvidence, ViolationMeasure  # noqa: E402, F401
