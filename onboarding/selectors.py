"""Reads of onboarding: scoped to the caller once, here, and shaped for fixed query counts."""

from collections import defaultdict
from statistics import median

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404

from core.access import Caller
from merchants.models import Category, Merchant
from merchants.selectors import scope_to_caller
from onboarding.choices import (
    COMPANY_ITEM,
    ITEM_LABELS,
    STORE_ITEM,
    ApplicationStatus,
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


def application_list(*, caller: Caller) -> QuerySet[Application]:
    queryset = Application.objects.select_related("merchant", "assignee").prefetch_related(
        Prefetch("categories", queryset=Category.objects.only("code", "name", "name_zh")),
        Prefetch("documents", queryset=Document.objects.order_by("doc_type")),
        Prefetch("checks", queryset=ReviewCheck.objects.order_by("code", "subject")),
        Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "id")),
    )
    return scope_to_caller(queryset, caller=caller)


def application_get(*, caller: Caller, pk) -> Application:
    try:
        return application_list(caller=caller).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def review_queue(
    *,
    statuses: list[str] | None = None,
    category: str | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    fast_track: bool | None = None,
) -> QuerySet[Application]:
    """Applications waiting for a decision, soonest due first."""
    queryset = (
        Application.objects.filter(status__in=statuses or [S.SUBMITTED, S.AUTO_CHECKING, S.IN_REVIEW])
        .select_related("merchant", "assignee")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.only("code", "name", "name_zh")))
        .order_by("due_at", "id")
    )
    if category:
        queryset = queryset.filter(categories__code=category)
    if unassigned:
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    if fast_track is not None:
        queryset = queryset.filter(fast_track=fast_track)
    return queryset.distinct() if category else queryset


def applications_of_user(*, user) -> QuerySet[Application]:
    return application_list(caller=Caller(user=user)).order_by("-created_at", "-id")


def open_application_of_user(*, user) -> Application | None:
    return applications_of_user(user=user).exclude(status__in=[S.APPROVED, S.REJECTED]).first()


def merchant_users(*, merchant_id: int):
    return get_user_model().objects.filter(memberships__merchant_id=merchant_id).order_by("pk")


def agreements_current() -> list[Agreement]:
    """The newest version of each kind of agreement."""
    latest = Agreement.objects.values("kind").annotate(version=Max("version"))
    wanted = Q(pk__in=[])
    for row in latest:
        wanted |= Q(kind=row["kind"], version=row["version"])
    return list(Agreement.objects.filter(wanted).order_by("kind"))


def agreements_missing(*, application: Application) -> str:
    """Titles of the current agreements the application has not accepted, or ''."""
    accepted = set(AgreementAcceptance.objects.filter(application=application).values_list("agreement_id", flat=True))
    return ", ".join(a.title for a in agreements_current() if a.pk not in accepted)


def accepted_agreement_ids(*, application: Application) -> set[int]:
    return set(AgreementAcceptance.objects.filter(application=application).values_list("agreement_id", flat=True))


def required_document_types(*, application: Application) -> set[str]:
    return set(
        CategoryRequirement.objects.filter(category__applications=application).values_list("doc_type", flat=True)
    )


def required_documents_by_category() -> dict[int, list[str]]:
    mapping: dict[int, list[str]] = defaultdict(list)
    for category_id, doc_type in CategoryRequirement.objects.order_by("doc_type").values_list(
        "category_id", "doc_type"
    ):
        mapping[category_id].append(doc_type)
    return mapping


def checklist_keys(*, application: Application) -> list[str]:
    """Company, store, then each document type required or uploaded."""
    present = set(application.documents.values_list("doc_type", flat=True))
    return [COMPANY_ITEM, STORE_ITEM, *sorted(required_document_types(application=application) | present)]


def item_label(item: str) -> str:
    if item in ITEM_LABELS:
        return str(ITEM_LABELS[item])
    return str(DocumentType(item).label) if item in DocumentType.values else item


def checklist(*, application: Application) -> list[dict]:
    """Every item with whether it is required, its document (if any) and the reviewer's decision."""
    required = required_document_types(application=application)
    documents = {d.doc_type: d for d in application.documents.all()}
    decisions = {r.item: r for r in ReviewItem.objects.filter(application=application).select_related("reviewer")}
    rows = []
    for key in checklist_keys(application=application):
        rows.append(
            {
                "key": key,
                "label": item_label(key),
                "required": key in (COMPANY_ITEM, STORE_ITEM) or key in required,
                "document": documents.get(key),
                "decision": decisions.get(key),
            }
        )
    return rows


def rejected_required_items(*, application: Application) -> list[str]:
    required = {COMPANY_ITEM, STORE_ITEM} | required_document_types(application=application)
    return sorted(
        ReviewItem.objects.filter(
            application=application, item__in=required, decision=ItemDecision.REJECTED
        ).values_list("item", flat=True)
    )


