"""Every write to merchant information: direct low-risk edits, change requests, reveals, expiry, re-verification."""

import json
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import PLATFORM_ADMIN, has_role
from core.audit import Actor, audit
from core.crypto import blind_index
from core.notifications import notify
from core.transitions import ensure_transition
from core.uploads import accept_upload
from core.working_days import add_working_days
from merchants import services as merchant_services
from merchants.choices import KycStatus, MerchantStatus, RestrictionReason
from merchants.models import Category, Merchant
from onboarding.choices import DocumentType
from onboarding.models import CategoryRequirement
from profiles import selectors, validators
from profiles.choices import (
    BANK_FIELDS,
    CHANGE_REQUEST_TRANSITIONS,
    EDITABLE_STATES,
    HIGH_RISK_FIELDS,
    LOW_RISK_FIELDS,
    MERCHANT_FIELDS,
    REMINDER_DAYS,
    SENSITIVE_FIELDS,
    ChangeRequestStatus,
    ReverificationStatus,
)
from profiles.models import ChangeProof, ChangeRequest, FieldChange, Profile, ReverificationRound, ReverificationTask

S = ChangeRequestStatus
ADDRESS_FIELDS = ("province_code", "city_code", "county_code")
BLIND_INDEXES = {"legal_rep_id_number": "legal_rep_id_index", "bank_account_number": "bank_account_index"}


def _members(merchant_id: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__merchant_id=merchant_id, is_active=True)


def _for_audit(values: dict) -> dict:
    """Values as the audit trail keeps them: sensitive ones masked, never in clear."""
    return {
        field: selectors.masked(field, value) if field in SENSITIVE_FIELDS and value else value
        for field, value in values.items()
    }


def _locked_profile(merchant_id: int) -> Profile:
    Profile.objects.get_or_create(merchant_id=merchant_id)
    return Profile.objects.select_for_update().get(merchant_id=merchant_id)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return value
    return str(value)


def _clean(changes: dict, *, current: dict) -> dict:
    """Validated values for the fields that actually change (as JSON-ready text)."""
    cleaned, errors = {}, {}
    for field, value in changes.items():
        if field == "categories":
            if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
                errors["categories"] = [_("Give a list of category codes.")]
                continue
            codes = sorted(set(value))
            known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
            if set(codes) - known:
                errors["categories"] = [
                    _("Unknown category: %(codes)s.") % {"codes": ", ".join(sorted(set(codes) - known))}
                ]
                continue
            if not codes:
                errors["categories"] = [_("Choose at least one category.")]
                continue
            if codes != current["categories"]:
                cleaned["categories"] = codes
            continue
        try:
            text = _as_text(validators.clean_value(field, value))
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if text != current.get(field, ""):
            cleaned[field] = text
    if errors:
        raise ValidationError(errors)
    if any(field in cleaned for field in ADDRESS_FIELDS):
        address = {field: cleaned.get(field, current[field]) for field in ADDRESS_FIELDS}
        validators.validate_address(**address)
    return cleaned


def _apply_to_profile(profile: Profile, values: dict) -> list[str]:
    fields = []
    for field, value in values.items():
        if field in MERCHANT_FIELDS:
            continue
        if field == "registered_capital":
            value = value or None
        if field == "founded_on":
            value = date.fromisoformat(value) if value else None
        setattr(profile, field, value)
        fields.append(field)
        if field in BLIND_INDEXES:
            setattr(profile, BLIND_INDEXES[field], blind_index(value, purpose=field) if value else "")
            fields.append(BLIND_INDEXES[field])
    return fields


def _apply(merchant: Merchant, profile: Profile, values: dict, *, actor: Actor, reason: str) -> None:
    identity = {field: values[field] for field in MERCHANT_FIELDS if field in values}
    if identity:
        categories = identity.pop("categories", None)
        merchant_services.merchant_identity_change(
            merchant=merchant,
            actor=actor,
            reason=reason,
            categories=list(Category.objects.filter(code__in=categories)) if categories is not None else None,
            **identity,
        )
    fields = _apply_to_profile(profile, values)
    if fields:
        profile.save(update_fields=[*fields, "updated_at"])


