from django.db import models
from django.utils.translation import gettext_lazy as _


class ComponentStatus(models.TextChoices):
    OK = "ok", _("OK")
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")
    INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")


class Direction(models.TextChoices):
    LOWER_IS_BETTER = "lower", _("Lower is better")
    HIGHER_IS_BETTER = "higher", _("Higher is better")


# Component names as the API shows them (DESIGN §3, "Metric definitions"); names are a promise to partners.
LATE_SHIPMENT_RATE = "late_shipment_rate"
CANCELLATION_RATE = "cancellation_rate"
ON_TIME_DELIVERY_RATE = "on_time_delivery_rate"
VALID_TRACKING_RATE = "valid_tracking_rate"
AVERAGE_REVIEW_SCORE = "average_review_score"
ORDER_DEFECT_RATE = "order_defect_rate"
RETURN_RATE = "return_rate"
YEARS_IN_BUSINESS = "years_in_business"
REGISTERED_CAPITAL = "registered_capital"
VIOLATION_POINTS = "violation_points"

COMPONENT_LABELS = {
    LATE_SHIPMENT_RATE: _("Late shipment rate"),
    CANCELLATION_RATE: _("Cancellation rate"),
    ON_TIME_DELIVERY_RATE: _("On-time delivery rate"),
    VALID_TRACKING_RATE: _("Valid tracking rate"),
    AVERAGE_REVIEW_SCORE: _("Average review score"),
    ORDER_DEFECT_RATE: _("Order defect rate"),
    RETURN_RATE: _("Return rate"),
    YEARS_IN_BUSINESS: _("Years in business"),
    REGISTERED_CAPITAL: _("Registered capital"),
    VIOLATION_POINTS: _("Violation points"),
}
# Ratios between 0 and 1 (a Wilson bound applies below the minimum sample); the rest are means or amounts.
RATES = frozenset(
    {
        LATE_SHIPMENT_RATE,
        CANCELLATION_RATE,
        ON_TIME_DELIVERY_RATE,
        VALID_TRACKING_RATE,
        ORDER_DEFECT_RATE,
        RETURN_RATE,
    }
)

# Version 1 of the scoring policy. Per component: `weight` (points at best), `best` and `floor` (points fall
# linearly from the weight at `best` to 0 at `floor`), `target` (worse than it is a breach), `warning` (worse
# than it, but not the target, is a warning), `min_sample` (below it the component is insufficient data).
DEFAULT_COMPONENTS = {
    LATE_SHIPMENT_RATE: {"direction": "lower", "weight": 150, "best": 0.0, "floor": 0.2, "target": 0.04,
                         "warning": 0.03, "min_sample": 30},
    CANCELLATION_RATE: {"direction": "lower", "weight": 120, "best": 0.0, "floor": 0.15, "target": 0.025,
                        "warning": 0.02, "min_sample": 30},
    ON_TIME_DELIVERY_RATE: {"direction": "higher", "weight": 150, "best": 1.0, "floor": 0.7, "target": 0.97,
                            "warning": 0.98, "min_sample": 30},
    VALID_TRACKING_RATE: {"direction": "higher", "weight": 100, "best": 1.0, "floor": 0.7, "target": 0.95,
                          "warning": 0.97, "min_sample": 30},
    AVERAGE_REVIEW_SCORE: {"direction": "higher", "weight": 150, "best": 5.0, "floor": 2.5, "target": 4.0,
                           "warning": 4.3, "min_sample": 20},
    ORDER_DEFECT_RATE: {"direction": "lower", "weight": 150, "best": 0.0, "floor": 0.1, "target": 0.01,
                        "warning": 0.0075, "min_sample": 30},
    RETURN_RATE: {"direction": "lower", "weight": 80, "best": 0.0, "floor": 0.3, "target": 0.1,
                  "warning": 0.07, "min_sample": 30},
    YEARS_IN_BUSINESS: {"direction": "higher", "weight": 50, "best": 10.0, "floor": 0.0, "target": 1.0,
                        "warning": 3.0, "min_sample": 0},
    REGISTERED_CAPITAL: {"direction": "higher", "weight": 50, "best": 5_000_000.0, "floor": 0.0,
                         "target": 100_000.0, "warning": 500_000.0, "min_sample": 0},
    # Points of decided violations in the 12 months before T; 12 is the first step of the points ladder.
    VIOLATION_POINTS: {"direction": "lower", "weight": 100, "best": 0.0, "floor": 48.0, "target": 12.0,
                       "warning": 6.0, "min_sample": 0},
}  # fmt: skip
DEFAULT_TIERS = {"tier_a_min": 850, "tier_b_min": 700, "tier_c_min": 550}


