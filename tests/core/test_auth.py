import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-Strong-pass-2026"


def test_register_creates_a_merchant_user_who_can_get_a_token(api):
    response = api.post(
        "/api/v1/auth/register/", {"username": "newshop", "password": PASSWORD, "email": "a@shop.example"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == "newshop"
    user = get_user_model().objects.get(username="newshop")
    assert not user.is_staff and user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="user.register", object_id=str(user.pk)).exists()
    token = api.post("/api/v1/auth/token/", {"username": "newshop", "password": PASSWORD}).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/merchants/").json()["count"] == 0


def test_a_weak_password_is_refused_and_nothing_is_created(api):
    response = api.post("/api/v1/auth/register/", {"username": "weak", "password": "123", "email": "w@x.example"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "password"
    assert not get_user_model().objects.filter(username="weak").exists()


def test_a_taken_username_is_refused(api):
    UserFactory(username="shop")
    response = api.post("/api/v1/auth/register/", {"username": "shop", "password": PASSWORD, "email": "s@x.example"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "username"


def test_a_wrong_password_gets_401(api):
    UserFactory(username="shop")
    response = api.post("/api/v1/auth/token/", {"username": "shop", "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["type"] == "not_authenticated"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_token_endpoint_locks_out_after_repeated_failures(api):
    UserFactory(username="shop")
    for _ in range(3):
        api.post("/api/v1/auth/token/", {"username": "shop", "password": "wrong"})
    # even the right password is refused while locked
    response = api.post("/api/v1/auth/token/", {"username": "shop", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "locked_out"
    # another account from the same address is not locked
    UserFactory(username="other")
    assert api.post("/api/v1/auth/token/", {"username": "other", "password": PASSWORD}).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_portal_login_locks_out(client):
    UserFactory(username="shop")
    for _ in range(3):
        client.post("/portal/login/", {"username": "shop", "password": "wrong"})
    response = client.post("/portal/login/", {"username": "shop", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_admin_login_locks_out(client):
    UserFactory(username="boss", roles=["platform_admin"])
    for _ in range(3):
        client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