def profile_update(*, merchant: Merchant, actor: Actor, changes: dict, logo=None) -> Profile:
    """Low-risk fields change at once, audited; anything else needs a change request."""
    refused = sorted(set(changes) - set(LOW_RISK_FIELDS))
    if refused:
        raise ValidationError(
            {field: [_("This field changes through a reviewed change request.")] for field in refused}
        )
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        profile = _locked_profile(merchant.pk)
        current = selectors.current_values(merchant, profile)
        values = _clean(changes, current=current)
        fields = _apply_to_profile(profile, values)
        before = {field: current[field] for field in values}
        after = dict(values)
        if logo is not None:
            accepted = accept_upload(logo, max_bytes=settings.ONBOARDING_UPLOAD_MAX_BYTES)
            if accepted.content_type == "application/pdf":
                raise ValidationError({"store_logo": [_("A logo is a JPEG or PNG image.")]})
            before["store_logo"] = profile.store_logo.name
            profile.logo_name = f"{uuid.uuid4().hex}.{accepted.extension}"
            profile.store_logo.save(profile.logo_name, logo, save=False)
            after["store_logo"] = profile.store_logo.name
            fields += ["store_logo", "logo_name"]
        if fields:
            profile.save(update_fields=[*fields, "updated_at"])
            audit(
                actor=actor, action="profile.update", obj=profile, merchant_id=merchant.pk, before=before, after=after
            )
    return profile


def profile_record(*, merchant: Merchant, actor: Actor, values: dict, reason: str) -> Profile:
    """Staff record verified information directly (from onboarding papers, or demo data); audited."""
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        profile = _locked_profile(merchant.pk)
        current = selectors.current_values(merchant, profile)
        values = _clean(values, current=current)
        if values:
            _apply(merchant, profile, values, actor=actor, reason=reason)
            audit(
                actor=actor,
                action="profile.record",
                obj=profile,
                merchant_id=merchant.pk,
                before=_for_audit({field: current[field] for field in values}),
                after=_for_audit(values),
                reason=reason,
            )
    return profile


def profile_reveal(*, merchant: Merchant, field: str, actor, reason: str) -> str:
    """A platform admin sees a sensitive value in clear, saying why; the reveal is audited."""
    if not has_role(actor, PLATFORM_ADMIN):
        raise PermissionDenied(_("Only a platform admin can reveal a sensitive value."))
    if field not in SENSITIVE_FIELDS:
        raise ValidationError({"field": [_("Only sensitive fields are revealed.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need to see this value.")]})
    profile = selectors.profile_of(merchant)
    with transaction.atomic():
        audit(
            actor=actor,
            action="profile.reveal",
            obj=merchant,
            merchant_id=merchant.pk,
            after={"field": field},
            reason=reason.strip(),
        )
    return getattr(profile, field) or ""


def _required_documents(changes: dict, *, current: dict) -> list[str]:
    required = set()
    for field in changes:
        required.update(HIGH_RISK_FIELDS.get(field, ()))
    if "categories" in changes:
        added = set(changes["categories"]) - set(current["categories"])
        required.update(CategoryRequirement.objects.filter(category__code__in=added).values_list("doc_type", flat=True))
    return sorted(required)


