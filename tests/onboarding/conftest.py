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


@pytest.fixture
def eager_tasks():
    """Tasks scheduled on commit run in-process, whatever the broker (so a test can follow them)."""
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old
