from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from merchants.choices import KycStatus, MembershipRole, MerchantStatus, RestrictionReason, Tier


class Category(models.Model):
    """A product category a merchant may apply to sell in."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("Chinese name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MerchantQuerySet(models.QuerySet):
    def can_sell(self) -> "MerchantQuerySet":
        return self.filter(status=MerchantStatus.ACTIVE, kyc_status=KycStatus.APPROVED, restriction_reason__isnull=True)


class Merchant(TimeStampedModel):
    # How a queryset of this model is scoped to a caller's merchants (see merchants.selectors).
    MERCHANT_LOOKUP = "pk"

    name = models.CharField(_("store name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MerchantStatus.choices, default=MerchantStatus.PENDING
    )
    kyc_status = models.CharField(
        _("KYC status"), max_length=16, choices=KycStatus.choices, default=KycStatus.NOT_SUBMITTED
    )
    restriction_reason = models.CharField(
        _("restriction reason"), max_length=20, choices=RestrictionReason.choices, null=True, blank=True
    )
    tier = models.CharField(_("credit tier"), max_length=1, choices=Tier.choices, null=True, blank=True)
    credit_score = models.PositiveSmallIntegerField(_("credit score"), null=True, blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True, related_name="merchants")
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="MerchantMembership", related_name="merchants", verbose_name=_("members")
    )

    objects = MerchantQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MerchantStatus.values), name="merchant_status_valid"),
            models.CheckConstraint(condition=Q(kyc_status__in=KycStatus.values), name="merchant_kyc_status_valid"),
            models.CheckConstraint(
                condition=Q(restriction_reason__isnull=True) | Q(restriction_reason__in=RestrictionReason.values),
                name="merchant_restriction_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(tier__isnull=True) | Q(tier__in=Tier.values), name="merchant_tier_valid"
            ),
            models.CheckConstraint(
                condition=Q(credit_score__isnull=True) | Q(credit_score__lte=1000), name="merchant_credit_score_range"
            ),
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="merchant_uscc_unique"),
            models.UniqueConstraint(
                fields=["external_ref"], condition=~Q(external_ref=""), name="merchant_external_ref_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def can_sell(self) -> bool:
        """Computed from all three state fields, never stored."""
        return (
            self.status == MerchantStatus.ACTIVE
            and self.kyc_status == KycStatus.APPROVED
            and self.restriction_reason is None
        )


class MerchantMembership(TimeStampedModel):
    MERCHANT_LOOKUP = "merchant"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.STAFF)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="membership_user_merchant_unique"),
            models.CheckConstraint(condition=Q(role__in=MembershipRole.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.merchant} ({self.role})"
