from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")


class EventCode(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    RETURNED = "returned", _("Returned to sender")
    DELAYED = "delayed", _("Delayed")


# The status an event puts the shipment in; `delayed` is a notice and leaves the status as it was.
EVENT_STATUS = {
    EventCode.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    EventCode.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY,
    EventCode.DELIVERED: ShipmentStatus.DELIVERED,
    EventCode.LOST: ShipmentStatus.EXCEPTION,
    EventCode.DAMAGED: ShipmentStatus.EXCEPTION,
    EventCode.RETURNED: ShipmentStatus.EXCEPTION,
}
# Events stamped with the same time are read in the parcel's natural order.
EVENT_RANK = {
    EventCode.IN_TRANSIT: 1,
    EventCode.DELAYED: 2,
    EventCode.OUT_FOR_DELIVERY: 3,
    EventCode.DELIVERED: 4,
    EventCode.LOST: 5,
    EventCode.DAMAGED: 5,
    EventCode.RETURNED: 5,
}
EXCEPTION_EVENTS = (EventCode.LOST, EventCode.DAMAGED, EventCode.RETURNED)
DAMAGE_OR_LOSS_EVENTS = (EventCode.LOST, EventCode.DAMAGED)
OPEN_SHIPMENT_STATUSES = (ShipmentStatus.CREATED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY)


class ExceptionKind(models.TextChoices):
    STALLED = "stalled", _("No tracking event")
    PAST_ETA = "past_eta", _("Past its ETA")
    LOST = "lost", _("Lost")
    DAMAGED = "damaged", _("Damaged")
    RETURNED = "returned", _("Returned to sender")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class CostKind(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    PACKAGING = "packaging", _("Packaging")
    WAREHOUSING = "warehousing", _("Warehousing")
    DELIVERY = "delivery", _("Delivery")


class CostSource(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    IMPORTED = "imported", _("Imported")


EXCEPTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ExceptionStatus.OPEN: frozenset({ExceptionStatus.RESOLVED}),
    ExceptionStatus.RESOLVED: frozenset(),
}
