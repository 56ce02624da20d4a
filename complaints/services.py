"""Every write to complaints and disputes goes through here: intake, classification, assignment,
resolution, satisfaction, disputes with their stages and defaults, SLA clocks and prevention notices."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import classification, evidence, notifications
from complaints.choices import (
    COMPLAINT_TRANSITIONS,
    DEFAULT_ACK_HOURS,
    DEFAULT_RESOLVE_HOURS,
    DISPUTE_TRANSITIONS,
    LOAD_STATUSES,
    MERCHANT_RESPONSE_WITHIN,
    OPEN_STAGES,
    OPEN_STATUSES,
    OUTCOME_OF_DISPUTE,
    STAGE_DURATION,
    UPHELD_OUTCOMES,
    Answer,
    Category,
    Channel,
    ComplaintStatus,
    DisputeOutcome,
    DisputeStage,
    EvidenceKind,
    ObligationStatus,
    Outcome,
    Party,
    Remedy,
)
from complaints.models import (
    CategoryCorrection,
    CategorySla,
    Complaint,
    ComplaintEvidence,
    ComplaintRateAlert,
    Dispute,
    DisputeDocument,
    MediationProposal,
    PayoutHold,
)
from complaints.uploads import MAX_FILES, CheckedFile
from core.access import OPS_MANAGER, PLATFORM_ADMIN, SUPPORT_AGENT, has_role
from core.audit import Actor, audit
from core.errors import Conflict
from core.transitions import ensure_transition
from orders.models import Order

User = get_user_model()
MAX_DESCRIPTION = 20_000
CENT = Decimal("0.01")
DEFAULT_OBLIGATION_DAYS = 7
CASE_HANDLERS = (SUPPORT_AGENT, OPS_MANAGER, PLATFORM_ADMIN)


def clean_text(text: str) -> str:
    """Complaint text as people send it: byte-order marks, NULs and stray surrounding space removed."""
    return text.replace("\ufeff", "").replace("\x00", "").strip()


def sla_hours(category: str) -> tuple[int, int]:
    row = CategorySla.objects.filter(category=category).first()
    return (row.acknowledge_hours, row.resolve_hours) if row else (DEFAULT_ACK_HOURS, DEFAULT_RESOLVE_HOURS)


def _set_clocks(complaint: Complaint) -> None:
    ack, resolve = sla_hours(complaint.category)
    complaint.ack_due_at = complaint.received_at + timedelta(hours=ack)
    complaint.due_at = complaint.received_at + timedelta(hours=resolve)


def _locked(complaint: Complaint) -> Complaint:
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status == ComplaintStatus.CLOSED:
        raise Conflict(_("This complaint is closed and can no longer be changed."), code="complaint_closed")
    return locked


def _move(complaint: Complaint, target: str) -> str:
    ensure_transition(COMPLAINT_TRANSITIONS, complaint.status, target)
    before = complaint.status
    complaint.status = target
    return before


def _complainant_notice(complaint: Complaint, subject: str, body: str) -> None:
    if complaint.complainant_email:
        notifications.send_after_commit(recipients=[complaint.complainant_email], subject=subject, body=body)


def _merchant_notice(merchant_id: int, subject: str, body: str) -> None:
    notifications.notify_merchant(merchant_id=merchant_id, subject=subject, body=body)


def _ensure_handler(actor: Actor) -> None:
    if not has_role(actor, *CASE_HANDLERS):
        raise Conflict(_("Only support staff handle complaints."), code="not_a_case_handler")


# --- Intake ----------------------------------------------------------------------------------


def complaint_intake(
    *,
    merchant,
    description: str,
    channel: str,
    actor: Actor,
    order: Order | None = None,
    complainant_ref: str = "",
    complainant_email: str = "",
    category: str = "",
    source_ref: str = "",
    received_at: datetime | None = None,
    files: list[CheckedFile] = (),
) -> Complaint:
    """A complaint arrives by any channel; classification runs as a task once it is stored."""
    description = clean_text(description)
    errors: dict[str, list[str]] = {}
    if not description:
        errors["description"] = [_("Describe the complaint.")]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [_("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}]
    if channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if category and category not in Category.values:
        errors["category"] = [_("Unknown category.")]
    if order is not None and order.merchant_id != merchant.pk:
        errors["order"] = [_("This order is not the merchant's.")]
    if len(files) > MAX_FILES:
        errors["files"] = [_("At most %(n)d files.") % {"n": MAX_FILES}]
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(
        merchant=merchant,
        order=order,
        channel=channel,
        description=description,
        complainant_ref=complainant_ref.strip()[:200] or (order.buyer_ref if order else ""),
        complainant_email=complainant_email,
        category=category or Category.OTHER,
        classified_by="staff" if category else "",
        source_ref=source_ref,
        received_at=received_at or timezone.now(),
    )
    _set_clocks(complaint)
    with transaction.atomic():
        try:
            with transaction.atomic():
                complaint.save()
        except IntegrityError:
            raise Conflict(_("This complaint was already taken in."), code="duplicate_source") from None
        for checked in files:
            _attach(complaint, checked, actor)
        audit(
            actor=actor,
            action="complaint.received",
            obj=complaint,
            after={"channel": channel, "order": order.pk if order else None, "source_ref": source_ref},
        )
        from complaints import tasks

        transaction.on_commit(lambda: tasks.complaint_classify.delay(complaint_id=complaint.pk))
    return complaint


def _attach(complaint: Complaint, checked: CheckedFile, actor: Actor) -> ComplaintEvidence:
    item = ComplaintEvidence(
        complaint=complaint,
        kind=EvidenceKind.FILE,
        file_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        added_by=_label(actor),
    )
    item.file.save(checked.name, checked.as_django_file(), save=False)
    item.save()
    return item


def _label(actor: Actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "get_username", lambda: f"api-key:{actor.name}")()


def complaint_add_evidence(*, complaint: Complaint, checked: CheckedFile, actor: Actor) -> ComplaintEvidence:
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.evidence.filter(kind=EvidenceKind.FILE).count() >= MAX_FILES:
            raise ValidationError({"file": [_("At most %(n)d files.") % {"n": MAX_FILES}]})
        item = _attach(complaint, checked, actor)
        audit(actor=actor, action="complaint.evidence_added", obj=complaint, after={"file": checked.name})
    return item


def agent_pick() -> User | None:
    """Round robin by load: the support agent with the fewest open cases, then the longest since a case."""
    return (
        User.objects.filter(is_active=True, is_staff=True, groups__name=SUPPORT_AGENT)
        .annotate(
            load=Count("assigned_complaints", filter=Q(assigned_complaints__status__in=LOAD_STATUSES)),
            last_case=Max("assigned_complaints__assigned_at"),
        )
        .order_by("load", "last_case", "id")
        .first()
    )


def evidence_gather(*, complaint: Complaint) -> None:
    """Gather the order's records into the case; gathering again refreshes them."""
    kinds: dict[str, object] = {}
    order = complaint.order
    if order is not None:
        kinds[EvidenceKind.ORDER] = evidence.order_evidence(order)
        kinds[EvidenceKind.ITEMS] = evidence.items_evidence(order)
        kinds[EvidenceKind.PAYMENTS] = evidence.payments_evidence(order)
        shipment = evidence.shipment_evidence(order)
        if shipment is not None:
            kinds[EvidenceKind.SHIPMENT] = shipment
        kinds[EvidenceKind.RETURNS] = evidence.returns_evidence(order)
    kinds[EvidenceKind.EARLIER_COMPLAINTS] = evidence.earlier_complaints_evidence(complaint)
    for kind, data in kinds.items():
        ComplaintEvidence.objects.update_or_create(
            complaint=complaint, kind=kind, defaults={"data": data, "added_by": "system"}
        )


