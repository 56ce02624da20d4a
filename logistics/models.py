from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from logistics.choices import CostKind, CostSource, EventCode, ExceptionKind, ExceptionStatus, ShipmentStatus

MONEY = {"max_digits": 12, "decimal_places": 2}
WEIGHT = {"max_digits": 9, "decimal_places": 3}
RATE = {"max_digits": 5, "decimal_places": 4}


class Carrier(TimeStampedModel):
    """An express carrier: the provinces it serves, its default rates and, per lane, its price table."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    regions = models.JSONField(_("provinces served"), default=list, help_text=_("Province codes such as 310000."))
    base_price = models.DecimalField(_("first-weight price"), **MONEY)
    price_per_kg = models.DecimalField(_("price per additional kg"), **MONEY)
    sla_days = models.PositiveSmallIntegerField(_("SLA (days)"))
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(
        _("demo figures"), default=False, help_text=_("Loaded defaults, not a negotiated contract.")
    )

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CarrierRate(models.Model):
    """One lane of a carrier's price table: first weight and additional weight, and the SLA."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), on_delete=models.CASCADE, related_name="rates")
    origin = models.CharField(_("origin province"), max_length=12)
    destination = models.CharField(_("destination province"), max_length=12)
    first_weight_kg = models.DecimalField(_("first weight (kg)"), default=Decimal("1"), **WEIGHT)
    first_price = models.DecimalField(_("first-weight price"), **MONEY)
    additional_price_per_kg = models.DecimalField(_("price per additional kg"), **MONEY)
    sla_days = models.PositiveSmallIntegerField(_("SLA (days)"))

    class Meta:
        verbose_name = _("carrier rate")
        verbose_name_plural = _("carrier rates")
        ordering = ["carrier_id", "origin", "destination"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "origin", "destination"], name="carrierrate_lane_unique"),
            models.CheckConstraint(condition=Q(first_weight_kg__gt=0), name="carrierrate_first_weight_positive"),
        ]
        indexes = [models.Index(fields=["origin", "destination"], name="carrierrate_lane")]

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.origin}→{self.destination}"


class CarrierQuality(models.Model):
    """A carrier's service measured from our own shipments over a window, as of one time."""

    carrier = models.ForeignKey(Carrier, verbose_name=_("carrier"), on_delete=models.CASCADE, related_name="quality")
    as_of = models.DateTimeField(_("as of"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    shipments = models.PositiveIntegerField(_("shipments"))
    delivered = models.PositiveIntegerField(_("delivered"))
    on_time_rate = models.DecimalField(_("on-time rate"), null=True, blank=True, **RATE)
    exception_rate = models.DecimalField(_("exception rate"), null=True, blank=True, **RATE)
    damage_loss_rate = models.DecimalField(_("damage and loss rate"), null=True, blank=True, **RATE)
    complaint_rate = models.DecimalField(_("complaint rate"), null=True, blank=True, **RATE)

    class Meta:
        verbose_name = _("carrier quality")
        verbose_name_plural = _("carrier quality")
        ordering = ["carrier_id", "-as_of"]
        get_latest_by = "as_of"
        indexes = [models.Index(fields=["carrier", "-as_of"], name="carrierquality_latest")]

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.as_of:%Y-%m-%d}"


class RecommendationWeights(models.Model):
    """The weights ops give price, SLA, on-time rate and exception rate in the carrier score (one row)."""

    price = models.DecimalField(_("price weight"), max_digits=5, decimal_places=2, default=Decimal("0.40"))
    sla = models.DecimalField(_("SLA weight"), max_digits=5, decimal_places=2, default=Decimal("0.25"))
    on_time = models.DecimalField(_("on-time weight"), max_digits=5, decimal_places=2, default=Decimal("0.20"))
    exception = models.DecimalField(_("exception weight"), max_digits=5, decimal_places=2, default=Decimal("0.15"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("recommendation weights")
        verbose_name_plural = _("recommendation weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0, sla__gte=0, on_time__gte=0, exception__gte=0), name="weights_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"price {self.price} · SLA {self.sla} · on-time {self.on_time} · exceptions {self.exception}"


class Shipment(TimeStampedModel):
    """An order's parcel with a carrier; its status is derived from the tracking events."""

    MERCHANT_LOOKUP = "merchant"

    # Indexed by shipment_merchant_events below, which also carries what credit scoring reads.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.PROTECT,
        related_name="shipments",
        db_index=False,
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipment"
    )
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    carrier_code = models.CharField(_("carrier code"), max_length=50)
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED
    )
    origin = models.CharField(_("origin province"), max_length=12, blank=True)
    destination = models.CharField(_("destination province"), max_length=12, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), default=Decimal("0"), **WEIGHT)
    quoted_price = models.DecimalField(_("quoted price"), null=True, blank=True, **MONEY)
    sla_days = models.PositiveSmallIntegerField(_("SLA (days)"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now, db_index=True)
    eta = models.DateTimeField(_("ETA"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    # The event that set the status (its time and rank): a newer event moves the status, an older one does not.
    status_event_at = models.DateTimeField(_("status event at"), null=True, blank=True)
    status_event_rank = models.PositiveSmallIntegerField(_("status event rank"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"),
        ]
        indexes = [
            models.Index(fields=["tracking_number"], name="shipment_tracking"),
            models.Index(fields=["status", "eta"], name="shipment_status_eta"),
            models.Index(fields=["merchant", "shipped_at"], name="shipment_merchant_shipped"),
            # A merchant's shipments with their orders and last event times, for credit scoring's tracking check.
            models.Index(
                fields=["merchant"], include=["id", "order", "last_event_at"], name="shipment_merchant_events"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_code} {self.tracking_number}"


class TrackingEvent(models.Model):
    """A scan or notice from the carrier. The same code at the same time and place is the same event."""

    MERCHANT_LOOKUP = "shipment__merchant"

    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="events")
    code = models.CharField(_("code"), max_length=20, choices=EventCode.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    location = models.CharField(_("location"), max_length=200, blank=True, default="")
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["shipment_id", "occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "code", "occurred_at", "location"], name="trackingevent_dedupe"
            ),
            models.CheckConstraint(condition=Q(code__in=EventCode.values), name="trackingevent_code_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.occurred_at:%Y-%m-%d %H:%M}"


class ShipmentException(TimeStampedModel):
    """An item in the staff exceptions queue: a shipment flagged by the detection sweep."""

    MERCHANT_LOOKUP = "merchant"

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="exceptions"
    )
    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ExceptionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        verbose_name = _("shipment exception")
        verbose_name_plural = _("shipment exceptions")
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ExceptionKind.values), name="shipmentexception_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=ExceptionStatus.values), name="shipmentexception_status_valid"
            ),
            # A shipment is flagged once per kind while the flag is open.
            models.UniqueConstraint(
                fields=["shipment", "kind"], condition=Q(status="open"), name="shipmentexception_one_open_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.shipment_id}"


class CostLine(TimeStampedModel):
    """What one order's logistics cost: transport, packaging, warehousing or last-mile delivery."""

    MERCHANT_LOOKUP = "merchant"

    merchant = models.ForeignKey(
        "merchants.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="cost_lines"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CostKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    source = models.CharField(_("source"), max_length=10, choices=CostSource.choices, default=CostSource.RECORDED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    incurred_on = models.DateField(_("incurred on"), default=timezone.localdate, db_index=True)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["-incurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CostKind.values), name="costline_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="costline_amount_not_negative"),
            # One line per order and kind: recording or importing again replaces it.
            models.UniqueConstraint(fields=["order", "kind"], name="costline_order_kind_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.amount}"
