"""Demo complaints in every state and a dispute, for `seed_demo`. Matched on source references, so safe to re-run."""

from decimal import Decimal

from complaints import services
from complaints.choices import ComplaintStatus
from complaints.models import Complaint
from orders.models import Order

TEXTS = {
    ComplaintStatus.RECEIVED: "快递三天了还没到，物流信息一直不更新",
    ComplaintStatus.CLASSIFIED: "收到的衣服有破损，质量太差",
    ComplaintStatus.INVESTIGATING: "申请退款一周了客服不理",
    ComplaintStatus.RESOLVED: "付款时被重复扣款了两次",
    ComplaintStatus.CLOSED: "The parcel arrived damaged",
    ComplaintStatus.ESCALATED: "假货，要求全额退款",
}


def seed_demo_complaints(*, merchant, agent, mediator) -> int:
    prefix = f"demo:{merchant.external_ref or merchant.pk}:"
    orders = list(Order.objects.filter(merchant=merchant, status__in=["shipped", "delivered", "completed"]))
    if not orders:
        return 0
    added = 0
    for number, (status, text) in enumerate(TEXTS.items()):
        source = prefix + status
        if Complaint.objects.filter(source_ref=source).exists():
            continue
        complaint = services.complaint_intake(
            merchant=merchant,
            order=orders[number % len(orders)],
            description=text,
            channel=["online", "email", "phone"][number % 3],
            complainant_email=f"buyer{number}@example.com",
            source_ref=source,
            actor=agent,
        )
        added += 1
        if status == ComplaintStatus.RECEIVED:
            continue
        complaint = services.complaint_classify(complaint_id=complaint.pk)
        if status == ComplaintStatus.CLASSIFIED:
            continue
        complaint = services.complaint_assign(complaint=complaint, actor=agent, agent=agent)
        if status == ComplaintStatus.INVESTIGATING:
            continue
        if status == ComplaintStatus.ESCALATED:
            dispute = services.complaint_escalate(complaint=complaint, reason="买家不接受处理结果", actor=agent)
            services.dispute_respond(dispute=dispute, position="商品出库前已检验", actor=None)
            services.dispute_mediate(dispute=dispute, actor=mediator)
            services.dispute_propose(
                dispute=dispute,
                terms="商家退还一半货款",
                outcome="split",
                award_amount=(dispute.amount / 2).quantize(Decimal("0.01")),
                actor=mediator,
            )
            continue
        complaint = services.complaint_resolve(
            complaint=complaint, outcome="upheld", remedy="apology", note="merchant apologised", actor=agent
        )
        if status == ComplaintStatus.CLOSED:
            services.complaint_fulfil_obligation(complaint=complaint, actor=None, note="apology sent")
            services.complaint_rate(complaint=complaint, score=4, comment="ok", actor=None)
            services.complaint_close(complaint=complaint, actor=agent)
    return added
