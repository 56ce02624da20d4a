import pytest
from django.contrib.auth import get_user_model

from core.access import REVIEWER
from merchants import services
from tests.factories import MerchantFactory, merchant_owner, staff

pytestmark = pytest.mark.django_db
PASSWORD = "a-Strong-pass-2026"


def test_an_owner_logs_in_and_sees_its_merchants_status(client):
    mine = services.merchant_activate(merchant=MerchantFactory(name="Mine"), actor=None)
    MerchantFactory(name="Somebody else's")
    owner = merchant_owner(mine)
    response = client.post("/portal/login/", {"username": owner.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"
    page = response.content.decode()
    assert "Mine" in page and "Active" in page
    assert "Somebody else" not in page


def test_the_home_page_needs_a_login(client):
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")


def test_register_then_logged_in_without_a_merchant(client):
    response = client.post(
        "/portal/register/",
        {"username": "newshop", "email": "n@shop.example", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert get_user_model().objects.filter(username="newshop").exists()
    assert "You do not belong to a merchant yet" in response.content.decode()


def test_register_with_a_weak_password_shows_the_reason_and_creates_nothing(client):
    response = client.post(
        "/portal/register/", {"username": "weak", "email": "w@x.example", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not get_user_model().objects.filter(username="weak").exists()


def test_logout(client):
    client.force_login(merchant_owner())
    response = client.post("/portal/logout/")
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302


def test_staff_are_sent_to_the_admin_and_can_open_it(client):
    client.force_login(staff(REVIEWER))
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/merchants/merchant/").status_code == 200


def test_a_merchant_user_cannot_open_the_admin(client):
    client.force_login(merchant_owner())
    assert client.get("/admin/").status_code == 302


def test_the_portal_speaks_simplified_chinese(client):
    owner = merchant_owner(services.merchant_activate(merchant=MerchantFactory(), actor=None))
    client.force_login(owner)
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "你的商家" in page and "正常经营" in page
    client.logout()
    login_page = client.get("/portal/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录商家门户" in login_page
