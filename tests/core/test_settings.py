import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings

from core.db_router import ReplicaRouter, replica_alias

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_reports_nothing_with_production_variables():
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "merchantops.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://merchantops.example.com",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_the_demo_settings():
    env = {**os.environ, "DEBUG": "true", "HTTPS": "false"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # the demo secret key
    assert "merchantops.W001" in result.stderr + result.stdout  # encryption keys derived from it


def test_time_zone_and_languages():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert [code for code, _ in settings.LANGUAGES] == ["en", "zh-hans"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


class FakeMeta:
    def __init__(self, app_label):
        self.app_label = app_label


class FakeModel:
    def __init__(self, app_label):
        self._meta = FakeMeta(app_label)


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_analytics_reads_go_to_the_replica_when_one_is_configured():
    router = ReplicaRouter()
    databases = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    with override_settings(DATABASES=databases):
        assert replica_alias() == "replica"
        assert router.db_for_read(FakeModel("analytics")) == "replica"
        assert router.db_for_read(FakeModel("orders")) == "default"
        assert router.db_for_write(FakeModel("analytics")) == "default"
        assert router.allow_migrate("replica", "analytics") is False
    assert replica_alias() == "default"
    assert router.db_for_read(FakeModel("analytics")) == "default"


def test_database_replica_url_is_read_from_the_environment():
    env = {**os.environ, "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/merchantops"}
    code = "from django.conf import settings; print(settings.DATABASES['replica']['HOST'])"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "replica.internal", result.stderr
