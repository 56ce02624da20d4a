"""Demo credit data for `seed_demo`, through the real services.

Violations in several states, matched on their description; points stay under the first ladder threshold, so
the demo merchants keep selling. External records of the demo merchants, a policy version with the consequence
rules (only while the current one has none), tonight's scores and two staff overrides: records are matched on
source and reference, the run replaces its own as-of time, and an override is made only when the merchant does
not have that consequence already. Scores for the insights pages, and a
day of staged orders that fake-order detection flags (one flag already dismissed by the risk officer).
Everything is re-runnable."""

import copy
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from credit.choices import DEFAULT_COMPONENTS, DEFAULT_CONSEQUENCES, DEFAULT_TIERS, ConsequenceKind
from credit.models import (
    CreditConsequence,
    CreditScore,
    ExternalRecord,
    FlagStatus,
    SuspicionFlag,
    SuspicionRule,
    Violation,
)
from credit.selectors import current_policy
from credit.services import merchants_score, scoring_policy_create
from credit.services import violations as services
from credit.services.consequences import credit_consequence_impose
from credit.services.detection import suspicion_flag_dismiss, suspicion_flags_detect
from credit.services.records import external_record_create
from credit.tasks import nightly_as_of
from merchants.models import Merchant
from orders import services as order_services
from orders.models import Order, OrderReview, Warehouse

# (description, category, severity, how far the case goes)
CASES = [
    ("商品详情页宣称“国家级金奖”，无法提供证明", "false_advertising", "minor", "reported"),
    ("买家反映商品疑似仿冒品牌，正在核实授权", "counterfeit_goods", "serious", "investigating"),
    ("同一买家编号一天内下单 40 笔，均无物流轨迹（刷单）", "unfair_competition", "minor", "decided"),
    ("促销页原价虚标，先涨后降", "false_advertising", "minor", "fined"),
    ("未经授权使用他人商标图片", "legal_violation", "minor", "appealed"),
    ("拒绝七天无理由退货", "legal_violation", "minor", "upheld"),
]
POINTS = 2


def seed_demo_violations(*, merchant, officer, second_officer, owner) -> int:
    added = 0
    for description, category, severity, stage in CASES:
        if Violation.objects.filter(merchant=merchant, description=description).exists():
            continue
        violation = services.violation_report(
            merchant=merchant, category=category, severity=severity, description=description, actor=officer
        )
        added += 1
        if stage == "reported":
            continue
        violation = services.violation_investigate(violation=violation, actor=officer, note="核查商品页面与订单记录")
        if stage == "investigating":
            continue
        fine = {"measure": "fine", "fine_amount": 500} if stage == "fined" else {"measure": "warning"}
        violation = services.violation_decide(
            violation=violation, actor=officer, points=POINTS, reason="证据确凿 / Evidence confirmed.", **fine
        )
        if stage in ("decided", "fined"):
            continue
        services.violation_appeal(
            violation=violation,
            actor=owner,
            root_cause="运营外包团队未经审核发布",
            corrective_action="已下架相关内容并更正",
            preventive_action="上线前由合规专员审核",
        )
        if stage == "upheld":
            services.violation_appeal_rule(
                violation=violation, actor=second_officer, ruling="upheld", reason="整改到位 / Corrected in time."
            )
    return added


JIAYI, PENGCHENG = "91310101MA1FL5XK2W", "91440300MA5G9QW817"
RECORDS = [
    # uscc, source, kind, days ago, severity, grade, reference, description
    (JIAYI, "government", "credit_grade", 200, "", "A", "SH-TAX-2025-A-0192", "纳税信用 A 级 (tax credit grade A)"),
    (JIAYI, "industry_body", "credit_grade", 90, "", "A", "CCIA-2025-11873", "行业协会信用评价 AAA"),
    (PENGCHENG, "government", "administrative_penalty", 120, "high", "", "深市监罚〔2025〕118号",
     "虚假宣传：夸大产品续航 (exaggerated battery life claims)"),
    (PENGCHENG, "consumer_rating_site", "court_judgment", 300, "medium", "", "(2025)粤0305民初4521号",
     "消费者权益纠纷，判决退一赔三 (consumer rights case lost)"),
]  # fmt: skip