def change_request_create(*, merchant: Merchant, actor, changes: dict, reason: str = "") -> ChangeRequest:
    """A draft request for high-risk fields (or none: a renewal of documents only), with its per-field diff."""
    refused = sorted(set(changes) - set(HIGH_RISK_FIELDS))
    if refused:
        raise ValidationError(
            {field: [_("Not a field a change request changes; edit it on the profile.")] for field in refused}
        )
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
        current = selectors.current_values(merchant, selectors.profile_of(merchant))
        values = _clean(changes, current=current)
        if "uscc" in values and Merchant.objects.filter(uscc=values["uscc"]).exclude(pk=merchant.pk).exists():
            raise ValidationError({"uscc": [_("A merchant with this unified social credit code exists.")]})
        if changes and not values:
            raise ValidationError(_("Nothing would change: every value is the current one."))
        if selectors.open_change_request(merchant_id=merchant.pk) is not None:
            raise ValidationError(_("This merchant already has an open change request."), code="open_request")
        try:
            with transaction.atomic():
                request = ChangeRequest.objects.create(
                    merchant=merchant,
                    reason=reason.strip(),
                    created_by=actor if getattr(actor, "pk", None) and not hasattr(actor, "hashed_key") else None,
                    required_documents=_required_documents(values, current=current),
                )
        except IntegrityError:
            raise ValidationError(_("This merchant already has an open change request."), code="open_request") from None
        FieldChange.objects.bulk_create(
            FieldChange(
                change_request=request,
                field=field,
                before=json.dumps(current[field], ensure_ascii=False),
                after=json.dumps(value, ensure_ascii=False),
            )
            for field, value in values.items()
        )
        audit(
            actor=actor,
            action="change_request.create",
            obj=request,
            before=_for_audit({field: current[field] for field in values}),
            after=_for_audit(values),
            reason=request.reason,
        )
        task = ReverificationTask.objects.filter(merchant=merchant, status=ReverificationStatus.OPEN).first()
        if task is not None:
            _task_complete(task, status=ReverificationStatus.UPDATED, actor=actor, change_request=request)
    return request


