from django.db import models
from django.utils.translation import gettext_lazy as _


class MerchantStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    RESTRICTED = "restricted", _("Restricted")
    SUSPENDED = "suspended", _("Suspended")
    EXITING = "exiting", _("Exiting")
    CLOSED = "closed", _("Closed")


class KycStatus(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    PENDING_REVIEW = "pending_review", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class RestrictionReason(models.TextChoices):
    MANUAL = "manual", _("Manual")
    CREDIT = "credit", _("Credit")
    VIOLATION = "violation", _("Violation")
    DOCUMENT_EXPIRED = "document_expired", _("Document expired")
    EXIT = "exit", _("Exit")


class Tier(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    STAFF = "staff", _("Staff")


S = MerchantStatus
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.ACTIVE, S.CLOSED}),
    S.ACTIVE: frozenset({S.RESTRICTED, S.SUSPENDED, S.EXITING}),
    S.RESTRICTED: frozenset({S.ACTIVE, S.SUSPENDED, S.EXITING}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.RESTRICTED, S.EXITING}),
    S.EXITING: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
}
