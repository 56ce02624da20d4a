"""Checks of profile values, as pure functions (the region check reads the loaded divisions)."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, RegionLevel
from onboarding.checks import USCC_SHAPE, uscc_is_valid

# GB 11643-1999: 17 digits then an ISO 7064 MOD 11-2 check character (0-9 or X).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
BANK_ACCOUNT_SHAPE = re.compile(r"^[0-9]{8,30}$")


def id_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def resident_id_is_valid(number: str) -> bool:
    if not ID_SHAPE.match(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_character(number[:17]) == number[17]


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def clean_value(field: str, value):
    """The value of one profile field as stored, or ValidationError({field: ...})."""
    if isinstance(value, dict | list | bool):
        raise _error(field, _("Enter a single value."), "invalid")
    if field in ("name", "legal_name"):
        value = str(value or "").strip()
        if not value:
            raise _error(field, _("This field may not be blank."), "blank")
        return value[:200]
    if field == "uscc":
        value = str(value or "").strip().upper()
        if not USCC_SHAPE.match(value) or not uscc_is_valid(value):
            raise _error(field, _("Not a valid unified social credit code."), "invalid_uscc")
        return value
    if field == "registered_capital":
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise _error(field, _("Enter an amount in CNY."), "invalid") from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
            raise _error(field, _("Enter an amount in CNY."), "invalid")
        return amount.quantize(Decimal("0.01"))
    if field == "founded_on":
        if value in (None, ""):
            return None
        if not isinstance(value, str | date):
            raise _error(field, _("Enter a date as YYYY-MM-DD."), "invalid")
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise _error(field, _("Enter a date as YYYY-MM-DD."), "invalid") from None
        if value > timezone.localdate():
            raise _error(field, _("The founding date is in the future."), "future")
        return value
    if field == "legal_rep_id_number":
        value = "".join(str(value or "").split()).upper()
        if not resident_id_is_valid(value):
            raise _error(field, _("Not a valid 18-digit resident ID number (check its last character)."), "invalid_id")
        return value
    if field == "bank_account_number":
        value = "".join(str(value or "").split())
        if not BANK_ACCOUNT_SHAPE.match(value):
            raise _error(field, _("A bank account number has 8 to 30 digits."), "invalid_account")
        return value
    if field == "contact_email":
        value = str(value or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise _error(field, _("Enter a valid e-mail address."), "invalid") from None
        return value
    if field in ("province_code", "city_code", "county_code"):
        value = str(value or "").strip()
        if value and not re.fullmatch(r"[0-9]{6}", value):
            raise _error(field, _("A region code has 6 digits."), "invalid")
        return value
    limits = {
        "legal_rep_name": 100,
        "contact_name": 100,
        "contact_phone": 32,
        "bank_name": 100,
        "bank_account_name": 200,
        "address_detail": 200,
    }
    value = str(value or "").strip()
    if field in limits and len(value) > limits[field]:
        raise _error(field, _("At most %(max)d characters.") % {"max": limits[field]}, "max_length")
    return value


def validate_address(*, province_code: str, city_code: str, county_code: str) -> None:
    """The three codes name a county in a city in a province of China's administrative divisions."""
    if not (province_code or city_code or county_code):
        return
    regions = {
        region.code: region
        for region in Region.objects.filter(code__in={province_code, city_code, county_code}, country="CN")
    }
    province, city, county = regions.get(province_code), regions.get(city_code), regions.get(county_code)
    if province is None or province.level != RegionLevel.PROVINCE:
        raise _error("province_code", _("Unknown province code."), "unknown_region")
    if city is None or city.level != RegionLevel.CITY or city.parent_id != province.pk:
        raise _error("city_code", _("This city is not in that province."), "region_mismatch")
    # A city without counties (Dongguan) is its own county-level unit.
    if county_code == city_code and city.deliverable:
        return
    if county is None or county.level != RegionLevel.COUNTY or county.parent_id != city.pk:
        raise _error("county_code", _("This county is not in that city."), "region_mismatch")