def seed_demo_credit(*, officer) -> None:
    merchants = {m.uscc: m for m in Merchant.objects.filter(uscc__in=[JIAYI, PENGCHENG])}
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    for uscc, source, kind, days, severity, grade, reference, description in RECORDS:
        if uscc in merchants and not ExternalRecord.objects.filter(source=source, reference=reference).exists():
            external_record_create(actor=officer, merchant=merchants[uscc], source=source, kind=kind,
                                   date=today - timedelta(days=days), severity=severity, grade=grade,
                                   reference=reference, description=description)  # fmt: skip
    if not current_policy().consequences:
        scoring_policy_create(
            actor=officer,
            components=copy.deepcopy(DEFAULT_COMPONENTS),
            **DEFAULT_TIERS,
            window_days=90,
            neutral_share=0.5,
            consequences=copy.deepcopy(DEFAULT_CONSEQUENCES),
            note="Demo: public records and the consequence rules (tier perks, warnings, restrictions).",
        )
    merchants_score(merchant_ids=[m.pk for m in merchants.values()], as_of=nightly_as_of())
    jiayi = merchants.get(JIAYI)
    if jiayi is None:
        return
    for kind, percent in ((ConsequenceKind.PRIORITY_RECOMMENDATION, None), (ConsequenceKind.DEPOSIT_DISCOUNT, 10)):
        if not CreditConsequence.objects.filter(merchant=jiayi, kind=kind, lifted_at__isnull=True).exists():
            credit_consequence_impose(merchant=jiayi, kind=kind, actor=officer, until=today + timedelta(days=90),
                                      discount_percent=percent,
                                      reason="Demo: new flagship pilot while its order history builds up.")  # fmt: skip


BULK_ORDERS = 6
FAST_DELIVERIES = 3


def _order(merchant, *, external_id: str, buyer: str, region: str, placed: datetime, actor) -> Order:
    return order_services.order_create(
        merchant=merchant,
        external_id=external_id,
        buyer_ref=buyer,
        ship_to_region=region,
        items=[
            {
                "sku": "DEMO-F",
                "name": "Demo item F",
                "quantity": 1,
                "unit_price": Decimal("9.90"),
                "weight_kg": Decimal("0.2"),
            }
        ],  # fmt: skip
        total=Decimal("9.90"),
        placed_at=placed,
        actor=actor,
    )


def seed_demo_detection(*, merchant: Merchant, region: str, actor, reviewer) -> int:
    """Yesterday: six orders from one buyer, each with a five-star review written before delivery, and three
    parcels delivered half an hour after shipping without a tracking event. Returns the flags raised."""
    zone = timezone.get_default_timezone()
    yesterday = datetime.combine(timezone.localdate(timezone=zone) - timedelta(days=1), time.min, tzinfo=zone)
    prefix = merchant.external_ref or f"M{merchant.pk}"
    existing = set(Order.objects.filter(merchant=merchant).values_list("external_id", flat=True))
    for n in range(BULK_ORDERS):
        external_id = f"{prefix}-bulk-{n}"
        if external_id in existing:
            continue
        order = _order(merchant, external_id=external_id, buyer="demo-bulk-buyer", region=region,
                       placed=yesterday + timedelta(hours=9, minutes=7 * n), actor=actor)  # fmt: skip
        OrderReview.objects.create(
            order=order, score=5, title="Great!", created_at=order.placed_at + timedelta(hours=2)
        )
    warehouse = Warehouse.objects.filter(merchant=merchant).first()
    for n in range(FAST_DELIVERIES if warehouse else 0):
        external_id = f"{prefix}-instant-{n}"
        if external_id in existing:
            continue
        placed = yesterday + timedelta(hours=8, minutes=10 * n)
        order = _order(merchant, external_id=external_id, buyer=f"instant-buyer-{n}", region=region, placed=placed,
                       actor=actor)  # fmt: skip
        order = order_services.order_confirm(order=order, actor=actor)
        order = order_services.order_allocate(order=order, warehouse=warehouse, actor=actor)
        order = order_services.order_pack(order=order, actor=actor)
        shipped = placed + timedelta(hours=2)
        order = order_services.order_ship(
            order=order, carrier="SF", tracking_number=f"SFX{order.pk:010d}", actor=actor, at=shipped
        )
        order_services.order_deliver(order=order, actor=actor, at=shipped + timedelta(minutes=30))
    raised = suspicion_flags_detect(as_of=yesterday + timedelta(days=1), window_days=1).created
    burst = SuspicionFlag.objects.filter(
        merchant=merchant, rule=SuspicionRule.REVIEW_BURST, status=FlagStatus.OPEN, window_start=yesterday
    ).first()
    if burst is not None:
        suspicion_flag_dismiss(
            flag=burst, actor=reviewer, note="Counted with the bulk-buyer flag: one buyer reviewing each order."
        )
    return len(raised)


def seed_demo_scores(*, actor) -> int:
    """A first scoring run so the staff insights pages have something to show (once)."""
    if CreditScore.objects.exists():
        return 0
    ids = list(Merchant.objects.values_list("pk", flat=True))
    return len(merchants_score(merchant_ids=ids, as_of=timezone.now(), actor=actor)) if ids else 0
