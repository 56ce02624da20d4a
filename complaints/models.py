"""Complaints, their evidence and category corrections; disputes with mediation proposals and documents;
payout holds on merchants; SLA settings per category; complaint-rate alerts sent to merchants."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import (
    DEFAULT_ACK_HOURS,
    DEFAULT_RESOLVE_HOURS,
    Answer,
    Category,
    Channel,
    ComplaintStatus,
    DisputeOutcome,
    DisputeStage,
    EvidenceKind,
    ObligationStatus,
    Outcome,
    Remedy,
    Urgency,
)
from core.models import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class CategorySla(models.Model):
    """SLA clocks for one complaint category; categories without a row use 24 h / 72 h."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    acknowledge_hours = models.PositiveIntegerField(_("acknowledge within (hours)"), default=DEFAULT_ACK_HOURS)
    resolve_hours = models.PositiveIntegerField(_("resolve within (hours)"), default=DEFAULT_RESOLVE_HOURS)

    class Meta:
        verbose_name = _("complaint SLA")
        verbose_name_plural = _("complaint SLAs")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(condition=Q(acknowledge_hours__gt=0, resolve_hours__gt=0), name="sla_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.acknowledge_hours} h / {self.resolve_hours} h"


class Complaint(TimeStampedModel):
    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="complaints"
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    # The shipment as the order knows it today; the logistics app's Shipment is found through these.
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    classified_by = models.CharField(_("classified by"), max_length=10, blank=True)
    classification_confidence = models.FloatField(_("classification confidence"), null=True, blank=True)
    description = models.TextField(_("description"))
    complainant_ref = models.CharField(_("complainant"), max_length=200, blank=True, db_index=True)
    complainant_email = models.EmailField(_("complainant email"), blank=True)
    # Where an imported complaint came from ("olist-review:<id>", "maildir:<message-id>"): imports run once.
    source_ref = models.CharField(_("source reference"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    due_at = models.DateTimeField(_("resolve by"), null=True, blank=True, db_index=True)
    ack_breached_at = models.DateTimeField(_("acknowledgement SLA breached at"), null=True, blank=True)
    resolve_breached_at = models.DateTimeField(_("resolution SLA breached at"), null=True, blank=True)
    # Set when a breach sends the case to the supervisors' queue.
    supervisor_escalated_at = models.DateTimeField(_("in supervisor queue since"), null=True, blank=True)
    merchant_response_due_at = models.DateTimeField(_("merchant to respond by"), null=True, blank=True)
    merchant_response = models.TextField(_("merchant response"), blank=True)
    merchant_responded_at = models.DateTimeField(_("merchant responded at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    remedy = models.CharField(_("remedy"), max_length=14, choices=Remedy.choices, blank=True)
    remedy_amount = models.DecimalField(_("remedy amount"), null=True, blank=True, **MONEY)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # When the outcome was decided (by the agent, or by the dispute): credit scoring counts upheld ones by it.
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, db_index=True)
    obligation_status = models.CharField(
        _("merchant obligation"),
        max_length=14,
        choices=ObligationStatus.choices,
        default=ObligationStatus.NOT_REQUIRED,
    )
    obligation_due_at = models.DateTimeField(_("obligation due"), null=True, blank=True)
    obligation_done_at = models.DateTimeField(_("obligation done at"), null=True, blank=True)
    obligation_note = models.TextField(_("obligation note"), blank=True)
    complainant_notified_at = models.DateTimeField(_("complainant notified at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_comment = models.TextField(_("satisfaction comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ComplaintStatus.values), name="complaint_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="complaint_channel_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="complaint_category_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values), name="complaint_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="complaint_rating_range"
            ),
            models.UniqueConstraint(
                fields=["source_ref"], condition=~Q(source_ref=""), name="complaint_source_ref_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "received_at"], name="complaint_merchant_received"),
            models.Index(fields=["status", "assigned_to"], name="complaint_status_agent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} ({self.get_status_display()})"

    @property
    def is_read_only(self) -> bool:
        return self.status == ComplaintStatus.CLOSED


def evidence_path(instance, filename: str) -> str:
    return f"complaints/{instance.complaint_id}/{filename}"


class ComplaintEvidence(models.Model):
    """What the case rests on: records gathered from the order automatically, and uploaded files."""

    MERCHANT_LOOKUP = "complaint__merchant"

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    data = models.JSONField(_("data"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    added_by = models.CharField(_("added by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["complaint_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"),
            # Gathered records are one per kind and case, so gathering twice changes nothing.
            models.UniqueConstraint(
                fields=["complaint", "kind"], condition=~Q(kind=EvidenceKind.FILE), name="evidence_gathered_once"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or self.get_kind_display()


class CategoryCorrection(models.Model):
    """A staff member's correction of the automatic category, kept as a training example."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="corrections"
    )
    text = models.TextField(_("text"))
    from_category = models.CharField(_("from"), max_length=20, choices=Category.choices)
    to_category = models.CharField(_("to"), max_length=20, choices=Category.choices)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("corrected by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        verbose_name = _("category correction")
        verbose_name_plural = _("category corrections")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.complaint_id}: {self.from_category} → {self.to_category}"


class Dispute(TimeStampedModel):
    """A complaint the complainant would not let rest: negotiation → mediation → arbitration → decided."""

    MERCHANT_LOOKUP = "merchant"

    complaint = models.OneToOneField(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="dispute"
    )
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="disputes"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=DisputeStage.choices, default=DisputeStage.NEGOTIATION)
    stage_due_at = models.DateTimeField(_("stage deadline"), null=True, blank=True, db_index=True)
    reason = models.TextField(_("reason"))
    amount = models.DecimalField(_("amount in dispute"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    merchant_position = models.TextField(_("merchant's position"), blank=True)
    merchant_responded_at = models.DateTimeField(_("merchant responded at"), null=True, blank=True)
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediated_disputes",
    )
    arbitrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("arbitrator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arbitrated_disputes",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=DisputeOutcome.choices, blank=True)
    award_amount = models.DecimalField(_("amount awarded to the complainant"), null=True, blank=True, **MONEY)
    decision_note = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # True when the outcome came from a party's silence at a deadline rather than from a decision.
    decided_by_default = models.BooleanField(_("decided by default"), default=False)
    litigation_referred_at = models.DateTimeField(_("referred to litigation at"), null=True, blank=True)
    litigation_note = models.TextField(_("litigation referral"), blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=DisputeStage.values), name="dispute_stage_valid"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=DisputeOutcome.values), name="dispute_outcome_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dispute_amount_not_negative"),
            # The arbitration decision is never made by the one who mediated.
            models.CheckConstraint(
                condition=Q(arbitrator__isnull=True) | Q(mediator__isnull=True) | ~Q(arbitrator=models.F("mediator")),
                name="dispute_arbitrator_not_mediator",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_stage_display()})"


class MediationProposal(models.Model):
    """The mediator's proposed settlement; each side accepts or rejects it before the deadline."""

    MERCHANT_LOOKUP = "dispute__merchant"

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    terms = models.TextField(_("terms"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=DisputeOutcome.choices)
    award_amount = models.DecimalField(_("amount to the complainant"), default=Decimal("0.00"), **MONEY)
    complainant_answer = models.CharField(
        _("complainant's answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    merchant_answer = models.CharField(
        _("merchant's answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING
    )
    due_at = models.DateTimeField(_("answer by"))
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation proposal")
        verbose_name_plural = _("mediation proposals")
        ordering = ["dispute_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.get_outcome_display()}"


def dispute_document_path(instance, filename: str) -> str:
    return f"disputes/{instance.dispute_id}/{filename}"


class DisputeDocument(models.Model):
    """A document filed with a dispute: the litigation referral's papers among them."""

    dispute = models.ForeignKey(Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=dispute_document_path)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    added_by = models.CharField(_("added by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("dispute document")
        verbose_name_plural = _("dispute documents")
        ordering = ["dispute_id", "id"]

    def __str__(self) -> str:
        return self.file_name


class PayoutHold(models.Model):
    """Money the merchant cannot be paid out while a dispute about it runs.

    The merchant carries its holds as `merchant.payout_holds`; the amount held now is the sum of the
    unreleased ones (`complaints.selectors.payout_held`), which settlement subtracts from a payout."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="payout_holds"
    )
    dispute = models.OneToOneField(
        Dispute, verbose_name=_("dispute"), on_delete=models.PROTECT, related_name="payout_hold"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    created_at = models.DateTimeField(_("held since"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_note = models.CharField(_("release note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payout hold")
        verbose_name_plural = _("payout holds")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payouthold_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.amount} {self.currency}"


class ComplaintRateAlert(models.Model):
    """A prevention notice: the merchant's complaint rate rose; sent once per merchant and week."""

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="complaint_alerts"
    )
    week_start = models.DateField(_("week"))
    complaints = models.PositiveIntegerField(_("complaints"))
    orders = models.PositiveIntegerField(_("orders"))
    rate_per_1000 = models.DecimalField(_("per 1,000 orders"), max_digits=9, decimal_places=2)
    previous_rate_per_1000 = models.DecimalField(_("previously per 1,000 orders"), max_digits=9, decimal_places=2)
    top_category = models.CharField(_("main category"), max_length=20, choices=Category.choices)
    suggestion = models.TextField(_("suggested next step"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint rate alert")
        verbose_name_plural = _("complaint rate alerts")
        ordering = ["-week_start", "-id"]
        constraints = [models.UniqueConstraint(fields=["merchant", "week_start"], name="complaint_alert_once_a_week")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.week_start}"
