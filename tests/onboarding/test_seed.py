import io

import pytest
from django.core.management import call_command

from onboarding.choices import ApplicationStatus
from onboarding.models import Application, Document


@pytest.mark.django_db
def test_seed_demo_adds_applications_in_every_state_and_is_safe_to_run_again(eager_tasks):
    call_command("seed_demo", stdout=io.StringIO())
    states = sorted(Application.objects.values_list("status", flat=True))
    assert states == sorted(ApplicationStatus.values)
    counts = (Application.objects.count(), Document.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Application.objects.count(), Document.objects.count()) == counts
    approved = Application.objects.get(status="approved")
    assert approved.merchant.status == "active" and approved.merchant.can_sell


@pytest.mark.django_db
def test_seed_demo_prints_the_demo_logins_last(eager_tasks, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for role, username in [("platform_admin", "admin"), ("reviewer", "reviewer"), ("merchant owner", "jiayi")]:
        assert role in text and f" {username} " in text
    assert text.rstrip().endswith("/api/docs/")
