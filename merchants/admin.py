from django.contrib import admin

from merchants import services
from merchants.models import Category, Merchant, MerchantMembership


class MembershipInline(admin.TabularInline):
    model = MerchantMembership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    """Read-only here: merchants change through their services (onboarding, API actions), which audit."""

    list_display = (
        "name",
        "legal_name",
        "uscc",
        "status",
        "kyc_status",
        "restriction_reason",
        "tier",
        "credit_score",
        "created_at",
    )
    list_filter = ("status", "kyc_status", "restriction_reason", "tier")
    search_fields = ("name", "legal_name", "uscc", "external_ref")
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh")
    search_fields = ("code", "name", "name_zh")


@admin.register(MerchantMembership)
class MerchantMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "merchant__name")
    list_select_related = ("user", "merchant")
    raw_id_fields = ("user", "merchant")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        membership = services.membership_add(
            merchant=form.cleaned_data["merchant"],
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
        obj.pk = membership.pk
