"""Every write of onboarding and review: each transition locks, checks, writes, audits, then schedules."""

import hashlib
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import PLATFORM_ADMIN, REVIEWER, has_role, is_platform_staff
from core.audit import Actor, audit
from core.context import client_ip
from core.errors import Conflict, InvalidTransition
from core.notifications import notify
from core.transitions import ensure_transition
from core.uploads import accept_upload, sniff
from merchants import services as merchant_services
from merchants.choices import KycStatus, MerchantStatus
from merchants.models import Category, Merchant
from onboarding import checks, selectors, sla
from onboarding.choices import (
    EDITABLE_STATES,
    OPEN_STATES,
    STATUS_TRANSITIONS,
    AgreementKind,
    ApplicationStatus,
    BlacklistKind,
    CheckResult,
    DocumentType,
    ItemDecision,
    RejectionReason,
)
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    Application,
    ApplicationEvent,
    BlacklistEntry,
    CategoryRequirement,
    Document,
    ReviewCheck,
    ReviewItem,
)

S = ApplicationStatus
APPLICATION_FIELDS = ("store_name", "business_scope", "contact_name", "contact_phone")


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _ensure_editable(application: Application) -> None:
    if application.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("The application is %(status)s; it can be changed only as a draft or when changes are requested.")
            % {"status": application.get_status_display()},
            code="not_editable",
        )


def _event(application: Application, *, before: str, actor: Actor, note: str = "") -> None:
    by_platform = actor is None or not hasattr(actor, "is_staff") or is_platform_staff(actor)
    ApplicationEvent.objects.create(
        application=application, from_status=before, to_status=application.status, note=note, by_platform=by_platform
    )


def _move(application: Application, target: str, *, actor: Actor, action: str, note: str = "", reason: str = ""):
    """Check and apply one status change on a locked application, with its timeline event and audit entry."""
    ensure_transition(STATUS_TRANSITIONS, application.status, target)
    before = application.status
    application.status = target
    _event(application, before=before, actor=actor, note=note)
    audit(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        merchant_id=application.merchant_id,
        before={"status": before},
        after={"status": target},
        reason=reason or note,
    )
    return before


# --- The applicant ---------------------------------------------------------------------------------


def application_start(
    *,
    user,
    legal_name: str,
    uscc: str,
    store_name: str,
    categories: list[Category],
    contact_name: str,
    contact_phone: str,
    business_scope: str = "",
) -> Application:
    """A merchant user starts onboarding: a `pending` merchant they own and its draft application.

    A company the user already applied for (still pending, e.g. after a rejection) applies again as the
    same merchant; the database keeps it to one open application.
    """
    with transaction.atomic():
        merchant = (
            Merchant.objects.select_for_update(of=("self",))
            .filter(uscc=uscc, status=MerchantStatus.PENDING, memberships__user=user)
            .first()
            if uscc
            else None
        )
        if merchant is None:
            merchant = merchant_services.merchant_create(
                actor=user, name=store_name, legal_name=legal_name, uscc=uscc, categories=categories, owner=user
            )
        else:
            if merchant.applications.filter(status__in=OPEN_STATES).exists():
                raise ValidationError({"uscc": [_("This company already has an application in progress.")]})
            merchant_services.merchant_profile_update(
                merchant=merchant, actor=user, name=store_name, legal_name=legal_name, categories=categories
            )
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    merchant=merchant,
                    store_name=store_name,
                    business_scope=business_scope,
                    contact_name=contact_name,
                    contact_phone=contact_phone,
                    created_by=user,
                )
        except IntegrityError:
            raise ValidationError({"uscc": [_("This company already has an application in progress.")]}) from None
        application.categories.set(categories)
        _event(application, before="", actor=user)
        audit(
            actor=user,
            action="application.create",
            obj=application,
            merchant_id=merchant.pk,
            after={"status": application.status, "store_name": store_name, "categories": [c.code for c in categories]},
        )
    return application


