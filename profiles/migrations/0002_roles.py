from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0001_initial"),
        ("onboarding", "0002_requirements_agreements_roles"),
        ("core", "0004_regions_webhooks"),
    ]

    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
