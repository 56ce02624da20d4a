import io

import pytest
from django.core.management import call_command

from credit.models import Violation


@pytest.mark.django_db
def test_seed_demo_adds_violations_in_several_states_and_is_safe_to_run_again(eager_tasks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    states = set(Violation.objects.values_list("status", flat=True))
    assert states == {"reported", "investigating", "decided", "appealed", "appeal_upheld"}
    assert Violation.objects.filter(fine_status="owed").exists()
    count = Violation.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Violation.objects.count() == count
    # the demo merchants keep selling: their points stay under the first threshold
    assert all(v.merchant.can_sell for v in Violation.objects.select_related("merchant"))
