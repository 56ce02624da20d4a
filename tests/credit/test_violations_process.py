"""The violation process: the state machine, evidence, fines, the complaint link and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import services as complaint_services
from core.access import OPS_MANAGER, SUPPORT_AGENT
from core.errors import Conflict, InvalidTransition
from core.models import AuditEntry, Notification
from credit.choices import FineStatus, ViolationSource, ViolationStatus
from credit.models import Violation, ViolationEvidence
from credit.services import violations as services
from tests.complaints.factories import agent
from tests.complaints.factories import investigating as complaint_investigating
from tests.credit.violation_factories import appealed, decided, investigating, officer, pdf, reported
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant

pytestmark = pytest.mark.django_db
S = ViolationStatus


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def actions_of(violation) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="credit.violation", object_id=str(violation.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def snapshot(violation) -> tuple:
    violation.refresh_from_db()
    return (
        violation.status,
        violation.points,
        violation.measure,
        violation.decided_at,
        violation.fine_status,
        violation.evidence.count(),
        AuditEntry.objects.count(),
    )


def test_a_violation_runs_report_investigate_decide_appeal_ruling_close_each_step_audited(_media_root):
    # given a merchant and its owner, and two risk officers
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    first, second = officer(), officer()
    # when a risk officer reports with a file and a note, investigates, and decides
    violation = services.violation_report(
        merchant=merchant,
        category="counterfeit_goods",
        severity="severe",
        description="Sells 'original' sneakers that the brand owner says are fakes.",
        note="Brand owner's letter attached.",
        files=[pdf()],
        actor=first,
    )
    assert (violation.status, violation.source, violation.reported_by) == (S.REPORTED, ViolationSource.STAFF, first)
    assert violation.evidence.count() == 2 and len(stored_files(_media_root)) == 1
    violation = services.violation_investigate(violation=violation, actor=first)
    assert (violation.status, violation.investigator) == (S.INVESTIGATING, first)
    violation = services.violation_decide(violation=violation, actor=first, measure="warning", reason="Proven.")
    # then the decision carries the severity's points and an appeal window of 7 days
    assert (violation.status, violation.points, violation.measure, violation.decided_by) == (
        S.DECIDED,
        12,
        "warning",
        first,
    )
    assert violation.appeal_due_at - violation.decided_at == timedelta(days=7)
    assert Notification.objects.filter(recipient=owner, kind="violation", title__contains="decided").exists()
    # when the merchant appeals and another officer rejects the appeal, then an officer closes the case
    services.violation_appeal(
        violation=violation, actor=owner, root_cause="r", corrective_action="c", preventive_action="p"
    )
    violation = services.violation_appeal_rule(violation=violation, actor=second, ruling="rejected", reason="No.")
    assert violation.status == S.APPEAL_REJECTED and violation.points_reversed_at is None
    violation = services.violation_close(violation=violation, actor=first)
    assert violation.status == S.CLOSED and violation.closed_at
    assert actions_of(violation) == [
        "violation.report",
        "violation.investigate",
        "violation.decide",
        "violation.appeal",
        "violation.appeal_rule",
        "violation.close",
    ]


@pytest.mark.parametrize(
    ("reach", "act"),
    [
        ("reported", lambda v, o, owner: services.violation_decide(violation=v, actor=o, measure="warning",
                                                                   reason="x")),
        ("decided", lambda v, o, owner: services.violation_investigate(violation=v, actor=o)),
        ("decided", lambda v, o, owner: services.violation_appeal_rule(violation=v, actor=o, ruling="upheld",
                                                                        reason="x")),
        ("reported", lambda v, o, owner: services.violation_close(violation=v, actor=o)),
        ("investigating", lambda v, o, owner: services.violation_appeal(
            violation=v, actor=owner, root_cause="r", corrective_action="c", preventive_action="p")),
        ("closed", lambda v, o, owner: services.violation_appeal(
            violation=v, actor=owner, root_cause="r", corrective_action="c", preventive_action="p")),
    ],
)  # fmt: skip
def test_illegal_moves_are_refused_and_change_nothing(reach, act):
    # given a violation in some state
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    if reach == "reported":
        violation = reported(merchant)
    elif reach == "investigating":
        violation = investigating(merchant)
    elif reach == "decided":
        violation = decided(merchant)
    else:
        violation = appealed(merchant, actor=owner)
        services.violation_appeal_rule(violation=violation, actor=officer(), ruling="rejected", reason="no")
        violation = services.violation_close(violation=violation, actor=officer())
    before = snapshot(violation)
    # when the wrong move is asked for, then it is a conflict and nothing changed
    with pytest.raises(InvalidTransition):
        act(violation, officer(), owner)
    assert snapshot(violation) == before


def test_the_allowed_transitions_table_is_exactly_the_designs():
    from credit.choices import VIOLATION_TRANSITIONS

    assert {state: set(moves) for state, moves in VIOLATION_TRANSITIONS.items()} == {
        "reported": {"investigating"},
        "investigating": {"decided"},
        "decided": {"appealed", "closed"},
        "appealed": {"appeal_upheld", "appeal_rejected"},
        "appeal_upheld": {"closed"},
        "appeal_rejected": {"closed"},
        "closed": set(),
    }


def test_only_risk_officers_report_investigate_and_decide():
    merchant = active_merchant()
    for outsider in (staff(SUPPORT_AGENT), merchant_owner(merchant)):
        with pytest.raises(PermissionDenied):
            reported(merchant, by=outsider)
    with pytest.raises(PermissionDenied):  # staff reports name their reporter; only detection jobs are "system"
        services.violation_report(
            merchant=merchant, category="false_advertising", severity="minor", description="x", actor=None
        )
    violation = reported(merchant)
    before = snapshot(violation)
    with pytest.raises(PermissionDenied):
        services.violation_investigate(violation=violation, actor=staff(SUPPORT_AGENT))
    assert snapshot(violation) == before
    assert Violation.objects.count() == 1


def test_bad_reports_store_nothing(_media_root):
    merchant = active_merchant()
    bad_inputs = [
        {"category": "rudeness"},
        {"severity": "catastrophic"},
        {"description": "   "},
        {"files": [SimpleUploadedFile("x.pdf", b"MZ\x90 not a pdf", content_type="application/pdf")]},
        {"files": [pdf(), SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")]},
    ]
    for bad in bad_inputs:
        body = {"category": "false_advertising", "severity": "minor", "description": "Fake discount.", **bad}
        with pytest.raises(ValidationError):
            services.violation_report(merchant=merchant, actor=officer(), **body)
    assert Violation.objects.count() == 0 and not stored_files(_media_root)
    assert not AuditEntry.objects.filter(action="violation.report").exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"measure": "banishment"},
        {"reason": "  "},
        {"points": 49},
        {"points": -1},
        {"measure": "warning", "fine_amount": Decimal("100")},
        {"measure": "fine"},
        {"measure": "fine", "fine_amount": Decimal("0")},
        {"measure": "warning", "measure_days": 3},
        {"measure": "suspension", "measure_days": 400},
        {"severity": "apocalyptic"},
    ],
)
def test_a_bad_decision_changes_nothing(bad):
    violation = investigating()
    before = snapshot(violation)
    body = {"measure": "trading_restriction", "reason": "Proven.", **bad}
    with pytest.raises(ValidationError):
        services.violation_decide(violation=violation, actor=officer(), **body)
    assert snapshot(violation) == before
    assert not violation.measures.exists()


def test_evidence_is_added_while_investigating_only(_media_root):
    violation = investigating()
    first = officer()
    item = services.violation_evidence_add(violation=violation, actor=first, file=pdf("screenshot.pdf"), note="Ad")
    assert (item.file_name, item.note, item.added_by) == ("screenshot.pdf", "Ad", first)
    with pytest.raises(ValidationError):
        services.violation_evidence_add(violation=violation, actor=first)
    with pytest.raises(ValidationError):
        services.violation_evidence_add(
            violation=violation, actor=first, file=SimpleUploadedFile("a.png", b"\x89PNG broken", "image/png")
        )
    assert len(stored_files(_media_root)) == 1
    services.violation_decide(violation=violation, actor=first, measure="warning", points=2, reason="Proven.")
    with pytest.raises(Conflict):
        services.violation_evidence_add(violation=violation, actor=first, note="late")
    assert ViolationEvidence.objects.filter(violation=violation).count() == 1


def test_a_fine_is_an_amount_owed_followed_until_paid_or_waived():
    violation = decided(measure="fine", points=2, fine_amount=Decimal("500"))
    assert (violation.fine_amount, violation.fine_currency, violation.fine_status) == (
        Decimal("500.00"),
        "CNY",
        FineStatus.OWED,
    )
    with pytest.raises(ValidationError):
        services.violation_fine_settle(violation=violation, actor=officer(), status="waived")
    violation = services.violation_fine_settle(violation=violation, actor=officer(), status="paid", note="bank ref 1")
    assert violation.fine_status == FineStatus.PAID and violation.fine_settled_at
    before = snapshot(violation)
    with pytest.raises(Conflict):
        services.violation_fine_settle(violation=violation, actor=officer(), status="waived", note="x")
    assert snapshot(violation) == before
    assert AuditEntry.objects.filter(action="violation.fine_settle", object_id=str(violation.pk)).count() == 1


def upheld_complaint(merchant, outcome="upheld"):
    handler = agent()
    complaint = complaint_investigating(merchant, handler=handler)
    remedy = "none" if outcome == "rejected" else "apology"
    return complaint_services.complaint_resolve(complaint=complaint, outcome=outcome, remedy=remedy, actor=handler)


@pytest.mark.parametrize("outcome", ["upheld", "partly_upheld"])
def test_an_upheld_complaint_opens_one_violation(outcome):
    # given an upheld complaint
    merchant = active_merchant()
    complaint = upheld_complaint(merchant, outcome)
    supervisor = staff(OPS_MANAGER)
    # when a support supervisor opens a violation from it, twice
    violation, created = services.violation_open_from_complaint(
        complaint=complaint, actor=supervisor, category="legal_violation", severity="serious"
    )
    again, created_again = services.violation_open_from_complaint(
        complaint=complaint, actor=officer(), category="false_advertising"
    )
    # then there is one violation, linked to the complaint, reported from it
    assert (created, created_again) == (True, False)
    assert again.pk == violation.pk and Violation.objects.count() == 1
    assert (violation.source, violation.complaint, violation.merchant) == ("complaint", complaint, merchant)
    assert violation.category == "legal_violation" and f"#{complaint.pk}" in violation.description


def test_a_rejected_or_open_complaint_opens_no_violation_and_agents_cannot_open_one():
    merchant = active_merchant()
    rejected = upheld_complaint(merchant, "rejected")
    with pytest.raises(Conflict):
        services.violation_open_from_complaint(complaint=rejected, actor=officer(), category="false_advertising")
    open_case = complaint_investigating(merchant)
    with pytest.raises(Conflict):
        services.violation_open_from_complaint(complaint=open_case, actor=officer(), category="false_advertising")
    with pytest.raises(PermissionDenied):
        services.violation_open_from_complaint(
            complaint=upheld_complaint(merchant), actor=staff(SUPPORT_AGENT), category="false_advertising"
        )
    assert Violation.objects.count() == 0


def test_a_detection_flag_reports_one_violation_however_often_it_is_sent():
    merchant = active_merchant()
    body = {
        "merchant": merchant,
        "category": "unfair_competition",
        "severity": "serious",
        "description": "42 orders from one buyer reference in a day, none with tracking.",
        "source": ViolationSource.DETECTION,
        "source_ref": "fake-orders:17",
        "actor": None,
    }
    first = services.violation_report(**body)
    second = services.violation_report(**body)
    assert first.pk == second.pk and Violation.objects.count() == 1
    assert first.reported_by is None and first.source == "detection"
