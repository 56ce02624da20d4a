import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads land in a folder of this test, so 'nothing stored' can be checked on disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def stored_files(_media_root):
    def files() -> list:
        return [p for p in _media_root.rglob("*") if p.is_file()] if _media_root.exists() else []

    return files


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush every table, data migrations' rows included: put back the categories,
    their required documents and the agreements that onboarding needs."""
    db_fixtures = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
    if not request.node.get_closest_marker("django_db") and not db_fixtures & set(request.fixturenames):
        return
    import importlib

    from django.apps import apps

    from merchants.models import Category
    from onboarding.models import Agreement

    request.getfixturevalue("_django_db_helper")
    if Category.objects.exists() and Agreement.objects.exists():
        return
    categories = importlib.import_module("merchants.migrations.0002_default_categories")
    onboarding = importlib.import_module("onboarding.migrations.0002_requirements_agreements_roles")
    categories.add_categories(apps, None)
    onboarding.add_requirements(apps, None)
    onboarding.add_agreements(apps, None)
