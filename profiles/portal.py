"""Merchant pages: the profile, change requests with their proof, and the merchant's history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Caller
from core.errors import DomainError
from core.selectors import audit_entries_for_merchant, without_internal_notes
from profiles import selectors, services
from profiles.forms import ChangeRequestForm, ProfileForm, ProofForm
from profiles.models import ReverificationTask

app_name = "profiles"


def _merchant(request, merchant_pk):
    return selectors.merchant_for_profile(caller=Caller.of(request), pk=merchant_pk)


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _profile_rows(merchant, profile):
    values = selectors.current_values(merchant, profile)
    labels = [
        ("name", _("Store name")),
        ("legal_name", _("Legal name")),
        ("uscc", _("Unified social credit code")),
        ("registered_capital", _("Registered capital (CNY)")),
        ("founded_on", _("Founding date")),
        ("business_scope", _("Business scope")),
        ("categories", _("Categories")),
        ("province_code", _("Province code")),
        ("city_code", _("City code")),
        ("county_code", _("County code")),
        ("address_detail", _("Street address")),
        ("legal_rep_name", _("Legal representative")),
        ("legal_rep_id_number", _("Legal representative's ID number")),
        ("contact_name", _("Contact name")),
        ("contact_phone", _("Contact phone")),
        ("contact_email", _("Contact e-mail")),
        ("bank_name", _("Bank")),
        ("bank_account_name", _("Account holder")),
        ("bank_account_number", _("Bank account number")),
        ("store_description", _("Store description")),
    ]
    rows = []
    for field, label in labels:
        value = values[field]
        if field in ("legal_rep_id_number", "bank_account_number"):
            value = selectors.masked(field, value)
        if isinstance(value, list):
            value = ", ".join(value)
        rows.append((label, value))
    return rows


@login_required
def profile(request, merchant_pk):
    merchant = _merchant(request, merchant_pk)
    record = selectors.profile_of(merchant)
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        initial={
            field: getattr(record, field)
            for field in ("contact_name", "contact_phone", "contact_email", "store_description")
        },
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "store_logo"}
        try:
            services.profile_update(
                merchant=merchant, actor=request.user, changes=changes, logo=form.cleaned_data["store_logo"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Your profile is updated."))
            return redirect("profiles:profile", merchant_pk=merchant.pk)
    tasks = selectors.reverification_tasks_of(caller=Caller.of(request), merchant_id=merchant.pk).filter(status="open")
    context = {
        "merchant": merchant,
        "profile": record,
        "rows": _profile_rows(merchant, record),
        "form": form,
        "tasks": tasks,
        "open_request": selectors.open_change_request(merchant_id=merchant.pk),
        "today": timezone.localdate(),
    }
    return render(request, "profiles/profile.html", context)


@login_required
def logo(request, merchant_pk):
    record = selectors.profile_of(_merchant(request, merchant_pk))
    if not record.store_logo:
        raise Http404
    return FileResponse(record.store_logo.open("rb"))


@login_required
@require_POST
def reverification_confirm(request, merchant_pk, pk):
    merchant = _merchant(request, merchant_pk)
    task = get_object_or_404(ReverificationTask, pk=pk, merchant=merchant)
    try:
        services.reverification_confirm(task=task, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Thank you: your information is confirmed."))
    return redirect("profiles:profile", merchant_pk=merchant.pk)


@login_required
def change_requests(request, merchant_pk):
    merchant = _merchant(request, merchant_pk)
    requests = selectors.change_request_list(caller=Caller.of(request), merchant_id=merchant.pk)[:100]
    return render(request, "profiles/change_requests.html", {"merchant": merchant, "requests": requests})


@login_required
def change_request_new(request, merchant_pk):
    merchant = _merchant(request, merchant_pk)
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change_request = services.change_request_create(
                merchant=merchant, actor=request.user, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Draft saved: attach the proof it needs, then submit it."))
            return redirect("profiles:change-request", merchant_pk=merchant.pk, pk=change_request.pk)
    return render(request, "profiles/change_request_new.html", {"merchant": merchant, "form": form})


def _change_rows(change_request):
    return [
        {
            "field": change.field,
            "before": selectors.shown(change.field, change.before),
            "after": selectors.shown(change.field, change.after),
        }
        for change in change_request.changes.all()
    ]


@login_required
def change_request_detail(request, merchant_pk, pk):
    merchant = _merchant(request, merchant_pk)
    change_request = get_object_or_404(
        selectors.change_request_list(caller=Caller.of(request), merchant_id=merchant.pk), pk=pk
    )
    form = ProofForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.change_request_submit(change_request=change_request, actor=request.user)
                messages.success(request, _("Sent for review."))
            elif action == "withdraw":
                services.change_request_withdraw(change_request=change_request, actor=request.user)
                messages.success(request, _("The request is withdrawn."))
            elif form.is_valid():
                services.change_proof_add(change_request=change_request, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Proof attached."))
            else:
                raise ValidationError(_("Check the proof form."))
        except ValidationError as error:
            _errors_to_form(form, error)
            messages.error(request, " ".join(error.messages))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            return redirect("profiles:change-request", merchant_pk=merchant.pk, pk=change_request.pk)
    context = {"merchant": merchant, "cr": change_request, "changes": _change_rows(change_request), "form": form}
    return render(request, "profiles/change_request_detail.html", context)


@login_required
def history(request, merchant_pk):
    merchant = _merchant(request, merchant_pk)
    staff_view = Caller.of(request).is_staff
    entries = list(audit_entries_for_merchant(merchant_id=merchant.pk, staff_view=staff_view)[:200])
    if not staff_view:
        for entry in entries:
            entry.before = without_internal_notes(entry.before)
            entry.after = without_internal_notes(entry.after)
            if entry.actor_user_id and entry.actor_user.is_staff:
                entry.actor_label = _("platform")
    return render(request, "profiles/history.html", {"merchant": merchant, "entries": entries})


urlpatterns = [
    path("<int:merchant_pk>/", profile, name="profile"),
    path("<int:merchant_pk>/logo/", logo, name="logo"),
    path("<int:merchant_pk>/reverifications/<int:pk>/confirm/", reverification_confirm, name="reverification-confirm"),
    path("<int:merchant_pk>/change-requests/", change_requests, name="change-requests"),
    path("<int:merchant_pk>/change-requests/new/", change_request_new, name="change-request-new"),
    path("<int:merchant_pk>/change-requests/<int:pk>/", change_request_detail, name="change-request"),
    path("<int:merchant_pk>/history/", history, name="history"),
]
