from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    ALLOCATED = "allocated", _("Allocated")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.ALLOCATED, S.CANCELLED}),
    S.ALLOCATED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
# The timestamp field each status sets when an order enters it.
ORDER_TIMESTAMPS = {
    S.CONFIRMED: "confirmed_at",
    S.ALLOCATED: "allocated_at",
    S.PACKED: "packed_at",
    S.SHIPPED: "shipped_at",
    S.DELIVERED: "delivered_at",
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
}
# Orders still to be handed to the carrier: they count against a warehouse's capacity once allocated.
OPEN_IN_WAREHOUSE = (S.ALLOCATED, S.PACKED)


class PaymentType(models.TextChoices):
    CREDIT_CARD = "credit_card", _("Credit card")
    DEBIT_CARD = "debit_card", _("Debit card")
    BOLETO = "boleto", _("Boleto")
    VOUCHER = "voucher", _("Voucher")
    ALIPAY = "alipay", _("Alipay")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH_ON_DELIVERY = "cash_on_delivery", _("Cash on delivery")
    NOT_DEFINED = "not_defined", _("Not defined")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class ReturnType(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND_ONLY = "refund_only", _("Refund only")


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Arrived damaged")
    DEFECTIVE = "defective", _("Defective")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    MISSING_PARTS = "missing_parts", _("Missing parts")
    SIZE_FIT = "size_fit", _("Size or fit")
    CHANGED_MIND = "changed_mind", _("Changed mind")
    NOT_RECEIVED = "not_received", _("Not received")
    OTHER = "other", _("Other")


# The buyer's own reasons: restocking fees and (by policy) return shipping fall on the buyer.
BUYER_REASONS = frozenset({ReturnReason.SIZE_FIT, ReturnReason.CHANGED_MIND})


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ITEM_RECEIVED = "item_received", _("Item received")
    REFUNDED = "refunded", _("Refunded")
    EXCHANGED = "exchanged", _("Exchanged")
    CLOSED = "closed", _("Closed")


R = ReturnStatus
RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.REJECTED}),
    # refund_only needs no parcel back: approved goes straight to refunded
    R.APPROVED: frozenset({R.ITEM_RECEIVED, R.REFUNDED}),
    R.REJECTED: frozenset({R.CLOSED}),
    R.ITEM_RECEIVED: frozenset({R.REFUNDED, R.EXCHANGED}),
    R.REFUNDED: frozenset({R.CLOSED}),
    R.EXCHANGED: frozenset({R.CLOSED}),
    R.CLOSED: frozenset(),
}
RETURN_TIMESTAMPS = {
    R.APPROVED: "decided_at",
    R.REJECTED: "decided_at",
    R.ITEM_RECEIVED: "item_received_at",
    R.REFUNDED: "resolved_at",
    R.EXCHANGED: "resolved_at",
    R.CLOSED: "closed_at",
}
OPEN_RETURN_STATUSES = (R.REQUESTED, R.APPROVED, R.ITEM_RECEIVED)


class ShippingPaidBy(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    MERCHANT = "merchant", _("Merchant")
