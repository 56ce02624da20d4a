from django.db import migrations

from core.roles import sync_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0001_initial"),
        ("orders", "0002_role_permissions"),
    ]
    operations = [migrations.RunPython(sync_role_permissions, migrations.RunPython.noop)]
