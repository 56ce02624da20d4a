"""Staff pages: the credit consequences in force, with filters, and the override and impose forms."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, has_role, staff_role_required
from core.errors import DomainError
from credit.choices import ConsequenceKind, OverrideAction
from credit.models import CreditConsequence
from credit.selectors import consequences as selectors
from credit.services.consequences import IMPOSABLE, credit_consequence_impose, credit_consequence_override
from merchants.models import Merchant

VIEWERS = (RISK_OFFICER, PLATFORM_ADMIN, OPS_MANAGER)
DECIDERS = (RISK_OFFICER, PLATFORM_ADMIN)


class ConsequenceFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    merchant = forms.CharField(label=gettext_lazy("Merchant"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("In force")), ("lifted", gettext_lazy("Lifted")), ("all", gettext_lazy("All"))],
    )
    overridden = forms.ChoiceField(
        label=gettext_lazy("Override"),
        required=False,
        choices=[("", gettext_lazy("Any")), ("yes", gettext_lazy("Overridden")), ("no", gettext_lazy("By the rules"))],
    )
    policy_version = forms.IntegerField(label=gettext_lazy("Policy version"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *ConsequenceKind.choices]


class OverrideForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=OverrideAction.choices)
    until = forms.DateField(
        label=gettext_lazy("Holds until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ImposeForm(forms.Form):
    merchant = forms.IntegerField(label=gettext_lazy("Merchant id"), min_value=1)
    kind = forms.ChoiceField(
        label=gettext_lazy("Consequence"), choices=[(kind, ConsequenceKind(kind).label) for kind in IMPOSABLE]
    )
    discount_percent = forms.IntegerField(
        label=gettext_lazy("Deposit discount (%)"), required=False, min_value=1, max_value=100
    )
    until = forms.DateField(
        label=gettext_lazy("Holds until (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_role_required(*VIEWERS)
def consequence_list(request):
    form = ConsequenceFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "kind": data["kind"] or None,
            "merchant": data["merchant"].strip() or None,
            "active": {"": True, "lifted": False, "all": None}[data["state"]],
            "overridden": {"yes": True, "no": False}.get(data["overridden"]),
            "policy_version": data["policy_version"],
        }
    consequences = list(selectors.consequence_staff_list(**filters)[:200])
    context = {"form": form, "consequences": consequences, "can_decide": has_role(request.user, *DECIDERS)}
    return render(request, "credit/staff/consequences.html", context)


@staff_role_required(*DECIDERS)
def consequence_override(request, pk):
    consequence = get_object_or_404(CreditConsequence.objects.select_related("merchant", "overridden_by"), pk=pk)
    form = OverrideForm(request.POST or None, initial={"until": timezone.localdate() + timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        try:
            credit_consequence_override(consequence=consequence, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Override recorded."))
            return redirect("credit-staff:consequences")
    return render(request, "credit/staff/consequence_override.html", {"form": form, "consequence": consequence})


@staff_role_required(*DECIDERS)
def consequence_impose(request):
    initial = {"until": timezone.localdate() + timedelta(days=30), "merchant": request.GET.get("merchant")}
    form = ImposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        merchant = Merchant.objects.filter(pk=data.pop("merchant")).first()
        if merchant is None:
            form.add_error("merchant", _("Unknown merchant."))
        else:
            try:
                credit_consequence_impose(merchant=merchant, actor=request.user, **data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Consequence imposed."))
                return redirect("credit-staff:consequences")
    return render(request, "credit/staff/consequence_override.html", {"form": form, "consequence": None})


urlpatterns = [
    path("consequences/", consequence_list, name="consequences"),
    path("consequences/impose/", consequence_impose, name="consequence-impose"),
    path("consequences/<int:pk>/override/", consequence_override, name="consequence-override"),
]
