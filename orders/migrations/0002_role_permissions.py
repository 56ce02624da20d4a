from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("core", "0004_regions_webhooks"),
    ]
    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