def complaint_classify(*, complaint_id: int) -> Complaint | None:
    """Category and urgency from the text, links to order and shipment, evidence, and a routed agent."""
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
        if complaint is None or complaint.status != ComplaintStatus.RECEIVED:
            return complaint
        result = classification.classify(complaint.description)
        if complaint.classified_by != "staff":
            complaint.category = result.category
            complaint.classified_by = result.method
            complaint.classification_confidence = result.confidence
        complaint.urgency = result.urgency
        if complaint.order_id:
            order = complaint.order
            complaint.carrier, complaint.tracking_number = order.carrier, order.tracking_number
        _set_clocks(complaint)
        agent = agent_pick()
        if agent is not None:
            complaint.assigned_to, complaint.assigned_at = agent, timezone.now()
        before = _move(complaint, ComplaintStatus.CLASSIFIED)
        complaint.save()
        evidence_gather(complaint=complaint)
        audit(
            actor=None,
            action="complaint.classified",
            obj=complaint,
            before={"status": before},
            after={
                "status": complaint.status,
                "category": complaint.category,
                "urgency": complaint.urgency,
                "method": result.method,
                "agent": agent.pk if agent else None,
            },
        )
    return complaint


def complaint_correct_category(*, complaint: Complaint, category: str, actor) -> Complaint:
    """Staff put the category right; the correction is kept for retraining the classifier."""
    if category not in Category.values:
        raise ValidationError({"category": [_("Unknown category.")]})
    with transaction.atomic():
        complaint = _locked(complaint)
        if category == complaint.category:
            return complaint
        CategoryCorrection.objects.create(
            complaint=complaint,
            text=complaint.description,
            from_category=complaint.category,
            to_category=category,
            corrected_by=actor,
        )
        before = complaint.category
        complaint.category, complaint.classified_by = category, "staff"
        _set_clocks(complaint)
        complaint.save(update_fields=["category", "classified_by", "ack_due_at", "due_at", "updated_at"])
        audit(actor=actor, action="complaint.category_corrected", obj=complaint, before=before, after=category)
    return complaint


