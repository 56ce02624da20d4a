"""Shared test set-up: real services when configured, strict 'nothing skipped' under CI."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
HAS_SERVICES = settings.USES_REAL_SERVICES and bool(settings.REDIS_URL)
SERVICES_REASON = "needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (as `.ci/run` does)"


def pytest_configure(config):
    if CI and not HAS_SERVICES:
        pytest.exit("CI=true needs DATABASE_URL (PostgreSQL) and REDIS_URL: " + SERVICES_REASON, returncode=3)
    # Hashing strength is not under test; a fast hasher keeps user-heavy tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Event rescores would queue delayed tasks (or, embedded, rescore in-process) from every app's tests;
    # tests/credit/test_rescore.py turns them on where they are under test.
    settings.CREDIT_RESCORE_ON_EVENTS = False


def pytest_collection_modifyitems(config, items):
    if HAS_SERVICES:
        return
    skip = pytest.mark.skip(reason=SERVICES_REASON)
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if CI and _skipped:
        print(f"\nCI=true: {len(_skipped)} test(s) were skipped, which CI does not allow:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in another one (Accept-Language, the language
    cookie) leaves that language active in the thread, which later tests would otherwise inherit."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _staff_roles(request):
    """Transactional tests flush every table, data migrations' rows included: put back the staff roles and
    the scoring policy."""
    db_fixtures = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
    if not request.node.get_closest_marker("django_db") and not db_fixtures & set(request.fixturenames):
        return
    from django.apps import apps
    from django.contrib.auth.models import Group

    from core.access import STAFF_ROLES
    from core.roles import sync_role_permissions

    request.getfixturevalue("_django_db_helper")
    if Group.objects.filter(name__in=STAFF_ROLES).count() != len(STAFF_ROLES):
        sync_role_permissions(apps)
    # ... and the scoring policy's versions 1 and 2, which data migrations create.
    import importlib

    from credit.models import ScoringPolicy

    if not ScoringPolicy.objects.exists():
        importlib.import_module("credit.migrations.0002_policy_v1_and_roles").create_version_1(apps, None)
        importlib.import_module("credit.migrations.0006_policy_v2").create_version_2(apps, None)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    """An API client authenticated with the user's token."""
    from rest_framework.authtoken.models import Token

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def as_key():
    """An API client authenticated with a new partner key."""
    from core.services import api_key_create

    def make(*scopes: str, merchant=None) -> APIClient:
        _key, raw = api_key_create(name="partner", scopes=list(scopes), merchant_id=merchant.pk if merchant else None)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


@pytest.fixture
def celery_worker_live(transactional_db):
    """A real Celery worker consuming the Redis broker, for tests of background work.

    It runs in a thread of this process so it reads the same test database; the test's writes are
    committed (transactional_db) so the worker sees them.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    if not HAS_SERVICES:
        pytest.skip(SERVICES_REASON)
    app.loader.import_default_modules()
    with start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=["default", "review", "scoring", "reports"],
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker


@pytest.fixture
def eager_tasks():
    """Tasks scheduled on commit run in-process, whatever the broker (so a test can follow them)."""
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old
