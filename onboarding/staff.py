"""Staff pages for review: the queue by SLA due time, the review of one application, review efficiency."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, has_role, staff_role_required
from core.errors import DomainError
from onboarding import selectors, services
from onboarding.choices import ApplicationStatus
from onboarding.forms import (
    ApproveForm,
    AssignForm,
    DateRangeForm,
    ItemDecisionForm,
    QueueFilterForm,
    RejectForm,
    RequestChangesForm,
)
from onboarding.models import Application

app_name = "onboarding-staff"
S = ApplicationStatus


reviewers_only = staff_role_required(REVIEWER, PLATFORM_ADMIN)


def _reviewers():
    return (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True, groups__name__in=[REVIEWER, PLATFORM_ADMIN])
        .distinct()
        .order_by("username")
    )


@staff_role_required(REVIEWER, OPS_MANAGER, PLATFORM_ADMIN)
def queue(request):
    form = QueueFilterForm(request.GET or None)
    waiting = [
        (S.SUBMITTED, S.SUBMITTED.label),
        (S.AUTO_CHECKING, S.AUTO_CHECKING.label),
        (S.IN_REVIEW, S.IN_REVIEW.label),
    ]
    form.fields["status"].choices = [("", _("All waiting"))] + waiting
    form.fields["assignee"].choices = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))] + [
        (str(u.pk), u.get_username()) for u in _reviewers()
    ]
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "statuses": [data["status"]] if data["status"] else None,
            "category": data["category"].code if data["category"] else None,
            "unassigned": data["assignee"] == "none",
            "assignee_id": request.user.pk
            if data["assignee"] == "me"
            else int(data["assignee"])
            if data["assignee"].isdigit()
            else None,
            "fast_track": {"yes": True, "no": False}.get(data["fast_track"]),
        }
    applications = list(selectors.review_queue(**filters)[:200])
    now = timezone.now()
    return render(
        request,
        "onboarding/staff/queue.html",
        {
            "form": form,
            "applications": applications,
            "now": now,
            "overdue": sum(1 for a in applications if a.due_at and a.due_at < now),
            "breached": sum(1 for a in applications if a.sla_breached),
        },
    )


@staff_role_required(REVIEWER, OPS_MANAGER, PLATFORM_ADMIN)
def review(request, pk):
    application = get_object_or_404(Application.objects.select_related("merchant", "assignee"), pk=pk)
    checklist = selectors.checklist(application=application)
    item_choices = [(row["key"], row["label"]) for row in checklist]
    context = {
        "application": application,
        "checks": application.checks.all(),
        "checklist": checklist,
        "timeline": application.events.all(),
        "can_decide": application.status == S.IN_REVIEW and has_role(request.user, REVIEWER, PLATFORM_ADMIN),
        "item_form": ItemDecisionForm(),
        "approve_form": ApproveForm(),
        "reject_form": RejectForm(),
        "changes_form": RequestChangesForm(items=item_choices),
        "assign_form": AssignForm(reviewers=_reviewers(), initial={"assignee": application.assignee_id}),
        "rejected_required": selectors.rejected_required_items(application=application),
    }
    return render(request, "onboarding/staff/review.html", context)


def _act(request, pk, call):
    application = get_object_or_404(Application, pk=pk)
    try:
        call(application)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("onboarding-staff:review", pk)


def _form_or_errors(request, form):
    if not form.is_valid():
        raise ValidationError([f"{field}: {' '.join(errs)}" for field, errs in form.errors.items()])
    return form.cleaned_data


@reviewers_only
@require_POST
def claim(request, pk):
    return _act(request, pk, lambda app: services.application_claim(application=app, reviewer=request.user))


@reviewers_only
@require_POST
def assign(request, pk):
    def call(app):
        data = _form_or_errors(request, AssignForm(request.POST, reviewers=_reviewers()))
        services.application_assign(application=app, assignee=data["assignee"], actor=request.user)

    return _act(request, pk, call)


@reviewers_only
@require_POST
def decide_item(request, pk):
    def call(app):
        data = _form_or_errors(request, ItemDecisionForm(request.POST))
        services.review_item_decide(application=app, reviewer=request.user, **data)

    return _act(request, pk, call)


@reviewers_only
@require_POST
def approve(request, pk):
    def call(app):
        data = _form_or_errors(request, ApproveForm(request.POST))
        services.application_approve(application=app, reviewer=request.user, **data)

    return _act(request, pk, call)


@reviewers_only
@require_POST
def reject(request, pk):
    def call(app):
        data = _form_or_errors(request, RejectForm(request.POST))
        services.application_reject(application=app, reviewer=request.user, **data)

    return _act(request, pk, call)


@reviewers_only
@require_POST
def request_changes(request, pk):
    def call(app):
        items = [(row["key"], row["label"]) for row in selectors.checklist(application=app)]
        data = _form_or_errors(request, RequestChangesForm(request.POST, items=items))
        services.application_request_changes(application=app, reviewer=request.user, **data)

    return _act(request, pk, call)


@staff_role_required(OPS_MANAGER, PLATFORM_ADMIN)
def efficiency(request):
    today = timezone.localdate()
    form = DateRangeForm(request.GET or {"start": today - timedelta(days=29), "end": today})
    report = None
    if form.is_valid():
        zone = timezone.get_current_timezone()
        start = datetime.combine(form.cleaned_data["start"], time.min, tzinfo=zone)
        end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=zone)
        report = selectors.review_efficiency(start=start, end=end)
    return render(request, "onboarding/staff/efficiency.html", {"form": form, "report": report})


urlpatterns = [
    path("queue/", queue, name="queue"),
    path("efficiency/", efficiency, name="efficiency"),
    path("applications/<int:pk>/", review, name="review"),
    path("applications/<int:pk>/claim/", claim, name="claim"),
    path("applications/<int:pk>/assign/", assign, name="assign"),
    path("applications/<int:pk>/item/", decide_item, name="decide-item"),
    path("applications/<int:pk>/approve/", approve, name="approve"),
    path("applications/<int:pk>/reject/", reject, name="reject"),
    path("applications/<int:pk>/request-changes/", request_changes, name="request-changes"),
]