def application_update(
    *,
    application: Application,
    user,
    legal_name: str | None = None,
    uscc: str | None = None,
    categories: list[Category] | None = None,
    **fields: str,
) -> Application:
    """Edit the draft (or the application sent back for changes): company, store, categories, contact."""
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    with transaction.atomic():
        application = _lock(application)
        _ensure_editable(application)
        before = {name: getattr(application, name) for name in fields}
        changed = [name for name, value in fields.items() if getattr(application, name) != value]
        for name in changed:
            setattr(application, name, fields[name])
        if changed:
            application.save(update_fields=[*changed, "updated_at"])
        old_codes = sorted(application.categories.values_list("code", flat=True))
        if categories is not None and sorted(c.code for c in categories) != old_codes:
            application.categories.set(categories)
            changed.append("categories")
        merchant_services.merchant_profile_update(
            merchant=application.merchant,
            actor=user,
            name=fields.get("store_name"),
            legal_name=legal_name,
            uscc=uscc,
            categories=categories,
        )
        if changed:
            audit(
                actor=user,
                action="application.update",
                obj=application,
                merchant_id=application.merchant_id,
                before={**before, "categories": old_codes},
                after={
                    **{name: getattr(application, name) for name in fields},
                    "categories": sorted(application.categories.values_list("code", flat=True)),
                },
            )
    return application


def document_upload(
    *,
    application: Application,
    user,
    doc_type: str,
    file,
    number: str = "",
    issued_on=None,
    expires_on=None,
) -> Document:
    """Keep one document of a type (a new upload replaces the old); a file we do not accept stores nothing."""
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": [_("Unknown document type.")]})
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": [_("The expiry date is before the issue date.")]})
    accepted = accept_upload(file, max_bytes=settings.ONBOARDING_UPLOAD_MAX_BYTES)
    with transaction.atomic():
        application = _lock(application)
        _ensure_editable(application)
        old = Document.objects.filter(application=application, doc_type=doc_type).first()
        if old is not None:
            old_file = old.file
            old.delete()
            transaction.on_commit(lambda: old_file.storage.delete(old_file.name))
        document = Document(
            application=application,
            doc_type=doc_type,
            number=number.strip(),
            issued_on=issued_on,
            expires_on=expires_on,
            storage_name=f"{uuid.uuid4().hex}.{accepted.extension}",
            original_name=(getattr(file, "name", "") or "")[-255:],
            content_type=accepted.content_type,
            size=accepted.size,
            sha256=accepted.sha256,
            uploaded_by=user,
        )
        document.file.save(document.storage_name, file, save=False)
        try:
            document.save()
            audit(
                actor=user,
                action="document.upload",
                obj=document,
                merchant_id=application.merchant_id,
                before={"sha256": old.sha256} if old is not None else None,
                after={"doc_type": doc_type, "number": document.number, "sha256": document.sha256},
            )
        except Exception:
            document.file.storage.delete(document.file.name)
            raise
    return document


def agreements_accept(*, application: Application, user, agreement_ids: list[int]) -> list[AgreementAcceptance]:
    """Record that `user` accepts these agreement versions for the application (once each), with the time and IP."""
    current = {a.pk: a for a in selectors.agreements_current()}
    unknown = sorted(set(agreement_ids) - set(current))
    if unknown:
        raise ValidationError(
            {"agreements": [_("Not current agreement versions: %(ids)s") % {"ids": ", ".join(map(str, unknown))}]}
        )
    if not agreement_ids:
        raise ValidationError({"agreements": [_("Name the agreements you accept.")]})
    accepted = []
    with transaction.atomic():
        application = _lock(application)
        _ensure_editable(application)
        for pk in sorted(set(agreement_ids)):
            acceptance, created = AgreementAcceptance.objects.get_or_create(
                application=application,
                agreement_id=pk,
                defaults={"user": user, "ip_address": client_ip.get()},
            )
            if created:
                audit(
                    actor=user,
                    action="agreement.accept",
                    obj=acceptance,
                    merchant_id=application.merchant_id,
                    after={"agreement": current[pk].kind, "version": current[pk].version},
                )
            accepted.append(acceptance)
    return accepted


