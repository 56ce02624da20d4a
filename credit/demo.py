"""Demo violations in several states for `seed_demo`, through the real services. Matched on their
description, so safe to re-run. Points stay under the first ladder threshold, so the demo merchants keep
selling."""

from credit.models import Violation
from credit.services import violations as services

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
