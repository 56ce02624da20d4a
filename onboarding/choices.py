from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    AUTO_CHECKING = "auto_checking", _("Automatic checks")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


S = ApplicationStatus
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.AUTO_CHECKING}),
    S.AUTO_CHECKING: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.CHANGES_REQUESTED}),
    S.CHANGES_REQUESTED: frozenset({S.SUBMITTED}),
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset(),
}
# The applicant may edit and upload in these states; an application is "open" until it is decided for good.
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
CLOSED_STATES = frozenset({S.APPROVED, S.REJECTED})
OPEN_STATES = frozenset(set(S.values) - CLOSED_STATES)


class DocumentType(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    TAX_REGISTRATION = "tax_registration", _("Tax registration certificate")
    ORGANIZATION_CODE = "organization_code", _("Organisation code certificate")
    LEGAL_REP_ID = "legal_rep_id", _("Legal representative ID")
    BANK_ACCOUNT_LICENCE = "bank_account_licence", _("Bank account licence")
    TRADEMARK_CERTIFICATE = "trademark_certificate", _("Trademark registration certificate")
    BRAND_AUTHORIZATION = "brand_authorization", _("Brand authorisation")
    FOOD_BUSINESS_LICENCE = "food_business_licence", _("Food business licence")
    MEDICAL_DEVICE_LICENCE = "medical_device_licence", _("Medical device business licence")
    ALCOHOL_LICENCE = "alcohol_licence", _("Alcohol wholesale or retail licence")


class CheckCode(models.TextChoices):
    USCC = "uscc", _("Unified social credit code")
    DOCUMENT_FILE = "document_file", _("Document file")
    DOCUMENT_DATES = "document_dates", _("Document dates")
    DUPLICATES = "duplicates", _("Used by another merchant")
    REQUIRED_DOCUMENTS = "required_documents", _("Documents the categories require")
    BLACKLIST = "blacklist", _("Blacklist")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    WARN = "warn", _("Warning")
    FAIL = "fail", _("Fail")


class ItemDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPPLEMENT = "supplement", _("Supplement needed")


class RejectionReason(models.TextChoices):
    INVALID_LICENCE = "invalid_licence", _("Licence invalid or not genuine")
    EXPIRED_DOCUMENTS = "expired_documents", _("Documents expired")
    MISSING_PERMITS = "missing_permits", _("Category permits missing")
    CATEGORY_NOT_ALLOWED = "category_not_allowed", _("Business scope does not cover the categories")
    BLACKLISTED = "blacklisted", _("On the public-record blacklist")
    POOR_REPUTATION = "poor_reputation", _("Poor credit record")
    DUPLICATE_ENTITY = "duplicate_entity", _("Already a merchant under another account")
    PRODUCT_QUALITY = "product_quality", _("Product quality concerns")
    OTHER = "other", _("Other")


class BlacklistKind(models.TextChoices):
    USCC = "uscc", _("Unified social credit code")
    LEGAL_REP_ID = "legal_rep_id", _("Legal representative ID")
    BANK_ACCOUNT = "bank_account", _("Bank account")


class AgreementKind(models.TextChoices):
    SERVICE = "service", _("Service agreement")
    ONBOARDING = "onboarding", _("Onboarding agreement")


# Checklist items besides the documents: the reviewer decides on each.
COMPANY_ITEM = "company"
STORE_ITEM = "store"
ITEM_LABELS = {COMPANY_ITEM: _("Company details"), STORE_ITEM: _("Store, business scope and categories")}
