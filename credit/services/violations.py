"""Every write to violations: report, investigate, decide with a measure and points, the merchant's appeal and
its ruling, closing, fines, and the measures the decisions and the points ladder put on the merchant.

Measures reach the merchant through merchants.services only (`restriction_reason` = `violation`): a trading
restriction restricts, a suspension suspends, and a termination suspends with no end (the merchant model's
`closed` is reached only through the exit process, which settles orders, returns, disputes and the deposit).
"""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.choices import UPHELD_OUTCOMES
from complaints.models import Complaint
from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, has_role
from core.audit import Actor, audit
from core.errors import Conflict
from core.models import ApiKey
from core.notifications import notify
from core.transitions import ensure_transition
from core.uploads import accept_upload
from credit import ladder
from credit.choices import (
    DEFAULT_MEASURE_DAYS,
    FINE_TRANSITIONS,
    HOLDING_MEASURES,
    MAX_EVIDENCE_FILES,
    MAX_POINTS,
    MEASURE_LEVEL,
    SEVERITY_POINTS,
    VIOLATION_TRANSITIONS,
    AppealRuling,
    FineStatus,
    LiftReason,
    Measure,
    MeasureOrigin,
    Severity,
    ViolationCategory,
    ViolationSource,
    ViolationStatus,
)
from credit.models import Violation, ViolationAppeal, ViolationEvidence, ViolationMeasure
from credit.selectors.violations import points_total
from credit.services.rescore import merchant_rescore_soon
from merchants import services as merchant_services
from merchants.choices import MerchantStatus, RestrictionReason
from merchants.models import Merchant, MerchantMembership

S = ViolationStatus
CENT = Decimal("0.01")
MAX_TEXT = 20_000
OFFICERS = (RISK_OFFICER, PLATFORM_ADMIN)
# Who may open a violation from an upheld complaint: risk officers and the support supervisors (ops managers).
COMPLAINT_ESCALATORS = (RISK_OFFICER, OPS_MANAGER, PLATFORM_ADMIN)
NOTIFICATION_KIND = "violation"


# --- Small pieces ------------------------------------------------------------------------------


def _ensure_officer(actor: Actor, roles=OFFICERS) -> None:
    if not has_role(actor, *roles):
        raise PermissionDenied(_("Only risk officers handle violations."))


def _clean(text: str) -> str:
    return (text or "").replace("\x00", "").strip()


def _label(actor: Actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, ApiKey):
        return f"api-key:{actor.name}"
    return actor.get_username()


def _user(actor: Actor):
    return actor if actor is not None and not isinstance(actor, ApiKey) else None


def _locked(violation: Violation) -> Violation:
    return Violation.objects.select_for_update().get(pk=violation.pk)


def _lock_merchant(merchant_id: int) -> None:
    """Lock order everywhere: violation, then merchant, then its measures."""
    Merchant.objects.select_for_update().filter(pk=merchant_id).values_list("pk", flat=True).first()


def _move(violation: Violation, target: str) -> str:
    ensure_transition(VIOLATION_TRANSITIONS, violation.status, target)
    before = violation.status
    violation.status = target
    return before


