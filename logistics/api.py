"""Logistics API: thin serializers and viewsets over logistics.services and logistics.selectors."""

from datetime import timedelta
from decimal import Decimal

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import OPS_MANAGER, PLATFORM_ADMIN, SUPPORT_AGENT, Caller, has_role
from core.errors import ErrorSerializer
from core.idempotency import idempotent
from core.models import Scope
from core.permissions import CanRead, HasRole, HasScope, IsMerchantUser
from core.viewsets import ScopedModelViewSet
from logistics import selectors, services
from logistics.choices import CostKind, EventCode, ExceptionKind, ExceptionStatus, ShipmentStatus
from logistics.models import Carrier, CostLine, Shipment, ShipmentException, TrackingEvent
from logistics.recommendation import CRITERIA
from merchants.models import MerchantMembership
from merchants.selectors import merchant_get
from orders.selectors import order_get

MAX_BATCH = 1000
MAX_WEIGHT_KG = Decimal("10000")
# Carriers' clocks drift; an event stamped further ahead than this is a data error.
FUTURE_TOLERANCE = timedelta(hours=1)


class BadRequestResponse(serializers.Serializer):
    """A 400 in the one error shape, for requests whose query parameters are validated too."""

    type = serializers.ChoiceField(choices=[("validation_error", "validation_error"), ("parse_error", "parse_error")])
    errors = ErrorSerializer(many=True)


LogisticsWrite = HasScope.of(Scope.LOGISTICS_WRITE) | HasRole.of(OPS_MANAGER, PLATFORM_ADMIN)


class CanActOnLogistics(permissions.BasePermission):
    """The merchant's own people, merchant-scoped keys with `logistics:write`, and operations staff."""

    def has_permission(self, request, view) -> bool:
        caller = Caller.of(request)
        if caller.api_key is not None:
            return caller.api_key.merchant_id is not None and caller.api_key.has_scope(Scope.LOGISTICS_WRITE)
        if caller.is_staff:
            return has_role(caller.user, OPS_MANAGER, PLATFORM_ADMIN)
        return IsMerchantUser().has_permission(request, view)


def _merchant_for(request, merchant_id: int | None, *, field: str = "merchant"):
    """The merchant a request is about: the one named (if the caller may see it) or the caller's own."""
    caller = Caller.of(request)
    if merchant_id is not None:
        try:
            return merchant_get(caller=caller, pk=merchant_id)
        except Http404:
            raise exceptions.ValidationError({field: [_("Unknown merchant.")]}) from None
    if caller.api_key is not None and caller.api_key.merchant_id is not None:
        return caller.api_key.merchant
    if caller.api_key is None and not caller.is_staff:
        memberships = list(MerchantMembership.objects.filter(user=caller.user).select_related("merchant")[:2])
        if len(memberships) == 1:
            return memberships[0].merchant
    return None


# --- Carriers and the recommendation ---------------------------------------------------------


class CarrierSerializer(serializers.ModelSerializer):
    regions = serializers.ListField(child=serializers.CharField(), help_text="Province codes served.")

    class Meta:
        model = Carrier
        fields = ["code", "name", "regions", "base_price", "price_per_kg", "sla_days", "is_demo"]
        read_only_fields = fields


class RecommendQuerySerializer(serializers.Serializer):
    region = serializers.CharField(max_length=12, help_text="Destination region code (county or province).")
    weight_kg = serializers.DecimalField(
        max_digits=9, decimal_places=3, min_value=Decimal("0"), max_value=MAX_WEIGHT_KG
    )
    origin = serializers.CharField(max_length=12, required=False, help_text="Defaults to the merchant's warehouse.")
    merchant = serializers.IntegerField(min_value=1, required=False)


class ComponentsSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=6, decimal_places=4)
    sla = serializers.DecimalField(max_digits=6, decimal_places=4)
    on_time = serializers.DecimalField(max_digits=6, decimal_places=4)
    exception = serializers.DecimalField(max_digits=6, decimal_places=4)


class RecommendationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    sla_days = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    exception_rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    measured = serializers.BooleanField()
    components = ComponentsSerializer()
    score = serializers.DecimalField(max_digits=6, decimal_places=4)


class WeightsSerializer(serializers.Serializer):
    price = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))
    sla = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))
    on_time = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))
    exception = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))


class RecommendResponseSerializer(serializers.Serializer):
    origin = serializers.CharField()
    destination = serializers.CharField()
    weight_kg = serializers.DecimalField(max_digits=9, decimal_places=3)
    weights = WeightsSerializer()
    results = RecommendationSerializer(many=True)


class CarrierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Express carriers with their coverage and default rates; `recommend` ranks them for a parcel."""

    serializer_class = CarrierSerializer
    permission_classes = [CanRead]
    lookup_field = "code"
    ordering_fields = ["code", "name"]
    queryset = Carrier.objects.none()

    def get_queryset(self):
        return selectors.carrier_list()

    @extend_schema(
        parameters=[RecommendQuerySerializer],
        responses={200: RecommendResponseSerializer, "400": BadRequestResponse},
        description=(
            "Carriers serving the lane, ranked by score = Σ weight × criterion ÷ Σ weight, with criteria "
            "price (cheapest ÷ price), sla (shortest ÷ SLA), on_time (measured rate) and exception "
            "(1 − measured rate). The origin is `origin`, or the merchant's first active warehouse."
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def recommend(self, request):
        query = RecommendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fields = query.validated_data
        origin = fields.get("origin")
        if not origin:
            merchant = _merchant_for(request, fields.get("merchant"))
            origin = selectors.warehouse_region_of(merchant_id=merchant.pk) if merchant else None
            if origin is None:
                raise exceptions.ValidationError(
                    {"origin": [_("Give the origin region, or the merchant with a warehouse.")]}
                )
        ranked, weights = selectors.carrier_recommend(
            origin=origin, destination=fields["region"], weight_kg=fields["weight_kg"]
        )
        body = {
            "origin": selectors.province_of(origin),
            "destination": selectors.province_of(fields["region"]),
            "weight_kg": fields["weight_kg"],
            "weights": weights,
            "results": [
                {
                    "code": c.code,
                    "name": c.name,
                    "price": c.price,
                    "sla_days": c.sla_days,
                    "on_time_rate": c.on_time_rate,
                    "exception_rate": c.exception_rate,
                    "measured": c.measured,
                    "components": c.components,
                    "score": c.score,
                }
                for c in ranked
            ],
        }
        return Response(RecommendResponseSerializer(body).data)


class RecommendationWeightsView(APIView):
    """The weights of the carrier score. Operations managers set them."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [CanRead()]
        return [HasRole.of(OPS_MANAGER, PLATFORM_ADMIN)()]

    @extend_schema(responses={200: WeightsSerializer}, tags=["logistics"])
    def get(self, request):
        weights = services.recommendation_weights()
        return Response(WeightsSerializer({name: getattr(weights, name) for name in CRITERIA}).data)

    @extend_schema(request=WeightsSerializer, responses={200: WeightsSerializer}, tags=["logistics"])
    def put(self, request):
        data = WeightsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        weights = services.recommendation_weights_set(actor=Caller.of(request).actor, **data.validated_data)
        return Response(WeightsSerializer({name: getattr(weights, name) for name in CRITERIA}).data)


# --- Shipments and tracking events -----------------------------------------------------------


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["code", "occurred_at", "location", "description"]
        read_only_fields = fields


class ShipmentSerializer(serializers.ModelSerializer):
    carrier = serializers.CharField(source="carrier_code", help_text="The carrier's code.")
    events = TrackingEventSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "merchant",
            "order",
            "carrier",
            "tracking_number",
            "status",
            "eta",
            "events",
            "origin",
            "destination",
            "weight_kg",
            "quoted_price",
            "sla_days",
            "shipped_at",
            "last_event_at",
            "delivered_at",
        ]
        read_only_fields = fields


class EventInputSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=EventCode.choices)
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    def validate_occurred_at(self, value):
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError(_("This time is in the future."))
        return value


class BatchEventSerializer(EventInputSerializer):
    tracking_number = serializers.CharField(max_length=100)
    carrier = serializers.CharField(max_length=50, required=False, help_text="Needed when the number is ambiguous.")


class BatchSerializer(serializers.Serializer):
    events = BatchEventSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class ShipmentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ShipmentStatus.choices)
    carrier = django_filters.CharFilter(field_name="carrier_code")

    class Meta:
        model = Shipment
        fields = ["order", "merchant", "status", "carrier", "tracking_number"]


class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Parcels created when orders ship; their status follows the carrier's tracking events."""

    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilter
    ordering_fields = ["shipped_at", "eta", "last_event_at"]
    ordering = ["-shipped_at", "-id"]
    queryset = Shipment.objects.none()

    def get_queryset(self):
        return selectors.shipment_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        return [LogisticsWrite()]

    @extend_schema(
        request=EventInputSerializer,
        responses={201: ShipmentSerializer, 200: ShipmentSerializer},
        description="Record a tracking event (201), or acknowledge one already recorded (200). "
        "Events may come in any order; the status follows the latest by `occurred_at`.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def events(self, request, pk=None):
        data = EventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment = self.get_object()
        result = services.tracking_events_ingest(
            events=[{"shipment_id": shipment.pk, **data.validated_data}], actor=Caller.of(request).actor
        )
        body = ShipmentSerializer(selectors.shipment_get(caller=Caller.of(request), pk=shipment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if result["stored"] else status.HTTP_200_OK)


EVENT_CODES = frozenset(EventCode.values)
TEXT_LIMITS = {"tracking_number": 100, "carrier": 50, "location": 200, "description": 500}


def _text(item: dict, field: str, *, required: bool) -> str | None:
    value = item.get(field, None if required else "")
    if not isinstance(value, str) or "\x00" in value:
        return None
    value = value.strip()
    if (required and not value) or len(value) > TEXT_LIMITS[field]:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None
    return value


def _fast_batch(data) -> list[dict] | None:
    """What BatchSerializer accepts, checked without its per-field machinery (the hot path of carrier
    pushes); None as soon as anything is off, so that the serializer produces the errors."""
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not 0 < len(events) <= MAX_BATCH:
        return None
    latest = timezone.now() + FUTURE_TOLERANCE
    zone = timezone.get_current_timezone()
    items = []
    for item in events:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or item["code"] not in EVENT_CODES:
            return None
        raw_time = item.get("occurred_at")
        try:
            occurred_at = parse_datetime(raw_time) if isinstance(raw_time, str) else None
            if occurred_at is None:
                return None
            occurred_at = timezone.make_aware(occurred_at, zone) if timezone.is_naive(occurred_at) else occurred_at
            occurred_at = occurred_at.astimezone(zone)
        except (ValueError, OverflowError):  # well formed but no such time, or out of range
            return None
        if occurred_at > latest:
            return None
        fields = {
            "tracking_number": _text(item, "tracking_number", required=True),
            "location": _text(item, "location", required=False),
            "description": _text(item, "description", required=False),
        }
        if None in fields.values():
            return None
        if "carrier" in item:
            carrier = _text(item, "carrier", required=True)
            if carrier is None:
                return None
            fields["carrier"] = carrier
        items.append({"code": item["code"], "occurred_at": occurred_at, **fields})
    return items


class TrackingEventBatchViewSet(viewsets.ViewSet):
    """Carriers and partners push many events at once, by tracking number. All or nothing."""

    permission_classes = [LogisticsWrite]

    @extend_schema(request=BatchSerializer, responses={200: IngestResultSerializer, "400": BadRequestResponse})
    @idempotent
    def create(self, request):
        items = _fast_batch(request.data)
        if items is None:  # something is off: let the serializer say what, in its own words
            data = BatchSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            items = data.validated_data["events"]
        caller = Caller.of(request)
        found = selectors.shipments_by_tracking(caller=caller, tracking_numbers={e["tracking_number"] for e in items})
        errors, events = {}, []
        for index, item in enumerate(items):
            shipment_id = found.get((item.get("carrier", "").upper(), item["tracking_number"])) or found.get(
                item["tracking_number"]
            )
            if shipment_id is None:
                errors[f"events.{index}.tracking_number"] = [_("No shipment with this tracking number.")]
                continue
            events.append(
                {
                    "shipment_id": shipment_id,
                    **{k: item[k] for k in ("code", "occurred_at", "location", "description")},
                }
            )
        if errors:
            raise exceptions.ValidationError(errors)
        return Response(IngestResultSerializer(services.tracking_events_ingest(events=events, actor=caller.actor)).data)


# --- Exceptions queue ------------------------------------------------------------------------


class ShipmentExceptionSerializer(serializers.ModelSerializer):
    carrier = serializers.CharField(source="shipment.carrier_code")
    tracking_number = serializers.CharField(source="shipment.tracking_number")
    order = serializers.IntegerField(source="shipment.order_id")

    class Meta:
        model = ShipmentException
        fields = [
            "id",
            "merchant",
            "shipment",
            "order",
            "carrier",
            "tracking_number",
            "kind",
            "status",
            "detail",
            "detected_at",
            "resolved_at",
            "resolution_note",
        ]
        read_only_fields = fields


class ExceptionResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class ShipmentExceptionFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=ExceptionKind.choices)
    status = django_filters.ChoiceFilter(choices=ExceptionStatus.choices)

    class Meta:
        model = ShipmentException
        fields = ["merchant", "shipment", "kind", "status"]


class ShipmentExceptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """The exceptions queue: flagged shipments, resolved by staff with a note."""

    serializer_class = ShipmentExceptionSerializer
    filterset_class = ShipmentExceptionFilter
    ordering_fields = ["detected_at"]
    queryset = ShipmentException.objects.none()

    def get_queryset(self):
        return selectors.exception_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        return [HasRole.of(OPS_MANAGER, SUPPORT_AGENT, PLATFORM_ADMIN)()]

    @extend_schema(request=ExceptionResolveSerializer, responses={200: ShipmentExceptionSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = ExceptionResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.shipment_exception_resolve(item=self.get_object(), actor=request.user, **data.validated_data)
        return Response(ShipmentExceptionSerializer(self.get_queryset().get(pk=pk)).data)


# --- Cost lines, analysis and the optimisation report ----------------------------------------


class CostLineSerializer(serializers.ModelSerializer):
    order_external_id = serializers.CharField(source="order.external_id", read_only=True)

    class Meta:
        model = CostLine
        fields = [
            "id",
            "merchant",
            "order",
            "order_external_id",
            "kind",
            "amount",
            "currency",
            "source",
            "note",
            "incurred_on",
        ]
        read_only_fields = fields


class CostLineInputSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=CostKind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    incurred_on = serializers.DateField(required=False)


class CostImportRowSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=CostKind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    incurred_on = serializers.DateField(required=False)


class CostImportSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(
        min_value=1, required=False, help_text="Needed unless you act for one merchant."
    )
    rows = CostImportRowSerializer(many=True, allow_empty=False, max_length=5000)


class CostImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()


class CostLineFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="incurred_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="incurred_on", lookup_expr="lte")

    class Meta:
        model = CostLine
        fields = ["merchant", "order", "kind", "source"]


class CostLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """What each order's logistics cost; one line per order and kind (recording again replaces it)."""

    serializer_class = CostLineSerializer
    filterset_class = CostLineFilter
    ordering_fields = ["incurred_on", "amount"]
    queryset = CostLine.objects.none()

    def get_queryset(self):
        return selectors.cost_line_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        return [CanActOnLogistics()]

    @extend_schema(request=CostLineInputSerializer, responses={201: CostLineSerializer})
    @idempotent
    def create(self, request):
        data = CostLineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            order = order_get(caller=Caller.of(request), pk=fields.pop("order"))
        except Http404:
            raise exceptions.ValidationError({"order": [_("Unknown order.")]}) from None
        line = services.cost_line_record(order=order, actor=Caller.of(request).actor, **fields)
        return Response(CostLineSerializer(self.get_queryset().get(pk=line.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CostImportSerializer,
        responses={200: CostImportResultSerializer, "400": BadRequestResponse},
        description="Up to 5000 lines, for orders named by their `external_id`. All or nothing.",
    )
    @action(detail=False, methods=["post"], url_path="import")
    @idempotent
    def import_lines(self, request):
        data = CostImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merchant = _merchant_for(request, data.validated_data.get("merchant"))
        if merchant is None:
            raise exceptions.ValidationError({"merchant": [_("Name the merchant.")]})
        rows = data.validated_data["rows"]
        count = services.cost_lines_import(merchant=merchant, rows=rows, actor=Caller.of(request).actor)
        return Response({"imported": count})


class GroupSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    per_order = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class CarrierGroupSerializer(GroupSerializer):
    carrier = serializers.CharField()


class RegionGroupSerializer(GroupSerializer):
    region = serializers.CharField()


class MonthSerializer(GroupSerializer):
    month = serializers.CharField()


class KindTotalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CostKind.choices)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class CostAnalysisSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    weight_kg = serializers.DecimalField(max_digits=14, decimal_places=3)
    per_order = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    per_kg = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    by_kind = KindTotalSerializer(many=True)
    by_carrier = CarrierGroupSerializer(many=True)
    by_region = RegionGroupSerializer(many=True)
    trend = MonthSerializer(many=True)


class CostAnalysisQuerySerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class CostAnalysisView(APIView):
    """Logistics cost per order and per kg, by kind, carrier and destination province, and by month.

    Merchants see their own; staff and platform keys see the platform, or one merchant with `merchant`."""

    permission_classes = [CanRead]

    @extend_schema(
        parameters=[CostAnalysisQuerySerializer],
        responses={200: CostAnalysisSerializer, "400": BadRequestResponse},
        tags=["logistics"],
    )
    def get(self, request):
        query = CostAnalysisQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fields = query.validated_data
        merchant_id = fields.get("merchant")
        if merchant_id is not None:
            _merchant_for(request, merchant_id)
        body = selectors.cost_analysis(
            caller=Caller.of(request), merchant_id=merchant_id, since=fields.get("since"), until=fields.get("until")
        )
        return Response(CostAnalysisSerializer(body).data)


class LaneSavingsSerializer(serializers.Serializer):
    origin = serializers.CharField()
    destination = serializers.CharField()
    shipments = serializers.IntegerField()
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    optimal = serializers.DecimalField(max_digits=14, decimal_places=2)
    savings = serializers.DecimalField(max_digits=14, decimal_places=2)
    suggested_carrier = serializers.CharField(allow_null=True)


class OptimisationReportSerializer(serializers.Serializer):
    window_days = serializers.IntegerField()
    shipments = serializers.IntegerField()
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    savings = serializers.DecimalField(max_digits=14, decimal_places=2)
    lanes = LaneSavingsSerializer(many=True)


class OptimisationReportView(APIView):
    """For the last 90 days: per lane, what the cheapest carrier meeting each shipment's SLA would have cost."""

    permission_classes = [CanRead]

    @extend_schema(
        parameters=[OpenApiParameter("merchant", OpenApiTypes.INT, required=False)],
        responses={200: OptimisationReportSerializer, "400": BadRequestResponse},
        tags=["logistics"],
    )
    def get(self, request):
        query = CostAnalysisQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        merchant_id = query.validated_data.get("merchant")
        if merchant_id is not None:
            _merchant_for(request, merchant_id)
        body = selectors.optimisation_report(caller=Caller.of(request), merchant_id=merchant_id)
        return Response(OptimisationReportSerializer(body).data)
