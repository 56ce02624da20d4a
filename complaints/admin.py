"""Staff console for complaints: work queues (mine, unassigned, supervisor), disputes, SLA settings and
the analytics page. Writes go through complaints.services."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError as ApiValidationError

from complaints import selectors, services
from complaints.choices import OPEN_STATUSES
from complaints.models import CategoryCorrection, CategorySla, Complaint, ComplaintEvidence, Dispute, PayoutHold
from core.errors import DomainError


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (
            ("mine", _("My open cases")),
            ("unassigned", _("Waiting for an agent")),
            ("supervisor", _("Supervisor queue (SLA breached)")),
            ("merchant_overdue", _("Merchant response overdue")),
        )

    def queryset(self, request, queryset):
        open_cases = queryset.filter(status__in=OPEN_STATUSES)
        value = self.value()
        if value == "mine":
            return open_cases.filter(assigned_to=request.user)
        if value == "unassigned":
            return open_cases.filter(acknowledged_at__isnull=True)
        if value == "supervisor":
            return open_cases.filter(supervisor_escalated_at__isnull=False)
        if value == "merchant_overdue":
            return open_cases.filter(merchant_responded_at__isnull=True, merchant_response_due_at__lt=timezone.now())
        return queryset


class EvidenceInline(admin.TabularInline):
    model = ComplaintEvidence
    extra = 0
    can_delete = False
    fields = ("kind", "data", "file", "content_type", "size", "added_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "received_at",
        "merchant",
        "category",
        "urgency",
        "channel",
        "status",
        "assigned_to",
        "due_at",
        "supervisor_escalated_at",
        "outcome",
        "rating",
    )
    list_filter = (QueueFilter, "status", "category", "urgency", "channel", "outcome")
    search_fields = ("description", "complainant_ref", "order__external_id")
    list_select_related = ("merchant", "assigned_to")
    date_hierarchy = "received_at"
    raw_id_fields = ("merchant", "order", "assigned_to")
    inlines = [EvidenceInline]
    actions = ["assign_to_me", "close_cases"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Complaint._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, call, done_message):
        done = 0
        for complaint in queryset:
            try:
                call(complaint)
                done += 1
            except (DomainError, ValidationError, ApiValidationError) as error:
                messages.error(request, f"#{complaint.pk}: {getattr(error, 'message', error)}")
        if done:
            messages.success(request, done_message % {"count": done})

    @admin.action(description=_("Take the selected cases (acknowledge)"))
    def assign_to_me(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.complaint_assign(complaint=c, actor=request.user, agent=request.user),
            _("%(count)d cases assigned to you."),
        )

    @admin.action(description=_("Close the selected resolved cases"))
    def close_cases(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.complaint_close(complaint=c, actor=request.user),
            _("%(count)d cases closed."),
        )

    def get_urls(self):
        return [
            path("analytics/", self.admin_site.admin_view(self.analytics_view), name="complaints_analytics"),
            *super().get_urls(),
        ]

    def analytics_view(self, request):
        from complaints.api import analytics_params

        query = request.GET.dict()
        try:
            params = analytics_params(query)
        except ApiValidationError:
            params = analytics_params({})
        figures = selectors.complaint_analytics(**params)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Complaint analytics"),
            "figures": figures,
            "params": params,
            "default_since": (timezone.now() - timedelta(days=90)).date(),
        }
        return TemplateResponse(request, "complaints/admin_analytics.html", context)


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "merchant",
        "stage",
        "stage_due_at",
        "amount",
        "mediator",
        "arbitrator",
        "outcome",
    )
    list_filter = ("stage", "outcome", "decided_by_default")
    list_select_related = ("merchant", "mediator", "arbitrator")
    raw_id_fields = ("complaint", "merchant", "mediator", "arbitrator")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dispute._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayoutHold)
class PayoutHoldAdmin(admin.ModelAdmin):
    list_display = ("merchant", "dispute", "amount", "currency", "created_at", "released_at")
    list_filter = ("released_at",)
    list_select_related = ("merchant", "dispute")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PayoutHold._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CategoryCorrection)
class CategoryCorrectionAdmin(admin.ModelAdmin):
    list_display = ("complaint", "from_category", "to_category", "corrected_by", "created_at")
    list_select_related = ("corrected_by",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CategoryCorrection._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CategorySla)
class CategorySlaAdmin(admin.ModelAdmin):
    list_display = ("category", "acknowledge_hours", "resolve_hours")
