from django.db import migrations

from core.roles import sync_role_permissions

# Every category needs the company's licence, its legal representative's ID and its bank account licence;
# some need a permit as well.
BASE = ["business_licence", "legal_rep_id", "bank_account_licence"]
PERMITS = {
    "food_beverage": ["food_business_licence"],
    "fresh_produce": ["food_business_licence"],
    "health_supplements": ["food_business_licence"],
    "maternal_baby": ["food_business_licence"],
    "alcohol": ["food_business_licence", "alcohol_licence"],
    "medical_devices": ["medical_device_licence"],
}

AGREEMENTS = [
    (
        "service",
        "Platform service agreement",
        "The merchant sells on the marketplace under the platform rules in force, keeps its licences valid, "
        "ships on time, handles after-sales and complaints, and accepts the credit and violation rules.",
    ),
    (
        "onboarding",
        "Onboarding agreement",
        "The merchant declares the documents it uploads genuine and in force, consents to their verification "
        "against public records, and accepts that a false declaration ends the application or the merchant.",
    ),
]


def add_requirements(apps, schema_editor):
    Category = apps.get_model("merchants", "Category")
    CategoryRequirement = apps.get_model("onboarding", "CategoryRequirement")
    for category in Category.objects.all():
        for doc_type in BASE + PERMITS.get(category.code, []):
            CategoryRequirement.objects.get_or_create(category=category, doc_type=doc_type)


def add_agreements(apps, schema_editor):
    Agreement = apps.get_model("onboarding", "Agreement")
    for kind, title, body in AGREEMENTS:
        if not Agreement.objects.filter(kind=kind).exists():
            Agreement.objects.create(kind=kind, version=1, title=title, body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0001_initial"),
        ("merchants", "0002_default_categories"),
        ("core", "0003_notifications"),
    ]
    operations = [
        migrations.RunPython(add_requirements, migrations.RunPython.noop),
        migrations.RunPython(add_agreements, migrations.RunPython.noop),
        migrations.RunPython(sync_role_permissions, migrations.RunPython.noop),
    ]
