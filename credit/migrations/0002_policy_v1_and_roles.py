from django.db import migrations

from core.roles import sync_role_permissions
from credit.choices import DEFAULT_COMPONENTS, DEFAULT_TIERS


def create_version_1(apps, schema_editor):
    ScoringPolicy = apps.get_model("credit", "ScoringPolicy")
    ScoringPolicy.objects.get_or_create(
        version=1,
        defaults={
            "components": DEFAULT_COMPONENTS,
            **DEFAULT_TIERS,
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