def _check_files(files, *, field: str = "files") -> list:
    """Every file is checked before anything is written, so a bad one stores nothing."""
    files = list(files or [])
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError({field: [_("At most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}]})
    checked = []
    for upload in files:
        try:
            accepted = accept_upload(upload, max_bytes=settings.ONBOARDING_UPLOAD_MAX_BYTES)
        except ValidationError as error:
            raise ValidationError({field: error.error_dict["file"]}) from None
        checked.append((upload, accepted))
    return checked


def _store_files(violation: Violation, checked: list, *, actor: Actor, appeal=None, stored: list) -> None:
    for upload, accepted in checked:
        item = ViolationEvidence(
            violation=violation,
            appeal=appeal,
            file_name=(getattr(upload, "name", "") or "file")[-255:],
            content_type=accepted.content_type,
            size=accepted.size,
            sha256=accepted.sha256,
            added_by=_user(actor),
            added_by_label=_label(actor),
        )
        item.file.save(f"{uuid.uuid4().hex}.{accepted.extension}", upload, save=False)
        stored.append(item.file)
        item.save()


def _discard(stored: list) -> None:
    for file in stored:
        file.storage.delete(file.name)


def _notify_merchant(violation: Violation, title: str, body: str) -> None:
    members = [
        m.user for m in MerchantMembership.objects.filter(merchant_id=violation.merchant_id).select_related("user")
    ]
    notify(
        recipients=members,
        kind=NOTIFICATION_KIND,
        title=title,
        body=body,
        url=reverse("credit_portal:violation", kwargs={"pk": violation.pk}),
        merchant_id=violation.merchant_id,
    )


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


# --- Report and investigation --------------------------------------------------------------------


def _check_report(category: str, severity: str, description: str) -> None:
    errors: dict[str, list[str]] = {}
    if category not in ViolationCategory.values:
        errors["category"] = [_("Unknown category.")]
    if severity not in Severity.values:
        errors["severity"] = [_("Unknown severity.")]
    if not description:
        errors["description"] = [_("Describe the violation.")]
    elif len(description) > MAX_TEXT:
        errors["description"] = [_("At most %(n)d characters.") % {"n": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)


def violation_report(
    *,
    merchant: Merchant,
    category: str,
    severity: str,
    description: str,
    actor: Actor,
    source: str = ViolationSource.STAFF,
    complaint: Complaint | None = None,
    source_ref: str = "",
    note: str = "",
    files=(),
) -> Violation:
    """A violation is reported: by staff, by a complaint escalation or by a detection job (system, with the
    flag's reference). The same complaint or detection flag reports one violation: a repeat returns it."""
    violation, _created = _report(
        merchant=merchant,
        category=category,
        severity=severity,
        description=description,
        actor=actor,
        source=source,
        complaint=complaint,
        source_ref=source_ref,
        note=note,
        files=files,
    )
    return violation


def _report(
    *, merchant, category, severity, description, actor, source, complaint, source_ref, note, files
) -> tuple[Violation, bool]:
    description, note, source_ref = _clean(description), _clean(note), _clean(source_ref)[:200]
    if source not in ViolationSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    if source != ViolationSource.DETECTION or actor is not None:  # only a detection job reports as "system"
        _ensure_officer(actor, COMPLAINT_ESCALATORS if source == ViolationSource.COMPLAINT else OFFICERS)
    if (source == ViolationSource.COMPLAINT) != (complaint is not None):
        raise ValidationError({"complaint": [_("A complaint escalation names its complaint, and only it does.")]})
    if complaint is not None and complaint.merchant_id != merchant.pk:
        raise ValidationError({"complaint": [_("This complaint is not the merchant's.")]})
    _check_report(category, severity, description)
    checked = _check_files(files)
    existing = _existing(complaint=complaint, source=source, source_ref=source_ref)
    if existing is not None:
        return existing, False
    stored: list = []
    try:
        with transaction.atomic():
            violation = Violation(
                merchant=merchant,
                category=category,
                severity=severity,
                description=description,
                source=source,
                complaint=complaint,
                source_ref=source_ref,
                reported_by=_user(actor),
            )
            try:
                with transaction.atomic():
                    violation.save()
            except IntegrityError:
                # Reported by someone else meanwhile: the first one stands.
                existing = _existing(complaint=complaint, source=source, source_ref=source_ref)
                if existing is None:
                    raise
                return existing, False
            if note:
                ViolationEvidence.objects.create(
                    violation=violation, note=note, added_by=_user(actor), added_by_label=_label(actor)
                )
            _store_files(violation, checked, actor=actor, stored=stored)
            audit(
                actor=actor,
                action="violation.report",
                obj=violation,
                after={
                    "status": violation.status,
                    "category": category,
                    "severity": severity,
                    "source": source,
                    "complaint": complaint.pk if complaint else None,
                    "source_ref": source_ref,
                    "files": len(checked),
                },
                reason=description[:500],
            )
    except Exception:
        _discard(stored)
        raise
    return violation, True


def _existing(*, complaint: Complaint | None, source: str, source_ref: str) -> Violation | None:
    if complaint is not None:
        return Violation.objects.filter(complaint=complaint).first()
    if source_ref:
        return Violation.objects.filter(source=source, source_ref=source_ref).first()
    return None


def violation_open_from_complaint(
    *, complaint: Complaint, actor: Actor, category: str, severity: str = Severity.MINOR, description: str = ""
) -> tuple[Violation, bool]:
    """An upheld (or partly upheld) complaint opens a violation, once: a repeat returns the first one.
    Returns (violation, created)."""
    _ensure_officer(actor, COMPLAINT_ESCALATORS)
    existing = Violation.objects.filter(complaint=complaint).first()
    if existing is not None:
        return existing, False
    if complaint.outcome not in UPHELD_OUTCOMES:
        raise Conflict(_("Only an upheld or partly upheld complaint opens a violation."), code="complaint_not_upheld")
    description = _clean(description) or _("Complaint #%(id)d: %(text)s") % {
        "id": complaint.pk,
        "text": complaint.description[:2000],
    }
    return _report(
        merchant=complaint.merchant,
        category=category,
        severity=severity,
        description=description,
        actor=actor,
        source=ViolationSource.COMPLAINT,
        complaint=complaint,
        source_ref="",
        note="",
        files=(),
    )


def violation_evidence_add(*, violation: Violation, actor: Actor, file=None, note: str = "") -> ViolationEvidence:
    """Staff add a file or a note to the case while it is reported or under investigation."""
    _ensure_officer(actor)
    note = _clean(note)
    if file is None and not note:
        raise ValidationError({"file": [_("Add a file or a note.")]})
    if len(note) > MAX_TEXT:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    checked = _check_files([file] if file is not None else [], field="file")
    stored: list = []
    try:
        with transaction.atomic():
            violation = _locked(violation)
            if violation.status not in (S.REPORTED, S.INVESTIGATING):
                raise Conflict(_("Evidence is added before the decision."), code="violation_decided")
            if violation.evidence.filter(appeal__isnull=True).exclude(file="").count() + len(checked) > (
                MAX_EVIDENCE_FILES
            ):
                raise ValidationError({"file": [_("At most %(n)d files.") % {"n": MAX_EVIDENCE_FILES}]})
            if checked:
                _store_files(violation, checked, actor=actor, stored=stored)
                item = violation.evidence.order_by("-id").first()
                if note:
                    item.note = note
                    item.save(update_fields=["note"])
            else:
                item = ViolationEvidence.objects.create(
                    violation=violation, note=note, added_by=_user(actor), added_by_label=_label(actor)
                )
            audit(
                actor=actor,
                action="violation.evidence_add",
                obj=violation,
                after={"evidence": item.pk, "file": item.file_name, "note": note[:500]},
            )
    except Exception:
        _discard(stored)
        raise
    return item


def violation_investigate(*, violation: Violation, actor: Actor, investigator=None, note: str = "") -> Violation:
    """A risk officer takes the case (or gives it to another officer) and the investigation starts."""
    _ensure_officer(actor)
    investigator = investigator or actor
    if not has_role(investigator, *OFFICERS):
        raise ValidationError({"investigator": [_("Choose a risk officer.")]})
    note = _clean(note)
    with transaction.atomic():
        violation = _locked(violation)
        before = _move(violation, S.INVESTIGATING)
        violation.investigator = investigator
        violation.investigation_started_at = timezone.now()
        violation.save(update_fields=["status", "investigator", "investigation_started_at", "updated_at"])
        if note:
            ViolationEvidence.objects.create(
                violation=violation, note=note, added_by=_user(actor), added_by_label=_label(actor)
            )
        audit(
            actor=actor,
            action="violation.investigate",
            obj=violation,
            before={"status": before},
            after={"status": violation.status, "investigator": investigator.pk},
            reason=note,
        )
        _notify_merchant(
            violation,
            _("Violation #%(id)d is under investigation") % {"id": violation.pk},
            _("The platform is investigating a possible violation: %(category)s.\n%(text)s")
            % {"category": violation.get_category_display(), "text": violation.description[:500]},
        )
    return violation


# --- Decision, measures and the points ladder ----------------------------------------------------


def _amount(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"fine_amount": [_("Give the amount of the fine.")]}) from None


def _check_decision(
    measure: str, reason: str, points: int, fine_amount: Decimal | None, measure_days: int | None, severity: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if measure not in Measure.values:
        errors["measure"] = [_("Unknown measure.")]
    if severity not in Severity.values:
        errors["severity"] = [_("Unknown severity.")]
    if not reason:
        errors["reason"] = [_("Give the reasons for the decision.")]
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        errors["points"] = [_("Points are a whole number from 0 to %(max)d.") % {"max": MAX_POINTS}]
    if measure == Measure.FINE:
        if fine_amount is None or fine_amount <= 0:
            errors["fine_amount"] = [_("Give the amount of the fine.")]
    elif fine_amount is not None:
        errors["fine_amount"] = [_("Only a fine has an amount.")]
    if measure in DEFAULT_MEASURE_DAYS:
        if measure_days is not None and not 1 <= measure_days <= 365:
            errors["measure_days"] = [_("From 1 to 365 days.")]
    elif measure_days is not None:
        errors["measure_days"] = [_("Only a restriction or a suspension lasts a number of days.")]
    return errors


def violation_decide(
    *,
    violation: Violation,
    actor: Actor,
    measure: str,
    reason: str,
    points: int | None = None,
    severity: str | None = None,
    fine_amount: Decimal | None = None,
    measure_days: int | None = None,
) -> Violation:
    """The investigation ends with a measure and points. The measure is applied; if the decision takes the
    merchant's points over the rolling 12 months across a ladder threshold, the ladder's measure is applied
    too. The merchant may appeal for VIOLATION_APPEAL_DAYS days."""
    _ensure_officer(actor)
    reason = _clean(reason)
    with transaction.atomic():
        violation = _locked(violation)
        _lock_merchant(violation.merchant_id)
        severity = severity or violation.severity
        points = SEVERITY_POINTS[severity] if points is None and severity in SEVERITY_POINTS else points
        fine_amount = _amount(fine_amount)
        errors = _check_decision(measure, reason, points, fine_amount, measure_days, severity)
        if errors:
            raise ValidationError(errors)
        before = _move(violation, S.DECIDED)
        now = timezone.now()
        days = measure_days or DEFAULT_MEASURE_DAYS.get(measure)
        violation.decided_by, violation.decided_at, violation.decision_reason = actor, now, reason
        violation.measure, violation.points, violation.severity = measure, points, severity
        violation.measure_starts_at = now
        violation.measure_ends_at = now + timedelta(days=days) if measure in DEFAULT_MEASURE_DAYS else None
        if measure == Measure.FINE:
            violation.fine_amount, violation.fine_status = fine_amount.quantize(CENT), FineStatus.OWED
        violation.appeal_due_at = now + timedelta(days=settings.VIOLATION_APPEAL_DAYS)
        violation.save()
        total, counted = points_total(merchant_id=violation.merchant_id, at=now)
        audit(
            actor=actor,
            action="violation.decide",
            obj=violation,
            before={"status": before},
            after={
                "status": violation.status,
                "measure": measure,
                "points": points,
                "severity": severity,
                "fine_amount": str(violation.fine_amount) if violation.fine_amount is not None else None,
                "measure_ends_at": violation.measure_ends_at.isoformat() if violation.measure_ends_at else None,
                "points_total": total,
                "violation_ids": counted,
            },
            reason=reason,
        )
        applied = []
        if measure in HOLDING_MEASURES:
            applied.append(
                _measure_apply(
                    violation,
                    actor=actor,
                    origin=MeasureOrigin.DECISION,
                    kind=measure,
                    starts_at=now,
                    ends_at=violation.measure_ends_at,
                    total=total,
                    counted=counted,
                )
            )
        step = ladder.step_crossed(total - points, total)
        if step is not None:
            applied.append(
                _measure_apply(
                    violation,
                    actor=actor,
                    origin=MeasureOrigin.LADDER,
                    kind=step.measure,
                    starts_at=now,
                    ends_at=now + step.duration if step.duration else None,
                    total=total,
                    counted=counted,
                    threshold=step.threshold,
                )
            )
        _merchant_hold_sync(violation.merchant_id, actor=actor, now=now, allow_downgrade=False)
        _announce_decision(violation, total, applied)
        merchant_rescore_soon(merchant_id=violation.merchant_id)  # its violation points changed
    return violation


def _measure_apply(
    violation: Violation,
    *,
    actor: Actor,
    origin: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None,
    total: int,
    counted: list[int],
    threshold: int | None = None,
) -> ViolationMeasure:
    measure = ViolationMeasure.objects.create(
        merchant_id=violation.merchant_id,
        violation=violation,
        origin=origin,
        kind=kind,
        threshold=threshold,
        points_total=total,
        violation_ids=counted,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    audit(
        actor=actor,
        action="violation_measure.apply",
        obj=measure,
        after={
            "violation": violation.pk,
            "origin": origin,
            "measure": kind,
            "threshold": threshold,
            "points_total": total,
            "violation_ids": counted,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
    )
    return measure


def _measure_lift(measure: ViolationMeasure, *, actor: Actor, now: datetime, reason: str, total: int, counted) -> None:
    measure.lifted_at, measure.lift_reason = now, reason
    measure.save(update_fields=["lifted_at", "lift_reason"])
    audit(
        actor=actor,
        action="violation_measure.lift",
        obj=measure,
        before={"measure": measure.kind, "ends_at": measure.ends_at.isoformat() if measure.ends_at else None},
        after={
            "lift_reason": reason,
            "violation": measure.violation_id,
            "threshold": measure.threshold,
            "points_total": total,
            "violation_ids": counted,
        },
        reason=str(LiftReason(reason).label),
    )


def _announce_decision(violation: Violation, total: int, applied: list[ViolationMeasure]) -> None:
    lines = [
        _("Measure: %(measure)s. Points: %(points)d (%(total)d in the last 12 months).")
        % {"measure": violation.get_measure_display(), "points": violation.points, "total": total}
    ]
    if violation.fine_amount is not None:
        lines.append(
            _("Fine owed: %(amount)s %(currency)s.")
            % {"amount": violation.fine_amount, "currency": violation.fine_currency}
        )
    for measure in applied:
        if measure.origin == MeasureOrigin.LADDER:
            lines.append(
                _("Your points reached %(threshold)d: %(measure)s until %(until)s.")
                % {
                    "threshold": measure.threshold,
                    "measure": measure.get_kind_display(),
                    "until": _when(measure.ends_at),
                }
            )
        else:
            lines.append(
                _("%(measure)s until %(until)s.")
                % {"measure": measure.get_kind_display(), "until": _when(measure.ends_at)}
            )
    lines.append(_("You may appeal with a corrective plan until %(due)s.") % {"due": _when(violation.appeal_due_at)})
    _notify_merchant(violation, _("Violation #%(id)d decided") % {"id": violation.pk}, "\n".join(lines))


def _active(merchant_id: int, now: datetime):
    return ViolationMeasure.objects.filter(merchant_id=merchant_id, lifted_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def _merchant_hold_sync(merchant_id: int, *, actor: Actor, now: datetime, allow_downgrade: bool) -> str | None:
    """Bring the merchant's state in line with the violation measures in force, through merchants.services.

    - Only a restriction or suspension whose reason is `violation` is ever lifted or changed; one for another
      reason (credit, manual, documents) is left alone. A violation suspension may replace a restriction for
      another reason; that restriction comes back when the violation measures end.
    - Nothing is lifted while another violation measure is in force, and a suspension is never stepped down
      to a restriction (`allow_downgrade` is for an upheld appeal, which takes the stronger measure away).
    Returns what was done ("restrict", "suspend", "reinstate") or None.
    """
    merchant = Merchant.objects.select_for_update().get(pk=merchant_id)
    if merchant.status not in (MerchantStatus.ACTIVE, MerchantStatus.RESTRICTED, MerchantStatus.SUSPENDED):
        return None
    active = list(_active(merchant_id, now).order_by("-starts_at", "-id"))
    required = max((MEASURE_LEVEL[m.kind] for m in active), default=0)
    held = merchant.restriction_reason == RestrictionReason.VIOLATION and merchant.status != MerchantStatus.ACTIVE
    current = (2 if merchant.status == MerchantStatus.SUSPENDED else 1) if held else 0
    inputs = {"measures": [m.pk for m in active], "required": required}
    if required == 0:
        if not held:
            return None
        start = (
            ViolationMeasure.objects.filter(merchant_id=merchant_id, hold_started_at__isnull=False)
            .order_by("-hold_started_at", "-id")
            .first()
        )
        reason = _("Violation measures ended: %(inputs)s") % {"inputs": inputs}
        if start is not None and start.resume_status == MerchantStatus.RESTRICTED and start.resume_reason:
            if merchant.status == MerchantStatus.RESTRICTED:
                # Restricted to restricted is no transition: the reason changes through active, in this transaction.
                merchant_services.merchant_reinstate(merchant=merchant, actor=actor, reason=reason)
            merchant_services.merchant_restrict(
                merchant=merchant, actor=actor, reason=reason, restriction_reason=start.resume_reason
            )
            return "restrict"
        merchant_services.merchant_reinstate(merchant=merchant, actor=actor, reason=reason)
        return "reinstate"
    if held and (current == required or (current > required and not allow_downgrade)):
        return None
    if not held:
        as_strong = (
            (MerchantStatus.SUSPENDED,) if required == 2 else (MerchantStatus.RESTRICTED, MerchantStatus.SUSPENDED)
        )
        if merchant.status in as_strong:
            return None  # already held as strongly for another reason, which is not ours to change
        strongest = next(m for m in active if MEASURE_LEVEL[m.kind] == required)
        strongest.hold_started_at = now
        strongest.resume_status = merchant.status
        strongest.resume_reason = merchant.restriction_reason or ""
        strongest.save(update_fields=["hold_started_at", "resume_status", "resume_reason"])
    reason = _("Violation measure in force: %(inputs)s") % {"inputs": inputs}
    if required == 2:
        merchant_services.merchant_suspend(
            merchant=merchant, actor=actor, reason=reason, restriction_reason=RestrictionReason.VIOLATION
        )
        return "suspend"
    merchant_services.merchant_restrict(
        merchant=merchant, actor=actor, reason=reason, restriction_reason=RestrictionReason.VIOLATION
    )
    return "restrict"


def violation_measures_lift_expired(*, now: datetime | None = None) -> int:
    """Lift the violation measures whose time is up, and release the merchant when none is left in force.
    Also puts back a hold that something else lifted while a measure is still in force. Returns how many
    measures were lifted; running it again at the same time does nothing more."""
    now = now or timezone.now()
    expired = set(
        ViolationMeasure.objects.filter(lifted_at__isnull=True, ends_at__isnull=False, ends_at__lte=now).values_list(
            "merchant_id", flat=True
        )
    )
    unheld = set(
        _active_everywhere(now).filter(merchant__status=MerchantStatus.ACTIVE).values_list("merchant_id", flat=True)
    )
    lifted = 0
    for merchant_id in sorted(expired | unheld):
        with transaction.atomic():
            _lock_merchant(merchant_id)
            rows = list(
                ViolationMeasure.objects.select_for_update()
                .filter(merchant_id=merchant_id, lifted_at__isnull=True, ends_at__isnull=False, ends_at__lte=now)
                .order_by("id")
            )
            total, counted = points_total(merchant_id=merchant_id, at=now)
            for measure in rows:
                _measure_lift(measure, actor=None, now=now, reason=LiftReason.EXPIRED, total=total, counted=counted)
            _merchant_hold_sync(merchant_id, actor=None, now=now, allow_downgrade=False)
            lifted += len(rows)
            if rows:
                _announce_lift(rows, still_active=_active(merchant_id, now).exists())
    return lifted


def _active_everywhere(now: datetime):
    return ViolationMeasure.objects.filter(lifted_at__isnull=True).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def _announce_lift(rows: list[ViolationMeasure], *, still_active: bool) -> None:
    names = ", ".join(f"{m.get_kind_display()} (#{m.violation_id})" for m in rows)
    body = _("These measures have ended: %(names)s.") % {"names": names}
    if still_active:
        body += "\n" + _("Another violation measure is still in force.")
    else:
        body += "\n" + _("No violation measure is in force any more.")
    _notify_merchant(rows[0].violation, _("Violation measure ended"), body)


# --- Appeal --------------------------------------------------------------------------------------


def _ensure_merchant_side(violation: Violation, actor: Actor) -> None:
    if isinstance(actor, ApiKey):
        if actor.merchant_id != violation.merchant_id:
            raise PermissionDenied(_("Only the merchant appeals."))
        return
    if actor is None or not MerchantMembership.objects.filter(user=actor, merchant_id=violation.merchant_id).exists():
        raise PermissionDenied(_("Only the merchant appeals."))


def violation_appeal(
    *,
    violation: Violation,
    actor: Actor,
    root_cause: str,
    corrective_action: str,
    preventive_action: str,
    files=(),
) -> ViolationAppeal:
    """The merchant appeals within the window with its plan: root cause, corrective and preventive action,
    and evidence files."""
    _ensure_merchant_side(violation, actor)
    plan = {
        "root_cause": _clean(root_cause),
        "corrective_action": _clean(corrective_action),
        "preventive_action": _clean(preventive_action),
    }
    errors = {name: [_("This part of the plan is required.")] for name, text in plan.items() if not text}
    errors.update({name: [_("At most %(n)d characters.") % {"n": MAX_TEXT}] for name, text in plan.items()
                   if len(text) > MAX_TEXT})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    checked = _check_files(files)
    stored: list = []
    try:
        with transaction.atomic():
            violation = _locked(violation)
            now = timezone.now()
            if violation.status == S.DECIDED and violation.appeal_due_at and now > violation.appeal_due_at:
                raise Conflict(
                    _("The appeal window closed on %(due)s.") % {"due": _when(violation.appeal_due_at)},
                    code="appeal_window_closed",
                )
            before = _move(violation, S.APPEALED)
            violation.save(update_fields=["status", "updated_at"])
            appeal = ViolationAppeal.objects.create(
                violation=violation,
                submitted_by=_user(actor),
                submitted_by_label=_label(actor),
                submitted_at=now,
                **plan,
            )
            _store_files(violation, checked, actor=actor, appeal=appeal, stored=stored)
            audit(
                actor=actor,
                action="violation.appeal",
                obj=violation,
                before={"status": before},
                after={"status": violation.status, "appeal": appeal.pk, "files": len(checked)},
                reason=plan["root_cause"][:500],
            )
    except Exception:
        _discard(stored)
        raise
    return appeal


def violation_appeal_rule(*, violation: Violation, actor: Actor, ruling: str, reason: str) -> Violation:
    """A risk officer other than the one who decided the violation rules on the appeal. Upheld: the points
    stop counting, the measures the violation caused are lifted, ladder measures its points no longer reach
    step down, an owed fine is waived (a paid one is to be refunded). Rejected: everything stays."""
    _ensure_officer(actor)
    reason = _clean(reason)
    errors: dict[str, list[str]] = {}
    if ruling not in AppealRuling.values:
        errors["ruling"] = [_("Upheld or rejected.")]
    if not reason:
        errors["reason"] = [_("Give the reasons for the ruling.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        violation = _locked(violation)
        _lock_merchant(violation.merchant_id)
        target = S.APPEAL_UPHELD if ruling == AppealRuling.UPHELD else S.APPEAL_REJECTED
        ensure_transition(VIOLATION_TRANSITIONS, violation.status, target)
        if violation.decided_by_id == getattr(actor, "pk", None):
            raise Conflict(
                _("The appeal is ruled on by a staff member other than the one who decided the violation."),
                code="appeal_ruler_is_decider",
            )
        appeal = ViolationAppeal.objects.select_for_update().get(violation=violation)
        now = timezone.now()
        before = _move(violation, target)
        appeal.ruling, appeal.ruling_reason, appeal.ruled_by, appeal.ruled_at = ruling, reason, actor, now
        appeal.save(update_fields=["ruling", "ruling_reason", "ruled_by", "ruled_at"])
        fine_before = violation.fine_status
        if ruling == AppealRuling.UPHELD:
            violation.points_reversed_at = now
            if violation.fine_status == FineStatus.OWED:
                violation.fine_status, violation.fine_settled_at = FineStatus.WAIVED, now
            elif violation.fine_status == FineStatus.PAID:
                violation.fine_status = FineStatus.REFUND_DUE
        violation.save()
        total, counted = points_total(merchant_id=violation.merchant_id, at=now)
        audit(
            actor=actor,
            action="violation.appeal_rule",
            obj=violation,
            before={"status": before, "fine_status": fine_before},
            after={
                "status": violation.status,
                "ruling": ruling,
                "points_reversed": violation.points if ruling == AppealRuling.UPHELD else 0,
                "fine_status": violation.fine_status,
                "points_total": total,
                "violation_ids": counted,
            },
            reason=reason,
        )
        lifted: list[ViolationMeasure] = []
        if ruling == AppealRuling.UPHELD:
            decided = _active(violation.merchant_id, now).filter(violation=violation, origin=MeasureOrigin.DECISION)
            for measure in decided.select_for_update():
                _measure_lift(
                    measure, actor=actor, now=now, reason=LiftReason.APPEAL_UPHELD, total=total, counted=counted
                )
                lifted.append(measure)
            lifted += _ladder_step_down(violation, actor=actor, now=now, total=total, counted=counted)
            _merchant_hold_sync(violation.merchant_id, actor=actor, now=now, allow_downgrade=True)
            merchant_rescore_soon(merchant_id=violation.merchant_id)  # its points no longer count
        _announce_ruling(violation, ruling, reason, total, lifted)
    return violation


def _ladder_step_down(
    violation: Violation, *, actor: Actor, now: datetime, total: int, counted: list[int]
) -> list[ViolationMeasure]:
    """Ladder measures whose threshold the points that still count no longer reach are lifted and replaced by
    the step the points do reach, from the same start (if that is still running)."""
    lifted = []
    stale = _active(violation.merchant_id, now).filter(origin=MeasureOrigin.LADDER, threshold__gt=total)
    for measure in stale.select_for_update().order_by("id"):
        _measure_lift(measure, actor=actor, now=now, reason=LiftReason.DE_ESCALATED, total=total, counted=counted)
        lifted.append(measure)
        step = ladder.step_reached(total)
        if step is None or not counted:
            continue
        ends_at = measure.starts_at + step.duration if step.duration else None
        if ends_at is not None and ends_at <= now:
            continue
        latest = Violation.objects.filter(pk__in=counted).order_by("-decided_at", "-id").first()
        _measure_apply(
            latest,
            actor=actor,
            origin=MeasureOrigin.LADDER,
            kind=step.measure,
            starts_at=measure.starts_at,
            ends_at=ends_at,
            total=total,
            counted=counted,
            threshold=step.threshold,
        )
    return lifted


def _announce_ruling(violation: Violation, ruling: str, reason: str, total: int, lifted) -> None:
    if ruling == AppealRuling.UPHELD:
        body = _("Your appeal is upheld: the %(points)d points no longer count (%(total)d in the last 12 months).") % {
            "points": violation.points,
            "total": total,
        }
        if lifted:
            body += "\n" + _("Measures lifted: %(names)s.") % {
                "names": ", ".join(str(m.get_kind_display()) for m in lifted)
            }
    else:
        body = _("Your appeal is rejected; the decision stands.")
    _notify_merchant(
        violation,
        _("Appeal on violation #%(id)d: %(ruling)s") % {"id": violation.pk, "ruling": AppealRuling(ruling).label},
        body + "\n" + reason,
    )


# --- Closing and fines -----------------------------------------------------------------------------


def violation_close(*, violation: Violation, actor: Actor, reason: str = "") -> Violation:
    """Archive a case: once the appeal is ruled on, or once the appeal window has passed unused. Measures run
    their course and the points keep counting for their 12 months."""
    _ensure_officer(actor)
    with transaction.atomic():
        violation = _locked(violation)
        now = timezone.now()
        ensure_transition(VIOLATION_TRANSITIONS, violation.status, S.CLOSED)
        if violation.status == S.DECIDED and violation.appeal_due_at and now <= violation.appeal_due_at:
            raise Conflict(
                _("The merchant may appeal until %(due)s.") % {"due": _when(violation.appeal_due_at)},
                code="appeal_window_open",
            )
        before = _move(violation, S.CLOSED)
        violation.closed_at = now
        violation.save(update_fields=["status", "closed_at", "updated_at"])
        audit(
            actor=actor,
            action="violation.close",
            obj=violation,
            before={"status": before},
            after={"status": violation.status},
            reason=_clean(reason),
        )
    return violation


def violations_close_unappealed(*, now: datetime | None = None) -> int:
    """Close decided violations whose appeal window passed unused; running it again closes nothing more."""
    now = now or timezone.now()
    closed = 0
    for pk in Violation.objects.filter(status=S.DECIDED, appeal_due_at__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            violation = Violation.objects.select_for_update().get(pk=pk)
            if violation.status != S.DECIDED or violation.appeal_due_at >= now:
                continue
            _move(violation, S.CLOSED)
            violation.closed_at = now
            violation.save(update_fields=["status", "closed_at", "updated_at"])
            audit(
                actor=None,
                action="violation.close",
                obj=violation,
                before={"status": S.DECIDED},
                after={"status": S.CLOSED},
                reason=_("The appeal window passed unused."),
            )
            closed += 1
    return closed


def violations_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic job: lift expired measures and close decided violations nobody appealed in time."""
    now = now or timezone.now()
    return {
        "measures_lifted": violation_measures_lift_expired(now=now),
        "violations_closed": violations_close_unappealed(now=now),
    }


def violation_fine_settle(*, violation: Violation, actor: Actor, status: str, note: str = "") -> Violation:
    """The fine is paid or waived (a waiver needs a reason), or a fine to refund has been refunded."""
    _ensure_officer(actor)
    note = _clean(note)
    if status not in (FineStatus.PAID, FineStatus.WAIVED, FineStatus.REFUNDED):
        raise ValidationError({"status": [_("Paid, waived or refunded.")]})
    if status == FineStatus.WAIVED and not note:
        raise ValidationError({"note": [_("Say why the fine is waived.")]})
    with transaction.atomic():
        violation = _locked(violation)
        if status not in FINE_TRANSITIONS.get(violation.fine_status, frozenset()):
            raise Conflict(
                _("The fine is %(current)s and cannot become %(target)s.")
                % {"current": violation.get_fine_status_display(), "target": FineStatus(status).label},
                code="fine_state",
            )
        before = violation.fine_status
        violation.fine_status, violation.fine_settled_at = status, timezone.now()
        violation.fine_note = note[:4000]
        violation.save(update_fields=["fine_status", "fine_settled_at", "fine_note", "updated_at"])
        audit(
            actor=actor,
            action="violation.fine_settle",
            obj=violation,
            before={"fine_status": before},
            after={"fine_status": status, "amount": str(violation.fine_amount), "currency": violation.fine_currency},
            reason=note,
        )
    return violation
