"""Administrative divisions: China's from the NBS code files, Brazil's 27 states as ISO 3166-2 codes.

Loading is idempotent: rows are matched on their code, changed names are updated, nothing is deleted.
"""

import csv
from pathlib import Path

from django.db import transaction

from core.models import Region, RegionLevel

BRAZIL_STATES = {
    "AC": "Acre",
    "AL": "Alagoas",
    "AP": "Amapá",
    "AM": "Amazonas",
    "BA": "Bahia",
    "CE": "Ceará",
    "DF": "Distrito Federal",
    "ES": "Espírito Santo",
    "GO": "Goiás",
    "MA": "Maranhão",
    "MT": "Mato Grosso",
    "MS": "Mato Grosso do Sul",
    "MG": "Minas Gerais",
    "PA": "Pará",
    "PB": "Paraíba",
    "PR": "Paraná",
    "PE": "Pernambuco",
    "PI": "Piauí",
    "RJ": "Rio de Janeiro",
    "RN": "Rio Grande do Norte",
    "RS": "Rio Grande do Sul",
    "RO": "Rondônia",
    "RR": "Roraima",
    "SC": "Santa Catarina",
    "SP": "São Paulo",
    "SE": "Sergipe",
    "TO": "Tocantins",
}

CHINA_FILES = ("provinces.csv", "cities.csv", "areas.csv")


def brazil_code(state: str) -> str:
    return f"BR-{state.upper()}"


def _upsert(rows: list[tuple[str, str, str, str | None, str, bool]]) -> tuple[int, int]:
    """rows: (code, name, level, parent code, country, deliverable). Returns (created, updated)."""
    existing = {region.code: region for region in Region.objects.filter(code__in=[row[0] for row in rows])}
    parents = {
        region.code: region.pk
        for region in Region.objects.filter(code__in={row[3] for row in rows if row[3]}).only("pk", "code")
    }
    created, changed = [], []
    for code, name, level, parent_code, country, deliverable in rows:
        values = {
            "name": name,
            "level": level,
            "parent_id": parents.get(parent_code) if parent_code else None,
            "country": country,
            "deliverable": deliverable,
        }
        region = existing.get(code)
        if region is None:
            created.append(Region(code=code, **values))
        elif any(getattr(region, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(region, field, value)
            changed.append(region)
    Region.objects.bulk_create(created, batch_size=1000)
    Region.objects.bulk_update(changed, ["name", "level", "parent_id", "country", "deliverable"], batch_size=1000)
    return len(created), len(changed)


def regions_load_brazil() -> tuple[int, int]:
    rows = [(brazil_code(uf), name, RegionLevel.PROVINCE, None, "BR", True) for uf, name in BRAZIL_STATES.items()]
    with transaction.atomic():
        return _upsert(rows)


def regions_load_china(directory: Path) -> tuple[int, int]:
    """provinces.csv (2-digit), cities.csv (4-digit), areas.csv (6-digit); codes are stored with 6 digits."""
    missing = [name for name in CHINA_FILES if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{directory} lacks {', '.join(missing)}")

    def read(name):
        with open(directory / name, newline="", encoding="utf-8-sig") as handle:
            yield from csv.DictReader(handle)

    provinces = [
        (row["code"].ljust(6, "0"), row["name"], RegionLevel.PROVINCE, None, "CN", False)
        for row in read("provinces.csv")
    ]
    cities = {
        row["code"].ljust(6, "0"): [
            row["code"].ljust(6, "0"),
            row["name"],
            RegionLevel.CITY,
            row["provinceCode"].ljust(6, "0"),
            "CN",
            False,
        ]
        for row in read("cities.csv")
    }
    counties = []
    for row in read("areas.csv"):
        if row["code"] in cities:
            # A city without counties (Dongguan, Zhongshan, Danzhou) is itself the county-level unit.
            cities[row["code"]][5] = True
            continue
        counties.append((row["code"], row["name"], RegionLevel.COUNTY, row["cityCode"].ljust(6, "0"), "CN", True))
    created = updated = 0
    with transaction.atomic():
        for level_rows in (provinces, [tuple(row) for row in cities.values()], counties):
            c, u = _upsert(level_rows)
            created, updated = created + c, updated + u
    return created, updated


def region_is_deliverable(code: str) -> bool:
    return Region.objects.filter(code=code, deliverable=True).exists()
