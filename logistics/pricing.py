"""Prices and provinces: pure functions shared by shipping, the recommendation and the savings report."""

import math
from decimal import Decimal

CENT = Decimal("0.01")


def province_of(region_code: str) -> str:
    """The province of a Chinese division code (`310101` → `310000`); other codes are their own province."""
    code = (region_code or "").strip()
    if len(code) == 6 and code.isdigit():
        return code[:2] + "0000"
    return code


def billable_additional_kg(weight_kg: Decimal, first_weight_kg: Decimal) -> int:
    """Carriers bill each started kilogram past the first weight."""
    return max(0, math.ceil(weight_kg - first_weight_kg))


def lane_price(
    *, first_price: Decimal, additional_price_per_kg: Decimal, first_weight_kg: Decimal, weight_kg
) -> Decimal:
    extra = billable_additional_kg(Decimal(weight_kg), first_weight_kg)
    return (first_price + additional_price_per_kg * extra).quantize(CENT)
