"""Staff pages for violations: the queue with filters, reporting one (or opening one from an upheld
complaint), and the case page with its actions (investigate, evidence, decide, rule on the appeal, close,
settle the fine). Every write goes through credit.services.violations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.models import Complaint
from core.access import OPS_MANAGER, PLATFORM_ADMIN, RISK_OFFICER, SUPPORT_AGENT, Caller, has_role, staff_role_required
from core.errors import DomainError
from core.selectors import audit_entries_for_object
from credit.choices import ViolationStatus
from credit.selectors import violations as selectors
from credit.services import violations as services
from credit.violation_forms import (
    CloseForm,
    DecideForm,
    EvidenceForm,
    InvestigateForm,
    QueueFilterForm,
    ReportForm,
    RuleAppealForm,
    SettleFineForm,
)
from merchants.models import Merchant

READERS = (RISK_OFFICER, PLATFORM_ADMIN, OPS_MANAGER, SUPPORT_AGENT)
OFFICERS = (RISK_OFFICER, PLATFORM_ADMIN)
QUEUE_SIZE = 200


@staff_role_required(*READERS)
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "statuses": [data["status"]] if data["status"] else None,
            "category": data["category"] or None,
            "severity": data["severity"] or None,
            "source": data["source"] or None,
            "merchant_id": data["merchant"],
        }
    violations = list(selectors.violation_queue(**filters)[:QUEUE_SIZE])
    counts = dict.fromkeys(ViolationStatus.values, 0)
    for violation in violations:
        counts[violation.status] += 1
    context = {
        "form": form,
        "violations": violations,
        "now": timezone.now(),
        "waiting": counts[ViolationStatus.REPORTED] + counts[ViolationStatus.INVESTIGATING],
        "appeals": counts[ViolationStatus.APPEALED],
        "can_report": has_role(request.user, *OFFICERS),
    }
    return render(request, "credit/staff/violation_queue.html", context)


@staff_role_required(RISK_OFFICER, PLATFORM_ADMIN, OPS_MANAGER)
def report(request):
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["complaint"]:
                complaint = Complaint.objects.filter(pk=data["complaint"]).first()
                if complaint is None:
                    raise ValidationError({"complaint": [_("Unknown complaint.")]})
                violation, created = services.violation_open_from_complaint(
                    complaint=complaint,
                    actor=request.user,
                    category=data["category"],
                    severity=data["severity"],
                    description=data["description"],
                )
            else:
                merchant = Merchant.objects.filter(pk=data["merchant"]).first()
                if merchant is None:
                    raise ValidationError({"merchant": [_("Unknown merchant.")]})
                violation = services.violation_report(
                    merchant=merchant,
                    actor=request.user,
                    category=data["category"],
                    severity=data["severity"],
                    description=data["description"],
                    note=data["note"],
                    files=data["files"],
                )
                created = True
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.message)
        except PermissionDenied:
            form.add_error(
                None, _("Risk officers report violations; support supervisors open them from upheld complaints.")
            )
        else:
            if created:
                messages.success(request, _("Violation #%(id)d reported.") % {"id": violation.pk})
            else:
                messages.success(request, _("This complaint already opened violation #%(id)d.") % {"id": violation.pk})
            return redirect("credit-staff:violation", pk=violation.pk)
    return render(request, "credit/staff/violation_report.html", {"form": form})


@staff_role_required(*READERS)
def detail(request, pk):
    violation = selectors.violation_get(caller=Caller(user=request.user), pk=pk)
    now = timezone.now()
    officer = has_role(request.user, *OFFICERS)
    status = violation.status
    context = {
        "violation": violation,
        "summary": selectors.points_summary(merchant_id=violation.merchant_id, at=now),
        "history": audit_entries_for_object(obj=violation).select_related("actor_user"),
        "officer": officer,
        "can_investigate": officer and status == ViolationStatus.REPORTED,
        "can_add_evidence": officer and status in (ViolationStatus.REPORTED, ViolationStatus.INVESTIGATING),
        "can_decide": officer and status == ViolationStatus.INVESTIGATING,
        # The one who decided does not rule on the appeal.
        "can_rule": officer and status == ViolationStatus.APPEALED and violation.decided_by_id != request.user.pk,
        "ruled_by_other": status == ViolationStatus.APPEALED and violation.decided_by_id == request.user.pk,
        "can_close": officer
        and (
            status in (ViolationStatus.APPEAL_UPHELD, ViolationStatus.APPEAL_REJECTED)
            or (status == ViolationStatus.DECIDED and violation.appeal_due_at and violation.appeal_due_at < now)
        ),
        "can_settle": officer and violation.fine_status in ("owed", "refund_due"),
        "investigate_form": InvestigateForm(),
        "evidence_form": EvidenceForm(),
        "decide_form": DecideForm(initial={"severity": violation.severity}),
        "rule_form": RuleAppealForm(),
        "close_form": CloseForm(),
        "settle_form": SettleFineForm(),
    }
    return render(request, "credit/staff/violation_detail.html", context)


ACTIONS = {
    "investigate": (InvestigateForm, services.violation_investigate),
    "evidence": (EvidenceForm, services.violation_evidence_add),
    "decide": (DecideForm, services.violation_decide),
    "rule": (RuleAppealForm, services.violation_appeal_rule),
    "close": (CloseForm, services.violation_close),
    "settle": (SettleFineForm, services.violation_fine_settle),
}


@require_POST
@staff_role_required(*OFFICERS)
def act(request, pk, name):
    if name not in ACTIONS:
        raise Http404
    violation = get_object_or_404(selectors.violation_list(caller=Caller(user=request.user)), pk=pk)
    form_class, service = ACTIONS[name]
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors))
        return redirect("credit-staff:violation", pk=pk)
    try:
        service(violation=violation, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except (DomainError, PermissionDenied) as error:
        messages.error(request, getattr(error, "message", None) or _("You may not do this."))
    else:
        messages.success(request, _("Violation #%(id)d updated.") % {"id": violation.pk})
    return redirect("credit-staff:violation", pk=pk)


urlpatterns = [
    path("violations/", queue, name="violations"),
    path("violations/report/", report, name="violation-report"),
    path("violations/<int:pk>/", detail, name="violation"),
    path("violations/<int:pk>/<str:name>/", act, name="violation-act"),
]
