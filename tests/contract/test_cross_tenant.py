"""Every merchant-scoped API route, found by walking the URL resolver, answers another merchant with 404.

New routes are covered as apps add them: a detail route over a model with `MERCHANT_LOOKUP` needs a
maker below, and the test fails until it has one.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from complaints.models import Complaint, Dispute
from core.models import Scope, WebhookDelivery, WebhookEndpoint
from credit.models import CreditConsequence, CreditScore, ExternalRecord, Violation
from logistics.models import CostLine, Shipment, ShipmentException
from merchants.models import Merchant
from onboarding.models import Application
from orders.models import Order, ReturnPolicy, ReturnRequest, Warehouse
from profiles.models import ChangeRequest, Profile, ReverificationRound, ReverificationTask
from tests.factories import MerchantFactory, merchant_owner
from tests.onboarding.factories import ApplicationFactory
from tests.orders import factories as order_factories

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


# model -> function(merchant) returning the URL kwargs of an object that belongs to that merchant
def _order(merchant) -> dict:
    order = order_factories.make_order(_activated(merchant))
    return {"pk": order.pk, "order_pk": order.pk}


def _credit_score(merchant) -> dict:
    from django.utils import timezone

    from credit.services import merchants_score

    (score,) = merchants_score(merchant_ids=[merchant.pk], as_of=timezone.now(), window_days=90)
    return {"pk": score.pk}


def _activated(merchant):
    from merchants.services import merchant_activate

    order_factories.ensure_regions()
    return merchant_activate(merchant=merchant, actor=None)


def _return(merchant) -> dict:
    from orders import services

    order = order_factories.make_order(_activated(merchant), "delivered")
    request = services.return_request_create(
        order=order,
        type="return",
        reason="defective",
        items=[{"order_item": order.items.first().pk, "quantity": 1}],
        actor=None,
    )
    return {"order_pk": order.pk, "pk": request.pk}


def _webhook_delivery(merchant) -> dict:
    import uuid

    endpoint = WebhookEndpoint.objects.create(
        merchant=merchant, url="http://127.0.0.1:9/hook", secret="s" * 16, event_types=["order.created"]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event_type="order.created", payload={}
    )
    return {"pk": delivery.pk}


def _complaint(merchant) -> dict:
    from tests.complaints.factories import make_complaint

    return {"pk": make_complaint(_activated(merchant)).pk}


def _dispute(merchant) -> dict:
    from complaints import services
    from tests.complaints.factories import investigating

    complaint = investigating(_activated(merchant))
    return {"pk": services.complaint_escalate(complaint=complaint, reason="disagree", actor=None).pk}


def _change_request(merchant) -> dict:
    from profiles.services import change_request_create

    request = change_request_create(merchant=merchant, actor=None, changes={"legal_name": "Another Name Co."})
    return {"merchant_pk": merchant.pk, "pk": request.pk}


def _reverification_task(merchant) -> dict:
    import datetime

    from tests.factories import staff

    round_ = ReverificationRound.objects.create(
        name="r", criteria={}, due_on=datetime.date(2030, 1, 1), started_by=staff("ops_manager")
    )
    return {"pk": ReverificationTask.objects.create(round=round_, merchant=merchant, due_on=round_.due_on).pk}


def _shipment(merchant) -> dict:
    order = order_factories.make_order(_activated(merchant), "shipped")
    return {"pk": order.shipment.pk}


def _shipment_exception(merchant) -> dict:
    from logistics.services import shipment_exceptions_detect

    order = order_factories.make_order(_activated(merchant), "shipped")
    (item,) = shipment_exceptions_detect(now=order.shipment.shipped_at + timedelta(days=3))
    return {"pk": item.pk}


def _cost_line(merchant) -> dict:
    from logistics.services import cost_line_record

    order = order_factories.make_order(_activated(merchant), "shipped")
    return {"pk": cost_line_record(order=order, kind="transport", amount=Decimal("9.00"), actor=None).pk}


def _violation(merchant) -> dict:
    from tests.credit.violation_factories import decided

    return {"pk": decided(_activated(merchant)).pk}


def _credit_consequence(merchant) -> dict:
    import datetime

    from credit.services.consequences import credit_consequence_impose
    from tests.factories import staff

    consequence, _created = credit_consequence_impose(
        merchant=merchant,
        kind="campaign_ineligible",
        actor=staff("risk_officer"),
        until=datetime.date.today() + timedelta(days=10),
        reason="cross-tenant check",
    )
    return {"pk": consequence.pk}


def _external_record(merchant) -> dict:
    import datetime

    from credit.services.records import external_record_create

    record = external_record_create(
        actor=None,
        merchant=merchant,
        source="government",
        kind="administrative_penalty",
        date=datetime.date(2024, 1, 1),
        severity="low",
        reference=f"XT-{merchant.pk}",
    )
    return {"pk": record.pk}


MAKERS = {
    Merchant: lambda merchant: {"pk": merchant.pk},
    Order: _order,
    CreditScore: _credit_score,
    Warehouse: lambda merchant: {"pk": order_factories.warehouse_for(merchant).pk},
    ReturnPolicy: lambda merchant: {"pk": ReturnPolicy.objects.create(merchant=merchant).pk},
    ReturnRequest: _return,
    WebhookEndpoint: lambda merchant: {
        "pk": WebhookEndpoint.objects.create(
            merchant=merchant, url="http://127.0.0.1:9/hook", secret="s" * 16, event_types=["order.created"]
        ).pk
    },
    WebhookDelivery: _webhook_delivery,
    Application: lambda merchant: {"pk": ApplicationFactory(merchant=merchant).pk},
    Complaint: _complaint,
    Dispute: _dispute,
    Profile: lambda merchant: {"merchant_pk": merchant.pk},
    ChangeRequest: _change_request,
    ReverificationTask: _reverification_task,
    Shipment: _shipment,
    ShipmentException: _shipment_exception,
    CostLine: _cost_line,
    Violation: _violation,
    CreditConsequence: _credit_consequence,
    ExternalRecord: _external_record,
}


def walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def merchant_scoped_routes():
    routes = []
    for route, pattern in walk(get_resolver()):
        view = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None)
        if not route.startswith(API_PREFIX) or view is None or not actions or "format" in route:
            continue
        groups = GROUP.findall(route)
        if not groups:
            continue
        model = getattr(getattr(view, "queryset", None), "model", None)
        assert model is not None, f"{view.__name__} must declare `queryset` so its model is known"
        if not hasattr(model, "MERCHANT_LOOKUP"):
            continue
        for method in actions:
            routes.append(pytest.param(route, model, method, id=f"{method.upper()} /{route.rstrip('$')}"))
    return routes


ROUTES = merchant_scoped_routes()


def url_for(route: str, kwargs: dict) -> str:
    return "/" + GROUP.sub(lambda m: str(kwargs[m.group(1)]), route).rstrip("$")


def test_the_walk_finds_the_merchant_routes():
    found = {(param.values[0], param.values[2]) for param in ROUTES}
    assert ("api/v1/merchants/(?P<pk>[^/.]+)/$", "get") in found
    assert ("api/v1/merchants/(?P<pk>[^/.]+)/suspend/$", "post") in found
    assert ("api/v1/merchants/(?P<pk>[^/.]+)/history/$", "get") in found
    assert ("api/v1/orders/(?P<pk>[^/.]+)/ship/$", "post") in found
    assert ("api/v1/orders/(?P<order_pk>[^/.]+)/returns/$", "get") in found
    assert ("api/v1/orders/(?P<order_pk>[^/.]+)/returns/(?P<pk>[^/.]+)/approve/$", "post") in found
    assert ("api/v1/webhooks/deliveries/(?P<pk>[^/.]+)/replay/$", "post") in found
    assert ("api/v1/onboarding/applications/(?P<pk>[^/.]+)/documents/$", "post") in found
    assert ("api/v1/onboarding/applications/(?P<pk>[^/.]+)/approve/$", "post") in found
    assert ("api/v1/complaints/(?P<pk>[^/.]+)/escalate/$", "post") in found
    assert ("api/v1/complaints/disputes/(?P<pk>[^/.]+)/arbitrate/$", "post") in found
    assert ("api/v1/merchants/(?P<merchant_pk>[^/.]+)/profile/$", "patch") in found
    assert ("api/v1/merchants/(?P<merchant_pk>[^/.]+)/change-requests/(?P<pk>[^/.]+)/approve/$", "post") in found
    assert ("api/v1/merchants/(?P<merchant_pk>[^/.]+)/change-requests/$", "get") in found
    assert ("api/v1/logistics/shipments/(?P<pk>[^/.]+)/events/$", "post") in found
    assert ("api/v1/logistics/exceptions/(?P<pk>[^/.]+)/resolve/$", "post") in found
    assert ("api/v1/logistics/cost-lines/(?P<pk>[^/.]+)/$", "get") in found
    assert ("api/v1/credit/violations/(?P<pk>[^/.]+)/appeal/$", "post") in found
    assert ("api/v1/complaints/(?P<pk>[^/.]+)/open-violation/$", "post") in found
    assert ("api/v1/credit/consequences/(?P<pk>[^/.]+)/override/$", "post") in found
    assert ("api/v1/credit/external-records/(?P<pk>[^/.]+)/$", "get") in found


@pytest.mark.parametrize(("route", "model", "method"), ROUTES)
def test_another_merchant_gets_404(route, model, method, as_user, as_key):
    assert model in MAKERS, f"add a maker for {model.__name__} to tests/contract/test_cross_tenant.py"
    # given an object of merchant A, and merchant B's owner and key holding every scope
    kwargs = MAKERS[model](MerchantFactory())
    url = url_for(route, kwargs)
    stranger = merchant_owner(MerchantFactory())
    stranger_key = as_key(*Scope.values, merchant=stranger.memberships.get().merchant)
    # when they ask for it, then it does not exist for them
    for client in (as_user(stranger), stranger_key):
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 404, (url, method, response.status_code, response.content[:200])
        assert response.json()["type"] == "not_found"


def test_the_owner_does_reach_its_own_merchant(as_user):
    merchant = MerchantFactory()
    response = as_user(merchant_owner(merchant)).get(f"/api/v1/merchants/{merchant.pk}/")
    assert response.status_code == 200
