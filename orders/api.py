"""Orders API: thin serializers and viewsets over orders.services and orders.selectors."""

import zoneinfo

import django_filters
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, throttling
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import OPS_MANAGER, PLATFORM_ADMIN, Caller, has_role
from core.idempotency import idempotent
from core.models import Scope
from core.permissions import CanRead, HasRole, HasScope, IsMerchantUser
from core.viewsets import ScopedModelViewSet
from logistics.choices import EventCode, ShipmentStatus
from logistics.selectors import tracking_for_orders
from merchants.selectors import merchant_get
from orders import selectors, services
from orders.choices import OrderStatus, PaymentType, ReturnReason, ReturnStatus, ReturnType, ShippingPaidBy
from orders.models import Order, OrderItem, ReturnItem, ReturnPolicy, ReturnRequest, Warehouse

MAX_QUANTITY = 1_000_000


class CanActOnOrders(permissions.BasePermission):
    """The merchant's own people and merchant-scoped keys with `orders:write`, and operations staff."""

    def has_permission(self, request, view) -> bool:
        caller = Caller.of(request)
        if caller.api_key is not None:
            return caller.api_key.merchant_id is not None and caller.api_key.has_scope(Scope.ORDERS_WRITE)
        if caller.is_staff:
            return has_role(caller.user, OPS_MANAGER, PLATFORM_ADMIN)
        return IsMerchantUser().has_permission(request, view)


OrdersWriteKeyOrOps = HasScope.of(Scope.ORDERS_WRITE) | HasRole.of(OPS_MANAGER, PLATFORM_ADMIN)


def merchant_for_write(request, merchant_id: int):
    """The merchant named in a create, if the caller may act for it; otherwise it is simply unknown."""
    try:
        return merchant_get(caller=Caller.of(request), pk=merchant_id)
    except Http404:
        raise exceptions.ValidationError({"merchant": [_("Unknown merchant.")]}) from None


# --- Orders ----------------------------------------------------------------------------------


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ["sku", "name", "quantity", "unit_price", "weight_kg"]


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)
    ship_to_region = serializers.CharField(source="ship_to_region_id")
    late_to_ship = serializers.BooleanField()
    late_delivery = serializers.BooleanField()

    class Meta:
        model = Order
        fields = [
            "id",
            "merchant",
            "external_id",
            "buyer_ref",
            "status",
            "items",
            "items_total",
            "shipping_fee",
            "total",
            "refunded_amount",
            "currency",
            "payment_type",
            "payment_status",
            "ship_to_region",
            "warehouse",
            "carrier",
            "tracking_number",
            "cancel_reason",
            "placed_at",
            "confirmed_at",
            "allocated_at",
            "packed_at",
            "shipped_at",
            "delivered_at",
            "completed_at",
            "cancelled_at",
            "ship_by",
            "deliver_by",
            "time_zone",
            "late_to_ship",
            "late_delivery",
            "created_at",
        ]
        read_only_fields = fields


class OrderItemInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(max_value=MAX_QUANTITY, min_value=-MAX_QUANTITY)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    weight_kg = serializers.DecimalField(max_digits=9, decimal_places=3, required=False, default=0)


class OrderCreateSerializer(serializers.Serializer):
    merchant = serializers.IntegerField(min_value=1)
    external_id = serializers.CharField(max_length=64)
    buyer_ref = serializers.CharField(max_length=100)
    ship_to_region = serializers.CharField(max_length=12)
    items = OrderItemInputSerializer(many=True, max_length=500)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_fee = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=0)
    currency = serializers.RegexField(r"^[A-Z]{3}\Z", required=False)
    payment_type = serializers.ChoiceField(choices=PaymentType.choices, required=False, default=PaymentType.NOT_DEFINED)
    placed_at = serializers.DateTimeField(required=False)
    ship_by = serializers.DateTimeField(required=False)
    deliver_by = serializers.DateTimeField(required=False)
    time_zone = serializers.CharField(max_length=64, required=False)

    def validate_time_zone(self, value):
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(_("Unknown time zone.")) from None
        return value


class AllocateSerializer(serializers.Serializer):
    warehouse = serializers.IntegerField(min_value=1)


class ShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=50)
    tracking_number = serializers.CharField(max_length=100)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    placed_after = django_filters.IsoDateTimeFilter(field_name="placed_at", lookup_expr="gte")
    placed_before = django_filters.IsoDateTimeFilter(field_name="placed_at", lookup_expr="lt")
    late_to_ship = django_filters.BooleanFilter()
    late_delivery = django_filters.BooleanFilter()
    ship_to_region = django_filters.CharFilter(field_name="ship_to_region_id")

    class Meta:
        model = Order
        fields = ["merchant", "status", "external_id", "buyer_ref", "ship_to_region", "warehouse"]


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Orders pushed by partner systems and fulfilled by merchants. Transitions are POST actions."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    ordering_fields = ["placed_at", "created_at", "ship_by", "total"]
    ordering = ["-placed_at", "-id"]
    queryset = Order.objects.none()

    def get_queryset(self):
        return selectors.order_list(caller=Caller.of(self.request))

    def get_permissions(self):
        if self.action == "create":
            return [HasScope.of(Scope.ORDERS_WRITE)()]
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        return [CanActOnOrders()]

    @extend_schema(request=OrderCreateSerializer, responses={201: OrderSerializer})
    @idempotent
    def create(self, request):
        data = OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        merchant = merchant_for_write(request, fields.pop("merchant"))
        order = services.order_create(merchant=merchant, actor=Caller.of(request).actor, **fields)
        return Response(self._read(order.pk), status=status.HTTP_201_CREATED)

    def _read(self, pk) -> dict:
        return OrderSerializer(selectors.order_get(caller=Caller.of(self.request), pk=pk)).data

    def _transition(self, request, service, input_serializer=None, **extra):
        fields = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
        service(order=self.get_object(), actor=Caller.of(request).actor, **fields, **extra)
        return Response(self._read(self.kwargs["pk"]))

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._transition(request, services.order_confirm)

    @extend_schema(request=AllocateSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        data = AllocateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warehouse = Warehouse.objects.filter(pk=data.validated_data["warehouse"]).first()
        if warehouse is None:
            raise exceptions.ValidationError({"warehouse": [_("Unknown warehouse.")]})
        return self._transition(request, services.order_allocate, warehouse=warehouse)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def pack(self, request, pk=None):
        return self._transition(request, services.order_pack)

    @extend_schema(request=ShipSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        return self._transition(request, services.order_ship, ShipSerializer)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._transition(request, services.order_deliver)

    @extend_schema(request=None, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, services.order_complete)

    @extend_schema(request=CancelSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, services.order_cancel, CancelSerializer)


# --- Buyer lookup ----------------------------------------------------------------------------


class OrderLookupThrottle(throttling.AnonRateThrottle):
    scope = "order_lookup"

    def get_rate(self):
        return settings.ORDER_LOOKUP_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class OrderLookupRequestSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    buyer_ref = serializers.CharField(max_length=100)


class ParcelEventSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=EventCode.choices)
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField()
    description = serializers.CharField()


class ParcelSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipment_status = serializers.ChoiceField(choices=ShipmentStatus.choices, allow_null=True)
    eta = serializers.DateTimeField(allow_null=True)
    events = ParcelEventSerializer(many=True, help_text="Tracking events, oldest first.")


class OrderLookupResponseSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    parcels = ParcelSerializer(many=True)


class OrderLookupView(APIView):
    """For storefronts, without logging in: the status and tracking of a buyer's order, nothing else.

    An order split between sellers answers with one parcel per seller. Rate limited per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [OrderLookupThrottle]

    @extend_schema(
        request=OrderLookupRequestSerializer, responses={200: OrderLookupResponseSerializer}, tags=["orders"]
    )
    def post(self, request):
        data = OrderLookupRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orders = selectors.order_lookup(**data.validated_data)
        if not orders:
            raise exceptions.NotFound(_("No order with this number for this buyer."))
        shipments = tracking_for_orders([order.pk for order in orders])
        parcels = []
        for order in orders:
            shipment = shipments.get(order.pk)
            parcels.append(
                {
                    "status": order.status,
                    "carrier": order.carrier,
                    "tracking_number": order.tracking_number,
                    "shipment_status": shipment.status if shipment else None,
                    "eta": shipment.eta if shipment else None,
                    "events": list(shipment.events.all()) if shipment else [],
                }
            )
        return Response(
            OrderLookupResponseSerializer({"external_id": data.validated_data["external_id"], "parcels": parcels}).data
        )


# --- Warehouses and return policies ----------------------------------------------------------


class WarehouseSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", max_length=12)
    merchant = serializers.IntegerField(source="merchant_id", min_value=1)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    in_use = serializers.IntegerField(read_only=True, help_text="Orders allocated here and not yet shipped.")

    class Meta:
        model = Warehouse
        fields = ["id", "merchant", "name", "region", "capacity", "in_use", "is_active", "created_at"]
        read_only_fields = ["id", "in_use", "is_active", "created_at"]


class WarehouseUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    region = serializers.CharField(max_length=12, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    is_active = serializers.BooleanField(required=False)


class WarehouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    serializer_class = WarehouseSerializer
    filterset_fields = ["merchant", "is_active"]
    ordering_fields = ["name", "created_at"]
    queryset = Warehouse.objects.none()

    def get_queryset(self):
        return selectors.warehouse_list(caller=Caller.of(self.request))

    def get_permissions(self):
        return [CanRead()] if self.action in ("list", "retrieve") else [CanActOnOrders()]

    def _read(self, pk) -> dict:
        return WarehouseSerializer(selectors.warehouse_list(caller=Caller.of(self.request)).get(pk=pk)).data

    @extend_schema(request=WarehouseSerializer, responses={201: WarehouseSerializer})
    def create(self, request):
        data = WarehouseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        warehouse = services.warehouse_create(
            merchant=merchant_for_write(request, fields["merchant_id"]),
            name=fields["name"],
            region=fields["region_id"],
            capacity=fields["capacity"],
            actor=Caller.of(request).actor,
        )
        return Response(self._read(warehouse.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=WarehouseUpdateSerializer, responses={200: WarehouseSerializer})
    def partial_update(self, request, pk=None):
        data = WarehouseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.warehouse_update(warehouse=self.get_object(), actor=Caller.of(request).actor, **data.validated_data)
        return Response(self._read(pk))


class ReturnPolicySerializer(serializers.ModelSerializer):
    merchant = serializers.IntegerField(source="merchant_id", min_value=1)
    window_days = serializers.IntegerField(min_value=0, max_value=365)
    return_shipping_paid_by = serializers.ChoiceField(choices=ShippingPaidBy.choices)
    restocking_fee_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)

    class Meta:
        model = ReturnPolicy
        fields = ["id", "merchant", "window_days", "return_shipping_paid_by", "restocking_fee_percent", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class ReturnPolicyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Each merchant's return terms. POST sets them (creating or replacing the merchant's policy)."""

    serializer_class = ReturnPolicySerializer
    filterset_fields = ["merchant"]
    queryset = ReturnPolicy.objects.none()

    def get_queryset(self):
        return selectors.return_policy_list(caller=Caller.of(self.request))

    def get_permissions(self):
        return [CanRead()] if self.action in ("list", "retrieve") else [CanActOnOrders()]

    @extend_schema(request=ReturnPolicySerializer, responses={200: ReturnPolicySerializer})
    def create(self, request):
        data = ReturnPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        policy = services.return_policy_set(
            merchant=merchant_for_write(request, fields.pop("merchant_id")), actor=Caller.of(request).actor, **fields
        )
        return Response(ReturnPolicySerializer(policy).data)


# --- Returns ---------------------------------------------------------------------------------


class ReturnItemSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="order_item.sku", read_only=True)

    class Meta:
        model = ReturnItem
        fields = ["order_item", "sku", "quantity"]


