"""Merchant portal: the order list with filters and bulk actions, the order detail, the returns inbox."""

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import Caller, is_platform_staff
from core.errors import DomainError
from core.selectors import audit_entries_for_object
from logistics import selectors as logistics_selectors
from orders import selectors, services
from orders.choices import ORDER_TIMESTAMPS, OrderStatus

app_name = "orders_portal"
PAGE_SIZE = 50
BULK_ACTIONS = {"confirm": services.order_confirm, "pack": services.order_pack}


def merchant_only(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if is_platform_staff(request.user):
            return redirect("admin:index")
        return view(request, Caller(user=request.user), *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _day(value: str, *, end: bool = False):
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@merchant_only
def order_list(request, caller):
    orders = selectors.order_list(caller=caller).select_related("merchant").order_by("-placed_at", "-id")
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    if placed_from := _day(request.GET.get("from", "")):
        orders = orders.filter(placed_at__gte=placed_from)
    if placed_to := _day(request.GET.get("to", ""), end=True):
        orders = orders.filter(placed_at__lte=placed_to)
    if request.GET.get("late") == "1":
        orders = orders.filter(late_to_ship=True)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/order_list.html",
        {"page": page, "statuses": OrderStatus.choices, "filters": request.GET, "query": query.urlencode()},
    )


@merchant_only
def order_detail(request, caller, pk):
    order = selectors.order_get(caller=caller, pk=pk)
    timeline = [(_("Placed"), order.placed_at)]
    for status, field in ORDER_TIMESTAMPS.items():
        if getattr(order, field):
            timeline.append((OrderStatus(status).label, getattr(order, field)))
    timeline.sort(key=lambda step: step[1])
    history = audit_entries_for_object(obj=order)
    returns = selectors.return_list(caller=caller, order_id=order.pk)
    shipment = logistics_selectors.shipment_list(caller=caller).filter(order_id=order.pk).first()
    recommended = []
    if order.status == OrderStatus.PACKED and order.warehouse_id:
        weight = sum((item.quantity * item.weight_kg for item in order.items.all()), Decimal("0"))
        recommended, _weights = logistics_selectors.carrier_recommend(
            origin=order.warehouse.region_id, destination=order.ship_to_region_id, weight_kg=weight
        )
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "timeline": timeline,
            "history": history,
            "returns": returns,
            "shipment": shipment,
            "recommended": recommended,
        },
    )


@require_POST
@merchant_only
def order_ship(request, caller, pk):
    """The ship step: the carrier picked from the recommendation (or typed) and the tracking number."""
    order = selectors.order_get(caller=caller, pk=pk)
    carrier = request.POST.get("other_carrier", "").strip() or request.POST.get("carrier", "").strip()
    try:
        services.order_ship(
            order=order, carrier=carrier, tracking_number=request.POST.get("tracking_number", ""), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(id)s shipped.") % {"id": order.external_id})
    return redirect("orders_portal:detail", pk=order.pk)


@require_POST
@merchant_only
def order_bulk(request, caller):
    service = BULK_ACTIONS.get(request.POST.get("action", ""))
    ids = [value for value in request.POST.getlist("orders") if value.isdigit()]
    if service is None or not ids:
        messages.error(request, _("Choose orders and an action."))
        return redirect("orders_portal:list")
    done, refused = 0, []
    for order in selectors.order_list(caller=caller).filter(pk__in=ids):
        try:
            service(order=order, actor=request.user)
            done += 1
        except DomainError:
            refused.append(order.external_id)
    if done:
        messages.success(request, _("%(count)d orders updated.") % {"count": done})
    if refused:
        messages.error(request, _("Not possible in their current state: %(orders)s") % {"orders": ", ".join(refused)})
    return redirect(request.POST.get("next") or "orders_portal:list")


@merchant_only
def returns_inbox(request, caller):
    return render(request, "orders/returns_inbox.html", {"returns": selectors.returns_inbox(caller=caller)})


@require_POST
@merchant_only
def return_act(request, caller, pk):
    request_ = selectors.return_list(caller=caller).filter(pk=pk).first()
    if request_ is None:
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            raw = request.POST.get("refund_amount", "").strip()
            amount = Decimal(raw) if raw else None
            services.return_approve(request=request_, actor=request.user, refund_amount=amount)
        elif action == "reject":
            services.return_reject(request=request_, actor=request.user, note=request.POST.get("note", ""))
        elif action == "receive":
            services.return_receive(request=request_, actor=request.user)
        elif action == "refund":
            services.return_refund(request=request_, actor=request.user)
        elif action == "exchange":
            services.return_exchange(request=request_, actor=request.user)
        else:
            raise Http404
    except InvalidOperation:
        messages.error(request, _("The refund must be an amount such as 12.50."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Return #%(id)d updated.") % {"id": request_.pk})
    return redirect("orders_portal:returns")


urlpatterns = [
    path("", order_list, name="list"),
    path("bulk/", order_bulk, name="bulk"),
    path("<int:pk>/", order_detail, name="detail"),
    path("<int:pk>/ship/", order_ship, name="ship"),
    path("returns/", returns_inbox, name="returns"),
    path("returns/<int:pk>/", return_act, name="return-act"),
]