def application_submit(*, application: Application, user, schedule_checks: bool = True) -> Application:
    """Send the application for review; the automatic checks start once this commits.

    `schedule_checks=False` leaves it waiting for the checks (seed data stages such a snapshot).
    """
    with transaction.atomic():
        application = _lock(application)
        ensure_transition(STATUS_TRANSITIONS, application.status, S.SUBMITTED)
        if not application.categories.exists():
            raise ValidationError({"categories": [_("Choose at least one category.")]})
        missing = selectors.agreements_missing(application=application)
        if missing:
            message = _("Accept the current agreements first: %(titles)s") % {"titles": missing}
            raise ValidationError({"agreements": [ValidationError(message, code="agreements_not_accepted")]})
        resubmission = application.status == S.CHANGES_REQUESTED
        now = timezone.now()
        _move(application, S.SUBMITTED, actor=user, action="resubmit" if resubmission else "submit")
        application.submission_count += 1
        application.submitted_at = now
        application.due_at = sla.decision_due(now)
        if application.first_submitted_at is None:
            application.first_submitted_at = now
            application.first_due_at = application.due_at
        application.fast_track = False
        application.save(
            update_fields=[
                "status",
                "submission_count",
                "submitted_at",
                "due_at",
                "first_submitted_at",
                "first_due_at",
                "fast_track",
                "updated_at",
            ]
        )
        if resubmission:
            # What the reviewer accepted stays accepted; everything else is looked at again.
            ReviewItem.objects.filter(application=application).exclude(decision=ItemDecision.ACCEPTED).delete()
        merchant_services.merchant_kyc_update(
            merchant=application.merchant, actor=user, kyc_status=KycStatus.PENDING_REVIEW
        )
        if schedule_checks:
            from onboarding.tasks import application_checks_run

            pk = application.pk
            transaction.on_commit(lambda: application_checks_run.delay(application_id=pk))
    return application


# --- The automatic checks --------------------------------------------------------------------------


def _file_facts(document: Document) -> checks.FileFacts:
    actual, content_type = None, None
    try:
        with document.file.open("rb") as handle:
            digest = hashlib.sha256()
            head = handle.read(16)
            digest.update(head)
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
        actual = digest.hexdigest()
        recognised = sniff(head)
        content_type = recognised[0] if recognised else None
    except (OSError, ValueError):
        pass
    return checks.FileFacts(
        doc_type=document.doc_type,
        recorded_sha256=document.sha256,
        actual_sha256=actual,
        content_type=content_type,
        size=document.size,
        max_size=settings.ONBOARDING_UPLOAD_MAX_BYTES,
    )


def _identifiers(application: Application, documents: list[Document]) -> dict[str, str]:
    """The values that identify this applicant across merchants and on the blacklist."""
    values = {"uscc": application.merchant.uscc}
    for document in documents:
        if not document.number:
            continue
        if document.doc_type == DocumentType.LEGAL_REP_ID:
            values["legal_rep_id"] = document.number
        elif document.doc_type == DocumentType.BANK_ACCOUNT_LICENCE:
            values["bank_account"] = document.number
        elif document.doc_type == DocumentType.BUSINESS_LICENCE and document.number != values["uscc"]:
            values["business_licence"] = document.number
    return values


def checks_evaluate(application: Application, *, today=None) -> list[checks.CheckOutcome]:
    """Gather the facts and run every check; reads only."""
    today = today or timezone.localdate()
    documents = list(application.documents.all())
    identifiers = _identifiers(application, documents)
    outcomes = [*checks.check_uscc(application.merchant.uscc)]
    for document in documents:
        outcomes.append(checks.check_document_file(_file_facts(document)))
        outcomes.append(
            checks.check_document_dates(
                doc_type=document.doc_type,
                issued_on=document.issued_on,
                expires_on=document.expires_on,
                today=today,
                warning_days=settings.ONBOARDING_EXPIRY_WARNING_DAYS,
            )
        )
    outcomes += checks.check_duplicates(
        identifiers=identifiers,
        holders=selectors.identifier_holders(identifiers=identifiers, exclude_merchant_id=application.merchant_id),
    )
    outcomes.append(
        checks.check_required_documents(
            required=selectors.required_document_types(application=application),
            present={d.doc_type for d in documents},
        )
    )
    outcomes += checks.check_blacklist(
        identifiers=identifiers, blacklisted=selectors.blacklisted(identifiers=identifiers)
    )
    return outcomes


