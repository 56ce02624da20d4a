"""Reads of merchant information, scoped to the caller where a merchant may ask."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from core.access import Caller
from core.crypto import mask
from merchants.models import Merchant
from merchants.selectors import scope_to_caller
from onboarding.choices import ApplicationStatus, DocumentType
from onboarding.models import Document
from profiles.choices import (
    OPEN_STATES,
    SENSITIVE_FIELDS,
    ChangeRequestStatus,
    ReverificationStatus,
)
from profiles.models import ChangeProof, ChangeRequest, FieldChange, Profile, ReverificationRound, ReverificationTask

PROFILE_FIELDS = (
    "registered_capital",
    "founded_on",
    "business_scope",
    "province_code",
    "city_code",
    "county_code",
    "address_detail",
    "legal_rep_name",
    "legal_rep_id_number",
    "contact_name",
    "contact_phone",
    "contact_email",
    "bank_name",
    "bank_account_name",
    "bank_account_number",
    "store_description",
)


def masked(field: str, value: str) -> str:
    if field == "legal_rep_id_number":
        return mask(value, keep_start=1, keep_end=1)
    return mask(value, keep_end=4)


def profile_of(merchant: Merchant) -> Profile:
    """The merchant's profile, or an empty unsaved one."""
    try:
        return merchant.profile
    except Profile.DoesNotExist:
        return Profile(merchant=merchant)


def current_values(merchant: Merchant, profile: Profile | None = None) -> dict:
    """Every changeable value as JSON-ready text (categories as a sorted list of codes)."""
    profile = profile or profile_of(merchant)
    values = {
        "name": merchant.name,
        "legal_name": merchant.legal_name,
        "uscc": merchant.uscc,
        "categories": sorted(category.code for category in merchant.categories.all()),
    }
    for field in PROFILE_FIELDS:
        value = getattr(profile, field)
        values[field] = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    return values


def shown(field: str, raw: str) -> object:
    """A stored change value (JSON text) as shown to anyone: sensitive ones masked."""
    if raw in ("", None):
        return ""
    value = json.loads(raw)
    if field in SENSITIVE_FIELDS and value:
        return masked(field, str(value))
    return value


