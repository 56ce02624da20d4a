"""Merchant portal: the credit score, its components against their targets, the trend and what to improve."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from credit import selectors
from credit.selectors.consequences import consequence_summary
from credit.selectors.records import external_records_counted
from orders.portal import merchant_only

app_name = "credit_portal"


@merchant_only
def score(request, caller):
    merchant_id = request.GET.get("merchant")
    if merchant_id is not None and not merchant_id.isdigit():
        raise Http404
    report = selectors.credit_report(caller=caller, merchant_id=int(merchant_id) if merchant_id else None)
    if report is None and merchant_id:
        raise Http404
    context = {"report": report}
    if report is not None:
        context.update(consequence_context(merchant_id=report["score"].merchant_id))
    return render(request, "credit/score.html", context)


def consequence_context(*, merchant_id: int) -> dict:
    """What the credit rules do for or to the merchant now, and the public records its score counts."""
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    return {
        "consequences": consequence_summary(merchant_id=merchant_id),
        "public_records": list(external_records_counted(merchant_id=merchant_id, today=today)[:50]),
    }


urlpatterns = [path("", score, name="score")]
