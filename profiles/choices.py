from django.db import models
from django.utils.translation import gettext_lazy as _

from onboarding.choices import DocumentType


class ChangeRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    MORE_INFO_REQUESTED = "more_info_requested", _("More information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ChangeRequestStatus
CHANGE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.MORE_INFO_REQUESTED, S.WITHDRAWN}),
    S.MORE_INFO_REQUESTED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.APPROVED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
OPEN_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.MORE_INFO_REQUESTED})
# The merchant may edit the request and add proof in these states.
EDITABLE_STATES = frozenset({S.DRAFT, S.MORE_INFO_REQUESTED})


class ReverificationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed unchanged")
    UPDATED = "updated", _("Update requested")


# Fields a merchant changes at once (audited); every other profile field needs a reviewed change request.
LOW_RISK_FIELDS = ("contact_name", "contact_phone", "contact_email", "store_description", "store_logo")

# High-risk fields, each with the documents that prove a change to it. Categories need the documents
# the newly added categories require (onboarding's category requirements), found when the request is made.
HIGH_RISK_FIELDS: dict[str, tuple[str, ...]] = {
    "name": (),
    "legal_name": (DocumentType.BUSINESS_LICENCE,),
    "uscc": (DocumentType.BUSINESS_LICENCE,),
    "registered_capital": (DocumentType.BUSINESS_LICENCE,),
    "founded_on": (DocumentType.BUSINESS_LICENCE,),
    "business_scope": (DocumentType.BUSINESS_LICENCE,),
    "province_code": (DocumentType.BUSINESS_LICENCE,),
    "city_code": (DocumentType.BUSINESS_LICENCE,),
    "county_code": (DocumentType.BUSINESS_LICENCE,),
    "address_detail": (DocumentType.BUSINESS_LICENCE,),
    "legal_rep_name": (DocumentType.LEGAL_REP_ID,),
    "legal_rep_id_number": (DocumentType.LEGAL_REP_ID,),
    "bank_name": (DocumentType.BANK_ACCOUNT_LICENCE,),
    "bank_account_name": (DocumentType.BANK_ACCOUNT_LICENCE,),
    "bank_account_number": (DocumentType.BANK_ACCOUNT_LICENCE,),
    "categories": (),
}
BANK_FIELDS = frozenset({"bank_name", "bank_account_name", "bank_account_number"})
# Encrypted at rest, masked wherever shown; only a platform admin reveals them, with a reason.
SENSITIVE_FIELDS = frozenset({"legal_rep_id_number", "bank_account_number"})
# Fields kept on the merchant itself rather than on its profile.
MERCHANT_FIELDS = frozenset({"name", "legal_name", "uscc", "categories"})

REMINDER_DAYS = (30, 14, 3)
