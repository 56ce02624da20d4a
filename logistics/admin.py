"""Staff console: carriers and their price tables, measured quality, weights, shipments, the exceptions queue."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.access import Caller
from core.errors import DomainError
from logistics import selectors, services
from logistics.models import (
    Carrier,
    CarrierQuality,
    CarrierRate,
    CostLine,
    RecommendationWeights,
    Shipment,
    ShipmentException,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "base_price", "price_per_kg", "sla_days", "is_active", "is_demo"]
    list_filter = ["is_active", "is_demo"]
    search_fields = ["code", "name"]


@admin.register(CarrierRate)
class CarrierRateAdmin(admin.ModelAdmin):
    list_display = [
        "carrier",
        "origin",
        "destination",
        "first_weight_kg",
        "first_price",
        "additional_price_per_kg",
        "sla_days",
    ]
    list_filter = ["carrier"]
    search_fields = ["origin", "destination"]
    list_select_related = ["carrier"]


@admin.register(CarrierQuality)
class CarrierQualityAdmin(ReadOnlyAdmin):
    list_display = [
        "carrier",
        "as_of",
        "shipments",
        "on_time_rate",
        "exception_rate",
        "damage_loss_rate",
        "complaint_rate",
    ]
    list_filter = ["carrier"]
    list_select_related = ["carrier"]


class WeightsForm(forms.ModelForm):
    class Meta:
        model = RecommendationWeights
        fields = ["price", "sla", "on_time", "exception"]

    def clean(self):
        data = super().clean()
        values = [data.get(name) for name in self.Meta.fields]
        if any(value is not None and value < 0 for value in values):
            raise forms.ValidationError(_("Weights are not negative."))
        if all(value is not None for value in values) and sum(values) <= 0:
            raise forms.ValidationError(_("At least one weight must be positive."))
        return data


@admin.register(RecommendationWeights)
class RecommendationWeightsAdmin(admin.ModelAdmin):
    form = WeightsForm
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        return not RecommendationWeights.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.recommendation_weights_set(
            price=obj.price, sla=obj.sla, on_time=obj.on_time, exception=obj.exception, actor=request.user
        )


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_number",
        "carrier_code",
        "merchant",
        "order",
        "status",
        "shipped_at",
        "eta",
        "last_event_at",
    ]
    list_filter = ["status", "carrier_code"]
    search_fields = ["tracking_number", "order__external_id"]
    list_select_related = ["merchant", "order"]


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Resolution note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


@admin.register(ShipmentException)
class ShipmentExceptionAdmin(ReadOnlyAdmin):
    """The exceptions queue; an item is resolved with a note through the service."""

    list_display = ["detected_at", "kind", "status", "merchant", "shipment", "detail", "resolve_link"]
    list_filter = ["status", "kind"]
    search_fields = ["shipment__tracking_number"]
    list_select_related = ["merchant", "shipment"]
    ordering = ["status", "-detected_at"]

    @admin.display(description=_("Resolve"))
    def resolve_link(self, obj):
        if obj.status != "open":
            return "—"
        url = reverse("admin:logistics_shipmentexception_resolve", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Resolve"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="logistics_shipmentexception_resolve",
            ),
            *super().get_urls(),
        ]

    def resolve_view(self, request, pk):
        if not request.user.has_perm("logistics.change_shipmentexception"):
            return redirect("admin:logistics_shipmentexception_changelist")
        item = get_object_or_404(ShipmentException.objects.select_related("shipment", "merchant"), pk=pk)
        form = ResolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.shipment_exception_resolve(item=item, actor=request.user, note=form.cleaned_data["note"])
            except (DomainError, ValidationError) as error:
                messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
            else:
                messages.success(request, _("Exception resolved."))
            return redirect("admin:logistics_shipmentexception_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Resolve exception"),
            "item": item,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "logistics/admin_resolve.html", context)


@admin.register(CostLine)
class CostLineAdmin(ReadOnlyAdmin):
    """Cost lines, and the platform-wide cost analysis and savings report at `analysis/`."""

    list_display = ["order", "merchant", "kind", "amount", "currency", "source", "incurred_on"]
    list_filter = ["kind", "source"]
    search_fields = ["order__external_id"]
    list_select_related = ["order", "merchant"]

    def get_urls(self):
        return [
            path("analysis/", self.admin_site.admin_view(self.analysis_view), name="logistics_costline_analysis"),
            *super().get_urls(),
        ]

    def analysis_view(self, request):
        if not request.user.has_perm("logistics.view_costline"):
            return redirect("admin:index")
        caller = Caller(user=request.user)
        merchant_id = request.GET.get("merchant", "")
        merchant_id = int(merchant_id) if merchant_id.isdigit() else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Logistics cost analysis"),
            "opts": self.model._meta,
            "analysis": selectors.cost_analysis(caller=caller, merchant_id=merchant_id),
            "report": selectors.optimisation_report(caller=caller, merchant_id=merchant_id),
            "exceptions": None,
            "merchant_id": merchant_id,
        }
        return render(request, "logistics/admin_costs.html", context)
