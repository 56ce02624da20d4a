"""Staff list pages in the console: fixed query counts whatever the number of rows."""

import pytest

from core.access import PLATFORM_ADMIN
from core.audit import audit
from core.services import api_key_create
from merchants import services
from tests.factories import MerchantFactory, UserFactory, staff
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(staff(PLATFORM_ADMIN))
    return client


def test_merchant_changelist(admin_client):
    assert_constant_queries(
        lambda: admin_client.get("/admin/merchants/merchant/"), lambda n: MerchantFactory.create_batch(n)
    )


def test_audit_log_changelist(admin_client):
    merchant = MerchantFactory()

    def add(n):
        for _ in range(n):
            audit(actor=UserFactory(), action="merchant.note", obj=merchant, merchant_id=merchant.pk)

    assert_constant_queries(lambda: admin_client.get("/admin/core/auditentry/"), add)


def test_api_key_changelist(admin_client):
    def add(n):
        for i in range(n):
            api_key_create(name=f"k{i}", scopes=["read"], merchant_id=MerchantFactory().pk)

    assert_constant_queries(lambda: admin_client.get("/admin/core/apikey/"), add)


def test_membership_changelist(admin_client):
    def add(n):
        for _ in range(n):
            services.membership_add(merchant=MerchantFactory(), user=UserFactory(), role="owner", actor=None)

    assert_constant_queries(lambda: admin_client.get("/admin/merchants/merchantmembership/"), add)


def test_categories_endpoint(as_user):
    from merchants.models import Category

    client = as_user(staff(PLATFORM_ADMIN))

    def add(n):
        Category.objects.bulk_create(Category(code=f"extra-{Category.objects.count()}-{i}", name="x") for i in range(n))

    assert_constant_queries(lambda: client.get("/api/v1/merchants/categories/", {"page_size": 200}), add)


def test_staff_see_only_the_links_their_roles_may_follow(client):
    from core.access import OPS_MANAGER, REVIEWER

    client.force_login(staff(REVIEWER))
    page = client.get("/staff/onboarding/queue/").content.decode()
    assert "/staff/onboarding/efficiency/" not in page and "/portal/orders/" not in page
    client.force_login(staff(OPS_MANAGER))
    assert "/staff/onboarding/efficiency/" in client.get("/staff/onboarding/queue/").content.decode()


def test_portal_home_links_each_merchant_to_its_information(client):
    from tests.factories import MerchantFactory, merchant_owner

    merchant = MerchantFactory()
    client.force_login(merchant_owner(merchant))
    assert f"/portal/merchant-info/{merchant.pk}/" in client.get("/portal/").content.decode()
    client.force_login(staff("reviewer"))
    assert "/staff/merchant-info/change-requests/" in client.get("/staff/onboarding/queue/").content.decode()
