"""Staff roles are Django groups; this table says which permissions each one carries.

Data migrations call `sync_role_permissions(apps)`; an app that adds models adds its permissions
here and a migration that calls it again.
"""

from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER, STAFF_ROLES, SUPPORT_AGENT

VIEW_MERCHANTS = ["merchants.view_merchant", "merchants.view_merchantmembership", "merchants.view_category"]
VIEW_ONBOARDING = [
    "onboarding.view_application",
    "onboarding.view_document",
    "onboarding.view_reviewcheck",
    "onboarding.view_reviewitem",
    "onboarding.view_agreement",
    "onboarding.view_agreementacceptance",
    "onboarding.view_categoryrequirement",
    "onboarding.view_blacklistentry",
]
MANAGE_BLACKLIST = ["onboarding.add_blacklistentry", "onboarding.change_blacklistentry"]
MANAGE_ONBOARDING_RULES = [
    "onboarding.add_agreement",
    "onboarding.add_categoryrequirement",
    "onboarding.delete_categoryrequirement",
]

VIEW_ORDERS = [
    "orders.view_order",
    "orders.view_orderitem",
    "orders.view_orderpayment",
    "orders.view_orderreview",
    "orders.view_warehouse",
    "orders.view_returnrequest",
    "orders.view_returnitem",
    "orders.view_returnpolicy",
]
VIEW_COMPLAINTS = [
    "complaints.view_complaint",
    "complaints.view_complaintevidence",
    "complaints.view_categorycorrection",
    "complaints.view_dispute",
    "complaints.view_mediationproposal",
    "complaints.view_disputedocument",
    "complaints.view_payouthold",
    "complaints.view_categorysla",
    "complaints.view_complaintratealert",
]
VIEW_PROFILES = [
    "profiles.view_profile",
    "profiles.view_changerequest",
    "profiles.view_fieldchange",
    "profiles.view_changeproof",
    "profiles.view_reverificationround",
    "profiles.view_reverificationtask",
]
VIEW_LOGISTICS = [
    "logistics.view_carrier",
    "logistics.view_carrierrate",
    "logistics.view_carrierquality",
    "logistics.view_recommendationweights",
    "logistics.view_shipment",
    "logistics.view_shipmentexception",
    "logistics.view_costline",
]
MANAGE_CARRIERS = [
    "logistics.add_carrier",
    "logistics.change_carrier",
    "logistics.add_carrierrate",
    "logistics.change_carrierrate",
    "logistics.delete_carrierrate",
    "logistics.add_recommendationweights",
    "logistics.change_recommendationweights",
]
VIEW_CREDIT = ["credit.view_scoringpolicy", "credit.view_creditscore", "credit.view_scorecomponent"]
VIEW_WEBHOOKS = ["core.view_webhookendpoint", "core.view_webhookdelivery", "core.view_webhookattempt"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    REVIEWER: [*VIEW_MERCHANTS, *VIEW_ONBOARDING, *VIEW_PROFILES],
    RISK_OFFICER: [
        *VIEW_MERCHANTS,
        "core.view_auditentry",
        *VIEW_ORDERS,
        *VIEW_ONBOARDING,
        *MANAGE_BLACKLIST,
        *VIEW_COMPLAINTS,
        *VIEW_PROFILES,
        *VIEW_LOGISTICS,
        *VIEW_CREDIT,
        "credit.add_scoringpolicy",
    ],
    SUPPORT_AGENT: [
        *VIEW_MERCHANTS,
        *VIEW_CREDIT,
        *VIEW_ORDERS,
        *VIEW_COMPLAINTS,
        "core.view_region",
        *VIEW_LOGISTICS,
        "logistics.change_shipmentexception",
    ],
    OPS_MANAGER: [
        *VIEW_MERCHANTS,
        *VIEW_CREDIT,
        "merchants.add_merchant",
        "core.view_auditentry",
        "merchants.change_category",
        *VIEW_ORDERS,
        *VIEW_WEBHOOKS,
        *VIEW_COMPLAINTS,
        "complaints.change_categorysla",
        "core.view_region",
        *VIEW_ONBOARDING,
        *MANAGE_ONBOARDING_RULES,
        *VIEW_PROFILES,
        *VIEW_LOGISTICS,
        *MANAGE_CARRIERS,
        "logistics.change_shipmentexception",
    ],
    PLATFORM_ADMIN: [
        *VIEW_MERCHANTS,
        *VIEW_CREDIT,
        "credit.add_scoringpolicy",
        *VIEW_ORDERS,
        *VIEW_LOGISTICS,
        *MANAGE_CARRIERS,
        "logistics.change_shipmentexception",
        *VIEW_WEBHOOKS,
        *VIEW_COMPLAINTS,
        "complaints.add_categorysla",
        "complaints.change_categorysla",
        "core.view_region",
        "merchants.add_merchant",
        "merchants.add_category",
        "merchants.change_category",
        "merchants.add_merchantmembership",
        "merchants.change_merchantmembership",
        "merchants.delete_merchantmembership",
        "core.view_auditentry",
        "core.view_apikey",
        "core.add_apikey",
        "core.change_apikey",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        *VIEW_ONBOARDING,
        *MANAGE_BLACKLIST,
        *MANAGE_ONBOARDING_RULES,
        "core.view_notification",
        *VIEW_PROFILES,
    ],
}


# Violations (credit app): every role that reads credit reads the violation records in the staff console.
VIEW_VIOLATIONS = [
    "credit.view_violation",
    "credit.view_violationappeal",
    "credit.view_violationevidence",
    "credit.view_violationmeasure",
]
for _role in (RISK_OFFICER, SUPPORT_AGENT, OPS_MANAGER, PLATFORM_ADMIN):
    ROLE_PERMISSIONS[_role] = [*ROLE_PERMISSIONS[_role], *VIEW_VIOLATIONS]


def sync_role_permissions(apps, schema_editor=None) -> None:
    """Create the staff groups and give each exactly the permissions in ROLE_PERMISSIONS."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in STAFF_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
