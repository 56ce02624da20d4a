import pytest


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process (as the embedded mode does), also when a broker is configured."""
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
