"""Reads of external records; tenant scoping happens here."""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from core.access import Caller
from credit.metrics import public_records_since
from credit.models import ExternalRecord, ExternalRecordImport
from merchants.selectors import scope_to_caller


def external_record_list(*, caller: Caller) -> QuerySet[ExternalRecord]:
    return scope_to_caller(ExternalRecord.objects.all(), caller=caller)


def external_record_get(*, caller: Caller, pk) -> ExternalRecord:
    try:
        return external_record_list(caller=caller).get(pk=pk)
    except (ExternalRecord.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def external_records_counted(*, merchant_id: int, today: date) -> QuerySet[ExternalRecord]:
    """The records the public_records component counts at `today` (the last PUBLIC_RECORDS_YEARS years)."""
    return ExternalRecord.objects.filter(
        merchant_id=merchant_id, date__gt=public_records_since(today), date__lte=today
    ).order_by("-date", "-id")


def external_record_staff_list(
    *, source: str | None = None, kind: str | None = None, merchant: str | None = None
) -> QuerySet[ExternalRecord]:
    queryset = ExternalRecord.objects.select_related("merchant", "entered_by", "imported_from").order_by("-date", "-id")
    if source:
        queryset = queryset.filter(source=source)
    if kind:
        queryset = queryset.filter(kind=kind)
    if merchant:
        match = Q(merchant__name__icontains=merchant) | Q(merchant__legal_name__icontains=merchant)
        match |= Q(merchant__uscc__iexact=merchant) | Q(reference__iexact=merchant)
        if merchant.isascii() and merchant.isdigit() and len(merchant) <= 18:
            match |= Q(merchant_id=int(merchant))
        queryset = queryset.filter(match)
    return queryset


def external_record_imports(*, limit: int = 20) -> list[ExternalRecordImport]:
    return list(ExternalRecordImport.objects.select_related("imported_by").order_by("-imported_at", "-id")[:limit])
