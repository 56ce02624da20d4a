"""The portal as a person uses it, in headless Chromium against a live server."""

import pytest

from merchants import services
from tests.factories import MerchantFactory, merchant_owner

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-Strong-pass-2026"


def test_a_new_merchant_user_registers_logs_out_and_back_in(page):
    page.goto("/portal/register/")
    page.fill("#id_username", "browsershop")
    page.fill("#id_email", "b@shop.example")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]:has-text('Register')")
    page.wait_for_url("**/portal/")
    assert "You do not belong to a merchant yet" in page.content()
    page.click("button:has-text('Log out')")
    page.wait_for_url("**/portal/login/")
    page.fill("#id_username", "browsershop")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/portal/")
    assert "browsershop" in page.text_content("header")


def test_an_owner_sees_its_merchant_and_switches_to_chinese(page):
    merchant = services.merchant_activate(merchant=MerchantFactory(name="Browser Store"), actor=None)
    owner = merchant_owner(merchant)
    page.goto("/portal/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/portal/")
    row = page.locator("table.list tbody tr").first
    assert "Browser Store" in row.text_content() and "Active" in row.text_content()
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state("load")
    page.wait_for_selector("text=你的商家")
    assert "正常经营" in page.locator("table.list tbody tr").first.text_content()


def test_a_wrong_password_shows_an_error_and_stays_on_the_login_page(page):
    owner = merchant_owner()
    page.goto("/portal/login/")
    page.fill("#id_username", owner.username)
    page.fill("#id_password", "wrong-password")
    page.click("main button[type=submit]")
    assert "/portal/login/" in page.url
    assert page.locator(".errorlist, .errors").count() > 0
