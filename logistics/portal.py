"""Merchant portal: logistics cost analysis, the savings report and the merchant's shipment exceptions."""

from django.shortcuts import render
from django.urls import path

from logistics import selectors
from logistics.choices import ExceptionStatus
from orders.portal import merchant_only

app_name = "logistics_portal"


@merchant_only
def costs(request, caller):
    return render(
        request,
        "logistics/costs.html",
        {
            "analysis": selectors.cost_analysis(caller=caller),
            "report": selectors.optimisation_report(caller=caller),
            "exceptions": selectors.exception_list(caller=caller).filter(status=ExceptionStatus.OPEN)[:50],
        },
    )


urlpatterns = [path("", costs, name="costs")]
