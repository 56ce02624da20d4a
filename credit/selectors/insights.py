"""Staff insights into credit scores: the distribution of merchants' newest scores by tier and category,
and how one merchant compares with its peers. A fixed handful of aggregate queries, however many merchants.

Quartiles and medians are PostgreSQL's `percentile_cont` (linear interpolation); on SQLite, the embedded
default, the same aggregate is registered on the connection so the queries are the same.
"""

import math

from django.conf import settings
from django.db.models import Aggregate, Avg, Count, Exists, FloatField, OuterRef, Q, QuerySet
from django.http import Http404

from credit.choices import COMPONENT_LABELS, DEFAULT_COMPONENTS, ComponentStatus
from credit.models import CreditScore, ScoreComponent
from credit.selectors import policy_get
from merchants.choices import Tier
from merchants.models import Merchant

QUARTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75}


class _SqlitePercentile:
    """percentile_cont for SQLite: linear interpolation between the closest ranks."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(float(value))
            self.fraction = float(fraction)

    def finalize(self):
        if not self.values:
            return None
        ordered = sorted(self.values)
        position = self.fraction * (len(ordered) - 1)
        low, high = math.floor(position), math.ceil(position)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Percentile(Aggregate):
    """The continuous percentile of an expression: `Percentile("score", fraction=0.5)` is the median."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("fraction is between 0 and 1")
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate("merchantops_percentile", 2, _SqlitePercentile)
        return self.as_sql(
            compiler,
            connection,
            function="merchantops_percentile",
            template="%(function)s(%(expressions)s, %(fraction)s)",
            **extra_context,
        )


def _quartiles(field: str) -> dict:
    return {key: Percentile(field, fraction=fraction) for key, fraction in QUARTILES.items()}


def _tiers() -> dict:
    return {f"tier_{tier.lower()}": Count("id", filter=Q(tier=tier)) for tier in Tier.values}


def newest_scores() -> QuerySet[CreditScore]:
    """Each merchant's newest score (latest as-of time, then latest row): an anti-join, one row a merchant."""
    newer = CreditScore.objects.filter(merchant_id=OuterRef("merchant_id")).filter(
        Q(as_of__gt=OuterRef("as_of")) | Q(as_of=OuterRef("as_of"), pk__gt=OuterRef("pk"))
    )
    return CreditScore.objects.filter(~Exists(newer)).order_by()


def _rounded(row: dict) -> dict:
    return {key: round(value, 1) if isinstance(value, float) else value for key, value in row.items()}


def score_distribution() -> dict:
    """Merchants' newest scores by tier, and per category with counts, quartiles and the mean (a merchant in
    two categories counts in both). Three queries."""
    newest = newest_scores()
    overall = _rounded(newest.aggregate(merchants=Count("id"), mean=Avg("score"), **_quartiles("score"), **_tiers()))
    unscored = Merchant.objects.filter(~Exists(CreditScore.objects.filter(merchant_id=OuterRef("pk")))).count()
    categories = [
        _rounded(
            {
                "code": row.pop("merchant__categories__code"),
                "name": row.pop("merchant__categories__name"),
                "name_zh": row.pop("merchant__categories__name_zh"),
                **row,
            }
        )
        for row in newest.values(
            "merchant__categories__code", "merchant__categories__name", "merchant__categories__name_zh"
        )
        .annotate(merchants=Count("id"), mean=Avg("score"), **_quartiles("score"), **_tiers())
        .order_by("merchant__categories__code")
    ]
    tiers = [
        {
            "tier": tier,
            "merchants": overall[f"tier_{tier.lower()}"],
            "share": round(overall[f"tier_{tier.lower()}"] / overall["merchants"], 4) if overall["merchants"] else None,
        }
        for tier in Tier.values
    ]
    return {"overall": overall, "tiers": tiers, "categories": categories, "unscored": unscored}


def _rank(better: int, ties: int, peers: int) -> float | None:
    """The share of peers a value beats, ties counting half, 0–100."""
    return round(100 * (better + ties / 2) / peers, 1) if peers else None


def _direction(name: str, rules: dict) -> str:
    return (rules.get(name) or DEFAULT_COMPONENTS.get(name) or {}).get("direction", "higher")


