"""Staff console for onboarding: read the applications (decisions happen on the review pages, through
services), keep the blacklist, the agreements and the category requirements."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onboarding import services
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    Application,
    BlacklistEntry,
    CategoryRequirement,
    Document,
    ReviewCheck,
    ReviewItem,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ("doc_type", "number", "issued_on", "expires_on", "content_type", "size", "sha256")
    readonly_fields = fields


class CheckInline(ReadOnlyInline):
    model = ReviewCheck
    fields = ("code", "subject", "result", "detail", "checked_at")
    readonly_fields = fields


class ReviewItemInline(ReadOnlyInline):
    model = ReviewItem
    fields = ("item", "decision", "note", "reviewer", "decided_at")
    readonly_fields = fields


class AcceptanceInline(ReadOnlyInline):
    model = AgreementAcceptance
    fields = ("agreement", "user", "accepted_at", "ip_address")
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "store_name",
        "merchant",
        "status",
        "due_at",
        "sla_breached",
        "fast_track",
        "assignee",
        "submitted_at",
        "review_link",
    )
    list_filter = ("status", "fast_track", "sla_breached", "categories")
    search_fields = ("store_name", "merchant__legal_name", "merchant__uscc")
    list_select_related = ("merchant", "assignee")
    date_hierarchy = "created_at"
    inlines = [DocumentInline, CheckInline, ReviewItemInline, AcceptanceInline]
    actions = ["rerun_checks"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Application._meta.fields] + ["categories"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("review"))
    def review_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("onboarding-staff:review", args=[obj.pk]), _("Review"))

    @admin.action(description=_("Run the automatic checks again"), permissions=["view"])
    def rerun_checks(self, request, queryset):
        ran = sum(1 for app in queryset if services.application_checks_run(application_id=app.pk))
        messages.success(request, _("Checks ran for %(count)d application(s).") % {"count": ran})


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Agreements are never edited: a change is a new version, which applicants accept before they submit."""

    list_display = ("title", "kind", "version", "published_at")
    list_filter = ("kind",)
    fields = ("kind", "title", "body")

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "version", "title", "body", "published_at") if obj else ()

    def get_fields(self, request, obj=None):
        return ("kind", "version", "title", "body", "published_at") if obj else self.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        agreement = services.agreement_publish(
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            actor=request.user,
        )
        obj.pk = agreement.pk


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "source", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("value", "reason", "source")
    fields = ("kind", "value", "reason", "source")
    actions = ["deactivate"]

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "value", "reason", "source", "is_active") if obj else ()

    def get_fields(self, request, obj=None):
        return ("kind", "value", "reason", "source", "is_active") if obj else self.fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        entry = services.blacklist_entry_add(actor=request.user, **form.cleaned_data)
        obj.pk = entry.pk

    @admin.action(description=_("Deactivate the selected entries"), permissions=["change"])
    def deactivate(self, request, queryset):
        for entry in queryset:
            services.blacklist_entry_deactivate(
                entry=entry, actor=request.user, reason="deactivated in the staff console"
            )
        messages.success(request, _("Entries deactivated."))


@admin.register(CategoryRequirement)
class CategoryRequirementAdmin(admin.ModelAdmin):
    list_display = ("category", "doc_type")
    list_filter = ("doc_type", "category")
    list_select_related = ("category",)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        requirement = services.category_requirement_add(
            category=form.cleaned_data["category"], doc_type=form.cleaned_data["doc_type"], actor=request.user
        )
        obj.pk = requirement.pk

    def delete_model(self, request, obj):
        services.category_requirement_remove(requirement=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for requirement in queryset.select_related("category"):
            services.category_requirement_remove(requirement=requirement, actor=request.user)
