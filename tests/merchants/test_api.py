import pytest

from core.access import OPS_MANAGER, PLATFORM_ADMIN, REVIEWER, RISK_OFFICER
from core.models import AuditEntry
from merchants import services
from merchants.choices import MerchantStatus
from merchants.models import Merchant
from tests.factories import MerchantFactory, merchant_owner, staff

pytestmark = pytest.mark.django_db
URL = "/api/v1/merchants/"


def test_staff_see_every_merchant_and_a_merchant_user_only_its_own(as_user):
    # given two merchants, one with an owner
    mine, theirs = MerchantFactory(), MerchantFactory()
    owner = merchant_owner(mine)
    # when staff and the owner list merchants
    staff_ids = {m["id"] for m in as_user(staff(REVIEWER)).get(URL).json()["results"]}
    owner_ids = {m["id"] for m in as_user(owner).get(URL).json()["results"]}
    # then
    assert {mine.pk, theirs.pk} <= staff_ids
    assert owner_ids == {mine.pk}


def test_the_list_has_the_contract_fields_and_pagination_shape(as_user):
    merchant = MerchantFactory(external_ref="ERP-1")
    body = as_user(staff(REVIEWER)).get(URL, {"external_ref": "ERP-1"}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    for field in (
        "id",
        "name",
        "legal_name",
        "uscc",
        "status",
        "kyc_status",
        "restriction_reason",
        "tier",
        "credit_score",
        "categories",
        "external_ref",
        "created_at",
        "can_sell",
    ):
        assert field in row
    assert row["id"] == merchant.pk and row["status"] == "pending" and row["can_sell"] is False


def test_filter_by_status_and_ordering(as_user):
    admin = staff(PLATFORM_ADMIN)
    active = MerchantFactory(name="B active")
    services.merchant_activate(merchant=active, actor=admin)
    MerchantFactory(name="A pending")
    client = as_user(admin)
    body = client.get(URL, {"status": "active"}).json()
    assert [m["id"] for m in body["results"]] == [active.pk]
    names = [m["name"] for m in client.get(URL, {"ordering": "name"}).json()["results"]]
    assert names == sorted(names)


@pytest.mark.parametrize("page_size", [10, 100])
def test_the_merchant_list_query_count_does_not_grow_with_rows(as_user, django_assert_num_queries, page_size):
    for merchant in MerchantFactory.create_batch(page_size):
        merchant.categories.set([1, 2])
    client = as_user(staff(REVIEWER))
    # token auth, user roles, count, page, categories prefetch
    with django_assert_num_queries(5):
        response = client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


@pytest.mark.parametrize("page_size", [10, 100])
def test_the_merchant_user_list_query_count_is_fixed_too(as_user, django_assert_num_queries, page_size):
    user = merchant_owner()
    for merchant in MerchantFactory.create_batch(page_size):
        services.membership_add(merchant=merchant, user=user, role="staff", actor=None)
    client = as_user(user)
    # token auth, count, page, categories prefetch (a merchant user has no staff roles to read)
    with django_assert_num_queries(4):
        response = client.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_page_size_is_capped_at_200(as_user):
    MerchantFactory.create_batch(3)
    response = as_user(staff(REVIEWER)).get(URL, {"page_size": 1000})
    assert response.status_code == 200


def test_a_merchant_key_sees_only_its_merchant_and_a_platform_key_sees_all(as_key):
    mine, other = MerchantFactory(), MerchantFactory()
    scoped = {m["id"] for m in as_key("read", merchant=mine).get(URL).json()["results"]}
    platform = {m["id"] for m in as_key("read").get(URL).json()["results"]}
    assert scoped == {mine.pk}
    assert {mine.pk, other.pk} <= platform


def test_a_key_without_the_read_scope_is_forbidden(as_key):
    response = as_key("orders:write").get(URL)
    assert response.status_code == 403
    assert response.json()["type"] == "permission_denied"


def test_ops_creates_a_merchant_and_the_creation_is_audited(as_user):
    ops = staff(OPS_MANAGER)
    response = as_user(ops).post(
        URL,
        {"name": "Store", "legal_name": "Store Co.", "external_ref": "ERP-9", "categories": ["apparel"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["categories"] == ["apparel"]
    entry = AuditEntry.objects.get(action="merchant.create", object_id=str(body["id"]))
    assert entry.actor_user == ops and entry.merchant_id == body["id"]
    assert entry.ip_address == "127.0.0.1"


def test_a_duplicate_external_ref_is_a_validation_error_and_creates_nothing(as_user):
    MerchantFactory(external_ref="ERP-9")
    before = Merchant.objects.count()
    response = as_user(staff(OPS_MANAGER)).post(URL, {"name": "S", "legal_name": "S", "external_ref": "ERP-9"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "external_ref"
    assert Merchant.objects.count() == before


def test_a_reviewer_cannot_create_merchants(as_user):
    response = as_user(staff(REVIEWER)).post(URL, {"name": "S", "legal_name": "S"})
    assert response.status_code == 403


def test_risk_suspends_and_reinstates_with_reasons_audited(as_user):
    admin = staff(PLATFORM_ADMIN)
    merchant = MerchantFactory()
    services.merchant_activate(merchant=merchant, actor=admin)
    client = as_user(staff(RISK_OFFICER))
    suspended = client.post(f"{URL}{merchant.pk}/suspend/", {"reason": "counterfeit reports"})
    assert suspended.status_code == 200, suspended.json()
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["restriction_reason"] == "manual"
    assert suspended.json()["can_sell"] is False
    reinstated = client.post(f"{URL}{merchant.pk}/reinstate/", {"reason": "cleared"})
    assert reinstated.json()["status"] == "active" and reinstated.json()["can_sell"] is True
    actions = list(AuditEntry.objects.filter(merchant_id=merchant.pk).values_list("action", "reason"))
    assert ("merchant.suspend", "counterfeit reports") in actions
    assert ("merchant.reinstate", "cleared") in actions


def test_an_illegal_transition_is_409_and_changes_nothing(as_user):
    merchant = MerchantFactory()  # pending
    audit_rows = AuditEntry.objects.count()
    response = as_user(staff(RISK_OFFICER)).post(f"{URL}{merchant.pk}/reinstate/", {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["type"] == "conflict"
    assert response.json()["errors"][0]["code"] == "invalid_transition"
    merchant.refresh_from_db()
    assert merchant.status == MerchantStatus.PENDING
    assert AuditEntry.objects.count() == audit_rows


def test_a_merchant_owner_cannot_suspend_its_own_merchant(as_user):
    merchant = MerchantFactory()
    response = as_user(merchant_owner(merchant)).post(f"{URL}{merchant.pk}/suspend/", {"reason": "x"})
    assert response.status_code == 403


def test_history_shows_changes_and_hides_staff_names_from_merchants(as_user):
    admin = staff(PLATFORM_ADMIN, username="alice-admin")
    merchant = services.merchant_create(actor=admin, name="S", legal_name="S Co.")
    services.merchant_activate(merchant=merchant, actor=admin, reason="approved")
    owner = merchant_owner(merchant)
    staff_view = as_user(admin).get(f"{URL}{merchant.pk}/history/").json()
    owner_view = as_user(owner).get(f"{URL}{merchant.pk}/history/").json()
    assert [e["action"] for e in staff_view["results"]][:2] == ["merchant.activate", "merchant.create"]
    assert staff_view["results"][0]["actor"] == "alice-admin"
    assert staff_view["results"][0]["before"]["status"] == "pending"
    assert staff_view["results"][0]["after"]["status"] == "active"
    assert {e["actor"] for e in owner_view["results"] if e["action"].startswith("merchant.")} == {"platform"}


def test_categories_are_listed_with_codes(as_user):
    body = as_user(merchant_owner()).get("/api/v1/merchants/categories/", {"page_size": 100}).json()
    codes = {c["code"] for c in body["results"]}
    assert {"apparel", "food_beverage", "medical_devices"} <= codes


def test_the_history_query_count_does_not_grow_with_entries(as_user):
    from core.audit import audit
    from tests.factories import UserFactory
    from tests.query_counts import assert_constant_queries

    merchant = MerchantFactory()
    for client in (as_user(staff(PLATFORM_ADMIN)), as_user(merchant_owner(merchant))):

        def add(n):
            for _ in range(n):
                audit(actor=UserFactory(), action="merchant.note", obj=merchant, merchant_id=merchant.pk)

        assert_constant_queries(
            lambda client=client: client.get(f"{URL}{merchant.pk}/history/", {"page_size": 200}), add
        )
