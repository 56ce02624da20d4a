from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from onboarding.choices import (
    OPEN_STATES,
    AgreementKind,
    ApplicationStatus,
    BlacklistKind,
    CheckCode,
    CheckResult,
    DocumentType,
    ItemDecision,
    RejectionReason,
)


class CategoryRequirement(models.Model):
    """A document type that merchants selling in a category must provide."""

    category = models.ForeignKey(
        "merchants.Category", verbose_name=_("category"), on_delete=models.CASCADE, related_name="requirements"
    )
    doc_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)

    class Meta:
        verbose_name = _("category requirement")
        verbose_name_plural = _("category requirements")
        ordering = ["category__code", "doc_type"]
        constraints = [
            models.UniqueConstraint(fields=["category", "doc_type"], name="category_requirement_unique"),
            models.CheckConstraint(condition=Q(doc_type__in=DocumentType.values), name="category_requirement_type"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.doc_type}"


class Application(TimeStampedModel):
    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    store_name = models.CharField(_("store name"), max_length=200)
    business_scope = models.TextField(_("business scope"), blank=True)
    categories = models.ManyToManyField(
        "merchants.Category", verbose_name=_("categories"), blank=True, related_name="applications"
    )
    contact_name = models.CharField(_("contact name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    submission_count = models.PositiveSmallIntegerField(_("submissions"), default=0)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_due_at = models.DateTimeField(_("first decision due"), null=True, blank=True)
    due_at = models.DateTimeField(_("decision due"), null=True, blank=True, db_index=True)
    first_decision = models.CharField(_("first decision"), max_length=20, blank=True)
    first_decision_at = models.DateTimeField(_("first decided at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    fast_track = models.BooleanField(_("fast track"), default=False)
    checks_completed_at = models.DateTimeField(_("checks completed at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectionReason.choices, blank=True
    )
    decision_note = models.TextField(_("note to the applicant"), blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
            models.UniqueConstraint(
                fields=["merchant"], condition=Q(status__in=sorted(OPEN_STATES)), name="application_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_name} ({self.get_status_display()})"


class ApplicationEvent(models.Model):
    """One step of the application's timeline, as the applicant sees it."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ApplicationStatus.choices)
    note = models.TextField(_("note"), blank=True)
    by_platform = models.BooleanField(_("by the platform"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} -> {self.to_status}"


def document_path(instance: "Document", filename: str) -> str:
    # Never the uploader's file name: a random name with the extension of the recognised type.
    return f"onboarding/{instance.application.merchant_id}/{instance.storage_name}"


class Document(TimeStampedModel):
    MERCHANT_LOOKUP = "application__merchant"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="documents"
    )
    doc_type = models.CharField(_("document type"), max_length=32, choices=DocumentType.choices)
    number = models.CharField(_("number"), max_length=64, blank=True, db_index=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    storage_name = models.CharField(_("stored name"), max_length=80, editable=False)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["doc_type"]
        constraints = [
            models.UniqueConstraint(fields=["application", "doc_type"], name="document_one_per_type"),
            models.CheckConstraint(condition=Q(doc_type__in=DocumentType.values), name="document_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"


class Agreement(models.Model):
    """A published version of an agreement; the newest version of each kind is the current one."""

    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="agreement_kind_version_unique"),
            models.CheckConstraint(condition=Q(kind__in=AgreementKind.values), name="agreement_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    MERCHANT_LOOKUP = "application__merchant"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="acceptances"
    )
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [
            models.UniqueConstraint(fields=["application", "agreement"], name="acceptance_once_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.agreement}"


class ReviewCheck(models.Model):
    """The result of one automatic check; re-running the checks updates these rows in place."""

    MERCHANT_LOOKUP = "application__merchant"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="checks"
    )
    code = models.CharField(_("check"), max_length=32, choices=CheckCode.choices)
    subject = models.CharField(_("subject"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=CheckResult.choices)
    # The detail is kept as an untranslated message and its parameters, and translated when shown.
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("automatic check")
        verbose_name_plural = _("automatic checks")
        ordering = ["code", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code", "subject"], name="review_check_unique"),
            models.CheckConstraint(condition=Q(result__in=CheckResult.values), name="review_check_result_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.subject}: {self.result}"

    @property
    def subject_label(self) -> str:
        """The subject in words: a document type or an identifier kind."""
        for choices in (DocumentType, BlacklistKind):
            if self.subject in choices.values:
                return str(choices(self.subject).label)
        return self.subject

    @property
    def detail(self) -> str:
        params = dict(self.params)
        if "missing" in params:  # document type codes, shown in the reader's words
            params["missing"] = ", ".join(
                str(DocumentType(code).label) if code in DocumentType.values else code
                for code in params["missing"].split(", ")
            )
        return gettext(self.message) % params if params else gettext(self.message)


class ReviewItem(models.Model):
    """The reviewer's decision on one checklist item (company, store, or a document type)."""

    MERCHANT_LOOKUP = "application__merchant"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="review_items"
    )
    item = models.CharField(_("item"), max_length=32)
    decision = models.CharField(_("decision"), max_length=12, choices=ItemDecision.choices)
    note = models.TextField(_("note"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["application", "item"], name="review_item_unique"),
            models.CheckConstraint(condition=Q(decision__in=ItemDecision.values), name="review_item_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.decision}"


class BlacklistEntry(TimeStampedModel):
    """A public-record blacklist entry: a company code, a legal representative's ID or a bank account."""

    kind = models.CharField(_("kind"), max_length=16, choices=BlacklistKind.choices)
    value = models.CharField(_("value"), max_length=64)
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="blacklist_kind_value_unique"),
            models.CheckConstraint(condition=Q(kind__in=BlacklistKind.values), name="blacklist_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"
