"""The checks task on the `review` queue: idempotent in-process and through Redis with a real worker."""

import time

import pytest

from config.celery import app
from core.access import REVIEWER
from onboarding import services, tasks
from onboarding.models import Application, ReviewCheck
from tests.factories import staff
from tests.onboarding.factories import in_review, ready


def rows(application):
    return list(ReviewCheck.objects.filter(application=application).order_by("pk").values())


@pytest.mark.django_db
def test_running_the_checks_task_twice_gives_the_same_results():
    # given a submitted application
    application = ready()
    services.application_submit(application=application, user=application.created_by, schedule_checks=False)
    # when the task runs twice
    assert tasks.application_checks_run(application.pk) is True
    first = rows(application)
    assert tasks.application_checks_run(application.pk) is True
    # then the same rows, and one trip through each state
    assert rows(application) == first and first
    application.refresh_from_db()
    assert application.status == "in_review"
    assert application.events.filter(to_status="auto_checking").count() == 1


@pytest.mark.django_db
def test_the_task_does_nothing_once_the_application_is_decided():
    application = in_review()
    services.application_approve(application=application, reviewer=staff(REVIEWER))
    before = rows(application)
    assert tasks.application_checks_run(application.pk) is False
    assert tasks.application_checks_run(10**9) is False
    assert rows(application) == before


@pytest.mark.django_db
def test_the_sla_task_flags_breaches():
    application = in_review()
    Application.objects.filter(pk=application.pk).update(due_at=application.due_at.replace(year=2000))
    assert tasks.review_sla_breaches_flag() == 1
    assert tasks.review_sla_breaches_flag() == 0


def test_onboarding_tasks_go_to_the_review_queue():
    route = app.amqp.router.route({}, tasks.application_checks_run.name)
    assert route["queue"].name == "review"
    assert "flag-review-sla-breaches" in app.conf.beat_schedule


@pytest.mark.services
def test_submission_runs_the_checks_on_a_real_worker_and_a_rerun_keeps_the_rows(celery_worker_live):
    # given an application ready to submit
    application = ready()
    # when it is submitted (the task leaves through Redis once the transaction commits)
    services.application_submit(application=application, user=application.created_by)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        application.refresh_from_db()
        if application.status == "in_review":
            break
        time.sleep(0.2)
    # then the worker ran the checks
    assert application.status == "in_review" and application.fast_track
    first = rows(application)
    assert len(first) >= 8
    # and sending the task again through the broker leaves the same rows
    assert tasks.application_checks_run.delay(application.pk).get(timeout=30) is True
    assert rows(application) == first