# --- Investigation and resolution ------------------------------------------------------------


def complaint_assign(*, complaint: Complaint, actor, agent=None) -> Complaint:
    """An agent takes the case (or is given it): the complaint is acknowledged and the merchant asked to
    respond within 48 hours. Without `agent`, the routed agent or the next one by load."""
    _ensure_handler(actor)
    if agent is not None and not has_role(agent, *CASE_HANDLERS):
        raise ValidationError({"agent": [_("Choose a support agent.")]})
    with transaction.atomic():
        complaint = _locked(complaint)
        now = timezone.now()
        before = {"status": complaint.status, "agent": complaint.assigned_to_id}
        agent = agent or (complaint.assigned_to if complaint.status == ComplaintStatus.CLASSIFIED else None)
        agent = agent or agent_pick() or actor
        if complaint.status == ComplaintStatus.CLASSIFIED:
            _move(complaint, ComplaintStatus.INVESTIGATING)
            complaint.acknowledged_at = now
            complaint.merchant_response_due_at = now + MERCHANT_RESPONSE_WITHIN
            first_time = True
        elif complaint.status == ComplaintStatus.INVESTIGATING:
            first_time = False
        else:
            ensure_transition(COMPLAINT_TRANSITIONS, complaint.status, ComplaintStatus.INVESTIGATING)
        complaint.assigned_to, complaint.assigned_at = agent, now
        complaint.save()
        audit(
            actor=actor,
            action="complaint.assigned",
            obj=complaint,
            before=before,
            after={"status": complaint.status, "agent": agent.pk},
        )
        if first_time:
            _complainant_notice(
                complaint,
                _("We are looking into your complaint #%(id)d") % {"id": complaint.pk},
                _("Your complaint has been received and is being investigated. We will reply by %(due)s.")
                % {"due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M")},
            )
            _merchant_notice(
                complaint.merchant_id,
                _("Complaint #%(id)d: please respond") % {"id": complaint.pk},
                _("A buyer has complained: %(text)s\nPlease respond in the portal by %(due)s.")
                % {
                    "text": complaint.description[:500],
                    "due": timezone.localtime(complaint.merchant_response_due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
    return complaint


def complaint_merchant_respond(*, complaint: Complaint, response: str, actor: Actor) -> Complaint:
    response = clean_text(response)
    if not response:
        raise ValidationError({"response": [_("Write your response.")]})
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.status not in (ComplaintStatus.CLASSIFIED, ComplaintStatus.INVESTIGATING):
            raise Conflict(_("The complaint is no longer under investigation."), code="not_investigating")
        complaint.merchant_response = response[:MAX_DESCRIPTION]
        complaint.merchant_responded_at = timezone.now()
        complaint.save(update_fields=["merchant_response", "merchant_responded_at", "updated_at"])
        audit(actor=actor, action="complaint.merchant_responded", obj=complaint, after={"response": response[:500]})
    return complaint


def _check_remedy(complaint: Complaint, outcome: str, remedy: str, amount: Decimal | None) -> dict:
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Unknown outcome.")]
    if remedy not in Remedy.values:
        errors["remedy"] = [_("Unknown remedy.")]
    if outcome == Outcome.REJECTED and remedy != Remedy.NONE:
        errors["remedy"] = [_("A rejected complaint has no remedy.")]
    if outcome in (Outcome.UPHELD, Outcome.PARTLY_UPHELD) and remedy == Remedy.NONE:
        errors["remedy"] = [_("Choose the remedy the merchant owes.")]
    if remedy in (Remedy.REFUND, Remedy.COMPENSATION):
        if amount is None or amount <= 0:
            errors["remedy_amount"] = [_("Give the amount.")]
        elif remedy == Remedy.REFUND and complaint.order_id:
            limit = complaint.order.total - complaint.order.refunded_amount
            if amount > limit:
                errors["remedy_amount"] = [_("At most %(limit)s can still be refunded.") % {"limit": limit}]
    elif amount is not None:
        errors["remedy_amount"] = [_("Only a refund or compensation has an amount.")]
    return errors


def complaint_resolve(
    *,
    complaint: Complaint,
    outcome: str,
    remedy: str,
    actor,
    note: str = "",
    remedy_amount: Decimal | None = None,
    obligation_days: int = DEFAULT_OBLIGATION_DAYS,
) -> Complaint:
    """The agent decides: upheld, partly upheld or rejected, and what the merchant must do."""
    _ensure_handler(actor)
    with transaction.atomic():
        complaint = _locked(complaint)
        ensure_transition(COMPLAINT_TRANSITIONS, complaint.status, ComplaintStatus.RESOLVED)
        errors = _check_remedy(complaint, outcome, remedy, remedy_amount)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        before = _move(complaint, ComplaintStatus.RESOLVED)
        _record_outcome(complaint, outcome, remedy, remedy_amount, note, now, obligation_days)
        complaint.save()
        audit(
            actor=actor,
            action="complaint.resolved",
            obj=complaint,
            before={"status": before},
            after={"outcome": outcome, "remedy": remedy, "remedy_amount": str(remedy_amount or "")},
            reason=note,
        )
        _announce_outcome(complaint)
        _rescore_merchant_if_upheld(complaint)
    return complaint


def _record_outcome(complaint, outcome, remedy, amount, note, now, obligation_days=DEFAULT_OBLIGATION_DAYS):
    complaint.outcome, complaint.remedy = outcome, remedy
    complaint.remedy_amount = amount.quantize(CENT) if amount is not None else None
    complaint.resolution_note = note
    complaint.resolved_at = complaint.resolved_at or now
    complaint.decided_at = now
    if remedy == Remedy.NONE:
        complaint.obligation_status, complaint.obligation_due_at = ObligationStatus.NOT_REQUIRED, None
    else:
        complaint.obligation_status = ObligationStatus.PENDING
        complaint.obligation_due_at = now + timedelta(days=obligation_days)
    complaint.complainant_notified_at = now if complaint.complainant_email else None


def _announce_outcome(complaint: Complaint) -> None:
    summary = _("Outcome: %(outcome)s. Remedy: %(remedy)s%(amount)s.") % {
        "outcome": Outcome(complaint.outcome).label,
        "remedy": Remedy(complaint.remedy).label,
        "amount": f" ({complaint.remedy_amount})" if complaint.remedy_amount is not None else "",
    }
    _complainant_notice(
        complaint,
        _("Your complaint #%(id)d has been resolved") % {"id": complaint.pk},
        summary + "\n" + _("Please rate how we handled it, from 1 to 5."),
    )
    if complaint.obligation_status == ObligationStatus.PENDING:
        _merchant_notice(
            complaint.merchant_id,
            _("Complaint #%(id)d: remedy due") % {"id": complaint.pk},
            summary
            + "\n"
            + _("Carry it out by %(due)s and confirm in the portal.")
            % {"due": timezone.localtime(complaint.obligation_due_at).strftime("%Y-%m-%d")},
        )


def _rescore_merchant_if_upheld(complaint: Complaint) -> None:
    """An upheld or partly upheld complaint (or a lost dispute) counts against the merchant's credit score."""
    from credit.services import merchant_rescore_soon

    if complaint.outcome in UPHELD_OUTCOMES:
        merchant_rescore_soon(merchant_id=complaint.merchant_id)


def complaint_fulfil_obligation(*, complaint: Complaint, actor: Actor, note: str = "") -> Complaint:
    """The merchant has carried out the remedy (refunded, replaced, compensated, apologised)."""
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.obligation_status != ObligationStatus.PENDING:
            raise Conflict(_("There is no remedy outstanding."), code="no_obligation")
        complaint.obligation_status = ObligationStatus.DONE
        complaint.obligation_done_at = timezone.now()
        complaint.obligation_note = clean_text(note)[:2000]
        complaint.save(update_fields=["obligation_status", "obligation_done_at", "obligation_note", "updated_at"])
        audit(actor=actor, action="complaint.obligation_done", obj=complaint, reason=complaint.obligation_note)
    return complaint


def complaint_rate(*, complaint: Complaint, score: int, actor: Actor, comment: str = "") -> Complaint:
    """The complainant's satisfaction with the handling, 1 to 5, once."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": [_("A score from 1 to 5.")]})
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.status != ComplaintStatus.RESOLVED:
            raise Conflict(_("Only a resolved complaint can be rated."), code="not_resolved")
        if complaint.rating is not None:
            raise Conflict(_("This complaint has been rated already."), code="already_rated")
        complaint.rating, complaint.rating_comment = score, clean_text(comment)[:4000]
        complaint.rated_at = timezone.now()
        complaint.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
        audit(actor=actor, action="complaint.rated", obj=complaint, after={"score": score})
    return complaint


def complaint_close(*, complaint: Complaint, actor) -> Complaint:
    """Archive the case once the remedy is done; from then on it is read-only."""
    _ensure_handler(actor)
    with transaction.atomic():
        complaint = _locked(complaint)
        ensure_transition(COMPLAINT_TRANSITIONS, complaint.status, ComplaintStatus.CLOSED)
        if complaint.obligation_status == ObligationStatus.PENDING:
            raise Conflict(_("The merchant's remedy is still outstanding."), code="obligation_pending")
        before = _move(complaint, ComplaintStatus.CLOSED)
        complaint.closed_at = timezone.now()
        complaint.save(update_fields=["status", "closed_at", "updated_at"])
        audit(actor=actor, action="complaint.closed", obj=complaint, before={"status": before}, after=complaint.status)
    return complaint


# --- Disputes --------------------------------------------------------------------------------


def complaint_escalate(*, complaint: Complaint, reason: str, actor: Actor, amount: Decimal | None = None) -> Dispute:
    """The case becomes a dispute in negotiation; the amount in dispute is held on the merchant's payouts."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the case is escalated.")]})
    with transaction.atomic():
        complaint = _locked(complaint)
        ensure_transition(COMPLAINT_TRANSITIONS, complaint.status, ComplaintStatus.ESCALATED)
        order = complaint.order
        limit = (order.total - order.refunded_amount) if order else None
        if amount is None:
            amount = limit if limit is not None else Decimal("0.00")
        if amount < 0 or (limit is not None and amount > limit):
            raise ValidationError({"amount": [_("At most %(limit)s is in dispute.") % {"limit": limit}]})
        before = _move(complaint, ComplaintStatus.ESCALATED)
        complaint.save(update_fields=["status", "updated_at"])
        now = timezone.now()
        dispute = Dispute.objects.create(
            complaint=complaint,
            merchant_id=complaint.merchant_id,
            reason=reason,
            amount=amount.quantize(CENT),
            currency=order.currency if order else Dispute._meta.get_field("currency").default,
            stage_due_at=now + STAGE_DURATION[DisputeStage.NEGOTIATION],
        )
        PayoutHold.objects.create(
            merchant_id=complaint.merchant_id, dispute=dispute, amount=dispute.amount, currency=dispute.currency
        )
        audit(actor=actor, action="complaint.escalated", obj=complaint, before={"status": before}, reason=reason)
        audit(actor=actor, action="dispute.opened", obj=dispute, after={"amount": str(dispute.amount)})
        _merchant_notice(
            complaint.merchant_id,
            _("Dispute #%(id)d opened") % {"id": dispute.pk},
            _("%(amount)s %(currency)s is held from your payouts until it is decided. Respond by %(due)s.")
            % {
                "amount": dispute.amount,
                "currency": dispute.currency,
                "due": timezone.localtime(dispute.stage_due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return dispute


def _locked_dispute(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update().get(pk=dispute.pk)


def _stage(dispute: Dispute, target: str, now: datetime) -> str:
    ensure_transition(DISPUTE_TRANSITIONS, dispute.stage, target)
    before = dispute.stage
    dispute.stage = target
    duration = STAGE_DURATION.get(target)
    dispute.stage_due_at = now + duration if duration else None
    return before


def dispute_respond(*, dispute: Dispute, position: str, actor: Actor) -> Dispute:
    """The merchant states its position in negotiation (silence there decides for the complainant)."""
    position = clean_text(position)
    if not position:
        raise ValidationError({"position": [_("State your position.")]})
    with transaction.atomic():
        dispute = _locked_dispute(dispute)
        if dispute.stage not in (DisputeStage.NEGOTIATION, DisputeStage.MEDIATION):
            raise Conflict(_("The parties' positions are closed at this stage."), code="positions_closed")
        dispute.merchant_position = position[:MAX_DESCRIPTION]
        dispute.merchant_responded_at = dispute.merchant_responded_at or timezone.now()
        dispute.save(update_fields=["merchant_position", "merchant_responded_at", "updated_at"])
        audit(actor=actor, action="dispute.merchant_responded", obj=dispute, after={"position": position[:500]})
    return dispute


def dispute_mediate(*, dispute: Dispute, actor, mediator=None) -> Dispute:
    """Staff take the dispute into mediation, with a mediator (the actor by default)."""
    _ensure_handler(actor)
    mediator = mediator or actor
    if not has_role(mediator, *CASE_HANDLERS):
        raise ValidationError({"mediator": [_("Choose a support agent.")]})
    with transaction.atomic():
        dispute = _locked_dispute(dispute)
        before = _stage(dispute, DisputeStage.MEDIATION, timezone.now())
        dispute.mediator = mediator
        dispute.save(update_fields=["stage", "stage_due_at", "mediator", "updated_at"])
        audit(actor=actor, action="dispute.mediation", obj=dispute, before=before, after={"mediator": mediator.pk})
    return dispute


def dispute_propose(*, dispute: Dispute, terms: str, outcome: str, award_amount: Decimal, actor) -> MediationProposal:
    """The mediator proposes a settlement; each party has until the stage deadline to answer."""
    _ensure_handler(actor)
    terms = clean_text(terms)
    errors = {}
    if not terms:
        errors["terms"] = [_("Write the proposed terms.")]
    if outcome not in DisputeOutcome.values:
        errors["outcome"] = [_("Unknown outcome.")]
    if award_amount < 0 or award_amount > dispute.amount:
        errors["award_amount"] = [_("Between 0 and the amount in dispute.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        dispute = _locked_dispute(dispute)
        if dispute.stage != DisputeStage.MEDIATION:
            raise Conflict(_("Proposals are made in mediation."), code="not_in_mediation")
        if dispute.mediator_id not in (None, actor.pk):
            raise Conflict(_("Only the mediator makes proposals."), code="not_the_mediator")
        if dispute.proposals.filter(
            complainant_answer__in=[Answer.PENDING, Answer.ACCEPTED],
            merchant_answer__in=[Answer.PENDING, Answer.ACCEPTED],
        ).exists():
            raise Conflict(_("A proposal is still waiting for answers."), code="proposal_open")
        if dispute.mediator_id is None:
            dispute.mediator = actor
            dispute.save(update_fields=["mediator", "updated_at"])
        proposal = MediationProposal.objects.create(
            dispute=dispute,
            proposed_by=actor,
            terms=terms,
            outcome=outcome,
            award_amount=award_amount.quantize(CENT),
            due_at=dispute.stage_due_at,
        )
        audit(actor=actor, action="dispute.proposal", obj=dispute, after={"proposal": proposal.pk, "outcome": outcome})
        _merchant_notice(
            dispute.merchant_id,
            _("Dispute #%(id)d: mediation proposal") % {"id": dispute.pk},
            terms
            + "\n"
            + _("Accept or reject it by %(due)s; silence counts as acceptance.")
            % {"due": timezone.localtime(proposal.due_at).strftime("%Y-%m-%d %H:%M")},
        )
    return proposal


def dispute_answer(*, dispute: Dispute, party: str, accept: bool, actor: Actor) -> Dispute:
    """A party accepts or rejects the open proposal: both accepting decides the dispute, a rejection
    sends it to arbitration."""
    if party not in Party.values:
        raise ValidationError({"party": [_("Unknown party.")]})
    with transaction.atomic():
        dispute = _locked_dispute(dispute)
        if dispute.stage != DisputeStage.MEDIATION:
            raise Conflict(_("There is no mediation proposal to answer."), code="not_in_mediation")
        proposal = dispute.proposals.select_for_update().order_by("-created_at", "-id").first()
        field = f"{party}_answer"
        if proposal is None or getattr(proposal, field) != Answer.PENDING:
            raise Conflict(_("There is no proposal waiting for this party's answer."), code="no_open_proposal")
        setattr(proposal, field, Answer.ACCEPTED if accept else Answer.REJECTED)
        proposal.save(update_fields=[field])
        audit(actor=actor, action=f"dispute.proposal_{'accepted' if accept else 'rejected'}", obj=dispute, after=party)
        now = timezone.now()
        if not accept:
            before = _stage(dispute, DisputeStage.ARBITRATION, now)
            dispute.save(update_fields=["stage", "stage_due_at", "updated_at"])
            audit(actor=actor, action="dispute.arbitration", obj=dispute, before=before, after=dispute.stage)
        elif proposal.complainant_answer == proposal.merchant_answer == Answer.ACCEPTED:
            _decide(dispute, proposal.outcome, proposal.award_amount, proposal.terms, actor=actor, now=now)
    return dispute


def dispute_arbitrate(*, dispute: Dispute, outcome: str, award_amount: Decimal, note: str, actor) -> Dispute:
    """The arbitration decision, made by a staff member who did not mediate the dispute."""
    _ensure_handler(actor)
    errors = {}
    if outcome not in DisputeOutcome.values:
        errors["outcome"] = [_("Unknown outcome.")]
    if not clean_text(note):
        errors["note"] = [_("Give the reasons for the decision.")]
    if award_amount < 0 or award_amount > dispute.amount:
        errors["award_amount"] = [_("Between 0 and the amount in dispute.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        dispute = _locked_dispute(dispute)
        if dispute.stage != DisputeStage.ARBITRATION:
            raise Conflict(_("The dispute is not in arbitration."), code="not_in_arbitration")
        if dispute.mediator_id == actor.pk:
            raise Conflict(_("The mediator cannot also arbitrate this dispute."), code="arbitrator_is_mediator")
        dispute.arbitrator = actor
        _decide(dispute, outcome, award_amount, clean_text(note), actor=actor, now=timezone.now())
    return dispute


def _decide(dispute: Dispute, outcome: str, award: Decimal, note: str, *, actor, now, by_default=False) -> None:
    before = _stage(dispute, DisputeStage.DECIDED, now)
    dispute.outcome, dispute.award_amount = outcome, award.quantize(CENT)
    dispute.decision_note, dispute.decided_at, dispute.decided_by_default = note, now, by_default
    dispute.save()
    PayoutHold.objects.filter(dispute=dispute, released_at__isnull=True).update(
        released_at=now, release_note=f"decided: {outcome}"
    )
    audit(
        actor=actor,
        action="dispute.decided",
        obj=dispute,
        before=before,
        after={"outcome": outcome, "award": str(dispute.award_amount), "by_default": by_default},
        reason=note,
    )
    complaint = Complaint.objects.select_for_update().get(pk=dispute.complaint_id)
    _move(complaint, ComplaintStatus.RESOLVED)
    if dispute.award_amount > 0:
        remedy = Remedy.REFUND if complaint.order_id else Remedy.COMPENSATION
        amount = dispute.award_amount
    else:
        remedy = Remedy.NONE if outcome == DisputeOutcome.MERCHANT else Remedy.APOLOGY
        amount = None
    _record_outcome(complaint, OUTCOME_OF_DISPUTE[outcome], remedy, amount, note, now)
    complaint.save()
    audit(
        actor=actor,
        action="complaint.resolved",
        obj=complaint,
        after={"outcome": complaint.outcome, "dispute": dispute.pk},
    )
    _announce_outcome(complaint)
    _rescore_merchant_if_upheld(complaint)


def dispute_refer_litigation(*, dispute: Dispute, note: str, documents: list[CheckedFile], actor) -> Dispute:
    """A party takes the dispute to court: the referral is recorded with its documents."""
    _ensure_handler(actor)
    errors = {}
    if not clean_text(note):
        errors["note"] = [_("Describe the referral (court, case number, party).")]
    if not documents:
        errors["documents"] = [_("Attach the referral documents.")]
    elif len(documents) > MAX_FILES:
        errors["documents"] = [_("At most %(n)d files.") % {"n": MAX_FILES}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        dispute = _locked_dispute(dispute)
        now = timezone.now()
        before = _stage(dispute, DisputeStage.LITIGATION, now)
        dispute.litigation_referred_at, dispute.litigation_note = now, clean_text(note)
        dispute.save(update_fields=["stage", "stage_due_at", "litigation_referred_at", "litigation_note", "updated_at"])
        for checked in documents:
            document = DisputeDocument(
                dispute=dispute,
                file_name=checked.name,
                content_type=checked.content_type,
                size=len(checked.content),
                added_by=_label(actor),
            )
            document.file.save(checked.name, checked.as_django_file(), save=False)
            document.save()
        audit(actor=actor, action="dispute.litigation", obj=dispute, before=before, reason=dispute.litigation_note)
    return dispute


# --- Clocks ----------------------------------------------------------------------------------


def complaints_flag_breaches(*, now: datetime | None = None) -> int:
    """SLA breaches are flagged and the cases go to the supervisors' queue. Returns how many were flagged."""
    now = now or timezone.now()
    flagged = 0
    checks = (
        ("ack_breached_at", Q(acknowledged_at__isnull=True, ack_due_at__lt=now, ack_breached_at__isnull=True)),
        ("resolve_breached_at", Q(resolved_at__isnull=True, due_at__lt=now, resolve_breached_at__isnull=True)),
    )
    for field, late in checks:
        with transaction.atomic():
            ids = list(
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(late, status__in=OPEN_STATUSES)
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            Complaint.objects.filter(pk__in=ids).update(**{field: now}, updated_at=now)
            Complaint.objects.filter(pk__in=ids, supervisor_escalated_at__isnull=True).update(
                supervisor_escalated_at=now
            )
            for complaint in Complaint.objects.filter(pk__in=ids).only("pk", "merchant_id"):
                audit(actor=None, action="complaint.sla_breached", obj=complaint, after={"clock": field})
            flagged += len(ids)
    return flagged


def disputes_apply_defaults(*, now: datetime | None = None) -> int:
    """Stage deadlines that passed with a party silent take their default outcome:

    - negotiation: a merchant that never responded loses (the complainant gets the amount in dispute);
      one that did goes on to mediation;
    - mediation: a party that did not answer the open proposal is taken to accept it, so a proposal
      nobody rejected decides the dispute; with no proposal made, the dispute goes to arbitration.
    Arbitration has no default: an overdue arbitration waits in the supervisors' queue."""
    now = now or timezone.now()
    done = 0
    due = Dispute.objects.filter(
        stage__in=(DisputeStage.NEGOTIATION, DisputeStage.MEDIATION), stage_due_at__lt=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            dispute = Dispute.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if dispute is None or dispute.stage not in OPEN_STAGES or not dispute.stage_due_at < now:
                continue
            if dispute.stage == DisputeStage.NEGOTIATION:
                if dispute.merchant_responded_at is None:
                    note = _("The merchant did not respond in negotiation.")
                    _decide(
                        dispute, DisputeOutcome.COMPLAINANT, dispute.amount, note, actor=None, now=now, by_default=True
                    )
                else:
                    before = _stage(dispute, DisputeStage.MEDIATION, now)
                    dispute.save(update_fields=["stage", "stage_due_at", "updated_at"])
                    audit(actor=None, action="dispute.mediation", obj=dispute, before=before, reason="deadline")
            else:
                proposal = dispute.proposals.order_by("-created_at", "-id").first()
                rejected = proposal is None or Answer.REJECTED in (
                    proposal.complainant_answer,
                    proposal.merchant_answer,
                )
                if rejected:
                    before = _stage(dispute, DisputeStage.ARBITRATION, now)
                    dispute.save(update_fields=["stage", "stage_due_at", "updated_at"])
                    audit(actor=None, action="dispute.arbitration", obj=dispute, before=before, reason="deadline")
                else:
                    MediationProposal.objects.filter(pk=proposal.pk, complainant_answer=Answer.PENDING).update(
                        complainant_answer=Answer.ACCEPTED
                    )
                    MediationProposal.objects.filter(pk=proposal.pk, merchant_answer=Answer.PENDING).update(
                        merchant_answer=Answer.ACCEPTED
                    )
                    _decide(
                        dispute,
                        proposal.outcome,
                        proposal.award_amount,
                        proposal.terms,
                        actor=None,
                        now=now,
                        by_default=True,
                    )
            done += 1
    return done


# --- Prevention ------------------------------------------------------------------------------

ALERT_MIN_COMPLAINTS = 3
ALERT_MIN_ORDERS = 20
ALERT_RISE = Decimal("1.5")
SUGGESTIONS = {
    Category.PRODUCT_QUALITY: gettext_lazy(
        "Most complaints are about product quality: check the listings against the goods, "
        "and inspect stock before shipping."
    ),
    Category.LOGISTICS: gettext_lazy(
        "Most complaints are about delivery: ship within the promised time, "
        "and check your carrier's delays and lost parcels."
    ),
    Category.AFTER_SALES: gettext_lazy(
        "Most complaints are about after-sales: answer return and refund requests within 48 hours."
    ),
    Category.PAYMENT: gettext_lazy(
        "Most complaints are about payment: check prices, coupons and invoices at checkout."
    ),
    Category.OTHER: gettext_lazy("Read your recent complaints and answer each buyer; contact support for a review."),
}


def complaint_rate_alerts_send(*, today: date | None = None) -> int:
    """Merchants whose complaints per 1,000 orders in the last 7 days rose by half or more over the 7 days
    before (with enough complaints and orders to mean something) get a notice with a suggested next step."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=7)
    end = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    start, before_start = end - timedelta(days=7), end - timedelta(days=14)
    counts = (
        Complaint.objects.filter(received_at__gte=before_start, received_at__lt=end)
        .values("merchant_id")
        .annotate(
            now_count=Count("id", filter=Q(received_at__gte=start)),
            before_count=Count("id", filter=Q(received_at__lt=start)),
        )
        .filter(now_count__gte=ALERT_MIN_COMPLAINTS)
    )
    counts = {row["merchant_id"]: row for row in counts}
    if not counts:
        return 0
    orders = (
        Order.objects.filter(merchant_id__in=counts, placed_at__gte=before_start, placed_at__lt=end)
        .values("merchant_id")
        .annotate(
            now_count=Count("id", filter=Q(placed_at__gte=start)),
            before_count=Count("id", filter=Q(placed_at__lt=start)),
        )
    )
    sent = 0
    for row in orders:
        merchant_id = row["merchant_id"]
        if row["now_count"] < ALERT_MIN_ORDERS:
            continue
        rate = Decimal(counts[merchant_id]["now_count"] * 1000) / row["now_count"]
        previous = (
            Decimal(counts[merchant_id]["before_count"] * 1000) / row["before_count"]
            if row["before_count"]
            else Decimal(0)
        )
        if rate < previous * ALERT_RISE or rate == 0:
            continue
        top = (
            Complaint.objects.filter(merchant_id=merchant_id, received_at__gte=start, received_at__lt=end)
            .values("category")
            .annotate(n=Count("id"))
            .order_by("-n", "category")
            .first()["category"]
        )
        with transaction.atomic():
            alert, created = ComplaintRateAlert.objects.get_or_create(
                merchant_id=merchant_id,
                week_start=week_start,
                defaults={
                    "complaints": counts[merchant_id]["now_count"],
                    "orders": row["now_count"],
                    "rate_per_1000": rate.quantize(CENT),
                    "previous_rate_per_1000": previous.quantize(CENT),
                    "top_category": top,
                    "suggestion": str(SUGGESTIONS[top]),
                },
            )
            if not created:
                continue
            audit(
                actor=None,
                action="complaint.rate_alert",
                obj=alert,
                merchant_id=merchant_id,
                after=str(alert.rate_per_1000),
            )
            _merchant_notice(
                merchant_id,
                _("Your complaint rate is rising"),
                _("%(rate)s complaints per 1,000 orders in the last 7 days (before: %(previous)s).")
                % {"rate": alert.rate_per_1000, "previous": alert.previous_rate_per_1000}
                + "\n"
                + alert.suggestion,
            )
            sent += 1
    return sent