def _lock(change_request: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().get(pk=change_request.pk)


def change_proof_add(
    *,
    change_request: ChangeRequest,
    actor,
    doc_type: str,
    file,
    number: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
) -> ChangeProof:
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": [_("Unknown document type.")]})
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": [_("The expiry date is before the issue date.")]})
    if expires_on and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": [_("This document has already expired.")]})
    accepted = accept_upload(file, max_bytes=settings.ONBOARDING_UPLOAD_MAX_BYTES)
    with transaction.atomic():
        change_request = _lock(change_request)
        if change_request.status not in EDITABLE_STATES:
            raise ValidationError(_("Proof can be added only while the request is a draft or more is asked for."))
        ChangeProof.objects.filter(change_request=change_request, doc_type=doc_type).delete()
        proof = ChangeProof(
            change_request=change_request,
            doc_type=doc_type,
            number=number.strip(),
            issued_on=issued_on,
            expires_on=expires_on,
            storage_name=f"{uuid.uuid4().hex}.{accepted.extension}",
            content_type=accepted.content_type,
            size=accepted.size,
            sha256=accepted.sha256,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        proof.file.save(proof.storage_name, file, save=False)
        proof.save()
        audit(
            actor=actor,
            action="change_request.proof_add",
            obj=change_request,
            after={"doc_type": doc_type, "sha256": accepted.sha256, "expires_on": _as_text(expires_on)},
        )
    return proof


def _hold(merchant_id: int, *, on: bool, actor: Actor, reason: str) -> None:
    profile = _locked_profile(merchant_id)
    if profile.payout_hold != on:
        profile.payout_hold = on
        profile.save(update_fields=["payout_hold", "updated_at"])
        audit(
            actor=actor,
            action="profile.payout_hold",
            obj=profile,
            merchant_id=merchant_id,
            before={"payout_hold": not on},
            after={"payout_hold": on},
            reason=reason,
        )


def _move(change_request: ChangeRequest, target: str) -> str:
    before = change_request.status
    ensure_transition(CHANGE_REQUEST_TRANSITIONS, before, target)
    change_request.status = target
    return before


def change_request_submit(*, change_request: ChangeRequest, actor) -> ChangeRequest:
    """Send for review: the proof each change needs must be there; a bank change holds payouts meanwhile."""
    with transaction.atomic():
        change_request = _lock(change_request)
        present = set(change_request.proofs.values_list("doc_type", flat=True))
        missing = sorted(set(change_request.required_documents) - present)
        if change_request.status in EDITABLE_STATES and missing:
            labels = ", ".join(str(DocumentType(code).label) for code in missing)
            raise ValidationError({"proofs": [_("Attach the proof this change needs: %(docs)s.") % {"docs": labels}]})
        if change_request.status in EDITABLE_STATES and not change_request.changes.exists() and not present:
            raise ValidationError(_("A request without changes must renew at least one document."))
        before = _move(change_request, S.SUBMITTED)
        now = timezone.now()
        change_request.submitted_at = now
        change_request.due_at = add_working_days(now, settings.PROFILE_CHANGE_SLA_WORKING_DAYS)
        change_request.save(update_fields=["status", "submitted_at", "due_at", "updated_at"])
        audit(actor=actor, action="change_request.submit", obj=change_request, before=before, after=S.SUBMITTED)
        if change_request.changes.filter(field__in=BANK_FIELDS).exists():
            _hold(
                change_request.merchant_id,
                on=True,
                actor=actor,
                reason=_("Bank account change #%(id)s pending review.") % {"id": change_request.pk},
            )
    return change_request


def _release(change_request: ChangeRequest, *, actor: Actor) -> None:
    if change_request.changes.filter(field__in=BANK_FIELDS).exists():
        _hold(
            change_request.merchant_id,
            on=False,
            actor=actor,
            reason=_("Bank account change #%(id)s closed.") % {"id": change_request.pk},
        )


def _ensure_reviewer(user) -> None:
    from core.access import OPS_MANAGER, REVIEWER

    if not has_role(user, REVIEWER, OPS_MANAGER, PLATFORM_ADMIN):
        raise PermissionDenied(_("Only reviewers decide change requests."))


def _decide(change_request, *, reviewer, target: str, note: str, internal_note: str, action: str):
    _ensure_reviewer(reviewer)
    change_request = _lock(change_request)
    before = _move(change_request, target)
    change_request.reviewer = reviewer
    change_request.decision_note = note.strip()
    change_request.internal_note = internal_note.strip()
    fields = ["status", "reviewer", "decision_note", "internal_note", "updated_at"]
    if target in (S.APPROVED, S.REJECTED):
        change_request.decided_at = timezone.now()
        fields.append("decided_at")
    if change_request.due_at is not None and timezone.now() > change_request.due_at and not change_request.sla_breached:
        change_request.sla_breached = True
        fields.append("sla_breached")
    change_request.save(update_fields=fields)
    audit(
        actor=reviewer,
        action=action,
        obj=change_request,
        before={"status": before},
        after={"status": target, "note": change_request.decision_note, "internal_note": change_request.internal_note},
        reason=change_request.decision_note,
    )
    return change_request


def _tell(change_request: ChangeRequest, *, kind: str, title: str, body: str) -> None:
    notify(
        recipients=_members(change_request.merchant_id),
        kind=kind,
        title=title,
        body=body,
        url=f"/portal/merchant-info/{change_request.merchant_id}/change-requests/{change_request.pk}/",
        merchant_id=change_request.merchant_id,
    )


def change_request_approve(
    *, change_request: ChangeRequest, reviewer, note: str = "", internal_note: str = ""
) -> ChangeRequest:
    """Apply every change and the renewed documents; release any payout hold; lift an expiry if none is left."""
    with transaction.atomic():
        change_request = _decide(
            change_request,
            reviewer=reviewer,
            target=S.APPROVED,
            note=note,
            internal_note=internal_note,
            action="change_request.approve",
        )
        merchant = Merchant.objects.select_for_update().get(pk=change_request.merchant_id)
        profile = _locked_profile(merchant.pk)
        values = {change.field: json.loads(change.after) for change in change_request.changes.all()}
        # Re-checked: the world may have moved since the request was made (another merchant took the code).
        current = selectors.current_values(merchant, profile)
        values = _clean(values, current=current)
        _apply(
            merchant,
            profile,
            values,
            actor=reviewer,
            reason=_("Change request #%(id)s approved.") % {"id": change_request.pk},
        )
        _release(change_request, actor=reviewer)
        if change_request.proofs.exists():
            _documents_renewed(merchant, actor=reviewer)
        _tell(
            change_request,
            kind="profile.change_approved",
            title=_("Your change request #%(id)s is approved") % {"id": change_request.pk},
            body=change_request.decision_note,
        )
    return change_request


def change_request_reject(
    *, change_request: ChangeRequest, reviewer, note: str, internal_note: str = ""
) -> ChangeRequest:
    if not note.strip():
        raise ValidationError({"note": [_("Tell the merchant why the change is rejected.")]})
    with transaction.atomic():
        change_request = _decide(
            change_request,
            reviewer=reviewer,
            target=S.REJECTED,
            note=note,
            internal_note=internal_note,
            action="change_request.reject",
        )
        _release(change_request, actor=reviewer)
        _tell(
            change_request,
            kind="profile.change_rejected",
            title=_("Your change request #%(id)s is rejected") % {"id": change_request.pk},
            body=change_request.decision_note,
        )
    return change_request


def change_request_request_more(
    *, change_request: ChangeRequest, reviewer, note: str, internal_note: str = ""
) -> ChangeRequest:
    """Ask the merchant for more proof; a bank change keeps its payout hold until decided."""
    if not note.strip():
        raise ValidationError({"note": [_("Say what more is needed.")]})
    with transaction.atomic():
        change_request = _decide(
            change_request,
            reviewer=reviewer,
            target=S.MORE_INFO_REQUESTED,
            note=note,
            internal_note=internal_note,
            action="change_request.request_more",
        )
        _tell(
            change_request,
            kind="profile.change_more_info",
            title=_("More information is needed for change request #%(id)s") % {"id": change_request.pk},
            body=change_request.decision_note,
        )
    return change_request


def change_request_withdraw(*, change_request: ChangeRequest, actor) -> ChangeRequest:
    with transaction.atomic():
        change_request = _lock(change_request)
        before = _move(change_request, S.WITHDRAWN)
        change_request.save(update_fields=["status", "updated_at"])
        audit(actor=actor, action="change_request.withdraw", obj=change_request, before=before, after=S.WITHDRAWN)
        _release(change_request, actor=actor)
    return change_request


# --- Documents that expire --------------------------------------------------------------------


def change_request_sla_breaches_flag(*, now=None) -> int:
    """Flag submitted requests whose first decision is late; running it again flags nothing new."""
    now = now or timezone.now()
    return ChangeRequest.objects.filter(status=S.SUBMITTED, due_at__lt=now, sla_breached=False).update(
        sla_breached=True
    )


def document_expiry_reminders_send(*, today: date | None = None) -> int:
    """Remind 30, 14 and 3 days before a current document expires; each reminder once (a unique row)."""
    from profiles.models import DocumentReminder

    today = today or timezone.localdate()
    sent = 0
    for document in selectors.documents_expiring(until=today + timedelta(days=max(REMINDER_DAYS))):
        days_left = (document.expires_on - today).days
        if days_left < 0:
            continue
        threshold = min(days for days in REMINDER_DAYS if days >= days_left)
        with transaction.atomic():
            _reminder, created = DocumentReminder.objects.get_or_create(
                merchant_id=document.merchant_id,
                doc_type=document.doc_type,
                expires_on=document.expires_on,
                days_before=threshold,
            )
            if not created:
                continue
            label = DocumentType(document.doc_type).label
            notify(
                recipients=_members(document.merchant_id),
                kind="profile.document_expiring",
                title=_("Your %(doc)s expires on %(date)s") % {"doc": label, "date": document.expires_on.isoformat()},
                body=_(
                    "Upload the renewed document in a change request before it expires, or selling will be restricted."
                ),
                url=f"/portal/merchant-info/{document.merchant_id}/change-requests/new/",
                merchant_id=document.merchant_id,
            )
            sent += 1
    return sent


def documents_expire(*, today: date | None = None) -> int:
    """A merchant whose current document has expired: KYC expired and restricted for `document_expired`."""
    today = today or timezone.localdate()
    merchant_ids = sorted(
        {
            doc.merchant_id
            for doc in selectors.documents_expiring(until=today - timedelta(days=1))
            if doc.expires_on < today
        }
    )
    expired = 0
    for merchant in Merchant.objects.filter(pk__in=merchant_ids).exclude(kyc_status=KycStatus.EXPIRED):
        with transaction.atomic():
            doc_types = selectors.expired_documents_of(merchant_id=merchant.pk, today=today)
            reason = _("Expired: %(docs)s.") % {"docs": ", ".join(str(DocumentType(t).label) for t in doc_types)}
            merchant_services.merchant_kyc_update(
                merchant=merchant, actor=None, kyc_status=KycStatus.EXPIRED, reason=reason
            )
            if merchant.status == MerchantStatus.ACTIVE:
                merchant_services.merchant_restrict(
                    merchant=merchant,
                    actor=None,
                    reason=reason,
                    restriction_reason=RestrictionReason.DOCUMENT_EXPIRED,
                )
            notify(
                recipients=_members(merchant.pk),
                kind="profile.document_expired",
                title=_("A document of %(store)s has expired") % {"store": merchant.name},
                body=reason + " " + _("Selling is restricted until a renewed document is approved."),
                url=f"/portal/merchant-info/{merchant.pk}/change-requests/new/",
                merchant_id=merchant.pk,
            )
            expired += 1
    return expired


def _documents_renewed(merchant: Merchant, *, actor: Actor) -> None:
    """After new documents are approved: lift the expiry when no current document is expired any more."""
    merchant = Merchant.objects.get(pk=merchant.pk)
    if merchant.kyc_status != KycStatus.EXPIRED:
        return
    if selectors.expired_documents_of(merchant_id=merchant.pk, today=timezone.localdate()):
        return
    reason = _("Renewed documents approved.")
    merchant_services.merchant_kyc_update(merchant=merchant, actor=actor, kyc_status=KycStatus.APPROVED, reason=reason)
    if (
        merchant.status == MerchantStatus.RESTRICTED
        and merchant.restriction_reason == RestrictionReason.DOCUMENT_EXPIRED
    ):
        merchant_services.merchant_reinstate(merchant=merchant, actor=actor, reason=reason)


# --- Periodic re-verification -----------------------------------------------------------------


def reverification_round_start(*, name: str, criteria: dict, due_on: date, actor) -> ReverificationRound:
    """One task per matching merchant, due on `due_on`; their members are told."""
    today = timezone.localdate()
    if due_on <= today:
        raise ValidationError({"due_on": [_("The due date must be in the future.")]})
    if not name.strip():
        raise ValidationError({"name": [_("Name the round.")]})
    with transaction.atomic():
        round_ = ReverificationRound.objects.create(
            name=name.strip(), criteria=criteria, due_on=due_on, started_by=actor
        )
        merchant_ids = list(selectors.merchants_matching(criteria=criteria, today=today).values_list("pk", flat=True))
        ReverificationTask.objects.bulk_create(
            ReverificationTask(round=round_, merchant_id=pk, due_on=due_on) for pk in merchant_ids
        )
        audit(
            actor=actor,
            action="reverification.start",
            obj=round_,
            after={"criteria": criteria, "merchants": len(merchant_ids)},
        )
        for pk in merchant_ids:
            notify(
                recipients=_members(pk),
                kind="profile.reverification",
                title=_("Please confirm your merchant information by %(date)s") % {"date": due_on.isoformat()},
                body=_("Check your profile and documents: confirm them, or open a change request."),
                url=f"/portal/merchant-info/{pk}/",
                merchant_id=pk,
            )
    return round_


def _task_complete(task: ReverificationTask, *, status: str, actor, change_request=None) -> ReverificationTask:
    task = ReverificationTask.objects.select_for_update().get(pk=task.pk)
    if task.status != ReverificationStatus.OPEN:
        from core.errors import InvalidTransition

        raise InvalidTransition(_("This re-verification is already done."))
    task.status = status
    task.completed_at = timezone.now()
    task.completed_by = actor if getattr(actor, "is_authenticated", False) else None
    task.change_request = change_request
    task.save(update_fields=["status", "completed_at", "completed_by", "change_request", "updated_at"])
    audit(actor=actor, action="reverification.complete", obj=task, before=ReverificationStatus.OPEN, after=status)
    return task


def reverification_confirm(*, task: ReverificationTask, actor) -> ReverificationTask:
    """The merchant confirms its information is still true."""
    with transaction.atomic():
        return _task_complete(task, status=ReverificationStatus.CONFIRMED, actor=actor)
