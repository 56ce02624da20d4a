from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import TimeStampedModel
from onboarding.choices import DocumentType
from profiles.choices import OPEN_STATES, ChangeRequestStatus, ReverificationStatus


def logo_path(instance: "Profile", filename: str) -> str:
    return f"profiles/{instance.merchant_id}/{instance.logo_name}"


class Profile(TimeStampedModel):
    """What the platform knows about a merchant beyond its identity (which stays on the merchant)."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.OneToOneField(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="profile"
    )
    registered_capital = models.DecimalField(
        _("registered capital (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    province_code = models.CharField(_("province code"), max_length=6, blank=True)
    city_code = models.CharField(_("city code"), max_length=6, blank=True)
    county_code = models.CharField(_("county code"), max_length=6, blank=True)
    address_detail = models.CharField(_("street address"), max_length=200, blank=True)
    legal_rep_name = models.CharField(_("legal representative"), max_length=100, blank=True)
    legal_rep_id_number = EncryptedTextField(_("legal representative's ID number"), blank=True)
    legal_rep_id_index = models.CharField(_("ID number blind index"), max_length=64, blank=True, db_index=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_name = models.CharField(_("account holder"), max_length=200, blank=True)
    bank_account_number = EncryptedTextField(_("bank account number"), blank=True)
    bank_account_index = models.CharField(_("bank account blind index"), max_length=64, blank=True, db_index=True)
    store_logo = models.FileField(_("store logo"), upload_to=logo_path, max_length=255, blank=True)
    logo_name = models.CharField(_("stored logo name"), max_length=80, blank=True, editable=False)
    store_description = models.TextField(_("store description"), blank=True)
    payout_hold = models.BooleanField(
        _("payout hold"), default=False, help_text=_("Set while a bank account change is pending review.")
    )

    class Meta:
        verbose_name = _("merchant profile")
        verbose_name_plural = _("merchant profiles")

    def __str__(self) -> str:
        return str(self.merchant_id)


class ChangeRequest(TimeStampedModel):
    """A merchant asks to change high-risk information; staff review it with the proof attached."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="change_requests"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.DRAFT
    )
    reason = models.TextField(_("reason for the change"), blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("decision due"), null=True, blank=True, db_index=True)
    # Set once the decision is late: by the beat sweep, or by a decision made after `due_at`.
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note to the merchant"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChangeRequestStatus.values), name="change_request_status_valid"
            ),
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(status__in=sorted(OPEN_STATES)), name="change_request_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    @property
    def touches_bank(self) -> bool:
        from profiles.choices import BANK_FIELDS

        return any(change.field in BANK_FIELDS for change in self.changes.all())


class FieldChange(models.Model):
    """One field of a change request: the value before and the one asked for (encrypted, as JSON)."""

    MERCHANT_LOOKUP = "change_request__merchant"

    change_request = models.ForeignKey(
        ChangeRequest, verbose_name=_("change request"), on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(_("field"), max_length=40)
    before = EncryptedTextField(_("before"), blank=True)
    after = EncryptedTextField(_("after"), blank=True)

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["change_request", "field"], name="field_change_once")]

    def __str__(self) -> str:
        return self.field


def proof_path(instance: "ChangeProof", filename: str) -> str:
    return f"profiles/{instance.change_request.merchant_id}/proofs/{instance.storage_name}"


class ChangeProof(models.Model):
    """A document proving a change (or renewing an expiring one); current once its request is approved."""

    MERCHANT_LOOKUP = "change_request__merchant"

    change_request = models.ForeignKey(
        ChangeRequest, verbose_name=_("change request"), on_delete=models.CASCADE, related_name="proofs"
    )
    doc_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=proof_path, max_length=255)
    storage_name = models.CharField(_("stored name"), max_length=80, editable=False)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("proof document")
        verbose_name_plural = _("proof documents")
        ordering = ["doc_type", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change_request", "doc_type"], name="change_proof_one_per_type"),
            models.CheckConstraint(condition=Q(doc_type__in=DocumentType.values), name="change_proof_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"


class DocumentReminder(models.Model):
    """A reminder sent for one document expiry at one threshold: the row makes each reminder happen once."""

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="+"
    )
    doc_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    expires_on = models.DateField(_("expires on"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "doc_type", "expires_on", "days_before"], name="document_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.doc_type} {self.expires_on} -{self.days_before}d"


class ReverificationRound(TimeStampedModel):
    """Staff ask the merchants matching a filter to confirm or update their information by a date."""

    name = models.CharField(_("name"), max_length=200)
    criteria = models.JSONField(_("filter"), default=dict)
    due_on = models.DateField(_("due on"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("re-verification round")
        verbose_name_plural = _("re-verification rounds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ReverificationTask(TimeStampedModel):
    MERCHANT_LOOKUP = "merchant"

    round = models.ForeignKey(
        ReverificationRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="tasks"
    )
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="reverifications"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReverificationStatus.choices, default=ReverificationStatus.OPEN
    )
    due_on = models.DateField(_("due on"), db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    change_request = models.ForeignKey(
        ChangeRequest, verbose_name=_("change request"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("re-verification task")
        verbose_name_plural = _("re-verification tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "merchant"], name="reverification_task_once"),
            models.CheckConstraint(
                condition=Q(status__in=ReverificationStatus.values), name="reverification_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.merchant_id}: {self.status}"
