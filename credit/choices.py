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
PUBLIC_RECORDS = "public_records"

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
    PUBLIC_RECORDS: _("Public records"),
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
    # The record balance of credit.metrics.public_record_measures: grades add, penalties and judgments take away.
    PUBLIC_RECORDS: {"direction": "higher", "weight": 60, "best": 4.0, "floor": -8.0, "target": -2.0,
                     "warning": 0.0, "min_sample": 0},
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
# --- External records (the public_records component) ---------------------------------------------


class RecordSource(models.TextChoices):
    CONSUMER_RATING_SITE = "consumer_rating_site", _("Consumer rating site")
    INDUSTRY_BODY = "industry_body", _("Industry body")
    GOVERNMENT = "government", _("Government")


class RecordKind(models.TextChoices):
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("Administrative penalty")
    CREDIT_GRADE = "credit_grade", _("Credit grade")
    COURT_JUDGMENT = "court_judgment", _("Court judgment")


class RecordSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class CreditGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


# public_records = Σ grade points of each source's newest credit grade − Σ severity weights of the penalties and
# judgments, over the records dated in the PUBLIC_RECORDS_YEARS years up to the as-of time.
PUBLIC_RECORDS_YEARS = 3
SEVERITY_WEIGHTS = {RecordSeverity.LOW: 1, RecordSeverity.MEDIUM: 2, RecordSeverity.HIGH: 4}
GRADE_POINTS = {CreditGrade.A: 2, CreditGrade.B: 1, CreditGrade.C: -1, CreditGrade.D: -2}


# --- Consequences, through the policy's rules -------------------------------------------------------


class ConsequenceKind(models.TextChoices):
    PRIORITY_RECOMMENDATION = "priority_recommendation", _("Priority recommendation")
    DEPOSIT_DISCOUNT = "deposit_discount", _("Deposit discount")
    CAMPAIGN_INELIGIBLE = "campaign_ineligible", _("No campaign sign-up")
    WARNING = "warning", _("Warning")
    CREDIT_RESTRICTION = "credit_restriction", _("Restricted for credit")


PERKS = frozenset({ConsequenceKind.PRIORITY_RECOMMENDATION, ConsequenceKind.DEPOSIT_DISCOUNT})


class ConsequenceTrigger(models.TextChoices):
    TIER = "tier", _("Tier")
    BREACH = "breach", _("Component in breach")
    REPEATED_BREACH = "repeated_breach", _("Repeated breach")
    LOW_SCORE = "low_score", _("Score under the threshold")
    OVERRIDE = "override", _("Staff override")


class OverrideAction(models.TextChoices):
    LIFT = "lift", _("Lift")
    EXTEND = "extend", _("Impose or extend")


# The policy's `consequences` rules; every key is optional and a missing key turns its rule off (a policy with
# `{}`, like version 1, has no consequences at all).
#   priority_recommendation_tiers  tiers that get the priority recommendation flag
#   deposit_discount_percent       {tier: percent off the deposit}
#   campaign_ineligible_tiers      tiers that cannot sign up for campaigns
#   breach_warning                 a component of `breach_components` in breach warns the merchant
#   breach_components              the components whose breaches warn and restrict (behaviour, not company facts)
#   repeated_breach_runs           the same component in breach in this many consecutive runs restricts
#   restrict_below_score           a score under this restricts
#   probation_days                 recovered (no breach, score not under the threshold) this long lifts a restriction
#   min_measured_share             tier and score rules need components with enough data to carry this share of
#                                  the score's weight (a score resting on missing data triggers nothing)
CONSEQUENCE_KEYS = frozenset(
    {
        "priority_recommendation_tiers",
        "deposit_discount_percent",
        "campaign_ineligible_tiers",
        "breach_warning",
        "breach_components",
        "repeated_breach_runs",
        "restrict_below_score",
        "probation_days",
        "min_measured_share",
    }
)
DEFAULT_CONSEQUENCES = {
    "priority_recommendation_tiers": ["A"],
    "deposit_discount_percent": {"A": 20},
    "campaign_ineligible_tiers": ["D"],
    "breach_warning": True,
    "breach_components": [
        LATE_SHIPMENT_RATE,
        CANCELLATION_RATE,
        ON_TIME_DELIVERY_RATE,
        VALID_TRACKING_RATE,
        AVERAGE_REVIEW_SCORE,
        ORDER_DEFECT_RATE,
        RETURN_RATE,
        PUBLIC_RECORDS,
    ],
    "repeated_breach_runs": 3,
    "restrict_below_score": 400,
    "probation_days": 30,
    "min_measured_share": 0.5,
}
