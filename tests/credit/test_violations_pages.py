"""The merchant's violation pages (list, detail with points and the next threshold, appeal form, evidence
files) and the staff pages (queue with filters, report, case page with its actions)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints import services as complaint_services
from core.access import OPS_MANAGER, REVIEWER, SUPPORT_AGENT
from credit.models import Violation
from credit.services import violations as services
from tests.complaints.factories import agent
from tests.complaints.factories import investigating as complaint_investigating
from tests.credit.violation_factories import appealed, decided, investigating, officer, pdf, reported
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db
PORTAL = "/portal/credit/violations/"
STAFF = "/staff/credit/violations/"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def plan() -> dict:
    return {"root_cause": "Agency copy", "corrective_action": "Corrected", "preventive_action": "Review first"}


# --- Portal ------------------------------------------------------------------------------------------


def test_the_merchant_sees_its_violations_points_and_next_threshold(client):
    merchant, stranger = active_merchant(), active_merchant()
    mine = decided(merchant, points=8, measure="trading_restriction")
    theirs = decided(stranger)
    client.force_login(merchant_owner(merchant))
    page = client.get(PORTAL)
    html = page.content.decode()
    assert page.status_code == 200 and f"{PORTAL}{mine.pk}/" in html and f"{PORTAL}{theirs.pk}/" not in html
    assert "8 points in the last 12 months" in html and 'href="/portal/credit/violations/"' in html
    detail = client.get(f"{PORTAL}{mine.pk}/")
    assert detail.context["summary"]["points"] == 8
    assert (detail.context["summary"]["next"].threshold, detail.context["summary"]["to_next"]) == (12, 4)
    assert detail.context["can_appeal"] and "Submit the appeal" in detail.content.decode()
    assert "Trading restriction" in detail.content.decode()
    assert client.get(f"{PORTAL}{theirs.pk}/").status_code == 404
    assert client.post(f"{PORTAL}{theirs.pk}/appeal/", plan()).status_code == 404


def test_the_merchant_appeals_through_the_portal_with_files_within_the_window_only(client):
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    violation = decided(merchant)
    late = decided(merchant)
    client.force_login(owner)
    missing = client.post(f"{PORTAL}{violation.pk}/appeal/", {**plan(), "root_cause": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["root_cause"]
    response = client.post(f"{PORTAL}{violation.pk}/appeal/", {**plan(), "files": [pdf("plan.pdf"), pdf("b.pdf")]})
    assert response.status_code == 302
    violation.refresh_from_db()
    assert violation.status == "appealed" and violation.appeal.evidence.count() == 2
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        page = client.get(f"{PORTAL}{late.pk}/")
        assert not page.context["can_appeal"] and "The appeal window has closed." in page.content.decode()
        client.post(f"{PORTAL}{late.pk}/appeal/", plan())
    late.refresh_from_db()
    assert late.status == "decided"


def test_evidence_files_reach_the_merchants_people_and_staff_only(client):
    merchant = active_merchant()
    violation = reported(merchant, files=[pdf("letter.pdf")])
    item = violation.evidence.get()
    url = f"/portal/credit/violations/evidence/{item.pk}/file/"
    client.force_login(merchant_owner(merchant))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(merchant_owner(active_merchant()))
    assert client.get(url).status_code == 404
    client.force_login(staff(SUPPORT_AGENT))
    assert client.get(url).status_code == 200


def test_the_portal_list_has_a_fixed_query_count(client):
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    client.force_login(owner)
    first = officer()

    def add(n):
        for number in range(n):
            if number % 2:
                appealed(merchant, actor=owner, by=first, points=0, measure="suspension")
            else:
                reported(merchant, by=first)

    assert_constant_queries(lambda: client.get(PORTAL), add, small=4, large=12)


# --- Staff -------------------------------------------------------------------------------------------


def test_the_staff_queue_filters_and_has_a_fixed_query_count(client):
    client.force_login(officer())
    merchant = active_merchant()
    first = officer()

    def add(n):
        for number in range(n):
            if number % 2:
                investigating(merchant, by=first, category="counterfeit_goods")
            else:
                decided(merchant, by=first, points=0)

    assert_constant_queries(lambda: client.get(STAFF), add, small=4, large=12)
    page = client.get(STAFF, {"category": "counterfeit_goods"})
    assert {v.category for v in page.context["violations"]} == {"counterfeit_goods"}
    assert len(page.context["violations"]) == 6 and page.context["waiting"] == 6
    assert len(client.get(STAFF, {"status": "decided", "merchant": merchant.pk}).context["violations"]) == 6
    assert 'href="/staff/credit/violations/"' in page.content.decode()


def test_staff_roles_on_the_pages(client):
    violation = investigating()
    client.force_login(staff(REVIEWER))
    assert client.get(STAFF).status_code == 403
    client.force_login(staff(SUPPORT_AGENT))
    assert client.get(f"{STAFF}{violation.pk}/").status_code == 200
    assert client.post(f"{STAFF}{violation.pk}/decide/", {"measure": "warning", "reason": "x"}).status_code == 403
    violation.refresh_from_db()
    assert violation.status == "investigating"


def test_an_officer_works_the_case_on_the_staff_pages(client):
    # given a reported violation, and the officer who reports it
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    first = officer()
    client.force_login(first)
    response = client.post(
        f"{STAFF}report/",
        {"merchant": merchant.pk, "category": "false_advertising", "severity": "minor", "description": "Fake reviews"},
    )
    violation = Violation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{STAFF}{violation.pk}/"
    # when the officer investigates and decides on the case page
    assert "Start the investigation" in client.get(f"{STAFF}{violation.pk}/").content.decode()
    client.post(f"{STAFF}{violation.pk}/investigate/", {"note": "Looking"})
    client.post(f"{STAFF}{violation.pk}/evidence/", {"note": "Review burst on 3 May"})
    bad = client.post(f"{STAFF}{violation.pk}/decide/", {"measure": "fine", "severity": "minor", "reason": "x"})
    assert bad.status_code == 302
    violation.refresh_from_db()
    assert violation.status == "investigating"
    client.post(
        f"{STAFF}{violation.pk}/decide/",
        {"measure": "fine", "severity": "serious", "reason": "Proven", "fine_amount": "200.00"},
    )
    violation.refresh_from_db()
    assert (violation.status, violation.points, violation.fine_status) == ("decided", 6, "owed")
    # then the merchant appeals; the deciding officer sees no ruling form and cannot rule; another one can
    services.violation_appeal(violation=violation, actor=owner, **plan())
    page = client.get(f"{STAFF}{violation.pk}/")
    assert not page.context["can_rule"] and page.context["ruled_by_other"]
    client.post(f"{STAFF}{violation.pk}/rule/", {"ruling": "upheld", "reason": "mine"})
    violation.refresh_from_db()
    assert violation.status == "appealed"
    client.force_login(officer())
    assert client.get(f"{STAFF}{violation.pk}/").context["can_rule"]
    client.post(f"{STAFF}{violation.pk}/rule/", {"ruling": "upheld", "reason": "Corrected"})
    violation.refresh_from_db()
    assert (violation.status, violation.fine_status) == ("appeal_upheld", "waived")
    client.post(f"{STAFF}{violation.pk}/close/", {})
    violation.refresh_from_db()
    assert violation.status == "closed"
    assert client.post(f"{STAFF}{violation.pk}/unknown/", {}).status_code == 404


def test_a_supervisor_opens_a_violation_from_an_upheld_complaint_on_the_report_page(client):
    merchant = active_merchant()
    handler = agent()
    complaint = complaint_investigating(merchant, handler=handler)
    complaint_services.complaint_resolve(complaint=complaint, outcome="partly_upheld", remedy="apology", actor=handler)
    client.force_login(staff(OPS_MANAGER))
    body = {"merchant": merchant.pk, "category": "legal_violation", "severity": "minor", "complaint": complaint.pk}
    client.post(f"{STAFF}report/", body)
    client.post(f"{STAFF}report/", body)
    violation = Violation.objects.get()
    assert (violation.complaint_id, violation.source) == (complaint.pk, "complaint")


def test_a_supervisor_reports_only_from_complaints_and_bad_reports_create_nothing(client):
    merchant = active_merchant()
    client.force_login(staff(OPS_MANAGER))
    page = client.post(
        f"{STAFF}report/", {"merchant": merchant.pk, "category": "false_advertising", "severity": "minor",
                            "description": "Fake reviews"}
    )  # fmt: skip
    assert page.status_code == 200 and "support supervisors open them" in page.content.decode()
    client.force_login(officer())
    for body in (
        {"merchant": merchant.pk, "category": "false_advertising", "severity": "minor"},
        {"merchant": 10**9, "category": "false_advertising", "severity": "minor", "description": "x"},
        {"merchant": merchant.pk, "category": "false_advertising", "severity": "minor", "description": "x",
         "complaint": 10**9},
    ):  # fmt: skip
        assert client.post(f"{STAFF}report/", body).status_code == 200
    assert not Violation.objects.exists()