def missing_for_applicant(*, application: Application) -> list[str]:
    """What the applicant still has to do, in words: documents, agreements, items sent back."""
    missing = []
    present = {d.doc_type for d in application.documents.all()}
    for doc_type in sorted(required_document_types(application=application) - present):
        missing.append(str(DocumentType(doc_type).label))
    titles = agreements_missing(application=application)
    if titles:
        missing.append(titles)
    if application.status == S.CHANGES_REQUESTED:
        for row in ReviewItem.objects.filter(application=application).exclude(decision=ItemDecision.ACCEPTED):
            missing.append(f"{item_label(row.item)}: {row.note}")
    return missing


def identifier_holders(*, identifiers: dict[str, str], exclude_merchant_id: int) -> dict[str, list[int]]:
    """For each identifying value, the other merchants that hold it (their code or their documents)."""
    holders: dict[str, list[int]] = defaultdict(list)
    uscc = identifiers.get("uscc")
    if uscc:
        holders["uscc"] += list(
            Merchant.objects.filter(uscc=uscc).exclude(pk=exclude_merchant_id).values_list("pk", flat=True)
        )
        holders["uscc"] += list(
            Document.objects.filter(doc_type=DocumentType.BUSINESS_LICENCE, number=uscc)
            .exclude(application__merchant_id=exclude_merchant_id)
            .values_list("application__merchant_id", flat=True)
        )
    by_kind = {
        "legal_rep_id": DocumentType.LEGAL_REP_ID,
        "bank_account": DocumentType.BANK_ACCOUNT_LICENCE,
        "business_licence": DocumentType.BUSINESS_LICENCE,
    }
    for kind, value in identifiers.items():
        if kind == "uscc" or not value:
            continue
        holders[kind] += list(
            Document.objects.filter(doc_type=by_kind[kind], number=value)
            .exclude(application__merchant_id=exclude_merchant_id)
            .values_list("application__merchant_id", flat=True)
        )
        if kind == "business_licence":
            holders[kind] += list(
                Merchant.objects.filter(uscc=value).exclude(pk=exclude_merchant_id).values_list("pk", flat=True)
            )
    return {kind: sorted(set(ids)) for kind, ids in holders.items()}


def blacklisted(*, identifiers: dict[str, str]) -> dict[tuple[str, str], str]:
    """The applicant's values found on the active blacklist, with the entry's reason."""
    listed_as = {kind: ("uscc" if kind == "business_licence" else kind) for kind in identifiers}
    wanted = Q(pk__in=[])
    for kind, value in identifiers.items():
        if value:
            wanted |= Q(kind=listed_as[kind], value=value)
    found = {(e.kind, e.value): e.reason for e in BlacklistEntry.objects.filter(wanted, is_active=True)}
    return {
        (kind, value): found[(listed_as[kind], value)]
        for kind, value in identifiers.items()
        if (listed_as[kind], value) in found
    }


# --- Review efficiency -----------------------------------------------------------------------------


def review_efficiency(*, start, end) -> dict:
    """Over the applications first submitted in [start, end): counts per state, median hours to the first
    decision, SLA hit rate, first-pass approval rate, top rejection reasons and SLA breaches."""
    submitted = Application.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)
    by_state = dict(submitted.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    decided = list(
        submitted.filter(first_decision_at__isnull=False).values_list(
            "first_submitted_at", "first_decision_at", "first_due_at", "first_decision"
        )
    )
    hours = [(decision - sent).total_seconds() / 3600 for sent, decision, _due, _first in decided]
    on_time = sum(1 for _sent, decision, due, _first in decided if due is not None and decision <= due)
    approved_first = sum(1 for *_rest, first in decided if first == S.APPROVED)
    reasons = [
        {"code": row["rejection_reason"], "label": RejectionReason(row["rejection_reason"]).label, "n": row["n"]}
        for row in submitted.filter(status=S.REJECTED)
        .exclude(rejection_reason="")
        .values("rejection_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "rejection_reason")[:5]
    ]
    return {
        "total": sum(by_state.values()),
        "by_state": [(status, label, by_state.get(status, 0)) for status, label in S.choices],
        "decided": len(decided),
        "median_hours_to_first_decision": round(median(hours), 1) if hours else None,
        "sla_hit_rate": on_time / len(decided) if decided else None,
        "first_pass_approval_rate": approved_first / len(decided) if decided else None,
        "breaches": submitted.filter(sla_breached=True).count(),
        "top_rejection_reasons": reasons,
    }


def scope_documents(*, caller: Caller) -> QuerySet[Document]:
    return scope_to_caller(Document.objects.all(), caller=caller)
