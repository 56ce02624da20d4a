"""External records: what consumer rating sites, industry bodies and the government say about a merchant."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credit.choices import CreditGrade, RecordKind, RecordSeverity, RecordSource


class ExternalRecordImport(models.Model):
    """One CSV file that added records (a file that adds nothing new leaves no row)."""

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_count = models.PositiveIntegerField(_("records added"))
    unchanged_count = models.PositiveIntegerField(_("records already there"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("external record import")
        verbose_name_plural = _("external record imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class ExternalRecord(models.Model):
    """A penalty, judgment or credit grade from outside the platform; it feeds the `public_records` component."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="external_records"
    )
    source = models.CharField(_("source"), max_length=24, choices=RecordSource.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=RecordKind.choices)
    date = models.DateField(_("date"))
    # Penalties and judgments have a severity; credit grades have a grade instead.
    severity = models.CharField(_("severity"), max_length=8, choices=RecordSeverity.choices, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=CreditGrade.choices, blank=True)
    # The issuer's own number (decision number, case number, rating id): with the source, it names the record.
    reference = models.CharField(_("reference"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_from = models.ForeignKey(
        ExternalRecordImport,
        verbose_name=_("imported from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("external record")
        verbose_name_plural = _("external records")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "reference"], name="externalrecord_source_reference_unique"),
            models.CheckConstraint(condition=Q(source__in=RecordSource.values), name="externalrecord_source_valid"),
            models.CheckConstraint(condition=Q(kind__in=RecordKind.values), name="externalrecord_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind=RecordKind.CREDIT_GRADE) & Q(grade__in=CreditGrade.values) & Q(severity=""))
                | (~Q(kind=RecordKind.CREDIT_GRADE) & Q(severity__in=RecordSeverity.values) & Q(grade="")),
                name="externalrecord_grade_or_severity",
            ),
            models.CheckConstraint(condition=~Q(reference=""), name="externalrecord_reference_present"),
        ]
        indexes = [models.Index(fields=["merchant", "-date"], name="externalrecord_merchant_date")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.reference}"
