"""/api/v1/credit/violations/ and POST /api/v1/complaints/{id}/open-violation/: permissions, scoping,
filters, actions, errors in the one shape, and a fixed query count."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from complaints import services as complaint_services
from core.access import OPS_MANAGER, RISK_OFFICER, SUPPORT_AGENT
from core.models import AuditEntry, Scope
from credit.models import Violation, ViolationAppeal
from credit.services.violations import violation_appeal_rule
from tests.complaints.factories import agent
from tests.complaints.factories import investigating as complaint_investigating
from tests.credit.violation_factories import admin, appealed, decided, investigating, officer, pdf, reported
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/credit/violations/"
PLAN = {"root_cause": "r", "corrective_action": "c", "preventive_action": "p"}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_risk_officer_reports_and_runs_the_case_through_the_actions(as_user):
    # given a merchant and two officers
    merchant = active_merchant()
    first, second = officer(), admin()
    client = as_user(first)
    # when the first reports (multipart, with a file), investigates and decides
    created = client.post(
        URL,
        {
            "merchant": merchant.pk,
            "category": "false_advertising",
            "severity": "serious",
            "description": "Fake 'was 999' prices.",
            "files": [pdf()],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {"id", "merchant", "category", "severity", "points", "status", "measure"} <= set(body)
    assert (body["status"], body["source"], body["evidence"][0]["file_name"]) == ("reported", "staff", "evidence.pdf")
    pk = body["id"]
    assert client.post(f"{URL}{pk}/investigate/", {"note": "Checked the listing history."}).json()["status"] == (
        "investigating"
    )
    added = client.post(f"{URL}{pk}/evidence/", {"note": "Price history screenshot"})
    assert added.status_code == 201 and added.json()["note"] == "Price history screenshot"
    decided_body = client.post(
        f"{URL}{pk}/decide/", {"measure": "trading_restriction", "points": 12, "reason": "Proven.", "measure_days": 3}
    ).json()
    assert (decided_body["status"], decided_body["points"], decided_body["measure"]) == (
        "decided",
        12,
        "trading_restriction",
    )
    assert {m["origin"] for m in decided_body["measures"]} == {"decision", "ladder"}
    # when the merchant appeals and the second officer upholds
    appeal = as_user(merchant_owner(merchant)).post(f"{URL}{pk}/appeal/", PLAN)
    assert appeal.status_code == 200 and appeal.json()["appeal"]["root_cause"] == "r"
    ruled = as_user(second).post(f"{URL}{pk}/rule-appeal/", {"ruling": "upheld", "reason": "Fixed."})
    assert ruled.json()["status"] == "appeal_upheld" and ruled.json()["points_reversed_at"]
    closed = client.post(f"{URL}{pk}/close/", {})
    assert closed.json()["status"] == "closed"


def test_the_decider_ruling_on_the_appeal_is_a_409_and_changes_nothing(as_user):
    merchant = active_merchant()
    decider = officer()
    violation = appealed(merchant, actor=merchant_owner(merchant), by=decider)
    response = as_user(decider).post(f"{URL}{violation.pk}/rule-appeal/", {"ruling": "upheld", "reason": "x"})
    assert response.status_code == 409
    assert response.json()["type"] == "conflict"
    assert response.json()["errors"][0]["code"] == "appeal_ruler_is_decider"
    violation.refresh_from_db()
    assert violation.status == "appealed" and violation.points_reversed_at is None


def test_illegal_transitions_are_409_in_the_error_shape(as_user):
    violation = reported()
    client = as_user(officer())
    response = client.post(f"{URL}{violation.pk}/decide/", {"measure": "warning", "reason": "x"})
    assert response.status_code == 409 and response.json()["type"] == "conflict"
    assert response.json()["errors"][0]["code"] == "invalid_transition"
    assert client.post(f"{URL}{violation.pk}/close/", {}).status_code == 409
    violation.refresh_from_db()
    assert violation.status == "reported"


@pytest.mark.parametrize(
    "body",
    [
        {"measure": "exile", "reason": "x"},
        {"measure": "warning"},
        {"measure": "warning", "reason": "x", "points": 99},
        {"measure": "fine", "reason": "x"},
        {"measure": "warning", "reason": "x", "fine_amount": "10.00"},
        {"measure": "warning", "reason": "x", "measure_days": "soon"},
    ],
)
def test_bad_decisions_are_400_and_change_nothing(as_user, body):
    violation = investigating()
    audit_before = AuditEntry.objects.count()
    response = as_user(officer()).post(f"{URL}{violation.pk}/decide/", body)
    assert response.status_code == 400 and response.json()["type"] == "validation_error"
    violation.refresh_from_db()
    assert (violation.status, violation.points, violation.measure) == ("investigating", 0, "")
    assert AuditEntry.objects.count() == audit_before


def test_bad_reports_and_appeals_are_400_and_change_nothing(as_user):
    merchant = active_merchant()
    client = as_user(officer())
    for body in (
        {"merchant": merchant.pk, "category": "nope", "severity": "minor", "description": "x"},
        {"merchant": 10**9, "category": "false_advertising", "severity": "minor", "description": "x"},
        {"merchant": merchant.pk, "category": "false_advertising", "severity": "minor", "description": ""},
    ):
        response = client.post(URL, body)
        assert response.status_code == 400 and response.json()["type"] == "validation_error", body
    assert not Violation.objects.exists()
    violation = decided(merchant)
    owner_client = as_user(merchant_owner(merchant))
    missing = owner_client.post(f"{URL}{violation.pk}/appeal/", {**PLAN, "preventive_action": ""})
    assert missing.status_code == 400
    bad_file = owner_client.post(
        f"{URL}{violation.pk}/appeal/",
        {**PLAN, "files": [pdf("x.pdf", b"GIF89a not accepted")]},
        format="multipart",
    )
    assert bad_file.status_code == 400
    assert [(e["attr"], e["code"]) for e in bad_file.json()["errors"]] == [("files", "unsupported_type")]
    not_files = owner_client.post(f"{URL}{violation.pk}/appeal/", {**PLAN, "files": ["", ""]}, format="multipart")
    assert [(e["attr"], e["code"]) for e in not_files.json()["errors"]] == [("files", "invalid")]
    violation.refresh_from_db()
    assert violation.status == "decided" and not ViolationAppeal.objects.exists()


def test_an_appeal_after_the_window_is_409(as_user):
    merchant = active_merchant()
    violation = decided(merchant)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        response = as_user(merchant_owner(merchant)).post(f"{URL}{violation.pk}/appeal/", PLAN)
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "appeal_window_closed"


def test_who_may_do_what(as_user, as_key, api):
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    violation = decided(merchant)
    report = {"merchant": merchant.pk, "category": "false_advertising", "severity": "minor", "description": "x"}
    # anonymous: 401; support agents and merchants read but do not report or decide
    assert api.get(URL).status_code == 401
    for reader in (staff(SUPPORT_AGENT), owner):
        client = as_user(reader)
        assert client.get(f"{URL}{violation.pk}/").status_code == 200
        assert client.post(URL, report).status_code == 403
        assert client.post(f"{URL}{violation.pk}/close/", {}).status_code == 403
    # staff cannot appeal for the merchant
    assert as_user(officer()).post(f"{URL}{violation.pk}/appeal/", PLAN).status_code == 403
    # keys: `read` reads; a merchant key appeals with `complaints:write`; a platform key cannot appeal
    assert as_key(Scope.ORDERS_WRITE, merchant=merchant).get(URL).status_code == 403
    assert as_key(Scope.READ, merchant=merchant).get(URL).json()["count"] == 1
    assert as_key(Scope.READ, merchant=merchant).post(f"{URL}{violation.pk}/appeal/", PLAN).status_code == 403
    assert as_key(Scope.COMPLAINTS_WRITE).post(f"{URL}{violation.pk}/appeal/", PLAN).status_code == 403
    response = as_key(Scope.COMPLAINTS_WRITE, merchant=merchant).post(f"{URL}{violation.pk}/appeal/", PLAN)
    assert response.status_code == 200 and response.json()["appeal"]["submitted_by_label"] == "api-key:partner"


def test_a_merchant_sees_only_its_own_and_staff_filter(as_user):
    mine, theirs = active_merchant(), active_merchant()
    own = decided(mine, category="counterfeit_goods")
    foreign = reported(theirs)
    rows = as_user(merchant_owner(mine)).get(URL).json()["results"]
    assert [row["id"] for row in rows] == [own.pk]
    assert as_user(merchant_owner(mine)).get(f"{URL}{foreign.pk}/").status_code == 404
    client = as_user(staff(RISK_OFFICER))
    assert client.get(URL).json()["count"] == 2
    assert [r["id"] for r in client.get(URL, {"merchant": theirs.pk}).json()["results"]] == [foreign.pk]
    assert [r["id"] for r in client.get(URL, {"status": "decided"}).json()["results"]] == [own.pk]
    assert [r["id"] for r in client.get(URL, {"category": "counterfeit_goods"}).json()["results"]] == [own.pk]
    bad = client.get(URL, {"status": "gone"})
    assert bad.status_code == 400 and bad.json()["type"] == "validation_error"


def test_the_list_has_a_fixed_query_count(as_user):
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    first, second = officer(), officer()

    def add(n):
        for number in range(n):
            if number % 2:
                violation = appealed(merchant, actor=owner, by=first, points=0, measure="trading_restriction")
                violation_appeal_rule(violation=violation, actor=second, ruling="upheld", reason="ok")
            else:
                reported(merchant, by=first)

    for client in (as_user(owner), as_user(first)):
        assert_constant_queries(lambda c=client: c.get(URL, {"page_size": 200}), add, small=4, large=12)


def upheld(merchant):
    handler = agent()
    complaint = complaint_investigating(merchant, handler=handler)
    return complaint_services.complaint_resolve(complaint=complaint, outcome="upheld", remedy="apology", actor=handler)


def test_an_upheld_complaint_opens_a_violation_once_through_the_api(as_user):
    merchant = active_merchant()
    complaint = upheld(merchant)
    url = f"/api/v1/complaints/{complaint.pk}/open-violation/"
    client = as_user(staff(OPS_MANAGER))
    first = client.post(url, {"category": "false_advertising", "severity": "serious"})
    assert first.status_code == 201
    assert (first.json()["complaint"], first.json()["source"], first.json()["merchant"]) == (
        complaint.pk,
        "complaint",
        merchant.pk,
    )
    again = as_user(officer()).post(url, {"category": "legal_violation"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Violation.objects.count() == 1
    assert as_user(staff(SUPPORT_AGENT)).post(url, {"category": "false_advertising"}).status_code == 403
    assert as_user(merchant_owner(merchant)).post(url, {"category": "false_advertising"}).status_code == 403
    bad = client.post(url, {"category": "rudeness"})
    assert bad.status_code == 400
    rejected_case = complaint_investigating(merchant)
    conflict = client.post(f"/api/v1/complaints/{rejected_case.pk}/open-violation/", {"category": "false_advertising"})
    assert conflict.status_code == 409 and conflict.json()["errors"][0]["code"] == "complaint_not_upheld"
    assert Violation.objects.count() == 1
