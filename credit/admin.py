"""Staff console for the credit app. Violations are read here; every change goes through the staff pages
(/staff/credit/violations/) and credit.services."""

from django.contrib import admin

from credit.models import Violation, ViolationAppeal, ViolationEvidence, ViolationMeasure


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = ViolationEvidence
    extra = 0
    fields = ("file", "note", "file_name", "content_type", "size", "added_by_label", "appeal", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MeasureInline(EvidenceInline):
    model = ViolationMeasure
    fk_name = "violation"
    fields = ("origin", "kind", "threshold", "points_total", "starts_at", "ends_at", "lifted_at", "lift_reason")
    readonly_fields = fields


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("id", "reported_at", "merchant", "category", "severity", "source", "status", "measure",
                    "points", "decided_by", "fine_status")  # fmt: skip
    list_filter = ("status", "category", "severity", "source", "measure", "fine_status")
    list_select_related = ("merchant", "decided_by")
    search_fields = ("description", "merchant__name", "source_ref")
    date_hierarchy = "reported_at"
    inlines = [EvidenceInline, MeasureInline]


@admin.register(ViolationAppeal)
class ViolationAppealAdmin(ReadOnlyAdmin):
    list_display = ("violation", "submitted_at", "submitted_by_label", "ruling", "ruled_by", "ruled_at")
    list_filter = ("ruling",)
    list_select_related = ("violation", "ruled_by")


@admin.register(ViolationMeasure)
class ViolationMeasureAdmin(ReadOnlyAdmin):
    list_display = ("id", "merchant", "violation", "origin", "kind", "threshold", "points_total", "starts_at",
                    "ends_at", "lifted_at", "lift_reason")  # fmt: skip
    list_filter = ("origin", "kind", "lift_reason")
    list_select_related = ("merchant",)
