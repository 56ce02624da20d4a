from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Region, TimeStampedModel
from orders.choices import (
    OrderStatus,
    PaymentStatus,
    PaymentType,
    ReturnReason,
    ReturnStatus,
    ReturnType,
    ShippingPaidBy,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


class Warehouse(TimeStampedModel):
    """A merchant's warehouse or production line; `capacity` is how many orders it holds unshipped at once."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="warehouses"
    )
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), to_field="code", on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "name"], name="warehouse_merchant_name_unique"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="warehouse_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Order(TimeStampedModel):
    MERCHANT_LOOKUP = "merchant"

    # Indexed by the unique (merchant, external_id) constraint, whose first column it is.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    external_id = models.CharField(_("external id"), max_length=64)
    buyer_ref = models.CharField(_("buyer reference"), max_length=100)
    # A plain index (in Meta): region codes are matched whole, never with LIKE.
    ship_to_region = models.ForeignKey(
        Region,
        verbose_name=_("ship-to region"),
        to_field="code",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    items_total = models.DecimalField(_("items total"), **MONEY)
    shipping_fee = models.DecimalField(_("shipping fee"), default=Decimal("0.00"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    refunded_amount = models.DecimalField(_("refunded"), default=Decimal("0.00"), **MONEY)
    payment_type = models.CharField(
        _("payment type"), max_length=20, choices=PaymentType.choices, default=PaymentType.NOT_DEFINED
    )
    payment_status = models.CharField(
        _("payment status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PAID
    )
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated at"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    deliver_by = models.DateTimeField(_("deliver by"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "external_id"], name="order_merchant_external_id_unique"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        indexes = [
            models.Index(fields=["merchant", "status", "placed_at"], name="order_merchant_status_placed"),
            models.Index(fields=["external_id", "buyer_ref"], name="order_lookup"),
            # Credit scoring's window (a merchant's orders placed in [T - W, T)) read from the index alone.
            models.Index(
                fields=["merchant", "placed_at"],
                include=["id", "status", "shipped_at", "ship_by", "delivered_at", "deliver_by", "time_zone"],
                name="order_merchant_window",
            ),
            models.Index(fields=["ship_to_region"], name="order_ship_to_region"),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderItem(models.Model):
    MERCHANT_LOOKUP = "order__merchant"

    # Indexed by the unique constraint that starts with it.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="items", db_index=False
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    sku = models.CharField(_("SKU"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=9, decimal_places=3, default=Decimal("0"))

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orderitem_order_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderitem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class OrderPayment(models.Model):
    # Indexed by the unique constraint that starts with it.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments", db_index=False
    )
    sequential = models.PositiveSmallIntegerField(_("sequence"))
    payment_type = models.CharField(_("payment type"), max_length=20, choices=PaymentType.choices)
    installments = models.PositiveSmallIntegerField(_("installments"), default=1)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("order payment")
        verbose_name_plural = _("order payments")
        ordering = ["order_id", "sequential"]
        constraints = [models.UniqueConstraint(fields=["order", "sequential"], name="orderpayment_order_seq_unique")]

    def __str__(self) -> str:
        return f"{self.payment_type} {self.amount}"


class OrderReview(models.Model):
    """A buyer's review of an order; credit scoring reads the scores."""

    # Indexed by orderreview_order_score below, which also carries what credit scoring reads.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="reviews", db_index=False
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    score = models.PositiveSmallIntegerField(_("score"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order review")
        verbose_name_plural = _("order reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="orderreview_score_range"),
            models.UniqueConstraint(
                fields=["order", "external_id"], condition=~Q(external_id=""), name="orderreview_order_external_unique"
            ),
        ]
        indexes = [models.Index(fields=["order"], include=["score", "created_at"], name="orderreview_order_score")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.score}"


class ReturnPolicy(TimeStampedModel):
    """A merchant's terms for returns; merchants without one get the defaults (7 days, buyer pays, no fee)."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.OneToOneField(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="return_policy"
    )
    window_days = models.PositiveSmallIntegerField(_("return window (days)"), default=7)
    return_shipping_paid_by = models.CharField(
        _("return shipping paid by"), max_length=10, choices=ShippingPaidBy.choices, default=ShippingPaidBy.BUYER
    )
    restocking_fee_percent = models.DecimalField(
        _("restocking fee (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("return policy")
        verbose_name_plural = _("return policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(restocking_fee_percent__gte=0, restocking_fee_percent__lte=100),
                name="returnpolicy_fee_range",
            ),
            models.CheckConstraint(
                condition=Q(return_shipping_paid_by__in=ShippingPaidBy.values), name="returnpolicy_paid_by_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.window_days} days"


class ReturnRequest(TimeStampedModel):
    MERCHANT_LOOKUP = "order__merchant"

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns")
    type = models.CharField(_("type"), max_length=12, choices=ReturnType.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ReturnReason.choices)
    description = models.TextField(_("description"), blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    items_value = models.DecimalField(_("value of the items"), **MONEY)
    restocking_fee = models.DecimalField(_("restocking fee"), default=Decimal("0.00"), **MONEY)
    return_shipping_paid_by = models.CharField(
        _("return shipping paid by"), max_length=10, choices=ShippingPaidBy.choices
    )
    refund_amount = models.DecimalField(_("refund amount"), null=True, blank=True, **MONEY)
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    item_received_at = models.DateTimeField(_("item received at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="return_status_valid"),
            models.CheckConstraint(condition=Q(type__in=ReturnType.values), name="return_type_valid"),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0), name="return_refund_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} #{self.pk} ({self.order_id})"


class ReturnItem(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, verbose_name=_("return request"), on_delete=models.CASCADE, related_name="items"
    )
    order_item = models.ForeignKey(OrderItem, verbose_name=_("order item"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("returned item")
        verbose_name_plural = _("returned items")
        constraints = [
            models.UniqueConstraint(fields=["return_request", "order_item"], name="returnitem_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="returnitem_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_item_id} × {self.quantity}"
