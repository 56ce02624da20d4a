"""Violations: the case (reported, investigated, decided, appealed, closed), its evidence, the merchant's
appeal, and the measures in force on the merchant because of it (DESIGN §3 "Violation")."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from credit.choices import (
    MAX_POINTS,
    AppealRuling,
    FineStatus,
    LiftReason,
    Measure,
    MeasureOrigin,
    Severity,
    ViolationCategory,
    ViolationSource,
    ViolationStatus,
)
from merchants.choices import MerchantStatus, RestrictionReason

MONEY = {"max_digits": 12, "decimal_places": 2}


class Violation(TimeStampedModel):
    """One violation of the platform's rules by a merchant, from report to closing."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="violations"
    )
    category = models.CharField(_("type of violation"), max_length=24, choices=ViolationCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    # Given by the decision; nothing counts before it.
    points = models.PositiveSmallIntegerField(_("penalty points"), default=0)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=12, choices=ViolationSource.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="violations",
    )
    # What a detection job flagged ("fake-orders:<flag id>"): the same flag opens one violation.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ViolationStatus.choices, default=ViolationStatus.REPORTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("investigator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    investigation_started_at = models.DateTimeField(_("investigation started at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices, blank=True)
    measure_starts_at = models.DateTimeField(_("measure starts"), null=True, blank=True)
    # Empty for a warning, a fine or a termination.
    measure_ends_at = models.DateTimeField(_("measure ends"), null=True, blank=True)
    # A fine is an amount the merchant owes, followed until paid or waived.
    fine_amount = models.DecimalField(_("fine"), null=True, blank=True, **MONEY)
    fine_currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    fine_status = models.CharField(
        _("fine status"), max_length=12, choices=FineStatus.choices, default=FineStatus.NONE, blank=True
    )
    fine_settled_at = models.DateTimeField(_("fine settled at"), null=True, blank=True)
    fine_note = models.TextField(_("fine note"), blank=True)
    appeal_due_at = models.DateTimeField(_("appeal by"), null=True, blank=True)
    # Set by an upheld appeal: from then on the points no longer count.
    points_reversed_at = models.DateTimeField(_("points reversed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ViolationStatus.values), name="violation_status_valid"),
            models.CheckConstraint(condition=Q(category__in=ViolationCategory.values), name="violation_category_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="violation_severity_valid"),
            models.CheckConstraint(condition=Q(source__in=ViolationSource.values), name="violation_source_valid"),
            models.CheckConstraint(
                condition=Q(measure="") | Q(measure__in=Measure.values), name="violation_measure_valid"
            ),
            models.CheckConstraint(condition=Q(fine_status__in=FineStatus.values), name="violation_fine_status_valid"),
            models.CheckConstraint(condition=Q(points__lte=MAX_POINTS), name="violation_points_range"),
            models.CheckConstraint(
                condition=Q(measure=Measure.FINE, fine_amount__gt=0) | (~Q(measure=Measure.FINE) & Q(fine_amount=None)),
                name="violation_fine_amount_with_fine",
            ),
            # An upheld complaint opens at most one violation; a detection flag likewise.
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(complaint__isnull=False), name="violation_one_per_complaint"
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=~Q(source_ref=""), name="violation_one_per_source_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "decided_at"], name="violation_merchant_decided"),
            models.Index(fields=["status", "reported_at"], name="violation_status_reported"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} ({self.get_status_display()})"

    @property
    def counts(self) -> bool:
        """Its points count (until they age out of the 12-month window)."""
        return self.decided_at is not None and self.points_reversed_at is None


def evidence_path(instance, filename: str) -> str:
    return f"violations/{instance.violation_id}/{filename}"


class ViolationAppeal(models.Model):
    """The merchant's appeal with its plan: root cause, corrective and preventive action (files beside it)."""

    MERCHANT_LOOKUP = "violation__merchant"

    violation = models.OneToOneField(
        Violation, verbose_name=_("violation"), on_delete=models.CASCADE, related_name="appeal"
    )
    root_cause = models.TextField(_("root cause"))
    corrective_action = models.TextField(_("corrective action"))
    preventive_action = models.TextField(_("preventive action"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by_label = models.CharField(_("submitted by"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    ruling = models.CharField(_("ruling"), max_length=10, choices=AppealRuling.choices, blank=True)
    ruling_reason = models.TextField(_("reasons for the ruling"), blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ruled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ruled_at = models.DateTimeField(_("ruled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("violation appeal")
        verbose_name_plural = _("violation appeals")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ruling="") | Q(ruling__in=AppealRuling.values), name="violationappeal_ruling_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Appeal')} #{self.violation_id}"


class ViolationEvidence(models.Model):
    """A file or a written note the case rests on: staff's during the investigation, the merchant's with its
    appeal. Files are accepted by content under the onboarding upload rules (core.uploads)."""

    MERCHANT_LOOKUP = "violation__merchant"

    violation = models.ForeignKey(
        Violation, verbose_name=_("violation"), on_delete=models.CASCADE, related_name="evidence"
    )
    appeal = models.ForeignKey(
        ViolationAppeal,
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    note = models.TextField(_("note"), blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by_label = models.CharField(_("added by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("violation evidence")
        verbose_name_plural = _("violation evidence")
        ordering = ["violation_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(note=""), name="violationevidence_file_or_note"),
        ]

    def __str__(self) -> str:
        return self.file_name or self.note[:50]


class ViolationMeasure(models.Model):
    """A restriction, suspension or termination in force on a merchant because of violations: decided for one
    violation, or applied by the points ladder when a decision crossed a threshold. The inputs it was applied
    with (points total, threshold, violations counted) stay on the row."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="violation_measures",
    )
    violation = models.ForeignKey(
        Violation, verbose_name=_("violation"), on_delete=models.PROTECT, related_name="measures"
    )
    origin = models.CharField(_("origin"), max_length=10, choices=MeasureOrigin.choices)
    kind = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    threshold = models.PositiveSmallIntegerField(_("threshold"), null=True, blank=True)
    points_total = models.PositiveIntegerField(_("points in 12 months"))
    violation_ids = models.JSONField(_("violations counted"), default=list)
    starts_at = models.DateTimeField(_("starts"))
    # Empty for a termination: it ends only by an upheld appeal.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.CharField(_("lifted because"), max_length=14, choices=LiftReason.choices, blank=True)
    # Set on the measure that put the merchant under a violation hold: when, and the state it returns to
    # afterwards (active, or a restriction for another reason that was in place before).
    hold_started_at = models.DateTimeField(_("hold started at"), null=True, blank=True)
    resume_status = models.CharField(_("resume status"), max_length=16, choices=MerchantStatus.choices, blank=True)
    resume_reason = models.CharField(
        _("resume restriction reason"), max_length=20, choices=RestrictionReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("violation measure")
        verbose_name_plural = _("violation measures")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=(Measure.TRADING_RESTRICTION, Measure.SUSPENSION, Measure.TERMINATION)),
                name="violationmeasure_kind_holds",
            ),
            models.CheckConstraint(condition=Q(origin__in=MeasureOrigin.values), name="violationmeasure_origin"),
            models.CheckConstraint(
                condition=Q(origin=MeasureOrigin.DECISION, threshold=None)
                | Q(origin=MeasureOrigin.LADDER, threshold__isnull=False),
                name="violationmeasure_threshold_for_ladder",
            ),
            models.CheckConstraint(
                condition=Q(ends_at=None) | Q(ends_at__gt=models.F("starts_at")), name="violationmeasure_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["merchant", "lifted_at"], name="violationmeasure_merchant_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.merchant_id})"

    def is_active(self, now) -> bool:
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > now)
