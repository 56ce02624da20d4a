import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from core.models import Region
from core.regions import region_is_deliverable
from tests.conftest import CI

CHINA = settings.BASE_DIR.parent / "shared" / "data" / "china_regions"
needs_data = pytest.mark.skipif(
    not CHINA.is_dir() and not CI, reason=f"China's divisions are not at {CHINA} (see the README, 'Data')"
)
pytestmark = pytest.mark.django_db


def test_brazils_states_load_without_any_data_folder():
    call_command("load_regions", "--brazil-only")
    assert Region.objects.filter(country="BR", deliverable=True).count() == 27
    assert Region.objects.get(code="BR-SP").name == "São Paulo"


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="lacks"):
        call_command("load_regions", str(tmp_path))


@needs_data
def test_chinas_divisions_load_once_with_their_hierarchy():
    # when the NBS files are loaded twice
    call_command("load_regions", str(CHINA))
    counts = {
        level: Region.objects.filter(country="CN", level=level).count() for level in ("province", "city", "county")
    }
    call_command("load_regions", str(CHINA))
    # then 31 provinces, 342 cities, and the county-level units (three cities have no counties of their own)
    assert counts == {"province": 31, "city": 342, "county": 2975}
    assert Region.objects.filter(country="CN").count() == 31 + 342 + 2975
    huangpu = Region.objects.select_related("parent__parent").get(code="310101")
    assert (huangpu.name, huangpu.parent.code, huangpu.parent.parent.name) == ("黄浦区", "310100", "上海市")
    assert region_is_deliverable("310101") and region_is_deliverable("441900")  # Dongguan has no counties
    assert not region_is_deliverable("310000") and not region_is_deliverable("999999")
