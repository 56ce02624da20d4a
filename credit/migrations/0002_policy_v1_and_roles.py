from django.db import migrations

from core.roles import sync_role_permissions

# Version 1 as it was first released, written out: later changes to credit.choices make new versions instead.
VERSION_1_COMPONENTS = {
    "late_shipment_rate": {
        "direction": "lower",
        "weight": 150,
        "best": 0.0,
        "floor": 0.2,
        "target": 0.04,
        "warning": 0.03,
        "min_sample": 30,
    },
    "cancellation_rate": {
        "direction": "lower",
        "weight": 120,
        "best": 0.0,
        "floor": 0.15,
        "target": 0.025,
        "warning": 0.02,
        "min_sample": 30,
    },
    "on_time_delivery_rate": {
        "direction": "higher",
        "weight": 150,
        "best": 1.0,
        "floor": 0.7,
        "target": 0.97,
        "warning": 0.98,
        "min_sample": 30,
    },
    "valid_tracking_rate": {
        "direction": "higher",
        "weight": 100,
        "best": 1.0,
        "floor": 0.7,
        "target": 0.95,
        "warning": 0.97,
        "min_sample": 30,
    },
    "average_review_score": {
        "direction": "higher",
        "weight": 150,
        "best": 5.0,
        "floor": 2.5,
        "target": 4.0,
        "warning": 4.3,
        "min_sample": 20,
    },
    "order_defect_rate": {
        "direction": "lower",
        "weight": 150,
        "best": 0.0,
        "floor": 0.1,
        "target": 0.01,
        "warning": 0.0075,
        "min_sample": 30,
    },
    "return_rate": {
        "direction": "lower",
        "weight": 80,
        "best": 0.0,
        "floor": 0.3,
        "target": 0.1,
        "warning": 0.07,
        "min_sample": 30,
    },
    "years_in_business": {
        "direction": "higher",
        "weight": 50,
        "best": 10.0,
        "floor": 0.0,
        "target": 1.0,
        "warning": 3.0,
        "min_sample": 0,
    },
    "registered_capital": {
        "direction": "higher",
        "weight": 50,
        "best": 5000000.0,
        "floor": 0.0,
        "target": 100000.0,
        "warning": 500000.0,
        "min_sample": 0,
    },
}
VERSION_1_TIERS = {"tier_a_min": 850, "tier_b_min": 700, "tier_c_min": 550}


def create_version_1(apps, schema_editor):
    ScoringPolicy = apps.get_model("credit", "ScoringPolicy")
    ScoringPolicy.objects.get_or_create(
        version=1,
        defaults={
            "components": VERSION_1_COMPONENTS,
            **VERSION_1_TIERS,
            "window_days": 90,
            "neutral_share": 0.5,
            "note": "Version 1: DESIGN §3 targets and tier cut-offs.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_initial"),
        ("logistics", "0003_shipment_status_event"),
        ("profiles", "0003_change_request_sla_breached"),
        ("complaints", "0002_role_permissions"),
    ]
    operations = [
        migrations.RunPython(create_version_1, migrations.RunPython.noop),
        migrations.RunPython(sync_role_permissions, migrations.RunPython.noop),
    ]
