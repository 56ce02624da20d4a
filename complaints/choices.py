"""Complaint and dispute status values, the allowed moves between them, and the other fixed lists."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints import classification as c


class Channel(models.TextChoices):
    ONLINE = "online", _("Online service")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Merchant portal")
    REVIEW = "review", _("Buyer review")


class Category(models.TextChoices):
    PRODUCT_QUALITY = c.PRODUCT_QUALITY, _("Product quality")
    LOGISTICS = c.LOGISTICS, _("Logistics")
    AFTER_SALES = c.AFTER_SALES, _("After-sales")
    PAYMENT = c.PAYMENT, _("Payment")
    OTHER = c.OTHER, _("Other")


class Urgency(models.TextChoices):
    NORMAL = c.URGENCY_NORMAL, _("Normal")
    HIGH = c.URGENCY_HIGH, _("High")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated to a dispute")


S = ComplaintStatus
COMPLAINT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.CLASSIFIED}),
    S.CLASSIFIED: frozenset({S.INVESTIGATING}),
    S.INVESTIGATING: frozenset({S.RESOLVED, S.ESCALATED}),
    # The complainant may refuse the outcome: the case then becomes a dispute.
    S.RESOLVED: frozenset({S.CLOSED, S.ESCALATED}),
    # A decided dispute resolves its complaint with the dispute's outcome.
    S.ESCALATED: frozenset({S.RESOLVED}),
    S.CLOSED: frozenset(),
}
OPEN_STATUSES = (S.RECEIVED, S.CLASSIFIED, S.INVESTIGATING)
# Cases an agent still carries: what "load" counts when cases are shared out.
LOAD_STATUSES = (S.CLASSIFIED, S.INVESTIGATING)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    REJECTED = "rejected", _("Rejected")


UPHELD_OUTCOMES = (Outcome.UPHELD, Outcome.PARTLY_UPHELD)


class Remedy(models.TextChoices):
    NONE = "none", _("None")
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    COMPENSATION = "compensation", _("Compensation")
    APOLOGY = "apology", _("Apology")


class ObligationStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")


class DisputeStage(models.TextChoices):
    NEGOTIATION = "negotiation", _("Negotiation")
    MEDIATION = "mediation", _("Mediation")
    ARBITRATION = "arbitration", _("Arbitration")
    DECIDED = "decided", _("Decided")
    LITIGATION = "litigation", _("Referred to litigation")


D = DisputeStage
DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    D.NEGOTIATION: frozenset({D.MEDIATION, D.DECIDED}),
    D.MEDIATION: frozenset({D.ARBITRATION, D.DECIDED}),
    D.ARBITRATION: frozenset({D.DECIDED, D.LITIGATION}),
    # A party that will not accept the arbitration goes to court.
    D.DECIDED: frozenset({D.LITIGATION}),
    D.LITIGATION: frozenset(),
}
OPEN_STAGES = (D.NEGOTIATION, D.MEDIATION, D.ARBITRATION)
STAGE_DURATION = {
    D.NEGOTIATION: timedelta(days=3),
    D.MEDIATION: timedelta(days=5),
    D.ARBITRATION: timedelta(days=7),
}


class DisputeOutcome(models.TextChoices):
    COMPLAINANT = "complainant", _("For the complainant")
    MERCHANT = "merchant", _("For the merchant")
    SPLIT = "split", _("Split")


# How a dispute's outcome reads on its complaint (what credit scoring counts).
OUTCOME_OF_DISPUTE = {
    DisputeOutcome.COMPLAINANT: Outcome.UPHELD,
    DisputeOutcome.SPLIT: Outcome.PARTLY_UPHELD,
    DisputeOutcome.MERCHANT: Outcome.REJECTED,
}


class Party(models.TextChoices):
    COMPLAINANT = "complainant", _("Complainant")
    MERCHANT = "merchant", _("Merchant")


class Answer(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class EvidenceKind(models.TextChoices):
    ORDER = "order", _("Order")
    ITEMS = "items", _("Order items")
    PAYMENTS = "payments", _("Payments")
    SHIPMENT = "shipment", _("Shipment")
    RETURNS = "returns", _("Return requests")
    EARLIER_COMPLAINTS = "earlier_complaints", _("Earlier complaints")
    FILE = "file", _("File")


DEFAULT_ACK_HOURS = 24
DEFAULT_RESOLVE_HOURS = 72
MERCHANT_RESPONSE_WITHIN = timedelta(hours=48)
