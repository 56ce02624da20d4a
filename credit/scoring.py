"""Turning measured inputs into a component's status and points (pure functions, no queries)."""

import math
from dataclasses import dataclass, fields

from credit.choices import AVERAGE_REVIEW_SCORE, RATES, ComponentStatus

Z_95 = 1.959963984540054


def wilson_bounds(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion: (lower, upper)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - margin) / denominator), min(1.0, (centre + margin) / denominator)


@dataclass(slots=True)
class Evaluated:
    name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float
    status: str
    points: float
    max_points: float
    bound: float | None


EVALUATED_FIELDS = tuple(f.name for f in fields(Evaluated))


def points_for(value: float, rule: dict) -> float:
    """Linear from the full weight at `best` to 0 at `floor`, clamped."""
    best, floor, weight = rule["best"], rule["floor"], rule["weight"]
    if best == floor:
        return float(weight)
    share = (value - floor) / (best - floor)
    return weight * min(1.0, max(0.0, share))


def status_for(value: float, rule: dict) -> str:
    """Lower is better: at or above the target is a breach ("late shipments < 4%"), at or above the warning
    level a warning. Higher is better: below the target a breach, below the warning level a warning."""
    if rule["direction"] == "lower":
        if value >= rule["target"]:
            return ComponentStatus.BREACH
        return ComponentStatus.WARNING if value >= rule["warning"] else ComponentStatus.OK
    if value < rule["target"]:
        return ComponentStatus.BREACH
    return ComponentStatus.WARNING if value < rule["warning"] else ComponentStatus.OK


def small_sample_bound(name: str, numerator: float, denominator: float, lower_is_better: bool) -> float:
    """The Wilson bound in the merchant's favour: a few orders cannot prove a problem."""
    if name in RATES:
        low, high = wilson_bounds(numerator, denominator)
        return low if lower_is_better else high
    if name == AVERAGE_REVIEW_SCORE:
        # Reviews 1..5 mapped onto 0..1 as a proportion of the best possible score.
        low, high = wilson_bounds((numerator - denominator) / 4, denominator)
        return 1 + 4 * (low if lower_is_better else high)
    return numerator / denominator


def evaluate_ratio(name: str, rule: dict, numerator: float, denominator: float, neutral_share: float) -> Evaluated:
    weight = float(rule["weight"])
    if not denominator:
        return Evaluated(name, None, numerator, denominator, rule["target"], ComponentStatus.INSUFFICIENT_DATA,
                         weight * neutral_share, weight, None)  # fmt: skip
    value = numerator / denominator
    if denominator < rule.get("min_sample", 0):
        bound = small_sample_bound(name, numerator, denominator, rule["direction"] == "lower")
        return Evaluated(name, value, numerator, denominator, rule["target"], ComponentStatus.INSUFFICIENT_DATA,
                         points_for(bound, rule), weight, bound)  # fmt: skip
    return Evaluated(name, value, numerator, denominator, rule["target"], status_for(value, rule),
                     points_for(value, rule), weight, None)  # fmt: skip


def evaluate_value(name: str, rule: dict, value: float | None, neutral_share: float) -> Evaluated:
    """A component measured as one value (years in business, registered capital)."""
    weight = float(rule["weight"])
    if value is None:
        return Evaluated(name, None, None, None, rule["target"], ComponentStatus.INSUFFICIENT_DATA,
                         weight * neutral_share, weight, None)  # fmt: skip
    return Evaluated(name, value, value, None, rule["target"], status_for(value, rule), points_for(value, rule),
                     weight, None)  # fmt: skip


def score_from(components: list[Evaluated]) -> int:
    """0–1000: the points earned as a share of the points available."""
    available = sum(c.max_points for c in components)
    if not available:
        return 0
    return round(1000 * sum(c.points for c in components) / available)


def points_to_gain(component, rule: dict, total_weight: float) -> float:
    """Score points (0–1000) gained by bringing the component to its target."""
    if component.value is None or not total_weight:
        return 0.0
    reach = points_for(rule["target"], rule)
    gain = max(0.0, reach - component.points)
    return round(1000 * gain / total_weight, 1)
