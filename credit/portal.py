"""Merchant portal: the credit score, its components against their targets, the trend and what to improve."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from credit import selectors
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
    return render(request, "credit/score.html", {"report": report})


urlpatterns = [path("", score, name="score")]