def merchant_for_profile(*, caller: Caller, pk) -> Merchant:
    queryset = Merchant.objects.select_related("profile").prefetch_related("categories")
    try:
        return scope_to_caller(queryset, caller=caller).get(pk=pk)
    except (Merchant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def change_request_list(*, caller: Caller, merchant_id=None) -> QuerySet[ChangeRequest]:
    queryset = ChangeRequest.objects.select_related("merchant", "reviewer", "created_by").prefetch_related(
        Prefetch("changes", queryset=FieldChange.objects.order_by("id")),
        Prefetch("proofs", queryset=ChangeProof.objects.order_by("doc_type")),
    )
    if merchant_id is not None:
        queryset = queryset.filter(merchant_id=merchant_id)
    return scope_to_caller(queryset, caller=caller)


def change_request_breach_count() -> int:
    """Change requests whose first decision missed its SLA, all time."""
    return ChangeRequest.objects.filter(sla_breached=True).count()


def change_request_queue(*, status: str | None = None) -> QuerySet[ChangeRequest]:
    """Staff's queue: waiting requests, soonest due first."""
    statuses = [status] if status else [ChangeRequestStatus.SUBMITTED]
    return (
        ChangeRequest.objects.filter(status__in=statuses)
        .select_related("merchant", "reviewer")
        .annotate(field_count=Count("changes", distinct=True), proof_count=Count("proofs", distinct=True))
        .order_by("due_at", "id")
    )


def open_change_request(*, merchant_id: int) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(merchant_id=merchant_id, status__in=sorted(OPEN_STATES)).first()


@dataclass(frozen=True)
class DocumentOnFile:
    merchant_id: int
    doc_type: str
    number: str
    issued_on: date | None
    expires_on: date | None
    approved_at: datetime | None


def _approved_documents(filters: Q, proof_filters: Q) -> list[DocumentOnFile]:
    onboarding = Document.objects.filter(filters, application__status=ApplicationStatus.APPROVED).values_list(
        "application__merchant_id", "doc_type", "number", "issued_on", "expires_on", "application__decided_at"
    )
    proofs = ChangeProof.objects.filter(proof_filters, change_request__status=ChangeRequestStatus.APPROVED).values_list(
        "change_request__merchant_id", "doc_type", "number", "issued_on", "expires_on", "change_request__decided_at"
    )
    return [DocumentOnFile(*row) for row in [*onboarding, *proofs]]


def current_documents(*, merchant_ids=None, doc_types=None) -> dict[tuple[int, str], DocumentOnFile]:
    """The newest approved document of each type of each merchant (onboarding's or a change's proof)."""
    filters, proof_filters = Q(), Q()
    if merchant_ids is not None:
        filters &= Q(application__merchant_id__in=merchant_ids)
        proof_filters &= Q(change_request__merchant_id__in=merchant_ids)
    if doc_types is not None:
        filters &= Q(doc_type__in=doc_types)
        proof_filters &= Q(doc_type__in=doc_types)
    newest: dict[tuple[int, str], DocumentOnFile] = {}
    for document in _approved_documents(filters, proof_filters):
        key = (document.merchant_id, document.doc_type)
        known = newest.get(key)
        if known is None or _stamp(document) >= _stamp(known):
            newest[key] = document
    return newest


def _stamp(document: DocumentOnFile) -> float:
    return document.approved_at.timestamp() if document.approved_at else float("-inf")


def documents_expiring(*, until: date) -> list[DocumentOnFile]:
    """Current documents expiring on or before `until`: found by date in the database, then checked current."""
    candidates = _approved_documents(Q(expires_on__lte=until), Q(expires_on__lte=until))
    if not candidates:
        return []
    current = current_documents(
        merchant_ids={doc.merchant_id for doc in candidates}, doc_types={doc.doc_type for doc in candidates}
    )
    return sorted(
        (doc for doc in current.values() if doc.expires_on is not None and doc.expires_on <= until),
        key=lambda doc: (doc.merchant_id, doc.doc_type),
    )


def expired_documents_of(*, merchant_id: int, today: date) -> list[str]:
    return sorted(
        doc.doc_type
        for doc in current_documents(merchant_ids=[merchant_id]).values()
        if doc.expires_on is not None and doc.expires_on < today
    )


def merchants_matching(*, criteria: dict, today: date) -> QuerySet[Merchant]:
    """Merchants for a re-verification round: `licence_issued_before` (a date), `category`, `status`, `tier`."""
    queryset = Merchant.objects.exclude(status__in=["pending", "closed"])
    if criteria.get("status"):
        queryset = queryset.filter(status=criteria["status"])
    if criteria.get("tier"):
        queryset = queryset.filter(tier=criteria["tier"])
    if criteria.get("category"):
        queryset = queryset.filter(categories__code=criteria["category"])
    if criteria.get("licence_issued_before"):
        before = date.fromisoformat(str(criteria["licence_issued_before"]))
        licence = DocumentType.BUSINESS_LICENCE
        newer_proof = ChangeProof.objects.filter(
            change_request__merchant_id=OuterRef("pk"),
            change_request__status=ChangeRequestStatus.APPROVED,
            doc_type=licence,
            issued_on__gte=before,
        )
        old_onboarding = Document.objects.filter(
            application__merchant_id=OuterRef("pk"),
            application__status=ApplicationStatus.APPROVED,
            doc_type=licence,
            issued_on__lt=before,
        )
        old_proof = ChangeProof.objects.filter(
            change_request__merchant_id=OuterRef("pk"),
            change_request__status=ChangeRequestStatus.APPROVED,
            doc_type=licence,
            issued_on__lt=before,
        )
        queryset = queryset.filter(Exists(old_onboarding) | Exists(old_proof)).exclude(Exists(newer_proof))
    return queryset.distinct()


def reverification_rounds() -> QuerySet[ReverificationRound]:
    return ReverificationRound.objects.select_related("started_by").annotate(
        task_count=Count("tasks"),
        open_count=Count("tasks", filter=Q(tasks__status=ReverificationStatus.OPEN)),
    )


def reverification_overdue(*, today: date) -> QuerySet[ReverificationTask]:
    return (
        ReverificationTask.objects.filter(status=ReverificationStatus.OPEN, due_on__lt=today)
        .select_related("merchant", "round")
        .order_by("due_on", "id")
    )


def reverification_tasks_of(*, caller: Caller, merchant_id=None) -> QuerySet[ReverificationTask]:
    queryset = ReverificationTask.objects.select_related("round", "merchant")
    if merchant_id is not None:
        queryset = queryset.filter(merchant_id=merchant_id)
    return scope_to_caller(queryset, caller=caller)
