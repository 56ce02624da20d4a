"""Demo figures for the major Chinese express carriers: typical published or e-commerce contract rates
by zone, rounded. They are defaults to start from (every carrier loaded here is marked `is_demo`), not
anyone's negotiated prices; replace them with real contracts in the staff console.

Zones between two provinces: the same province, the same macro-region, across regions, and to or from a
remote province (Inner Mongolia, Tibet, Gansu, Qinghai, Ningxia, Xinjiang).
"""

from decimal import Decimal

from django.db import transaction

from logistics.models import Carrier, CarrierRate

MACRO_REGIONS = {
    "north": ("110000", "120000", "130000", "140000", "150000"),
    "northeast": ("210000", "220000", "230000"),
    "east": ("310000", "320000", "330000", "340000", "350000", "360000", "370000"),
    "central": ("410000", "420000", "430000"),
    "south": ("440000", "450000", "460000"),
    "southwest": ("500000", "510000", "520000", "530000", "540000"),
    "northwest": ("610000", "620000", "630000", "640000", "650000"),
}
PROVINCES = tuple(code for codes in MACRO_REGIONS.values() for code in codes)
REMOTE = frozenset({"150000", "540000", "620000", "630000", "640000", "650000"})
MACRO_OF = {code: region for region, codes in MACRO_REGIONS.items() for code in codes}

INTRA, REGIONAL, NATIONAL, REMOTE_ZONE = "intra", "regional", "national", "remote"


def zone_of(origin: str, destination: str) -> str:
    if origin in REMOTE or destination in REMOTE:
        return INTRA if origin == destination else REMOTE_ZONE
    if origin == destination:
        return INTRA
    if MACRO_OF[origin] == MACRO_OF[destination]:
        return REGIONAL
    return NATIONAL


def _z(first: str, extra: str, days: int) -> tuple[Decimal, Decimal, int]:
    return Decimal(first), Decimal(extra), days


# code: (name, provinces not served, {zone: (first kg price, each additional kg, SLA days)})
DEMO_CARRIERS: dict[str, tuple[str, frozenset[str], dict[str, tuple[Decimal, Decimal, int]]]] = {
    "SF": (
        "顺丰速运 SF Express",
        frozenset(),
        {
            INTRA: _z("12", "2", 1),
            REGIONAL: _z("16", "5", 2),
            NATIONAL: _z("22", "12", 2),
            REMOTE_ZONE: _z("28", "18", 3),
        },
    ),
    "JD": (
        "京东快递 JD Logistics",
        frozenset(),
        {
            INTRA: _z("10", "2", 1),
            REGIONAL: _z("14", "4", 2),
            NATIONAL: _z("19", "9", 3),
            REMOTE_ZONE: _z("26", "15", 4),
        },
    ),
    "EMS": (
        "中国邮政 EMS",
        frozenset(),
        {
            INTRA: _z("11", "3", 2),
            REGIONAL: _z("15", "5", 3),
            NATIONAL: _z("20", "8", 4),
            REMOTE_ZONE: _z("24", "12", 5),
        },
    ),
    "ZTO": (
        "中通快递 ZTO Express",
        frozenset(),
        {
            INTRA: _z("4.5", "1.5", 2),
            REGIONAL: _z("5.5", "2", 2),
            NATIONAL: _z("7", "4", 3),
            REMOTE_ZONE: _z("15", "10", 5),
        },
    ),
    "YTO": (
        "圆通速递 YTO Express",
        frozenset(),
        {
            INTRA: _z("4.3", "1.5", 2),
            REGIONAL: _z("5.3", "2", 3),
            NATIONAL: _z("6.8", "4", 3),
            REMOTE_ZONE: _z("15", "11", 6),
        },
    ),
    "YD": (
        "韵达速递 Yunda Express",
        frozenset({"540000"}),
        {
            INTRA: _z("4", "1.5", 2),
            REGIONAL: _z("5", "2", 3),
            NATIONAL: _z("6.5", "4", 4),
            REMOTE_ZONE: _z("14", "10", 6),
        },
    ),
    "STO": (
        "申通快递 STO Express",
        frozenset({"540000"}),
        {
            INTRA: _z("4", "1.5", 2),
            REGIONAL: _z("5", "2", 3),
            NATIONAL: _z("6.5", "4.5", 4),
            REMOTE_ZONE: _z("14", "11", 6),
        },
    ),
    "JT": (
        "极兔速递 J&T Express",
        frozenset({"540000", "630000"}),
        {
            INTRA: _z("3.8", "1.5", 2),
            REGIONAL: _z("4.8", "2", 3),
            NATIONAL: _z("6.2", "4", 4),
            REMOTE_ZONE: _z("14", "10", 6),
        },
    ),
}


@transaction.atomic
def demo_carriers_load(*, codes: tuple[str, ...] | None = None) -> tuple[int, int]:
    """Create or refresh the demo carriers and their full price tables; returns (carriers, lanes)."""
    carriers = 0
    lanes = 0
    for code, (name, not_served, zones) in DEMO_CARRIERS.items():
        if codes and code not in codes:
            continue
        served = [code_ for code_ in PROVINCES if code_ not in not_served]
        first, extra, days = zones[NATIONAL]
        carrier, _created = Carrier.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "regions": served,
                "base_price": first,
                "price_per_kg": extra,
                "sla_days": days,
                "is_demo": True,
            },
        )
        CarrierRate.objects.filter(carrier=carrier).delete()
        rows = []
        for origin in served:
            for destination in served:
                first, extra, days = zones[zone_of(origin, destination)]
                rows.append(
                    CarrierRate(
                        carrier=carrier,
                        origin=origin,
                        destination=destination,
                        first_price=first,
                        additional_price_per_kg=extra,
                        sla_days=days,
                    )
                )
        CarrierRate.objects.bulk_create(rows, batch_size=1000)
        carriers += 1
        lanes += len(rows)
    return carriers, lanes
