from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from complaints.api import ComplaintAnalyticsView, ComplaintViewSet, DisputeViewSet
from core.api import RegionViewSet, TokenView, WebhookDeliveryViewSet, WebhookEndpointViewSet
from core.health import healthz
from credit.api import CreditScoreViewSet
from credit.api.consequences import CreditConsequenceViewSet
from credit.api.detection import SuspicionFlagViewSet
from credit.api.insights import PeerComparisonView, ScoreDistributionView
from credit.api.records import ExternalRecordViewSet
from credit.api.violations import ComplaintViolationViewSet, ViolationViewSet
from logistics.api import (
    CarrierViewSet,
    CostAnalysisView,
    CostLineViewSet,
    OptimisationReportView,
    RecommendationWeightsView,
    ShipmentExceptionViewSet,
    ShipmentViewSet,
    TrackingEventBatchViewSet,
)
from merchants.api import CategoryViewSet, MerchantViewSet, RegisterView
from onboarding.api import AgreementViewSet, ApplicationViewSet
from orders.api import OrderLookupView, OrderViewSet, ReturnPolicyViewSet, ReturnRequestViewSet, WarehouseViewSet
from profiles.api import ChangeRequestViewSet, ProfileViewSet, ReverificationRoundViewSet, ReverificationTaskViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# Routes with a fixed word must come before the merchant detail route.
router.register("merchants/categories", CategoryViewSet, basename="category")
router.register(
    r"merchants/(?P<merchant_pk>[^/.]+)/change-requests", ChangeRequestViewSet, basename="merchant-change-request"
)
router.register("merchants", MerchantViewSet, basename="merchant")
router.register("reverification/rounds", ReverificationRoundViewSet, basename="reverification-round")
router.register("reverification/tasks", ReverificationTaskViewSet, basename="reverification-task")
# Fixed words under orders/ come before the order detail route.
router.register("orders/warehouses", WarehouseViewSet, basename="warehouse")
router.register("orders/return-policies", ReturnPolicyViewSet, basename="return-policy")
router.register(r"orders/(?P<order_pk>[^/.]+)/returns", ReturnRequestViewSet, basename="order-return")
router.register("orders", OrderViewSet, basename="order")
# Fixed words under complaints/ come before the complaint detail route.
router.register("complaints/disputes", DisputeViewSet, basename="dispute")
router.register("complaints", ComplaintViewSet, basename="complaint")
# POST complaints/{id}/open-violation/: the credit app's action on a complaint.
router.register("complaints", ComplaintViolationViewSet, basename="complaint-violation")
router.register("logistics/carriers", CarrierViewSet, basename="carrier")
router.register("logistics/shipments", ShipmentViewSet, basename="shipment")
router.register("logistics/tracking-events", TrackingEventBatchViewSet, basename="tracking-event")
router.register("logistics/exceptions", ShipmentExceptionViewSet, basename="shipment-exception")
router.register("logistics/cost-lines", CostLineViewSet, basename="cost-line")
router.register("credit/scores", CreditScoreViewSet, basename="credit-score")
router.register("credit/violations", ViolationViewSet, basename="violation")
router.register("credit/consequences", CreditConsequenceViewSet, basename="credit-consequence")
router.register("credit/external-records", ExternalRecordViewSet, basename="external-record")
router.register("credit/suspicion-flags", SuspicionFlagViewSet, basename="suspicion-flag")
router.register("regions", RegionViewSet, basename="region")
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("onboarding/applications", ApplicationViewSet, basename="application")
router.register("onboarding/agreements", AgreementViewSet, basename="agreement")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/register/", RegisterView.as_view(), name="auth-register"),
    path("orders/lookup/", OrderLookupView.as_view(), name="order-lookup"),
    path("complaints/analytics/", ComplaintAnalyticsView.as_view(), name="complaint-analytics"),
    re_path(
        r"^merchants/(?P<merchant_pk>[^/.]+)/profile/$",
        ProfileViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="merchant-profile",
    ),
    re_path(
        r"^merchants/(?P<merchant_pk>[^/.]+)/profile/reveal/$",
        ProfileViewSet.as_view({"post": "reveal"}),
        name="merchant-profile-reveal",
    ),
    path("logistics/recommendation-weights/", RecommendationWeightsView.as_view(), name="recommendation-weights"),
    path("logistics/cost-analysis/", CostAnalysisView.as_view(), name="cost-analysis"),
    path("logistics/optimisation-report/", OptimisationReportView.as_view(), name="optimisation-report"),
    path("credit/distribution/", ScoreDistributionView.as_view(), name="credit-distribution"),
    path("credit/peer-comparison/", PeerComparisonView.as_view(), name="credit-peer-comparison"),
    *router.urls,
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("portal/orders/", include("orders.portal")),
    path("portal/onboarding/", include("onboarding.portal")),
    path("portal/notifications/", include("core.portal")),
    path("portal/complaints/", include("complaints.portal")),
    path("portal/merchant-info/", include("profiles.portal")),
    path("portal/logistics/", include("logistics.portal")),
    path("portal/credit/", include("credit.portal")),
    path("portal/", include("merchants.portal")),
    path("staff/merchant-info/", include("profiles.staff")),
    path("staff/onboarding/", include("onboarding.staff")),
    path("staff/credit/", include("credit.staff")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

admin.site.site_header = "MerchantOps"
admin.site.site_title = "MerchantOps"
