"""Staff pages: the change request queue and review, a merchant's information with reveal, re-verification."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER, has_role, staff_role_required
from core.errors import DomainError
from core.selectors import audit_entries_for_merchant
from merchants.models import Merchant
from profiles import selectors, services
from profiles.forms import DecisionForm, RevealForm, RoundForm
from profiles.models import ChangeRequest
from profiles.portal import _change_rows, _profile_rows

app_name = "profiles-staff"
STAFF = (REVIEWER, OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER)


@staff_role_required(*STAFF)
def queue(request):
    requests = list(selectors.change_request_queue()[:200])
    context = {"requests": requests, "now": timezone.now(), "breaches": selectors.change_request_breach_count()}
    return render(request, "profiles/staff/queue.html", context)


@staff_role_required(*STAFF)
def review(request, pk):
    change_request = get_object_or_404(
        ChangeRequest.objects.select_related("merchant", "reviewer").prefetch_related("changes", "proofs"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = {
            "approve": services.change_request_approve,
            "reject": services.change_request_reject,
            "request_more": services.change_request_request_more,
        }.get(request.POST.get("action"))
        if service is None:
            raise PermissionDenied
        try:
            service(change_request=change_request, reviewer=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("profiles-staff:review", pk=change_request.pk)
    context = {
        "cr": change_request,
        "changes": _change_rows(change_request),
        "form": form,
        "can_decide": change_request.status == "submitted"
        and has_role(request.user, REVIEWER, OPS_MANAGER, PLATFORM_ADMIN),
    }
    return render(request, "profiles/staff/review.html", context)


@staff_role_required(*STAFF)
def merchant(request, pk):
    record = get_object_or_404(Merchant.objects.select_related("profile").prefetch_related("categories"), pk=pk)
    profile = selectors.profile_of(record)
    context = {
        "merchant": record,
        "profile": profile,
        "rows": _profile_rows(record, profile),
        "reveal_form": RevealForm(),
        "can_reveal": has_role(request.user, PLATFORM_ADMIN),
        "entries": audit_entries_for_merchant(merchant_id=record.pk)[:200],
        "revealed": request.session.pop("revealed", None),
    }
    return render(request, "profiles/staff/merchant.html", context)


@require_POST
@staff_role_required(PLATFORM_ADMIN)
def reveal(request, pk):
    record = get_object_or_404(Merchant, pk=pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a value and say why you need to see it."))
        return redirect("profiles-staff:merchant", pk=pk)
    value = services.profile_reveal(merchant=record, actor=request.user, **form.cleaned_data)
    # Shown once on the next page, then gone.
    request.session["revealed"] = {"field": form.cleaned_data["field"], "value": value}
    return redirect("profiles-staff:merchant", pk=pk)


@staff_role_required(*STAFF)
def reverification(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, OPS_MANAGER, PLATFORM_ADMIN):
            raise PermissionDenied
        if form.is_valid():
            try:
                round_ = services.reverification_round_start(
                    name=form.cleaned_data["name"],
                    due_on=form.cleaned_data["due_on"],
                    criteria=form.criteria(),
                    actor=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Round started: %(count)d merchants asked.") % {"count": round_.tasks.count()}
                )
                return redirect("profiles-staff:reverification")
    today = timezone.localdate()
    context = {
        "form": form,
        "rounds": list(selectors.reverification_rounds().order_by("-created_at", "-id")[:50]),
        "overdue": list(selectors.reverification_overdue(today=today)[:200]),
    }
    return render(request, "profiles/staff/reverification.html", context)


urlpatterns = [
    path("change-requests/", queue, name="queue"),
    path("change-requests/<int:pk>/", review, name="review"),
    path("merchants/<int:pk>/", merchant, name="merchant"),
    path("merchants/<int:pk>/reveal/", reveal, name="reveal"),
    path("reverification/", reverification, name="reverification"),
]
