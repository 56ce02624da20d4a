"""Complaints reached through the real services."""

from complaints import services
from complaints.choices import Channel
from core.access import SUPPORT_AGENT
from tests.factories import staff
from tests.orders import factories as order_factories


def make_complaint(merchant=None, *, text="快递一直没到，物流信息不更新", order=None, classify=True, **kwargs):
    merchant = merchant or order_factories.active_merchant()
    if order is None:
        order = order_factories.make_order(merchant, "shipped")
    complaint = services.complaint_intake(
        merchant=merchant,
        order=order,
        description=text,
        channel=kwargs.pop("channel", Channel.ONLINE),
        actor=None,
        **kwargs,
    )
    if classify:
        complaint = services.complaint_classify(complaint_id=complaint.pk)
    return complaint


def agent(**kwargs):
    return staff(SUPPORT_AGENT, **kwargs)


def investigating(merchant=None, **kwargs):
    handler = kwargs.pop("handler", None) or agent()
    complaint = make_complaint(merchant, **kwargs)
    return services.complaint_assign(complaint=complaint, actor=handler, agent=handler)
