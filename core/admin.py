from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core import services
from core.models import ApiKey, AuditEntry, Scope


class MerchantIdFilter(admin.SimpleListFilter):
    """Filter the audit log by merchant id, typed in (there are too many merchants for a list)."""

    title = _("merchant id")
    parameter_name = "merchant_id"
    template = "core/input_filter.html"

    def lookups(self, request, model_admin):
        return ((self.value() or "", self.value() or ""),)

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(merchant_id=int(value))
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "action", "object_type", "object_id", "merchant_id", "ip_address")
    list_filter = (MerchantIdFilter, "action", "actor_type", "object_type")
    search_fields = ("actor_label", "object_id", "reason")
    date_hierarchy = "created_at"
    list_select_related = ()
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiKeyCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "merchant"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "scopes", "merchant", "is_active", "last_used_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix")
    list_select_related = ("merchant",)
    autocomplete_fields = ()
    raw_id_fields = ("merchant",)
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("name", "prefix", "scopes", "merchant", "is_active", "last_used_at", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "scopes", "merchant")
        return self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        key, raw = services.api_key_create(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            merchant_id=form.cleaned_data["merchant"].pk if form.cleaned_data["merchant"] else None,
            actor=request.user,
        )
        obj.pk = key.pk
        messages.warning(request, _("The key is shown once; store it now: %(key)s") % {"key": raw})

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            services.api_key_revoke(key=key, actor=request.user, reason="revoked in the staff console")
        messages.success(request, _("Keys revoked."))
