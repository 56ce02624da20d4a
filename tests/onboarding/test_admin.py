"""The staff console: applications are read there; blacklist, agreements and requirements change through
services, so each change is audited."""

import pytest

from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER
from core.models import AuditEntry
from merchants.models import Category
from onboarding.models import Agreement, BlacklistEntry, CategoryRequirement
from tests.factories import staff
from tests.onboarding.factories import in_review

pytestmark = pytest.mark.django_db


def test_a_reviewer_reads_applications_and_the_index_links_the_staff_pages(client):
    application = in_review()
    client.force_login(staff(REVIEWER))
    index = client.get("/admin/").content.decode()
    assert "/staff/onboarding/queue/" in index and "/staff/onboarding/efficiency/" in index
    changelist = client.get("/admin/onboarding/application/")
    assert changelist.status_code == 200 and application.store_name in changelist.content.decode()
    assert client.get(f"/admin/onboarding/application/{application.pk}/change/").status_code == 200


def test_a_risk_officer_adds_a_blacklist_entry_which_is_audited(client):
    client.force_login(staff(RISK_OFFICER))
    response = client.post(
        "/admin/onboarding/blacklistentry/add/",
        {"kind": "legal_rep_id", "value": "310101198001010011", "reason": "Fraud conviction", "source": "court"},
    )
    assert response.status_code == 302
    entry = BlacklistEntry.objects.get()
    assert entry.is_active and entry.value == "310101198001010011"
    assert AuditEntry.objects.get(action="blacklist.add").reason == "Fraud conviction"


def test_ops_publish_a_new_agreement_version(client):
    client.force_login(staff(OPS_MANAGER))
    response = client.post(
        "/admin/onboarding/agreement/add/", {"kind": "service", "title": "Service agreement", "body": "New terms"}
    )
    assert response.status_code == 302
    assert Agreement.objects.filter(kind="service").order_by("-version").first().version == 2
    assert AuditEntry.objects.filter(action="agreement.publish").exists()


def test_an_admin_adds_a_category_requirement_which_is_audited(client):
    client.force_login(staff(PLATFORM_ADMIN))
    apparel = Category.objects.get(code="apparel")
    response = client.post(
        "/admin/onboarding/categoryrequirement/add/", {"category": apparel.pk, "doc_type": "trademark_certificate"}
    )
    assert response.status_code == 302
    assert CategoryRequirement.objects.filter(category=apparel, doc_type="trademark_certificate").exists()
    assert AuditEntry.objects.filter(action="category_requirement.add").exists()