# --- Violations (DESIGN §3 "Violation") --------------------------------------------------------


class ViolationCategory(models.TextChoices):
    FALSE_ADVERTISING = "false_advertising", _("False advertising")
    COUNTERFEIT_GOODS = "counterfeit_goods", _("Counterfeit goods")
    # Malicious pricing and fake orders.
    UNFAIR_COMPETITION = "unfair_competition", _("Unfair competition (incl. fake orders)")
    # Intellectual property and consumer rights.
    LEGAL_VIOLATION = "legal_violation", _("Legal violation (incl. IP and consumer rights)")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    SEVERE = "severe", _("Severe")


# Points a decision gives when the decider names none.
SEVERITY_POINTS = {Severity.MINOR: 2, Severity.SERIOUS: 6, Severity.SEVERE: 12}
MAX_POINTS = 48


class ViolationSource(models.TextChoices):
    STAFF = "staff", _("Reported by staff")
    COMPLAINT = "complaint", _("Complaint escalation")
    DETECTION = "detection", _("Detection job")


class ViolationStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    INVESTIGATING = "investigating", _("Investigating")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")
    APPEAL_REJECTED = "appeal_rejected", _("Appeal rejected")
    CLOSED = "closed", _("Closed")


V = ViolationStatus
VIOLATION_TRANSITIONS: dict[str, frozenset[str]] = {
    V.REPORTED: frozenset({V.INVESTIGATING}),
    V.INVESTIGATING: frozenset({V.DECIDED}),
    # Closed straight from decided once the appeal window has passed unused.
    V.DECIDED: frozenset({V.APPEALED, V.CLOSED}),
    V.APPEALED: frozenset({V.APPEAL_UPHELD, V.APPEAL_REJECTED}),
    V.APPEAL_UPHELD: frozenset({V.CLOSED}),
    V.APPEAL_REJECTED: frozenset({V.CLOSED}),
    V.CLOSED: frozenset(),
}
# Decided violations whose points count (unless an upheld appeal reversed them).
DECIDED_STATUSES = (V.DECIDED, V.APPEALED, V.APPEAL_UPHELD, V.APPEAL_REJECTED, V.CLOSED)
OPEN_VIOLATION_STATUSES = (V.REPORTED, V.INVESTIGATING, V.APPEALED)


class Measure(models.TextChoices):
    WARNING = "warning", _("Warning")
    FINE = "fine", _("Fine")
    TRADING_RESTRICTION = "trading_restriction", _("Trading restriction")
    SUSPENSION = "suspension", _("Suspension")
    TERMINATION = "termination", _("Termination")


# Measures that change what the merchant may do, weakest first; a termination holds the merchant suspended
# with no end (the merchant model has no stronger state a violation can reach: `closed` only follows exit).
HOLDING_MEASURES = (Measure.TRADING_RESTRICTION, Measure.SUSPENSION, Measure.TERMINATION)
MEASURE_LEVEL = {Measure.TRADING_RESTRICTION: 1, Measure.SUSPENSION: 2, Measure.TERMINATION: 2}
# Days a decided restriction or suspension lasts when the decider names none.
DEFAULT_MEASURE_DAYS = {Measure.TRADING_RESTRICTION: 7, Measure.SUSPENSION: 14}


class MeasureOrigin(models.TextChoices):
    DECISION = "decision", _("Decided for the violation")
    LADDER = "ladder", _("Points threshold crossed")


class LiftReason(models.TextChoices):
    EXPIRED = "expired", _("Expired")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal upheld")
    DE_ESCALATED = "de_escalated", _("Threshold no longer reached")


class FineStatus(models.TextChoices):
    NONE = "", _("No fine")
    OWED = "owed", _("Owed")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    REFUND_DUE = "refund_due", _("Refund due")
    REFUNDED = "refunded", _("Refunded")


F_ = FineStatus
FINE_TRANSITIONS: dict[str, frozenset[str]] = {
    F_.NONE: frozenset(),
    F_.OWED: frozenset({F_.PAID, F_.WAIVED}),
    F_.PAID: frozenset({F_.REFUND_DUE}),
    F_.WAIVED: frozenset(),
    F_.REFUND_DUE: frozenset({F_.REFUNDED}),
    F_.REFUNDED: frozenset(),
}


class AppealRuling(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


POINTS_WINDOW_MONTHS = 12
MAX_EVIDENCE_FILES = 10