def _store_checks(application: Application, outcomes: list[checks.CheckOutcome]) -> bool:
    """Store the results in place (same rows on every run); True when every check passed."""
    keep = []
    for outcome in outcomes:
        row, _created = ReviewCheck.objects.update_or_create(
            application=application,
            code=outcome.code,
            subject=outcome.subject,
            defaults={"result": outcome.result, "message": outcome.message, "params": outcome.params},
        )
        keep.append(row.pk)
    ReviewCheck.objects.filter(application=application).exclude(pk__in=keep).delete()
    return all(outcome.result == CheckResult.PASS for outcome in outcomes)


def application_checks_begin(*, application_id: int) -> bool:
    """submitted → auto_checking; False when there is nothing to begin."""
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id).first()
        if application is None or application.status != S.SUBMITTED:
            return False
        _move(application, S.AUTO_CHECKING, actor=None, action="checks_start")
        application.save(update_fields=["status", "updated_at"])
    return True


def application_checks_complete(*, application_id: int) -> bool:
    """Run the checks and store them; auto_checking → in_review, fast-tracked when every check passes.

    In review, the checks run again and update their rows in place. Otherwise there is nothing to do.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("merchant")
            .filter(pk=application_id)
            .first()
        )
        if application is None or application.status not in (S.AUTO_CHECKING, S.IN_REVIEW):
            return False
        all_pass = _store_checks(application, checks_evaluate(application))
        application.fast_track = all_pass
        application.checks_completed_at = timezone.now()
        fields = ["fast_track", "checks_completed_at", "updated_at"]
        if application.status == S.AUTO_CHECKING:
            note = _("Every automatic check passed: fast track.") if all_pass else ""
            _move(application, S.IN_REVIEW, actor=None, action="checks_complete", note=note)
            fields.append("status")
        application.save(update_fields=fields)
    return True


def application_checks_run(*, application_id: int) -> bool:
    began = application_checks_begin(application_id=application_id)
    completed = application_checks_complete(application_id=application_id)
    return began or completed


# --- The reviewer ----------------------------------------------------------------------------------


def _ensure_reviewer(user) -> None:
    if not has_role(user, REVIEWER, PLATFORM_ADMIN):
        raise ValidationError({"assignee": [_("Only a reviewer can review applications.")]})


def _ensure_in_review(application: Application) -> None:
    if application.status != S.IN_REVIEW:
        raise InvalidTransition(
            _("The application is %(status)s, not in review.") % {"status": application.get_status_display()}
        )


def _ensure_assignable_to(application: Application, reviewer) -> None:
    if application.assignee_id not in (None, reviewer.pk):
        raise Conflict(_("Another reviewer has this application."), code="assigned_to_another")


def application_claim(*, application: Application, reviewer) -> Application:
    with transaction.atomic():
        application = _lock(application)
        _ensure_in_review(application)
        _ensure_assignable_to(application, reviewer)
        if application.assignee_id != reviewer.pk:
            application.assignee = reviewer
            application.save(update_fields=["assignee", "updated_at"])
            audit(actor=reviewer, action="application.claim", obj=application, after={"assignee": reviewer.username})
    return application


def application_assign(*, application: Application, assignee, actor) -> Application:
    _ensure_reviewer(assignee)
    with transaction.atomic():
        application = _lock(application)
        if application.status not in (S.SUBMITTED, S.AUTO_CHECKING, S.IN_REVIEW):
            raise InvalidTransition(_("Only an application waiting for review can be assigned."))
        before = application.assignee.username if application.assignee_id else None
        if application.assignee_id != assignee.pk:
            application.assignee = assignee
            application.save(update_fields=["assignee", "updated_at"])
            audit(
                actor=actor,
                action="application.assign",
                obj=application,
                before={"assignee": before},
                after={"assignee": assignee.username},
            )
    return application


def review_item_decide(*, application: Application, reviewer, item: str, decision: str, note: str = "") -> ReviewItem:
    if decision not in ItemDecision.values:
        raise ValidationError({"decision": [_("Unknown decision.")]})
    if decision != ItemDecision.ACCEPTED and not note.strip():
        raise ValidationError({"note": [_("Tell the applicant what is wrong or what to supply.")]})
    with transaction.atomic():
        application = _lock(application)
        _ensure_in_review(application)
        _ensure_assignable_to(application, reviewer)
        if item not in selectors.checklist_keys(application=application):
            raise ValidationError({"item": [_("%(item)s is not on this application's checklist.") % {"item": item}]})
        row, _created = ReviewItem.objects.update_or_create(
            application=application,
            item=item,
            defaults={"decision": decision, "note": note, "reviewer": reviewer, "decided_at": timezone.now()},
        )
        audit(
            actor=reviewer,
            action="application.item_decide",
            obj=application,
            after={"item": item, "decision": decision},
            reason=note,
        )
    return row


def _decide(
    application: Application, *, reviewer, target: str, action: str, note: str, reason: str = ""
) -> tuple[Application, datetime]:
    application = _lock(application)
    ensure_transition(STATUS_TRANSITIONS, application.status, target)
    _ensure_assignable_to(application, reviewer)
    now = timezone.now()
    _move(application, target, actor=reviewer, action=action, note=note, reason=reason)
    application.decided_at = now
    application.assignee = reviewer
    application.decision_note = note
    if not application.first_decision:
        application.first_decision = target
        application.first_decision_at = now
    if application.due_at is not None and now > application.due_at:
        application.sla_breached = True
    return application, now


DECISION_FIELDS = [
    "status",
    "decided_at",
    "assignee",
    "decision_note",
    "first_decision",
    "first_decision_at",
    "sla_breached",
    "updated_at",
]


def _notify_members(application: Application, *, kind: str, title: str, body: str) -> None:
    notify(
        recipients=selectors.merchant_users(merchant_id=application.merchant_id),
        kind=kind,
        title=title,
        body=body,
        url=reverse("onboarding:progress", args=[application.pk]),
        merchant_id=application.merchant_id,
    )


def application_approve(
    *, application: Application, reviewer, note: str = "", override_reason: str = ""
) -> Application:
    """Approve: the merchant becomes active with its KYC approved, in the same transaction, and is told."""
    with transaction.atomic():
        application, _now = _decide(
            application, reviewer=reviewer, target=S.APPROVED, action="approve", note=note, reason=override_reason
        )
        rejected = selectors.rejected_required_items(application=application)
        if rejected and not override_reason.strip():
            message = _("Required items are rejected (%(items)s); give an override reason to approve anyway.") % {
                "items": ", ".join(rejected)
            }
            raise ValidationError({"override_reason": [ValidationError(message, code="override_required")]})
        application.override_reason = override_reason.strip() if rejected else ""
        application.save(update_fields=[*DECISION_FIELDS, "override_reason"])
        if rejected:
            audit(
                actor=reviewer,
                action="application.override",
                obj=application,
                after={"rejected_items": rejected},
                reason=application.override_reason,
            )
        merchant_services.merchant_activate(
            merchant=Merchant(pk=application.merchant_id), actor=reviewer, reason=_("Onboarding approved.")
        )
        _notify_members(
            application,
            kind="onboarding.approved",
            title=_("Your application for %(store)s is approved") % {"store": application.store_name},
            body=_("Welcome aboard: your store is active and can start selling.") + (f"\n\n{note}" if note else ""),
        )
    return application


def application_reject(*, application: Application, reviewer, reason_code: str, note: str) -> Application:
    if reason_code not in RejectionReason.values:
        raise ValidationError({"reason_code": [_("Unknown rejection reason.")]})
    if not note.strip():
        raise ValidationError({"note": [_("Explain the rejection to the applicant.")]})
    with transaction.atomic():
        application, _now = _decide(
            application, reviewer=reviewer, target=S.REJECTED, action="reject", note=note, reason=reason_code
        )
        application.rejection_reason = reason_code
        application.save(update_fields=[*DECISION_FIELDS, "rejection_reason"])
        merchant_services.merchant_kyc_update(
            merchant=Merchant(pk=application.merchant_id), actor=reviewer, kyc_status=KycStatus.REJECTED, reason=note
        )
        _notify_members(
            application,
            kind="onboarding.rejected",
            title=_("Your application for %(store)s is rejected") % {"store": application.store_name},
            body=f"{RejectionReason(reason_code).label}\n\n{note}",
        )
    return application


def application_request_changes(*, application: Application, reviewer, items: list[str], note: str) -> Application:
    """Send the application back, naming the items to supply or correct."""
    if not items:
        raise ValidationError({"items": [_("Name the items the applicant must supply or correct.")]})
    with transaction.atomic():
        locked = _lock(application)
        known = selectors.checklist_keys(application=locked)
        unknown = sorted(set(items) - set(known))
        if unknown:
            raise ValidationError({"items": [_("Not on the checklist: %(items)s") % {"items": ", ".join(unknown)}]})
        application, now = _decide(
            application, reviewer=reviewer, target=S.CHANGES_REQUESTED, action="request_changes", note=note
        )
        application.save(update_fields=DECISION_FIELDS)
        for item in items:
            row = ReviewItem.objects.filter(application=application, item=item).first()
            if row is None or row.decision == ItemDecision.ACCEPTED:
                ReviewItem.objects.update_or_create(
                    application=application,
                    item=item,
                    defaults={
                        "decision": ItemDecision.SUPPLEMENT,
                        "note": note,
                        "reviewer": reviewer,
                        "decided_at": now,
                    },
                )
        labels = ", ".join(selectors.item_label(item) for item in items)
        _notify_members(
            application,
            kind="onboarding.changes_requested",
            title=_("Your application for %(store)s needs changes") % {"store": application.store_name},
            body=_("Please supply or correct: %(items)s.") % {"items": labels} + (f"\n\n{note}" if note else ""),
        )
    return application


def review_sla_breaches_flag(*, now: datetime | None = None) -> int:
    """Flag every application whose first decision is overdue; returns how many were newly flagged."""
    now = now or timezone.now()
    return Application.objects.filter(
        status__in=(S.SUBMITTED, S.AUTO_CHECKING, S.IN_REVIEW), due_at__lt=now, sla_breached=False
    ).update(sla_breached=True)


# --- Reference data staff keep ---------------------------------------------------------------------


def agreement_publish(*, kind: str, title: str, body: str, actor: Actor) -> Agreement:
    """A new version of an agreement; applicants must accept it before they (re)submit."""
    if kind not in AgreementKind.values:
        raise ValidationError({"kind": [_("Unknown agreement.")]})
    with transaction.atomic():
        latest = Agreement.objects.select_for_update().filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
        agreement = Agreement.objects.create(kind=kind, version=latest + 1, title=title, body=body)
        audit(actor=actor, action="agreement.publish", obj=agreement, after={"kind": kind, "version": latest + 1})
    return agreement


def blacklist_entry_add(*, kind: str, value: str, reason: str, source: str, actor: Actor) -> BlacklistEntry:
    if kind not in BlacklistKind.values:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    with transaction.atomic():
        entry, created = BlacklistEntry.objects.update_or_create(
            kind=kind, value=value.strip(), defaults={"reason": reason, "source": source, "is_active": True}
        )
        audit(
            actor=actor,
            action="blacklist.add" if created else "blacklist.update",
            obj=entry,
            after={"kind": kind, "value": entry.value, "source": source},
            reason=reason,
        )
    return entry


def blacklist_entry_deactivate(*, entry: BlacklistEntry, actor: Actor, reason: str) -> BlacklistEntry:
    with transaction.atomic():
        entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.is_active:
            entry.is_active = False
            entry.save(update_fields=["is_active", "updated_at"])
            audit(actor=actor, action="blacklist.deactivate", obj=entry, reason=reason)
    return entry


def category_requirement_add(*, category: Category, doc_type: str, actor: Actor) -> CategoryRequirement:
    """From now on, applicants for `category` must upload `doc_type` (checked at their next submission)."""
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": [_("Unknown document type.")]})
    with transaction.atomic():
        requirement, created = CategoryRequirement.objects.get_or_create(category=category, doc_type=doc_type)
        if created:
            audit(
                actor=actor,
                action="category_requirement.add",
                obj=requirement,
                after={"category": category.code, "doc_type": doc_type},
            )
    return requirement


def category_requirement_remove(*, requirement: CategoryRequirement, actor: Actor) -> None:
    with transaction.atomic():
        audit(
            actor=actor,
            action="category_requirement.remove",
            obj=requirement,
            before={"category": requirement.category.code, "doc_type": requirement.doc_type},
        )
        requirement.delete()
