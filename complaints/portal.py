"""Merchant portal: the merchant's complaints, responding to them, confirming remedies, and answering
disputes (position in negotiation, accept or reject a mediation proposal)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints import selectors, services
from complaints.choices import ComplaintStatus, Party
from complaints.models import Dispute
from core.errors import DomainError
from orders.portal import merchant_only

app_name = "complaints_portal"
PAGE_SIZE = 50


@merchant_only
def complaint_list(request, caller):
    complaints = selectors.complaint_list(caller=caller).order_by("-received_at", "-id")
    status = request.GET.get("status", "")
    if status in ComplaintStatus.values:
        complaints = complaints.filter(status=status)
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/complaint_list.html",
        {"page": page, "statuses": ComplaintStatus.choices, "status": status},
    )


@merchant_only
def complaint_detail(request, caller, pk):
    complaint = selectors.complaint_get(caller=caller, pk=pk)
    dispute = selectors.dispute_list(caller=caller).filter(complaint=complaint).first()
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "files": selectors.evidence_files(complaint=complaint),
            "dispute": dispute,
            "proposal": dispute.proposals.all()[0] if dispute and dispute.proposals.all() else None,
        },
    )


@require_POST
@merchant_only
def complaint_act(request, caller, pk):
    complaint = selectors.complaint_get(caller=caller, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "respond":
            services.complaint_merchant_respond(
                complaint=complaint, response=request.POST.get("response", ""), actor=request.user
            )
        elif action == "fulfil":
            services.complaint_fulfil_obligation(
                complaint=complaint, note=request.POST.get("note", ""), actor=request.user
            )
        elif action in ("position", "accept", "reject"):
            dispute = selectors.dispute_list(caller=caller).get(complaint=complaint)
            if action == "position":
                services.dispute_respond(dispute=dispute, position=request.POST.get("position", ""), actor=request.user)
            else:
                services.dispute_answer(
                    dispute=dispute, party=Party.MERCHANT, accept=action == "accept", actor=request.user
                )
        else:
            messages.error(request, _("Unknown action."))
            return redirect("complaints_portal:detail", pk=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    except Dispute.DoesNotExist:
        messages.error(request, _("This complaint has no dispute."))
    else:
        messages.success(request, _("Complaint #%(id)d updated.") % {"id": complaint.pk})
    return redirect("complaints_portal:detail", pk=pk)


urlpatterns = [
    path("", complaint_list, name="list"),
    path("<int:pk>/", complaint_detail, name="detail"),
    path("<int:pk>/act/", complaint_act, name="act"),
]
