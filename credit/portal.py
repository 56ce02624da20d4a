"""Merchant portal: the credit score, its components against their targets, the trend and what to improve;
the merchant's violations with their measures and points, and the appeal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import Caller
from core.errors import DomainError
from credit import selectors
from credit.choices import ViolationStatus
from credit.selectors import violations as violation_selectors
from credit.selectors.consequences import consequence_summary
from credit.selectors.records import external_records_counted
from credit.services import violations as violation_services
from credit.violation_forms import AppealForm
from merchants.selectors import memberships_of
from orders.portal import merchant_only

app_name = "credit_portal"
PAGE_SIZE = 50


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


# --- Violations: the merchant's list, the detail with its measures and points, the appeal -------------


def _violation_page_context(violation) -> dict:
    now = timezone.now()
    return {
        "violation": violation,
        "summary": violation_selectors.points_summary(merchant_id=violation.merchant_id, at=now),
        "active_measures": list(violation_selectors.active_measures(merchant_id=violation.merchant_id, at=now)),
        "can_appeal": violation.status == ViolationStatus.DECIDED
        and violation.appeal_due_at is not None
        and now <= violation.appeal_due_at,
    }


@merchant_only
def violation_list(request, caller):
    violations = violation_selectors.violation_list(caller=caller).order_by("-reported_at", "-id")
    status = request.GET.get("status", "")
    if status in ViolationStatus.values:
        violations = violations.filter(status=status)
    page = Paginator(violations, PAGE_SIZE).get_page(request.GET.get("page"))
    merchants = [m.merchant for m in memberships_of(request.user)]
    summaries = [(m, violation_selectors.points_summary(merchant_id=m.pk)) for m in merchants]
    return render(
        request,
        "credit/violations/list.html",
        {"page": page, "statuses": ViolationStatus.choices, "status": status, "summaries": summaries},
    )


@merchant_only
def violation_detail(request, caller, pk):
    violation = violation_selectors.violation_get(caller=caller, pk=pk)
    context = _violation_page_context(violation)
    context["form"] = AppealForm()
    return render(request, "credit/violations/detail.html", context)


@merchant_only
def violation_appeal(request, caller, pk):
    violation = violation_selectors.violation_get(caller=caller, pk=pk)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            violation_services.violation_appeal(violation=violation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("credit_portal:violation", pk=pk)
        else:
            messages.success(request, _("Your appeal is submitted."))
            return redirect("credit_portal:violation", pk=pk)
    context = _violation_page_context(violation)
    context["form"] = form
    return render(request, "credit/violations/detail.html", context)


@login_required
def violation_evidence_file(request, pk):
    """A stored evidence file, to the merchant's people and to staff only (others: 404)."""
    item = violation_selectors.evidence_file_get(caller=Caller(user=request.user), pk=pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{item.pk}.{item.file.name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns += [
    path("violations/", violation_list, name="violations"),
    path("violations/<int:pk>/", violation_detail, name="violation"),
    path("violations/<int:pk>/appeal/", violation_appeal, name="violation-appeal"),
    path("violations/evidence/<int:pk>/file/", violation_evidence_file, name="violation-evidence-file"),
]
