"""Points over a rolling 12 months, the points ladder, measures on the merchant and their automatic lifting,
appeals and their ruling (with frozen time)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import Conflict
from core.models import AuditEntry, Notification
from credit import ladder, tasks
from credit.choices import FineStatus, LiftReason, ViolationStatus
from credit.models import ViolationAppeal, ViolationMeasure
from credit.selectors.violations import months_before, points_total
from credit.services import violations as services
from merchants.models import Merchant
from merchants.services import merchant_reinstate, merchant_restrict, merchant_suspend
from tests.credit.violation_factories import appealed, decided, officer, pdf
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant

pytestmark = pytest.mark.django_db
S = ViolationStatus
T0 = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def at(moment):
    return time_machine.travel(moment, tick=False)


def state(merchant) -> tuple:
    merchant = Merchant.objects.get(pk=merchant.pk)
    return merchant.status, merchant.restriction_reason


def plan(**overrides) -> dict:
    return {
        "root_cause": "Agency copy was not checked.",
        "corrective_action": "Listing corrected.",
        "preventive_action": "Compliance review before publishing.",
        **overrides,
    }


# --- The rolling 12 months and the ladder ------------------------------------------------------------


def test_crossing_12_then_24_restricts_for_7_days_then_suspends_for_14_with_the_inputs_audited():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    with at(T0):
        first = decided(merchant, points=6)
    assert state(merchant) == ("active", None) and not ViolationMeasure.objects.exists()
    with at(T0 + timedelta(days=1)):
        second = decided(merchant, points=6)
    # 12 points: a trading restriction for 7 days, applied through the merchant's services
    (restriction,) = ViolationMeasure.objects.filter(origin="ladder")
    assert (restriction.kind, restriction.threshold, restriction.points_total) == ("trading_restriction", 12, 12)
    assert restriction.violation_ids == [first.pk, second.pk]
    assert restriction.ends_at - restriction.starts_at == timedelta(days=7)
    assert state(merchant) == ("restricted", "violation")
    entry = AuditEntry.objects.get(action="violation_measure.apply", object_id=str(restriction.pk))
    assert entry.after["points_total"] == 12 and entry.after["threshold"] == 12
    assert entry.after["violation_ids"] == [first.pk, second.pk]
    assert AuditEntry.objects.filter(action="merchant.restrict", merchant_id=merchant.pk).exists()
    with at(T0 + timedelta(days=2)):
        decided(merchant, points=12)
    suspension = ViolationMeasure.objects.get(origin="ladder", threshold=24)
    assert suspension.kind == "suspension" and suspension.ends_at - suspension.starts_at == timedelta(days=14)
    assert state(merchant) == ("suspended", "violation")
    assert Notification.objects.filter(recipient=owner, body__contains="24").exists()


def test_jumping_several_thresholds_applies_the_strongest_one_only():
    merchant = active_merchant()
    decided(merchant, points=30, measure="warning")
    (measure,) = ViolationMeasure.objects.all()
    assert (measure.threshold, measure.kind) == (24, "suspension")
    assert state(merchant) == ("suspended", "violation")


def test_48_points_terminate_the_merchant_suspended_with_no_end():
    merchant = active_merchant()
    decided(merchant, points=40)
    decided(merchant, points=8)
    termination = ViolationMeasure.objects.get(threshold=48)
    assert termination.kind == "termination" and termination.ends_at is None
    assert state(merchant) == ("suspended", "violation")
    with at(T0 + timedelta(days=3650)):
        services.violations_sweep()
    assert state(merchant) == ("suspended", "violation")


def test_points_older_than_12_months_stop_counting():
    # given 10 points decided on T0
    merchant, control = active_merchant(), active_merchant()
    with at(T0):
        decided(merchant, points=10)
        decided(control, points=10)
    # when 4 more are decided just under 12 months later for one merchant and just over for the other
    with at(T0 + timedelta(days=364)):
        decided(control, points=4)
        assert points_total(merchant_id=control.pk)[0] == 14
    with at(months_before(T0, -12) + timedelta(minutes=1)):
        assert points_total(merchant_id=merchant.pk)[0] == 0
        decided(merchant, points=4)
        assert points_total(merchant_id=merchant.pk)[0] == 4
    # then only the one whose 10 points still count crossed 12
    assert ViolationMeasure.objects.filter(merchant=control, threshold=12).exists()
    assert not ViolationMeasure.objects.filter(merchant=merchant).exists()
    assert state(merchant) == ("active", None)


def test_months_before_is_calendar_months_in_the_platforms_zone():
    shanghai = ZoneInfo("Asia/Shanghai")
    assert months_before(datetime(2024, 2, 29, 12, tzinfo=shanghai)) == datetime(2023, 2, 28, 12, tzinfo=shanghai)
    assert months_before(datetime(2026, 1, 15, 0, 30, tzinfo=shanghai), 1) == datetime(2025, 12, 15, 0, 30,
                                                                                      tzinfo=shanghai)  # fmt: skip


def test_the_ladder_comes_from_settings_and_refuses_a_bad_one(settings):
    assert [(s.threshold, s.measure, s.days) for s in ladder.point_ladder()] == [
        (12, "trading_restriction", 7),
        (24, "suspension", 14),
        (36, "suspension", 21),
        (48, "termination", None),
    ]
    settings.VIOLATION_POINT_LADDER = "5:suspension:3"
    merchant = active_merchant()
    decided(merchant, points=5)
    (measure,) = ViolationMeasure.objects.all()
    assert (measure.threshold, measure.kind, measure.ends_at - measure.starts_at) == (5, "suspension",
                                                                                      timedelta(days=3))  # fmt: skip
    for bad in ("", "12:warning:7", "12:suspension", "24:suspension:14,12:trading_restriction:7",
                "12:suspension:14,24:trading_restriction:7", "12:termination:3", "x:suspension:3"):  # fmt: skip
        with pytest.raises(ImproperlyConfigured):
            ladder.parse_ladder(bad)


# --- Measures and their lifting ------------------------------------------------------------------------


def test_an_expired_measure_is_lifted_automatically_once():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    with at(T0):
        decided(merchant, points=0, measure="trading_restriction", measure_days=7)
    assert state(merchant) == ("restricted", "violation")
    with at(T0 + timedelta(days=6, hours=23)):
        assert tasks.violations_sweep()["measures_lifted"] == 0
    assert state(merchant) == ("restricted", "violation")
    with at(T0 + timedelta(days=7, minutes=1)):
        assert tasks.violations_sweep()["measures_lifted"] == 1
        assert tasks.violations_sweep()["measures_lifted"] == 0
    assert state(merchant) == ("active", None)
    (measure,) = ViolationMeasure.objects.all()
    assert measure.lift_reason == LiftReason.EXPIRED and measure.lifted_at
    entry = AuditEntry.objects.get(action="violation_measure.lift", object_id=str(measure.pk))
    assert set(entry.after) >= {"lift_reason", "points_total", "violation_ids", "threshold"}
    assert AuditEntry.objects.filter(action="merchant.reinstate", merchant_id=merchant.pk).count() == 1
    assert Notification.objects.filter(recipient=owner, title="Violation measure ended").exists()


def test_nothing_is_lifted_while_another_measure_holds_and_a_suspension_never_steps_down():
    # given a 30-day restriction, then a 5-day suspension
    merchant = active_merchant()
    with at(T0):
        decided(merchant, points=0, measure="trading_restriction", measure_days=30)
    with at(T0 + timedelta(hours=1)):
        decided(merchant, points=0, measure="suspension", measure_days=5)
    assert state(merchant) == ("suspended", "violation")
    # when the suspension ends, the restriction still runs: the merchant stays suspended (never stepped down)
    with at(T0 + timedelta(days=6)):
        assert services.violations_sweep()["measures_lifted"] == 1
    assert state(merchant) == ("suspended", "violation")
    # when the restriction ends too, the merchant is active again
    with at(T0 + timedelta(days=31)):
        assert services.violations_sweep()["measures_lifted"] == 1
    assert state(merchant) == ("active", None)


def test_restrictions_for_other_reasons_are_never_touched():
    # given a merchant restricted for its credit score
    merchant = active_merchant()
    merchant_restrict(merchant=merchant, actor=None, reason="score under 550", restriction_reason="credit")
    # when a violation restricts it too, nothing changes; when it expires, the credit restriction stays
    with at(T0):
        decided(merchant, points=0, measure="trading_restriction", measure_days=7)
    assert state(merchant) == ("restricted", "credit")
    with at(T0 + timedelta(days=8)):
        services.violations_sweep()
    assert state(merchant) == ("restricted", "credit")
    # when a violation suspends it, the suspension holds, and on expiry the credit restriction comes back
    with at(T0 + timedelta(days=9)):
        decided(merchant, points=0, measure="suspension", measure_days=3)
    assert state(merchant) == ("suspended", "violation")
    with at(T0 + timedelta(days=13)):
        services.violations_sweep()
    assert state(merchant) == ("restricted", "credit")


def test_a_merchant_suspended_by_hand_stays_so_and_a_released_hold_is_put_back():
    manual, released = active_merchant(), active_merchant()
    merchant_suspend(merchant=manual, actor=None, reason="fraud check")
    merchant_restrict(merchant=released, actor=None, reason="low score", restriction_reason="credit")
    with at(T0):
        decided(manual, points=0, measure="suspension", measure_days=3)
        decided(released, points=0, measure="trading_restriction", measure_days=10)
    assert state(manual) == ("suspended", "manual")
    # the credit engineer's probation lifts the credit restriction while the violation restriction still runs
    merchant_reinstate(merchant=released, actor=None, reason="probation over")
    with at(T0 + timedelta(days=4)):
        services.violations_sweep()
    assert state(manual) == ("suspended", "manual")
    assert state(released) == ("restricted", "violation")
    with at(T0 + timedelta(days=11)):
        services.violations_sweep()
    assert state(released) == ("active", None)


# --- Appeals -----------------------------------------------------------------------------------------


def test_the_merchant_appeals_within_7_days_with_its_plan_and_files():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    with at(T0):
        violation = decided(merchant)
    with at(T0 + timedelta(days=7) - timedelta(seconds=1)):
        appeal = services.violation_appeal(violation=violation, actor=owner, files=[pdf("fix.pdf")], **plan())
    violation.refresh_from_db()
    assert violation.status == S.APPEALED
    assert (appeal.root_cause, appeal.submitted_by) == ("Agency copy was not checked.", owner)
    assert [e.file_name for e in appeal.evidence.all()] == ["fix.pdf"]
    assert AuditEntry.objects.filter(action="violation.appeal", object_id=str(violation.pk)).exists()


def test_an_appeal_after_the_window_or_without_a_full_plan_or_by_a_stranger_changes_nothing():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    with at(T0):
        violation = decided(merchant)
    bad_file = SimpleUploadedFile("fix.pdf", b"not a pdf", content_type="application/pdf")
    with at(T0 + timedelta(days=3)):
        for bad in ({"root_cause": " "}, {"preventive_action": ""}, {"files": [bad_file]}):
            with pytest.raises(ValidationError):
                services.violation_appeal(violation=violation, actor=owner, **plan(**bad))
        for stranger in (merchant_owner(active_merchant()), officer()):
            with pytest.raises(PermissionDenied):
                services.violation_appeal(violation=violation, actor=stranger, **plan())
    with at(T0 + timedelta(days=7, seconds=1)), pytest.raises(Conflict) as refused:
        services.violation_appeal(violation=violation, actor=owner, **plan())
    assert refused.value.code == "appeal_window_closed"
    violation.refresh_from_db()
    assert violation.status == S.DECIDED and not ViolationAppeal.objects.exists()
    assert not violation.evidence.exists()


def test_decided_violations_close_when_the_window_passes_unused():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    with at(T0):
        quiet = decided(merchant)
        contested = appealed(merchant, actor=owner)
    with at(T0 + timedelta(days=6)), pytest.raises(Conflict):
        services.violation_close(violation=quiet, actor=officer())
    with at(T0 + timedelta(days=7, minutes=1)):
        assert services.violations_sweep()["violations_closed"] == 1
        assert services.violations_sweep()["violations_closed"] == 0
    quiet.refresh_from_db()
    contested.refresh_from_db()
    assert (quiet.status, contested.status) == (S.CLOSED, S.APPEALED)
    entry = AuditEntry.objects.get(action="violation.close", object_id=str(quiet.pk))
    assert entry.actor_label == "system"


def test_the_officer_who_decided_cannot_rule_on_the_appeal_another_one_does():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    decider, other = officer(), officer()
    violation = appealed(merchant, actor=owner, by=decider)
    with pytest.raises(Conflict) as refused:
        services.violation_appeal_rule(violation=violation, actor=decider, ruling="upheld", reason="I was wrong.")
    assert refused.value.code == "appeal_ruler_is_decider"
    violation.refresh_from_db()
    assert violation.status == S.APPEALED and violation.appeal.ruling == ""
    with pytest.raises(PermissionDenied):
        services.violation_appeal_rule(violation=violation, actor=staff("support_agent"), ruling="upheld", reason="x")
    violation = services.violation_appeal_rule(violation=violation, actor=other, ruling="upheld", reason="Fixed.")
    assert violation.status == S.APPEAL_UPHELD and violation.appeal.ruled_by == other


def test_an_upheld_appeal_reverses_the_points_and_lifts_the_measures_a_rejected_one_keeps_them():
    # given 6 points, then a violation decided with a 14-day suspension and 6 points (12: the ladder restricts)
    merchant, other_merchant = active_merchant(), active_merchant()
    owner, other_owner = merchant_owner(merchant), merchant_owner(other_merchant)
    for m, who in ((merchant, owner), (other_merchant, other_owner)):
        decided(m, points=6)
        appealed(m, actor=who, points=6, measure="suspension", measure_days=14)
    assert state(merchant) == ("suspended", "violation")
    contested = merchant.violations.get(status=S.APPEALED)
    rejected = other_merchant.violations.get(status=S.APPEALED)
    # when another officer upholds one appeal and rejects the other
    services.violation_appeal_rule(violation=contested, actor=officer(), ruling="upheld", reason="Corrected.")
    services.violation_appeal_rule(violation=rejected, actor=officer(), ruling="rejected", reason="No.")
    # then the upheld one's points stop counting and its measure and the ladder's restriction are lifted
    contested.refresh_from_db()
    assert contested.points_reversed_at is not None
    assert points_total(merchant_id=merchant.pk)[0] == 6
    lifted = {m.kind: m.lift_reason for m in ViolationMeasure.objects.filter(merchant=merchant)}
    assert lifted == {"suspension": LiftReason.APPEAL_UPHELD, "trading_restriction": LiftReason.DE_ESCALATED}
    assert state(merchant) == ("active", None)
    assert AuditEntry.objects.filter(action="violation_measure.lift", merchant_id=merchant.pk).count() == 2
    assert Notification.objects.filter(recipient=owner, title__contains="Upheld").exists()
    # and the rejected one keeps its points and measures
    assert points_total(merchant_id=other_merchant.pk)[0] == 12
    assert not ViolationMeasure.objects.filter(merchant=other_merchant, lifted_at__isnull=False).exists()
    assert state(other_merchant) == ("suspended", "violation")


def test_an_upheld_appeal_steps_the_ladder_down_to_the_threshold_the_points_still_reach():
    # given 20 points (12 crossed: restriction) and then 6 more (24 crossed: suspension for 14 days)
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    with at(T0):
        decided(merchant, points=20)
    with at(T0 + timedelta(days=1)):
        contested = appealed(merchant, actor=owner, points=6)
    assert state(merchant) == ("suspended", "violation")
    # when the appeal on the 6 points is upheld two days later
    with at(T0 + timedelta(days=3)):
        services.violation_appeal_rule(violation=contested, actor=officer(), ruling="upheld", reason="Not ours.")
    # then the suspension gives way to the restriction of the 12 threshold, from the suspension's start
    suspension = ViolationMeasure.objects.get(threshold=24)
    assert suspension.lift_reason == LiftReason.DE_ESCALATED
    replacement = ViolationMeasure.objects.filter(threshold=12).order_by("-id").first()
    assert replacement.starts_at == suspension.starts_at and replacement.lifted_at is None
    assert replacement.ends_at == suspension.starts_at + timedelta(days=7) and replacement.points_total == 20
    assert state(merchant) == ("restricted", "violation")


def test_an_upheld_appeal_lifts_a_termination_and_waives_an_owed_fine():
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    terminated = appealed(merchant, actor=owner, points=12, measure="termination")
    fined_merchant = active_merchant()
    fined = appealed(fined_merchant, actor=merchant_owner(fined_merchant), points=2, measure="fine", fine_amount=50)
    assert state(merchant) == ("suspended", "violation")
    services.violation_appeal_rule(violation=terminated, actor=officer(), ruling="upheld", reason="Mistaken identity.")
    services.violation_appeal_rule(violation=fined, actor=officer(), ruling="upheld", reason="Price was right.")
    fined.refresh_from_db()
    assert state(merchant) == ("active", None)
    assert fined.fine_status == FineStatus.WAIVED


def test_a_restriction_for_another_reason_comes_back_after_an_upheld_appeal_and_the_last_measure():
    # given a merchant restricted for credit, then suspended for a violation, then restricted for another one
    merchant = active_merchant()
    owner = merchant_owner(merchant)
    merchant_restrict(merchant=merchant, actor=None, reason="score under 550", restriction_reason="credit")
    with at(T0):
        suspended = appealed(merchant, actor=owner, points=0, measure="suspension", measure_days=14)
        decided(merchant, points=0, measure="trading_restriction", measure_days=30)
    assert state(merchant) == ("suspended", "violation")
    # when the suspension's appeal is upheld, the violation restriction still holds
    with at(T0 + timedelta(days=1)):
        services.violation_appeal_rule(violation=suspended, actor=officer(), ruling="upheld", reason="Wrong shop.")
    assert state(merchant) == ("restricted", "violation")
    # when the last violation measure ends, the credit restriction is back
    with at(T0 + timedelta(days=31)):
        services.violations_sweep()
    assert state(merchant) == ("restricted", "credit")
