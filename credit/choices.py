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
}  # fmt: skip
DEFAULT_TIERS = {"tier_a_min": 850, "tier_b_min": 700, "tier_c_min": 550}