class ReturnRequestSerializer(serializers.ModelSerializer):
    items = ReturnItemSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "order",
            "type",
            "reason",
            "description",
            "evidence",
            "status",
            "items",
            "items_value",
            "restocking_fee",
            "return_shipping_paid_by",
            "refund_amount",
            "decision_note",
            "created_at",
            "decided_at",
            "item_received_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields


class ReturnItemInputSerializer(serializers.Serializer):
    order_item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class ReturnCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ReturnType.choices)
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    description = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, default=list, max_length=20
    )
    items = ReturnItemInputSerializer(many=True, max_length=500)


class ReturnApproveSerializer(serializers.Serializer):
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class ReturnRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RefundSerializer(serializers.Serializer):
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=0)


class ReturnFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReturnStatus.choices)

    class Meta:
        model = ReturnRequest
        fields = ["status", "type", "reason"]


class ReturnRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    """Returns, exchanges and refund-only requests on one order."""

    serializer_class = ReturnRequestSerializer
    filterset_class = ReturnFilter
    ordering_fields = ["created_at"]
    queryset = ReturnRequest.objects.none()

    def check_permissions(self, request):
        # Another merchant's order does not exist, for its returns list and create as well.
        if request.user and request.user.is_authenticated:
            self.order = selectors.order_get(caller=Caller.of(request), pk=self.kwargs["order_pk"])
        super().check_permissions(request)

    def get_queryset(self):
        return selectors.return_list(caller=Caller.of(self.request), order_id=self.kwargs.get("order_pk"))

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [CanRead()]
        if self.action == "create":
            return [OrdersWriteKeyOrOps()]
        return [CanActOnOrders()]

    def _read(self, pk) -> dict:
        return ReturnRequestSerializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(request=ReturnCreateSerializer, responses={201: ReturnRequestSerializer})
    @idempotent
    def create(self, request, order_pk=None):
        data = ReturnCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        request_ = services.return_request_create(
            order=self.order, actor=Caller.of(request).actor, **data.validated_data
        )
        return Response(self._read(request_.pk), status=status.HTTP_201_CREATED)

    def _transition(self, request, service, input_serializer=None):
        fields = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
        service(request=self.get_object(), actor=Caller.of(request).actor, **fields)
        return Response(self._read(self.kwargs["pk"]))

    @extend_schema(request=ReturnApproveSerializer, responses={200: ReturnRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, order_pk=None, pk=None):
        return self._transition(request, services.return_approve, ReturnApproveSerializer)

    @extend_schema(request=ReturnRejectSerializer, responses={200: ReturnRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, order_pk=None, pk=None):
        return self._transition(request, services.return_reject, ReturnRejectSerializer)

    @extend_schema(request=None, responses={200: ReturnRequestSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request, order_pk=None, pk=None):
        return self._transition(request, services.return_receive)

    @extend_schema(request=RefundSerializer, responses={200: ReturnRequestSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request, order_pk=None, pk=None):
        return self._transition(request, services.return_refund, RefundSerializer)

    @extend_schema(request=None, responses={200: ReturnRequestSerializer})
    @action(detail=True, methods=["post"])
    def exchange(self, request, order_pk=None, pk=None):
        return self._transition(request, services.return_exchange)

    @extend_schema(request=None, responses={200: ReturnRequestSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, order_pk=None, pk=None):
        return self._transition(request, services.return_close)
