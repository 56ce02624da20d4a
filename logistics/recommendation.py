"""The carrier score: a transparent weighted sum that anyone can recompute by hand.

Each criterion becomes a score between 0 and 1 among the candidates for the lane:
  price      cheapest price ÷ this price
  sla        shortest SLA ÷ this SLA
  on_time    the measured on-time rate
  exception  1 − the measured exception rate
A carrier without a measurement yet gets the candidates' average (or 1 and 0 when none is measured).
score = Σ weight × criterion ÷ Σ weight, rounded to 4 places; ties go to the lower price, then the code.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FOUR = Decimal("0.0001")
CRITERIA = ("price", "sla", "on_time", "exception")


@dataclass
class Candidate:
    code: str
    name: str
    price: Decimal
    sla_days: int
    on_time_rate: Decimal | None = None
    exception_rate: Decimal | None = None
    components: dict[str, Decimal] = field(default_factory=dict)
    score: Decimal = Decimal("0")

    @property
    def measured(self) -> bool:
        return self.on_time_rate is not None


def _mean(values: list[Decimal], default: Decimal) -> Decimal:
    return sum(values, Decimal("0")) / len(values) if values else default


def rank(candidates: list[Candidate], weights: dict[str, Decimal]) -> list[Candidate]:
    if not candidates:
        return []
    total_weight = sum((Decimal(weights[name]) for name in CRITERIA), Decimal("0"))
    if total_weight <= 0:
        raise ValueError("at least one weight must be positive")
    cheapest = min(candidate.price for candidate in candidates)
    fastest = min(candidate.sla_days for candidate in candidates)
    on_time_default = _mean([c.on_time_rate for c in candidates if c.on_time_rate is not None], Decimal("1"))
    exception_default = _mean([c.exception_rate for c in candidates if c.exception_rate is not None], Decimal("0"))
    for candidate in candidates:
        on_time = candidate.on_time_rate if candidate.on_time_rate is not None else on_time_default
        exception = candidate.exception_rate if candidate.exception_rate is not None else exception_default
        candidate.components = {
            "price": (cheapest / candidate.price if candidate.price > 0 else Decimal("1")).quantize(
                FOUR, ROUND_HALF_UP
            ),
            "sla": (Decimal(fastest) / Decimal(max(candidate.sla_days, 1))).quantize(FOUR, ROUND_HALF_UP),
            "on_time": Decimal(on_time).quantize(FOUR, ROUND_HALF_UP),
            "exception": (Decimal("1") - Decimal(exception)).quantize(FOUR, ROUND_HALF_UP),
        }
        weighted = sum((Decimal(weights[name]) * candidate.components[name] for name in CRITERIA), Decimal("0"))
        candidate.score = (weighted / total_weight).quantize(FOUR, ROUND_HALF_UP)
    return sorted(candidates, key=lambda c: (-c.score, c.price, c.code))
