from django.db import migrations

from core.roles import sync_role_permissions

# On PostgreSQL the database itself refuses to change or delete an audit entry.
AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION core_auditentry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_immutable
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_immutable();
"""
AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS core_auditentry_immutable ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_immutable();
"""


def add_audit_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD)


def remove_audit_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("merchants", "0002_default_categories"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]
    operations = [
        migrations.RunPython(add_audit_guard, remove_audit_guard),
        migrations.RunPython(sync_role_permissions, migrations.RunPython.noop),
    ]
