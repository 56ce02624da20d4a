"""Staff pages of fake-order detection: the flag queue with filters, one flag with its explanation and
orders, and the dismiss/confirm decisions (risk officers, with a note)."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, has_role, staff_role_required
from core.errors import DomainError
from core.selectors import audit_entries_for_object
from credit.models import FlagStatus, SuspicionFlag, SuspicionRule
from credit.selectors import detection as selectors
from credit.services import detection as services

READERS = (RISK_OFFICER, OPS_MANAGER, PLATFORM_ADMIN)
QUEUE_LIMIT = 200
ORDER_LIMIT = 500


class FlagFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Any")), *FlagStatus.choices]
    )
    rule = forms.ChoiceField(
        label=gettext_lazy("Rule"), required=False, choices=[("", gettext_lazy("Any")), *SuspicionRule.choices]
    )
    merchant = forms.IntegerField(label=gettext_lazy("Merchant ID"), required=False, min_value=1)
    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class FlagReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )


def _day(value, zone):
    return datetime.combine(value, time.min, tzinfo=zone) if value else None


@staff_role_required(*READERS)
def queue(request):
    form = FlagFilterForm(request.GET or {"status": FlagStatus.OPEN})
    flags: list[SuspicionFlag] = []
    if form.is_valid():
        data, zone = form.cleaned_data, timezone.get_current_timezone()
        flags = list(
            selectors.suspicion_flag_queue(
                status=data["status"] or None,
                rule=data["rule"] or None,
                merchant_id=data["merchant"],
                since=_day(data["since"], zone),
                until=_day(data["until"] and data["until"] + timedelta(days=1), zone),
            )[:QUEUE_LIMIT]
        )
    open_count = SuspicionFlag.objects.filter(status=FlagStatus.OPEN).aggregate(n=Count("id"))["n"]
    return render(
        request,
        "credit/staff/flags.html",
        {"form": form, "flags": flags, "open_count": open_count, "limit": QUEUE_LIMIT},
    )


@staff_role_required(*READERS)
def detail(request, pk):
    flag = get_object_or_404(SuspicionFlag.objects.select_related("merchant", "reviewed_by"), pk=pk)
    context = {
        "flag": flag,
        "orders": list(selectors.suspicion_flag_orders(flag=flag)[:ORDER_LIMIT]),
        "order_limit": ORDER_LIMIT,
        "figures": sorted(flag.metrics.items()),
        "history": list(audit_entries_for_object(obj=flag).select_related("actor_user")),
        "others": list(selectors.suspicion_flags_of_merchant(merchant_id=flag.merchant_id).exclude(pk=flag.pk)[:20]),
        "form": FlagReviewForm(),
        "can_review": flag.status == FlagStatus.OPEN and has_role(request.user, *services.REVIEWERS),
    }
    return render(request, "credit/staff/flag.html", context)


def _review(request, pk, service):
    flag = get_object_or_404(SuspicionFlag, pk=pk)
    form = FlagReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note saying what you found."))
        return redirect("credit-staff:flag", pk=pk)
    try:
        service(flag=flag, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("credit-staff:flag", pk=pk)


@require_POST
@staff_role_required(*services.REVIEWERS)
def dismiss(request, pk):
    return _review(request, pk, services.suspicion_flag_dismiss)


@require_POST
@staff_role_required(*services.REVIEWERS)
def confirm(request, pk):
    return _review(request, pk, services.suspicion_flag_confirm)


urlpatterns = [
    path("flags/", queue, name="flags"),
    path("flags/<int:pk>/", detail, name="flag"),
    path("flags/<int:pk>/dismiss/", dismiss, name="flag-dismiss"),
    path("flags/<int:pk>/confirm/", confirm, name="flag-confirm"),
]
