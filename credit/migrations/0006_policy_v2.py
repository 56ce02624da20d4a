"""Scoring policy version 2: violation points and public records join the score, and the consequence rules
(tier perks, breach warnings, credit restriction with probation) are switched on. Written out, like version 1."""

from django.db import migrations
from django.db.models import Max

NEW_COMPONENTS = {
    "violation_points": {
        "direction": "lower",
        "weight": 100,
        "best": 0.0,
        "floor": 48.0,
        "target": 12.0,
        "warning": 6.0,
        "min_sample": 0,
    },
    "public_records": {
        "direction": "higher",
        "weight": 60,
        "best": 4.0,
        "floor": -8.0,
        "target": -2.0,
        "warning": 0.0,
        "min_sample": 0,
    },
}
CONSEQUENCES = {
    "priority_recommendation_tiers": ["A"],
    "deposit_discount_percent": {"A": 20},
    "campaign_ineligible_tiers": ["D"],
    "breach_warning": True,
    "breach_components": [
        "late_shipment_rate",
        "cancellation_rate",
        "on_time_delivery_rate",
        "valid_tracking_rate",
        "average_review_score",
        "order_defect_rate",
        "return_rate",
        "public_records",
    ],
    "repeated_breach_runs": 3,
    "restrict_below_score": 400,
    "probation_days": 30,
    "min_measured_share": 0.5,
}
NOTE = (
    "Version 2: violation points (12-month window) and public records join the score; consequence rules on "
    "(tier A priority recommendation and 20% deposit discount, tier D no campaign sign-up, breach warnings, "
    "restriction for credit after 3 runs in breach or a score under 400, 30 days' probation)."
)


def create_version_2(apps, schema_editor):
    """On top of the newest version (a risk officer's edits are kept), once."""
    ScoringPolicy = apps.get_model("credit", "ScoringPolicy")
    latest = ScoringPolicy.objects.order_by("-version").first()
    if latest is None or all(name in latest.components for name in NEW_COMPONENTS):
        return
    ScoringPolicy.objects.create(
        version=(ScoringPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1,
        components={**latest.components, **NEW_COMPONENTS},
        tier_a_min=latest.tier_a_min,
        tier_b_min=latest.tier_b_min,
        tier_c_min=latest.tier_c_min,
        window_days=latest.window_days,
        neutral_share=latest.neutral_share,
        consequences=latest.consequences or CONSEQUENCES,
        note=NOTE,
    )


class Migration(migrations.Migration):
    dependencies = [("credit", "0005_suspicion_flags")]
    operations = [migrations.RunPython(create_version_2, migrations.RunPython.noop)]