def peer_comparison(*, merchant: Merchant, category_code: str | None = None, min_peers: int | None = None):
    """The merchant's newest score and each component against its peers' newest: the peer median and
    quartiles, and the merchant's percentile rank (the share of peers it does better than, ties half).

    Peers are the other merchants in its primary category (the first it registered with) or in
    `category_code`, one of its categories; with fewer than `min_peers` scored peers there, all merchants.
    None when the merchant has no score yet; Http404 for a category the merchant is not in.
    """
    min_peers = settings.CREDIT_PEER_GROUP_MIN if min_peers is None else min_peers
    through = Merchant.categories.through
    categories = list(
        through.objects.filter(merchant_id=merchant.pk)
        .order_by("id")
        .values_list("category__code", "category__name", "category__name_zh", named=True)
    )
    by_code = {c.category__code: c for c in categories}
    if category_code and category_code not in by_code:
        raise Http404
    latest = (
        CreditScore.objects.filter(merchant_id=merchant.pk).prefetch_related("components").order_by("-as_of", "-id")
    ).first()
    if latest is None:
        return None
    peers = newest_scores().exclude(merchant_id=merchant.pk)
    mine = latest.score

    def stats(queryset):
        return queryset.aggregate(
            peers=Count("id"),
            better=Count("id", filter=Q(score__lt=mine)),
            ties=Count("id", filter=Q(score=mine)),
            **_quartiles("score"),
        )

    chosen = by_code.get(category_code) if category_code else (categories[0] if categories else None)
    group = {"kind": "all", "code": None, "name": None, "name_zh": None, "category_peers": None}
    summary = None
    if chosen is not None:
        in_category = peers.filter(merchant__categories__code=chosen.category__code)
        summary = stats(in_category)
        group["category_peers"] = summary["peers"]
        if summary["peers"] >= min_peers:
            peers = in_category
            group.update(
                kind="category",
                code=chosen.category__code,
                name=chosen.category__name,
                name_zh=chosen.category__name_zh,
            )
        else:
            summary = None
    if summary is None:
        summary = stats(peers)
    policy = policy_get(version=latest.policy_version)
    rules = policy.components if policy else {}
    own = {c.name: c for c in latest.components.all()}
    valued = {name: c for name, c in own.items() if c.value is not None}
    better, ties = Q(pk__in=[]), Q(pk__in=[])
    for name, component in valued.items():
        side = "value__gt" if _direction(name, rules) == "lower" else "value__lt"
        better |= Q(name=name, **{side: component.value})
        ties |= Q(name=name, value=component.value)
    rows = {
        row["name"]: row
        for row in ScoreComponent.objects.filter(
            score__in=peers.values("pk"), name__in=list(valued), value__isnull=False
        )
        .order_by()
        .values("name")
        .annotate(
            peers=Count("id"),
            better=Count("id", filter=better),
            ties=Count("id", filter=ties),
            **_quartiles("value"),
        )
    }
    components = []
    for name, component in sorted(own.items()):
        row = rows.get(name, {})
        count = row.get("peers", 0)
        components.append(
            {
                "name": name,
                "label": str(COMPONENT_LABELS.get(name, name)),
                "direction": _direction(name, rules),
                "value": component.value,
                "status": component.status,
                "status_label": str(ComponentStatus(component.status).label),
                "points": component.points,
                "max_points": component.max_points,
                "peers": count,
                "q1": row.get("q1"),
                "median": row.get("median"),
                "q3": row.get("q3"),
                "percentile": _rank(row.get("better", 0), row.get("ties", 0), count)
                if component.value is not None
                else None,
            }
        )
    return {
        "merchant": merchant,
        "score": latest,
        "categories": [
            {"code": c.category__code, "name": c.category__name, "name_zh": c.category__name_zh} for c in categories
        ],
        "group": group,
        "peers": summary["peers"],
        "q1": _round(summary["q1"]),
        "median": _round(summary["median"]),
        "q3": _round(summary["q3"]),
        "percentile": _rank(summary["better"], summary["ties"], summary["peers"]),
        "min_peers": min_peers,
        "components": components,
    }


def _round(value):
    return None if value is None else round(value, 1)
